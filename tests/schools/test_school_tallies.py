"""The register's school figures as maintained sums (schools/figures.py) equal the live count
of the active schools after the register's writes: a save, the import, the priority
recompute, a visit done; "not visited this school year" follows the office's start month."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Count, Q

from peksos.core import school_year
from peksos.core.models import OfficeSettings
from schools import figures, importer, priority
from schools.models import PriorityBand, School
from tests.factories import make_visit
from visits import services as visit_services
from visits.compliance import compliance_rows
from visits.figures import region_drill, register_rows
from visits.models import Visit

WIB = ZoneInfo("Asia/Jakarta")
TODAY = date(2026, 10, 14)


def live(today: date) -> dict:
    aggregates = {f"band_{b}": Count("pk", filter=Q(priority_band=b)) for b in PriorityBand.values}
    aggregates["total"] = Count("pk")
    start = school_year.start_of(today)
    aggregates["not_visited"] = Count(
        "pk", filter=Q(last_visit_on__isnull=True) | Q(last_visit_on__lt=start)
    )
    return School.objects.active().aggregate(**aggregates)


def assert_matches(today: date = TODAY) -> dict:
    counted = figures.register_figures(today)
    assert counted == live(today)
    return counted


@pytest.fixture
def today(kota_metro):
    with time_machine.travel(datetime(2026, 10, 14, 9, 0, tzinfo=WIB)):
        yield TODAY


def row(npsn, name, level, kecamatan_code, **extra) -> dict:
    values = {
        "npsn": npsn,
        "name": name,
        "level": level,
        "status": "negeri",
        "kecamatan_code": kecamatan_code,
        "kelurahan_code": "",
        "address": "",
        "students": None,
        "socioeconomic_share": None,
        "latitude": None,
        "longitude": None,
    }
    return values | extra


def test_saves_of_schools_keep_the_figures_equal_to_the_live_count(today, school_a, school_b):
    before = assert_matches()
    assert before["total"] == School.objects.active().count() > 300
    school_a.priority_band = PriorityBand.HIGH
    school_a.last_visit_on = TODAY - timedelta(days=3)
    school_a.save()
    school_b.is_active = False
    school_b.save()
    after = assert_matches()
    assert after["total"] == before["total"] - 1
    assert after["not_visited"] == before["not_visited"] - 2

    School.objects.create(
        npsn="99000100", name="SD BARU", level="SD", status="negeri", kecamatan=school_a.kecamatan
    )
    assert assert_matches()["total"] == before["total"]


def test_the_import_and_the_priority_recompute_are_counted(today, school_a):
    other = "18.72.05" if school_a.kecamatan.code != "18.72.05" else "18.72.01"
    before = assert_matches()
    created, updated = importer.apply_rows(
        [
            row("99000200", "TEST SD 200", "SD", other, students=900, socioeconomic_share=80),
            row(school_a.npsn, school_a.name, "SLB", other),  # moved, another level
        ]
    )
    assert (created, updated) == (1, 1)
    assert assert_matches()["total"] == before["total"] + 1
    live = compliance_rows(School.objects.active(), 2026, TODAY, "level")
    assert register_rows(2026, TODAY, "level") == [{**r, "label": r["level"]} for r in live]
    live = compliance_rows(School.objects.active(), 2026, TODAY, "kecamatan__name")
    by_name = {r["kecamatan__name"]: r["done_0"] for r in live}
    assert {r["label"]: r["done_0"] for r in region_drill(2026, TODAY)[1]} == by_name

    School.objects.filter(pk=school_a.pk).update(
        students=2000, socioeconomic_share=95, cases_24m=9, has_sos_desk=False
    )
    band_before = School.objects.get(pk=school_a.pk).priority_band
    priority.recompute(School.objects.filter(pk=school_a.pk))
    assert School.objects.get(pk=school_a.pk).priority_band != band_before
    assert_matches()


def test_a_visit_done_counts_the_school_as_visited(today, school_a, peksos_budi, kepsek_indah):
    visit = make_visit(school_a, TODAY - timedelta(days=1), Visit.State.PROPOSED)
    before = assert_matches()
    visit = visit_services.visit_accept(visit=visit, by=kepsek_indah)
    visit_services.visit_done(visit=visit, by=peksos_budi)
    assert assert_matches()["not_visited"] == before["not_visited"] - 1


def test_not_visited_follows_the_start_month_without_counting_again(today, school_a, school_b):
    school_a.last_visit_on = date(2026, 8, 20)
    school_a.save()
    school_b.last_visit_on = date(2026, 2, 10)
    school_b.save()
    july = assert_matches()
    office = OfficeSettings.current()
    office.school_year_start_month = 1  # a school year from January: both visited in it
    office.save()
    january = assert_matches()
    assert january["not_visited"] == july["not_visited"] - 1
    office.school_year_start_month = 9
    office.save()
    assert assert_matches()["not_visited"] == july["not_visited"] + 1
