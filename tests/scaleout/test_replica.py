"""The read replica against a real PostgreSQL streaming standby (bin/scaleout-up: primary on
5434 through PgBouncer, standby on 5435; `make test-scaleout`): which reads go there, which
never do, and the fall back to the primary when it is down or behind (docs/deployment.md,
peksos/core/dbrouter.py)."""

import json
import time

import pytest
from django.conf import settings
from django.db import connections
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from home import dashboards
from peksos.accounts.models import Role
from peksos.core import audit, dbrouter
from peksos.core.dbrouter import read_alias, replica_reads
from reports import builder
from reports.permissions import reports_visible_to
from schools.models import School
from tests.factories import city_report, make_user
from visits.models import Visit

HAS_REPLICA = "replica" in settings.DATABASES
pytestmark = [
    pytest.mark.services,
    pytest.mark.xdist_group("replica"),  # the lag and down tests pause and stop the standby
    # Without a replica (a plain run), the `replica` fixture skips (or fails in CI).
    pytest.mark.django_db(
        transaction=True, databases=["default", "replica"] if HAS_REPLICA else ["default"]
    ),
]


VISITS = f'"{Visit._meta.db_table}"'


def selects(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries]


def test_committed_rows_are_read_from_the_streaming_replica(replica, replayed, kota_metro):
    school = School.objects.order_by("pk").first()
    School.objects.filter(pk=school.pk).update(name="SD Negeri Replika")
    replayed()
    with replica_reads():
        assert read_alias() == "replica"
        with CaptureQueriesContext(replica) as on_replica:
            assert School.objects.get(pk=school.pk).name == "SD Negeri Replika"
    assert len(on_replica) == 1
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)  # a standby, not the primary again
    # Outside a block nothing reads the replica.
    with CaptureQueriesContext(replica) as outside:
        School.objects.get(pk=school.pk)
    assert len(outside) == 0


def test_the_register_wide_figures_read_the_replica_and_permission_checks_do_not(
    replica, replayed, kota_metro
):
    koordinator = make_user("koordinator_replika", Role.KOORDINATOR)
    replayed()
    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        dashboard = dashboards.for_user(koordinator)
    assert dashboard.school_count == 308
    replica_sql = " ".join(selects(on_replica))
    assert '"core_tally"' in replica_sql  # the register-wide figures (peksos/core/tallies.py)
    assert all(sql.lstrip().upper().startswith(("SELECT", "WITH")) for sql in selects(on_replica))
    # Who may see which reports is asked of the primary, never of the replica.
    assert '"reports_report"' in " ".join(selects(on_primary))
    assert '"reports_report"' not in replica_sql
    with replica_reads(), CaptureQueriesContext(replica) as checks:
        list(reports_visible_to(koordinator).values_list("pk", flat=True))
        with dbrouter.primary_reads():
            School.objects.count()
    assert len(checks) == 1  # the block's read; the one inside primary_reads() is not there


def test_a_write_sends_the_rest_of_the_block_and_the_request_to_the_primary(replica, kota_metro):
    with replica_reads():
        assert read_alias() == "replica"
        School.objects.filter(pk=-1).update(name="x")  # a write, even of no row
        with CaptureQueriesContext(replica) as after:
            School.objects.count()
        assert len(after) == 0 and read_alias() == "default"

    seen = {}

    def view(request):
        if request.method == "GET":  # a page view's audit row is not the user's own save
            audit.record("replica_check", object_type="schools.school")
        seen[request.method] = read_alias()
        with replica_reads(), CaptureQueriesContext(replica) as captured:
            School.objects.count()
        seen[request.method + " queries on the replica"] = len(captured)
        return HttpResponse("ok")

    middleware = dbrouter.PrimaryAfterWriteMiddleware(view)
    factory = RequestFactory()
    posted = middleware(factory.post("/x/"))
    assert seen["POST"] == "default" and seen["POST queries on the replica"] == 0
    cookie = posted.cookies[dbrouter.COOKIE]
    assert cookie["httponly"] and int(cookie["max-age"]) >= 10
    # The page the form redirects to, in the same browser: still the primary.
    request = factory.get("/")
    request.COOKIES[dbrouter.COOKIE] = "1"
    middleware(request)
    assert seen["GET"] == "default"
    # Another browser (or the same one later): the replica.
    middleware(factory.get("/"))
    assert seen["GET"] == "replica" and seen["GET queries on the replica"] == 1


def test_a_lagging_replica_is_left_for_the_primary_and_the_health_check_says_so(
    replica, replayed, kota_metro, settings, client
):
    settings.REPLICA_MAX_LAG_SECONDS = 0.5
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        School.objects.filter(pk=School.objects.order_by("pk").first().pk).update(name="Lag")
        deadline = time.monotonic() + 10
        status = None
        while time.monotonic() < deadline:
            dbrouter.forget_status()
            status, behind = dbrouter.replica_status()
            if status == dbrouter.LAGGING:
                break
            time.sleep(0.1)
        assert status == dbrouter.LAGGING and behind > 0.5
        with replica_reads(), CaptureQueriesContext(replica) as captured:
            assert read_alias() == "default"
            School.objects.count()
        assert not [sql for sql in selects(captured) if "schools_school" in sql]
        health = client.get(reverse("healthz"))
        assert health.status_code == 200  # pages work: the primary serves the reads
        assert json.loads(health.content) == {
            "database": "ok",
            "broker": json.loads(health.content)["broker"],
            "replica": "lagging",
            "replica_reads": "primary",
        }
    finally:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    replayed()
    settings.REPLICA_MAX_LAG_SECONDS = 10  # the default: this busy machine's normal lag is fine
    dbrouter.forget_status()
    assert dbrouter.replica_status()[0] == dbrouter.OK
    assert json.loads(client.get(reverse("healthz")).content)["replica"] == "ok"


def test_a_replica_that_is_down_is_left_for_the_primary(
    replica, scaleout_script, kota_metro, client
):
    scaleout_script("replica-stop")
    try:
        dbrouter.forget_status()
        assert dbrouter.replica_status()[0] == dbrouter.DOWN
        with replica_reads():
            assert read_alias() == "default"
            assert School.objects.count() == 308  # read on the primary, no error
        health = json.loads(client.get(reverse("healthz")).content)
        assert health["replica"] == "down" and health["replica_reads"] == "primary"
        assert health["database"] == "ok"
    finally:
        scaleout_script("replica-start")
    dbrouter.forget_status()
    deadline = time.monotonic() + 60
    while dbrouter.replica_status()[0] != dbrouter.OK and time.monotonic() < deadline:
        time.sleep(0.2)
        dbrouter.forget_status()
    assert dbrouter.replica_status()[0] == dbrouter.OK


def test_the_figures_pages_of_the_whole_register_read_the_replica(
    replica, replayed, kota_metro, login, koordinator_ani
):
    client = login(koordinator_ani)
    replayed()
    for url, tables in (
        (reverse("visits:compliance-board"), ['"core_tally"']),
        # The open and overdue cases are counted live (they depend on the hour), there too.
        (reverse("sosdesk:case-figures"), ['"core_tally"', '"sosdesk_case"']),
    ):
        with CaptureQueriesContext(replica) as on_replica:
            assert client.get(url).status_code == 200
        read = " ".join(selects(on_replica))
        assert all(table in read for table in tables), url


def test_the_report_builder_reads_its_sections_from_the_replica(
    replica, replayed, kota_metro, monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr("reports.pdf.render_pdf", lambda html, **kw: b"%PDF-1.7\n%%EOF\n")
    report = city_report()
    replayed()
    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        assert builder.run(report.pk)
    replica_sql = " ".join(selects(on_replica))
    assert VISITS in replica_sql and '"sosdesk_case"' in replica_sql
    # The report's own row (claimed, its progress, its end) only ever on the primary.
    assert '"reports_report"' not in replica_sql
    assert '"reports_report"' in " ".join(selects(on_primary))


def test_an_application_role_without_statistics_rights_sees_a_streaming_replica(replica, settings):
    """Production connects as an ordinary role: the replica's WAL receiver details are hidden
    from it, yet a caught-up replica must still be "ok" (not lagging on an idle primary)."""
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'peksos_app_test')"
            " THEN CREATE ROLE peksos_app_test LOGIN; END IF; END$$"
        )
    time.sleep(0.5)  # the role reaches the standby
    saved = replica.settings_dict["USER"]
    replica.close()
    replica.settings_dict["USER"] = "peksos_app_test"
    try:
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_has_role('pg_read_all_stats', 'member'), current_user")
            assert cursor.fetchone() == (False, "peksos_app_test")
        # Caught up and streaming is "0 s behind", whatever the age of the last transaction.
        settings.REPLICA_MAX_LAG_SECONDS = 0.001
        statuses = []
        for _ in range(20):
            statuses.append(dbrouter.replica_status(fresh=True)[0])
            if statuses[-1] == dbrouter.OK:
                break
            time.sleep(0.1)
        assert dbrouter.OK in statuses and dbrouter.DOWN not in statuses
    finally:
        replica.close()
        replica.settings_dict["USER"] = saved
