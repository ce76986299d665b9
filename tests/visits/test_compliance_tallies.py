"""The register's visit figures as maintained sums (visits/figures.py) equal the live counts
(`compliance_rows` over the active schools, the visits panel's aggregate) after every kind of
write, on any day, and are repaired by the nightly check when something bypassed them."""

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from home.panels import visits_panel
from peksos.core import tallies
from peksos.core.models import AuditEvent, SchoolTally
from schools import tallies_check
from schools.models import Kecamatan, School
from tests.factories import make_visit
from visits import figures
from visits.compliance import compliance_rows, totals
from visits.models import StaffCapacity, Visit

TODAY = date(2026, 10, 14)  # a Wednesday of school year 2026/2027
YEAR = 2026
WIB = ZoneInfo("Asia/Jakarta")


def live_rows(today: date, year: int, group: str) -> list[dict]:
    return compliance_rows(School.objects.active(), year, today, group)


def by_label(rows: list[dict], label: str) -> list[dict]:
    return sorted(({"label": r[label], **{k: r[k] for k in figures.KEYS}} for r in rows), key=str)


def assert_compliance_matches(today: date = TODAY, year: int = YEAR) -> list[dict]:
    by_level = figures.register_rows(year, today, "level")
    assert by_level == [{**r, "label": r["level"]} for r in live_rows(today, year, "level")]
    live = live_rows(today, year, "kecamatan__name")
    parent, regions = figures.region_drill(year, today)
    assert parent == "18.72"  # Kota Metro: its kecamatan, as one kabupaten/kota
    assert by_label(regions, "label") == by_label(live, "kecamatan__name")
    assert figures.register_totals(year, today) == totals(live)
    return totals(live)


def assert_panel_matches(today: date = TODAY) -> dict:
    live = {t.key: t.value for t in visits_panel(Visit.objects.all(), today).tiles}
    assert {t.key: t.value for t in visits_panel(None, today).tiles} == live
    return live


def assert_all_match(today: date = TODAY) -> dict:
    return {**assert_compliance_matches(today), **assert_panel_matches(today)}


@pytest.fixture
def today():
    with time_machine.travel(datetime(2026, 10, 14, 9, 0, tzinfo=WIB)):
        assert timezone.localdate() == TODAY
        yield TODAY


@pytest.fixture
def schools(kota_metro):
    return list(School.objects.active().order_by("pk")[:6])


def test_the_seeded_register_is_counted(today, kota_metro):
    figures_now = assert_all_match()
    assert figures_now["total"] == School.objects.active().count() > 300
    assert figures_now["done_0"] == figures_now["at_risk"] == figures_now["total"]


def test_visits_written_one_by_one_keep_every_figure_equal_to_the_live_count(today, schools):
    a, b, c, d, e, f = schools
    make_visit(a, TODAY - timedelta(days=30), Visit.State.DONE)
    make_visit(a, TODAY - timedelta(days=10), Visit.State.DONE)
    one = make_visit(b, TODAY - timedelta(days=20), Visit.State.DONE)
    make_visit(b, TODAY + timedelta(days=5), Visit.State.AGREED)
    make_visit(c, TODAY + timedelta(days=3), Visit.State.PROPOSED)
    later = make_visit(c, TODAY + timedelta(days=40), Visit.State.AGREED)
    make_visit(d, TODAY + timedelta(days=9), Visit.State.PROPOSED)
    make_visit(e, TODAY + timedelta(days=2), Visit.State.CANCELLED)
    make_visit(f, date(2025, 9, 1), Visit.State.DONE)  # last school year
    counted = assert_all_match()
    assert counted["done_2"] == 1 and counted["done_1"] == 1
    assert counted["with_planned"] == 3 and counted["upcoming"] == 3 and counted["proposed"] == 2
    at_risk = counted["at_risk"]
    assert at_risk == counted["total"] - 3  # A done twice, B one and one planned, C two planned

    later.state = Visit.State.CANCELLED  # C keeps one planned visit: at risk now
    later.save()
    assert assert_all_match()["at_risk"] == at_risk + 1

    later.state = Visit.State.AGREED
    later.set_date(TODAY + timedelta(days=12))  # a new date, back to two planned
    later.save()
    assert assert_all_match()["upcoming"] == 4

    one.state = Visit.State.AGREED  # B: no visit done, two planned
    one.save()
    assert assert_all_match()["done_1"] == 0

    Visit.objects.get(school=d).delete()
    assert assert_all_match()["proposed"] == 1

    assert_compliance_matches(year=2025)  # another year's board from the same sums
    level_rows = [{**r, "label": r["level"]} for r in live_rows(TODAY, 2025, "level")]
    assert figures.register_rows(2025, TODAY, "level") == level_rows


def test_a_school_moved_renamed_or_deactivated_is_counted_where_it_is(today, schools):
    a, b = schools[:2]
    make_visit(a, TODAY - timedelta(days=5), Visit.State.DONE)
    make_visit(b, TODAY + timedelta(days=5), Visit.State.AGREED)
    other = Kecamatan.objects.exclude(pk=a.kecamatan_id).first()
    a.kecamatan, a.level = other, School.Level.SLB if a.level != "SLB" else School.Level.SD
    a.save()
    assert_all_match()

    other.name = "Metro Baru"  # a renamed kecamatan: its schools' sums follow the name
    other.save()
    rows = figures.region_drill(YEAR, TODAY)[1]
    assert "Metro Baru" in [row["label"] for row in rows]
    assert_all_match()

    b.is_active = False
    b.save()
    counted = assert_all_match()
    assert counted["with_planned"] == 0
    assert counted["upcoming"] == 1  # the visits panel counts every visit, as before


def test_the_planners_bulk_insert_is_counted(
    today, login, koordinator_ani, peksos_budi, peksos_joko_sdn2, psikolog_gita, pendamping_hadi
):
    for user in (peksos_budi, peksos_joko_sdn2, psikolog_gita, pendamping_hadi):
        StaffCapacity.objects.create(user=user, per_day=3, per_week=15)
    data = {"year": YEAR, "min_gap_weeks": 8, "kecamatan": "18.72.01"}
    data["kind_semester_1"], data["kind_semester_2"] = ["kampanye"], ["pelatihan"]
    login(koordinator_ani).post(reverse("visits:plan-create"), data, follow=True)
    assert Visit.objects.filter(plan__isnull=False).exists()
    counted = assert_all_match()
    assert counted["with_planned"] > 0 and counted["proposed"] > 0


def test_a_planned_visit_passing_into_the_past_changes_the_figures_without_a_write(
    schools, kota_metro
):
    a, b = schools[:2]
    with time_machine.travel(date(2026, 10, 14)):
        make_visit(a, date(2026, 10, 15), Visit.State.AGREED)
        make_visit(a, date(2026, 10, 20), Visit.State.AGREED)
        make_visit(b, date(2026, 10, 15), Visit.State.AGREED)
        make_visit(b, date(2026, 9, 1), Visit.State.DONE)
        before = assert_all_match(date(2026, 10, 14))
    rows = SchoolTally.objects.count()
    with time_machine.travel(date(2026, 10, 17)):
        after = assert_all_match(date(2026, 10, 17))
    assert SchoolTally.objects.count() == rows
    assert before["with_planned"] - after["with_planned"] == 1  # B's visit of the 15th
    assert after["at_risk"] - before["at_risk"] == 2  # A has one planned left, B none
    assert before["upcoming"] - after["upcoming"] == 2


def test_a_rolled_back_write_leaves_the_figures_as_they_were(today, schools):
    before = assert_all_match()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_visit(schools[0], TODAY - timedelta(days=1), Visit.State.DONE)
        make_visit(schools[0], TODAY + timedelta(days=1), Visit.State.PROPOSED)
        assert assert_all_match()["done_1"] == 1
        raise RuntimeError
    assert assert_all_match() == before


def test_the_nightly_check_repairs_and_reports_a_total_that_drifted(today, schools):
    make_visit(schools[0], TODAY - timedelta(days=1), Visit.State.DONE)
    # A hand edit in psql: a total wrong with no write behind it.
    tallies.append("compliance", Counter({(f"all|{YEAR}|d1|", tallies.UNDATED): 5}))
    assert figures.register_totals(YEAR, TODAY)["done_1"] == 6
    drift = tallies_check.check(["compliance"])
    assert drift.keys["compliance"] == 1 and drift.schools["compliance"] == 0
    assert_all_match()
    assert AuditEvent.objects.filter(action="tallies.drift_repaired").exists()


def test_the_nightly_check_counts_a_visit_written_behind_its_back(today, schools):
    visit = make_visit(schools[0], TODAY + timedelta(days=3), Visit.State.AGREED)
    Visit.objects.filter(pk=visit.pk).update(state=Visit.State.DONE)  # no `changed`
    assert figures.register_totals(YEAR, TODAY)["done_1"] == 0
    drift = tallies_check.check()
    assert drift.schools["compliance"] == 1 and drift.schools["visits"] == 1
    assert assert_all_match()["done_1"] == 1


def test_regions_are_shown_one_level_at_a_time(today, schools):
    """A register beyond one kabupaten/kota opens at the level with more than one region: a
    school in Bandar Lampung (18.71) makes Lampung's two kabupaten/kota the rows; each holds
    its own kecamatan; another province makes the provinces the rows."""
    a, b = schools[:2]
    make_visit(a, TODAY - timedelta(days=5), Visit.State.DONE)
    a.kecamatan = Kecamatan.objects.create(code="18.71.01", name="Teluk Betung Barat")
    a.save()
    parent, rows = figures.region_drill(YEAR, TODAY)
    assert parent == "18"
    assert [(r["code"], r["label"], r["total"], r["done_1"]) for r in rows] == [
        ("18.71", "Kabupaten/kota 18.71", 1, 1),  # unnamed: its code
        ("18.72", "Kota Metro", School.objects.active().count() - 1, 0),
    ]
    assert [r["label"] for r in figures.region_rows(YEAR, TODAY, "18.71")] == ["Teluk Betung Barat"]
    assert len(figures.region_rows(YEAR, TODAY, "18.72")) == 5

    b.kecamatan = Kecamatan.objects.create(code="35.12.04", name="Kalisat")
    b.save()
    parent, rows = figures.region_drill(YEAR, TODAY)
    assert parent == "" and [(r["code"], r["label"]) for r in rows] == [
        ("18", "Lampung"),
        ("35", "Jawa Timur"),
    ]
    assert sum(r["total"] for r in rows) == figures.register_totals(YEAR, TODAY)["total"]
    assert figures.region_drill(YEAR, TODAY, "35")[0] == "35.12"  # its only kabupaten
