"""PEKSOS behind PgBouncer in transaction mode (bin/scaleout-up: port 6434 in front of the
primary; `make test-scaleout` runs this whole module and the database tests that matter,
tests/core/test_audit.py, test_outbox.py, test_tallies.py and tests/reports/test_report_tasks.py,
with DATABASE_URL through it). Here: the settings docs/deployment.md names, and the claims and
locks several connections race for, each connection a PgBouncer client of its own."""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction

from peksos.core import tallies
from peksos.core.models import OutboxMessage
from peksos.core.outbox import claim, enqueue
from reports import builder
from schools.models import School
from tests.factories import city_report
from tests.services import skip_or_fail

pytestmark = [pytest.mark.services, pytest.mark.xdist_group("pooler")]


@pytest.fixture
def pooled():
    if not settings.TRANSACTION_POOLING or not os.environ.get("PGBOUNCER_ADMIN_URL"):
        skip_or_fail("PgBouncer (DB_TRANSACTION_POOLING=1; make test-scaleout starts one)")
    return os.environ["PGBOUNCER_ADMIN_URL"]


def console(admin_url: str, command: str) -> list[dict]:
    """A command of PgBouncer's admin console (simple queries only), as rows of dicts."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        result = conn.pgconn.exec_(command.encode())
        names = [result.fname(i).decode() for i in range(result.nfields)]
        return [
            {names[c]: (result.get_value(r, c) or b"").decode() for c in range(result.nfields)}
            for r in range(result.ntuples)
        ]


def race(n: int, work):
    """`work(i)` in n threads at once, each on its own database connection."""
    barrier = threading.Barrier(n)

    def run(i):
        try:
            barrier.wait(10)
            return work(i)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


@pytest.mark.django_db
def test_the_settings_for_transaction_pooling(pooled):
    database = settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] == 0
    assert database["DISABLE_SERVER_SIDE_CURSORS"] is True
    connection.ensure_connection()
    assert connection.connection.prepare_threshold is None  # no prepared statements
    with connection.cursor() as cursor:
        assert isinstance(cursor.cursor, psycopg.ClientCursor)  # client-side binding
    config = {row["key"]: row["value"] for row in console(pooled, "SHOW CONFIG")}
    assert config["pool_mode"] == "transaction"
    assert settings.DATABASES["default"]["PORT"] == int(config["listen_port"])
    pools = {row["database"]: row for row in console(pooled, "SHOW POOLS")}
    assert connection.settings_dict["NAME"] in pools  # this test's queries went through it


@pytest.mark.django_db(transaction=True)
def test_iterating_outside_a_transaction_works_without_server_side_cursors(pooled, kota_metro):
    assert not connection.in_atomic_block
    assert sum(1 for _ in School.objects.order_by("pk").iterator(chunk_size=50)) == 308


@pytest.mark.django_db(transaction=True)
def test_an_outbox_message_is_claimed_by_one_of_many_workers(pooled):
    messages = [enqueue("email", {"n": i}) for i in range(3)]
    OutboxMessage.objects.update(state=OutboxMessage.State.DISPATCHED)

    def work(i):
        taken = []
        for message in messages:
            with claim(message.id) as got:
                if got is not None:
                    taken.append(str(message.id))
        return taken

    taken = [m for result in race(6, work) for m in result]
    assert sorted(taken) == sorted(str(m.id) for m in messages)  # each exactly once
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {"done"}


@pytest.mark.django_db(transaction=True)
def test_a_report_is_claimed_by_one_of_many_workers(pooled, kota_metro):
    report = city_report()
    tokens = race(6, lambda i: builder.claim(report.pk))
    assert len([t for t in tokens if t is not None]) == 1
    report.refresh_from_db()
    assert report.attempts == 1 and report.run_token in tokens


@pytest.mark.django_db(transaction=True)
def test_writers_of_the_same_schools_take_turns_and_leave_no_drift(pooled, kota_metro):
    """Six connections count the same schools again at once: each locks the schools' stored
    contributions in turn (no deadlock, no lost delta), and a rebuild finds nothing wrong."""
    ids = list(School.objects.order_by("pk").values_list("pk", flat=True)[:3])
    bands = ["tinggi", "sedang", "rendah"]

    def work(i):
        with transaction.atomic():
            School.objects.filter(pk__in=ids).update(priority_band=bands[i % 3])
            tallies.changed("schools", ids)
        return True

    assert all(race(6, work))
    assert not tallies.rebuild(ids, ["schools"])


@pytest.mark.django_db
def test_the_audit_log_stays_append_only_through_the_pooler(pooled, koordinator_ani):
    from peksos.core import audit

    audit.record("pooler_check", actor=koordinator_ani)
    for sql in (
        "UPDATE core_auditevent SET action = 'x'",
        "DELETE FROM core_auditevent",
        "TRUNCATE core_auditevent",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
