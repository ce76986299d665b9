"""The Koordinator's "Children in support" panel reads the register's maintained figure
(monitoring/figures.py): the live counts' numbers after every kind of write, at any time of
day, in a number of queries that does not grow with the register; other roles count live."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from home.panels import children_panel
from monitoring import services
from monitoring.figures import register_children
from monitoring.models import FOLLOW_UP_DAYS, ChildRecord
from peksos.core import tallies
from peksos.core.models import SchoolTally, Tally
from schools import tallies_check
from tests.factories import open_record

WIB = ZoneInfo("Asia/Jakarta")
TODAY = date(2026, 10, 14)
NOW = datetime(2026, 10, 14, 9, 0, tzinfo=WIB)
FOLLOW_UP = timedelta(days=FOLLOW_UP_DAYS)
HOME = reverse("home")


def live(now: datetime) -> dict:
    """The panel's former count over every record (ChildRecordQuerySet.overdue)."""
    return (
        ChildRecord.objects.open()
        .order_by()
        .aggregate(
            open=Count("pk"),
            tier3=Count("pk", filter=Q(tier=3)),
            overdue=Count("pk", filter=Q(last_contact_at__lt=now - FOLLOW_UP)),
        )
    )


def tiles(panel) -> dict:
    keys = {"children": "open", "tier3": "tier3", "follow_ups": "overdue"}
    return {keys[t.key]: t.value for t in panel.tiles}


def assert_right(now: datetime = NOW) -> None:
    assert register_children(now) == live(now), now


def contact(record: ChildRecord, at: datetime) -> None:
    record.last_contact_at = at
    record.save(update_fields=["last_contact_at"])


@pytest.fixture
def clock(kota_metro):
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def records(clock, school_a, school_b, peksos_budi, peksos_joko_sdn2):
    """Five open records of two schools: two overdue, one of them tier 2."""
    made = [
        open_record(school_a, peksos_budi, name="Anak A1"),
        open_record(school_a, peksos_budi, name="Anak A2", tier=ChildRecord.Tier.GROUP),
        open_record(school_a, peksos_budi, name="Anak A3"),
        open_record(school_b, peksos_joko_sdn2, name="Anak B1"),
        open_record(school_b, peksos_joko_sdn2, name="Anak B2", tier=ChildRecord.Tier.GROUP),
    ]
    contact(made[0], NOW - FOLLOW_UP - timedelta(days=3))
    contact(made[1], NOW - FOLLOW_UP - timedelta(hours=1))
    contact(made[3], NOW - timedelta(days=10))
    return made


def test_opening_records_counts_them(records):
    assert register_children(NOW) == {"open": 5, "tier3": 3, "overdue": 2}
    assert_right()


def test_closing_and_reopening_a_record(records, koordinator_ani, peksos_budi):
    services.record_close_request(
        record=records[0], outcome="tujuan_tercapai", note="Tujuan tercapai.", by=peksos_budi
    )
    services.record_close_approve(record=records[0], by=koordinator_ani)
    assert register_children(NOW) == {"open": 4, "tier3": 2, "overdue": 1}
    assert_right()
    record = ChildRecord.objects.get(pk=records[0].pk)
    record.status, record.closed_at = ChildRecord.Status.OPEN, None
    record.save(update_fields=["status", "closed_at"])
    assert register_children(NOW)["overdue"] == 2
    assert_right()


def test_a_tier_change(records, peksos_budi):
    services.plan_save(
        record=records[1], tier=ChildRecord.Tier.INDIVIDUAL, needs="Rasa aman.", by=peksos_budi
    )
    assert register_children(NOW)["tier3"] == 4
    assert_right()


def test_a_follow_up_recorded_moves_the_clock(records, peksos_budi):
    services.note_add(
        record=records[0], noted_on=TODAY, source="observasi", text="Baik.", by=peksos_budi
    )
    assert register_children(NOW)["overdue"] == 1
    assert_right()


def test_a_record_moved_to_another_school(records, school_b):
    record = ChildRecord.objects.get(pk=records[0].pk)
    record.school = school_b
    record.save(update_fields=["school"])
    assert_right()
    by_school = {
        row.school_id: tallies.by_key(tallies.decode(row.counts))
        for row in SchoolTally.objects.filter(figure="children")
    }
    assert by_school[school_b.pk]["open"] == 3 and by_school[records[1].school_id]["open"] == 2


def test_a_deleted_record(records):
    ChildRecord.objects.get(pk=records[0].pk).delete()
    assert register_children(NOW) == {"open": 4, "tier3": 2, "overdue": 1}
    assert_right()


def test_a_rolled_back_write_changes_nothing(records):
    before = register_children(NOW)
    with pytest.raises(RuntimeError), transaction.atomic():
        contact(ChildRecord.objects.get(pk=records[3].pk), NOW - FOLLOW_UP * 2)
        open_record(records[0].school, records[0].peksos or records[0].created_by, name="Anak X")
        raise RuntimeError
    assert register_children(NOW) == before
    assert_right()


def test_a_save_that_writes_no_counted_field_counts_nothing_again(records):
    record = ChildRecord.objects.get(pk=records[0].pk)
    record.closing_note = "Catatan."
    with CaptureQueriesContext(connection) as saved:
        record.save(update_fields=["closing_note"])
    assert not [q for q in saved.captured_queries if SchoolTally._meta.db_table in q["sql"]]
    with CaptureQueriesContext(connection) as saved:
        record.save(update_fields=["tier"])
    assert [q for q in saved.captured_queries if SchoolTally._meta.db_table in q["sql"]]


def test_overdue_is_right_at_any_time_of_day(clock, school_a, peksos_budi, koordinator_ani):
    """Follow-ups falling due around midnight WIB, a day before and after: the dated sums
    up to yesterday plus today's live count equal the live count, to the microsecond."""
    tick = timedelta(microseconds=1)
    midnight = datetime.combine(TODAY, time.min, tzinfo=WIB)
    moments = [
        midnight + delta
        for day in (-1, 0, 1)
        for delta in (
            timedelta(days=day),
            timedelta(days=day) + tick,
            timedelta(days=day, hours=6, minutes=30),
            timedelta(days=day, hours=12),
            timedelta(days=day + 1) - tick,
        )
    ]
    for n, due in enumerate(moments):
        contact(open_record(school_a, peksos_budi, name=f"Anak {n}"), due - FOLLOW_UP)
    nows = sorted(
        {now for due in moments for now in (due - tick, due, due + tick)}
        | {midnight + timedelta(hours=h, minutes=m) for h in range(-30, 54, 3) for m in (0, 7)}
    )
    for now in nows:
        with time_machine.travel(now, tick=False):
            assert tiles(children_panel(koordinator_ani, timezone.now())) == live(now), now
    # Just after midnight WIB: yesterday's five and the one due at midnight; just before it,
    # not the one due in the last microsecond of yesterday.
    assert register_children(midnight + tick)["overdue"] == 6
    assert register_children(midnight - tick)["overdue"] == 4


def test_other_roles_keep_the_live_count(records, peksos_budi, koordinator_ani):
    """A write behind the tallies' back (no `changed`) shows at once for a PEKSOS, who counts
    live, and only after the nightly check for the Koordinator, who reads the figure."""
    ChildRecord.objects.filter(pk=records[2].pk).update(status=ChildRecord.Status.CLOSED)
    assert tiles(children_panel(peksos_budi, NOW))["open"] == 2  # school A's, live
    assert tiles(children_panel(koordinator_ani, NOW))["open"] == 5  # the figure, stale
    drift = tallies_check.check(["children"])
    assert drift.schools["children"] == 1
    assert tiles(children_panel(koordinator_ani, NOW)) == live(NOW)


def test_the_nightly_check_repairs_a_total_changed_behind_its_back(records):
    Tally.objects.create(figure="children", key="due", day=TODAY - timedelta(days=5), n=7)
    assert register_children(NOW)["overdue"] == live(NOW)["overdue"] + 7
    drift = tallies_check.check(["children"])
    assert drift.keys["children"] == 1 and drift.schools["children"] == 0
    assert_right()


def test_migrate_counts_the_figure_in_a_register_that_has_never_counted_it(records):
    """An existing deployment: the figure is new, its rows absent; the next `migrate`
    (post_migrate, `fill_if_empty`) counts it, and only it."""
    tallies_check.fill_if_empty()  # the figures no write of this register touched yet
    Tally.objects.filter(figure="children").delete()
    SchoolTally.objects.filter(figure="children").delete()
    assert register_children(NOW)["open"] == 0
    assert tallies_check.fill_if_empty() == ["children"]
    assert_right()
    assert tallies_check.fill_if_empty() == []


def add_records(school, n: int) -> None:
    """More records, written in bulk as a bench does (then `changed`)."""
    made = ChildRecord.objects.bulk_create(
        ChildRecord(
            school=school,
            class_level="3",
            sex="L",
            birth_year=2017,
            name=f"Anak {i}",
            initials="AN",
            tier=2 + i % 2,
            last_contact_at=NOW - timedelta(days=i % 60, hours=i % 24),
        )
        for i in range(n)
    )
    tallies.changed("children", {r.school_id for r in made})


def children_of(response):
    return next(p for p in response.context["dashboard"].panels if p.key == "children")


def test_the_koordinator_dashboard_reads_the_figure_in_a_fixed_number_of_queries(
    login, koordinator_ani, records, school_b, django_assert_num_queries
):
    client = login(koordinator_ani)
    client.get(HOME)
    with django_assert_num_queries(20) as first:  # the figure's sums and today's live count
        response = client.get(HOME)
    assert tiles(children_of(response)) == live(NOW)
    add_records(school_b, 80)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(HOME)
    assert tiles(children_of(response)) == live(NOW)
    assert tiles(children_of(response))["open"] == 85


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_todays_live_count_reads_the_open_contact_index(records):
    start = datetime.combine(TODAY, time.min, tzinfo=WIB) - FOLLOW_UP
    rows = ChildRecord.objects.filter(
        status=ChildRecord.Status.OPEN,
        last_contact_at__gte=start,
        last_contact_at__lt=NOW - FOLLOW_UP,
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = rows.order_by().values("status").explain()
    assert "child_open_contact" in plan
