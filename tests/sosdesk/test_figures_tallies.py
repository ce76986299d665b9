"""The whole register's SOS Desk figures kept by the tallies (issue #22, sosdesk/figure_tallies.py):
after every kind of write, the tallied figures of any period equal the figures counted live
from the cases; the page reads them in a fixed number of queries; drift is repaired."""

from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peksos.core import tallies, tally_compaction
from peksos.core.models import AuditEvent, SchoolTally, Tally
from reports import builder
from reports.builder.cases import cases_section
from schools import tallies_check
from schools.models import Kecamatan, School
from sosdesk import case_counts, figure_tallies, figures, services
from sosdesk.models import Case, CaseEvent, Desk
from sosdesk.procedure import handover
from sosdesk.procedure.models import CaseParty
from tests.factories import (
    add_party,
    city_report,
    filed_case,
    make_case,
    public_report,
    school_report,
)

FIGURES = reverse("sosdesk:case-figures")
WIB = ZoneInfo("Asia/Jakarta")
# Two cases a minute either side of midnight WIB on 10/11 February (16:59 and 17:01 UTC).
LATE = datetime(2026, 2, 10, 23, 59, tzinfo=WIB)
EARLY = datetime(2026, 2, 11, 0, 1, tzinfo=WIB)
PERIODS = [
    (None, None),
    (date(2026, 2, 1), date(2026, 2, 28)),  # a month
    (date(2026, 2, 11), date(2026, 2, 11)),  # one day, from WIB midnight
    (None, date(2026, 2, 10)),  # up to WIB midnight
    (date(2026, 2, 10), date(2026, 3, 5)),  # a range across months
    (date(2030, 1, 1), None),  # the future: nothing
]


def live(start, end, kecamatan=False):
    """The live counts; without the kecamatan table, as `register_counts` (the register's
    kecamatan are read by region: `register_regions`)."""
    counted = case_counts.all_counts(case_counts.in_period(Case.objects.all(), start, end))
    return +Counter({k: n for k, n in counted.items() if kecamatan or k[0] != "kecamatan"})


def by_kecamatan(start=None, end=None) -> dict:
    return {label: n for _key, label, n in figure_tallies.register_regions("", start, end).rows}


def assert_tallies_agree(now=None) -> None:
    """For every period: the tallied counts and summary equal the live ones (Kota Metro's
    regions are its kecamatan)."""
    for start, end in PERIODS:
        assert +figure_tallies.register_counts(start, end) == live(start, end), (start, end)
        kecamatan = {k: n for (t, k), n in live(start, end, True).items() if t == "kecamatan"}
        assert by_kecamatan(start, end) == kecamatan
        for outside in (False, True):
            tallied = figure_tallies.register_summary(
                start=start, end=end, outside=outside, now=now
            )
            counted = figures.summary(
                Case.objects.all(), start=start, end=end, outside=outside, now=now
            )
            assert tallied.regions.parent == ("18.72" if live(start, end) else "")
            assert replace(tallied, regions=None) == counted, (start, end, outside)


@pytest.fixture
def school_c(kota_metro) -> School:
    """A school of another level in another kecamatan than school A."""
    a = School.objects.get(npsn="10807637")
    return (
        School.objects.filter(level=School.Level.SMP)
        .exclude(kecamatan=a.kecamatan)
        .order_by("npsn")
        .first()
    )


@pytest.fixture
def register(school_a, school_b, school_c):
    """Cases in three schools, two of them either side of midnight WIB."""
    return [
        make_case(school_a, ["fisik"], LATE, modalities=["fisik"]),
        make_case(school_a, ["perundungan", "psikis"], EARLY, modalities=["verbal"]),
        make_case(school_b, ["seksual"], datetime(2026, 2, 20, 9, tzinfo=WIB)),
        make_case(school_c, ["kebijakan"], datetime(2026, 3, 2, 9, tzinfo=WIB)),
        make_case(school_c, [], datetime(2025, 12, 31, 23, 30, tzinfo=WIB), channel="telepon"),
    ]


def test_key_texts_go_back_to_their_keys():
    for key in [
        ("total", ""),
        ("forms", "fisik"),
        ("victims_sex", ""),
        ("victims_age", "60+"),
        ("hours", ("verifikasi", 1234)),
    ]:
        assert figure_tallies.key_of(figure_tallies.key_text(*key)) == key


def test_the_figure_is_registered_for_cases_and_schools():
    assert tallies.figures(["cases"]) and figure_tallies.FIGURE in tallies.figures(["schools"])
    assert figure_tallies.FIGURE.domains == ("cases", "schools")


def test_days_are_the_local_days_of_receipt(register, school_a):
    days = {day for (_key, day) in figure_tallies.count([school_a.pk])[school_a.pk]}
    assert days == {date(2026, 2, 10), date(2026, 2, 11)}
    assert figure_tallies.register_counts(date(2026, 2, 11), date(2026, 2, 11))["total", ""] == 1


def test_writes_of_every_kind_keep_the_tallies_equal_to_the_live_figures(
    register,
    school_a,
    school_b,
    school_c,
    sosdesk_citra_sdn1,
    koordinator_ani,
    client,
    django_capture_on_commit_callbacks,
):
    assert_tallies_agree()
    # A report through the public form, one filed by an officer (at midnight WIB), triaged.
    desk = Desk.objects.create(school=school_a, sk_number="421/01/SK/2025")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("lapor:form", args=[desk.public_code]), public_report())
    assert response.status_code == 302
    with time_machine.travel(datetime(2026, 2, 11, 0, 0, tzinfo=WIB), tick=False):
        case = filed_case(school_b, forms=("fisik",))
    assert_tallies_agree()
    services.case_triage(
        case=case,
        urgency="tinggi",
        forms=["seksual", "psikis"],
        modalities=["daring"],
        by=sosdesk_citra_sdn1,
    )
    # Status changes through the procedure, stage times from the timeline.
    with time_machine.travel(datetime(2026, 2, 11, 7, 30, tzinfo=WIB), tick=False):
        services.case_transition(case=case, to="verifikasi", by=sosdesk_citra_sdn1)
    with time_machine.travel(datetime(2026, 2, 13, 9, 0, tzinfo=WIB), tick=False):
        services.case_transition(case=case, to="ditangani", by=sosdesk_citra_sdn1)
    CaseEvent.objects.create(
        case=register[0], at=LATE + timedelta(hours=5), kind="status", to_status="verifikasi"
    )
    assert_tallies_agree()
    # Parties added and one removed.
    victim = add_party(case, koordinator_ani)
    add_party(case, koordinator_ani, role="terlapor", category="pendidik", sex="L")
    add_party(register[0], sosdesk_citra_sdn1, sex="L", age_band="6-12")
    assert_tallies_agree()
    CaseParty.objects.get(pk=victim.pk).delete()
    assert_tallies_agree()
    # The deltas folded together read the same.
    tally_compaction.compact()
    assert_tallies_agree()
    # A school moved to another kecamatan and level; a kecamatan renamed (no tally write).
    school_a.refresh_from_db()
    school_a.kecamatan = school_c.kecamatan
    school_a.level = School.Level.SMA
    school_a.save()
    assert_tallies_agree()
    rows = Tally.objects.count()
    Kecamatan.objects.filter(pk=school_c.kecamatan_id).update(name="Metro Baru")
    assert Tally.objects.count() == rows
    assert by_kecamatan()["Metro Baru"] == 5
    assert_tallies_agree()
    # A case moved to another school's desk; a case deleted (its timeline and parties too).
    handover.case_move_school(
        case=register[0], to_school=school_b, reason="pindah sekolah", by=koordinator_ani
    )
    assert_tallies_agree()
    Case.objects.get(pk=register[2].pk).delete()
    assert_tallies_agree()
    # Closed, with its outcome.
    services.case_police_report(case=case, reference="LP/1/2026", by=sosdesk_citra_sdn1)
    services.case_transition(case=case, to="selesai", outcome="ditangani", by=koordinator_ani)
    assert_tallies_agree()
    assert figure_tallies.register_counts()["status", "selesai"] == 1


def test_a_rolled_back_write_changes_nothing(register, sosdesk_citra_sdn1):
    before = figure_tallies.register_counts()
    rows = Tally.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.case_transition(case=register[0], to="verifikasi", by=sosdesk_citra_sdn1)
        make_case(register[0].school, ["fisik"], LATE)
        assert figure_tallies.register_counts()["total", ""] == before["total", ""] + 1
        raise RuntimeError
    assert figure_tallies.register_counts() == before
    assert Tally.objects.count() == rows
    assert_tallies_agree()


def test_the_demo_ageing_its_cases_moves_their_days(register):
    from demo.year.cases import _age

    _age(register[0], timedelta(days=40))
    assert_tallies_agree()


def test_counting_a_chunk_of_schools_takes_the_same_queries_for_more_schools(
    register, kota_metro, django_assert_num_queries
):
    few = [case.school_id for case in register]
    with CaptureQueriesContext(connection) as counted:
        contributions = figure_tallies.count(few)
    assert set(contributions) == set(few)
    schools = list(School.objects.exclude(pk__in=few).order_by("pk")[:30])
    for i, school in enumerate(schools):
        make_case(school, ["fisik"], LATE + timedelta(hours=i))
    many = few + [school.pk for school in schools]
    with django_assert_num_queries(len(counted)):
        contributions = figure_tallies.count(many)
    assert len(contributions) == len(set(many))


def test_the_koordinator_page_reads_the_tallies_in_fixed_queries(
    login, koordinator_ani, register, kota_metro, django_assert_num_queries
):
    client = login(koordinator_ani)
    client.get(FIGURES)
    # session, user, OTP device; the tallies (1), by region (Kota Metro's province,
    # kabupaten/kota and kecamatan: 3), the kecamatan's names (1), the open and overdue cases
    # (1); savepoint, audit row, release; the bell's and inbox's counts (1).
    with django_assert_num_queries(13):
        response = client.get(FIGURES, {"dari": "2026-02-01", "sampai": "2026-02-28"})
    summary = response.context["summary"]
    assert summary.total == 3
    assert replace(summary, regions=None) == figures.summary(
        Case.objects.all(), start=date(2026, 2, 1), end=date(2026, 2, 28)
    )
    for i, school in enumerate(School.objects.order_by("pk")[:40]):
        for hour in range(3):
            make_case(school, ["psikis"], datetime(2026, 2, 5, hour, i, tzinfo=WIB))
    with django_assert_num_queries(13):
        response = client.get(FIGURES, {"dari": "2026-02-01", "sampai": "2026-02-28"})
    assert response.context["summary"].total == 3 + 120
    page = response.content.decode()
    assert 'id="figures-total">123<' in page
    table = next(t for t in response.context["summary"].tables if t.key == "forms")
    assert dict((k, n) for k, _label, n in table.rows)["psikis"] == 121


def test_drift_is_repaired_by_the_nightly_check(register, school_a):
    fisik = figure_tallies.key_text("forms", "fisik")
    tallies.append("cases", Counter({(fisik, date(2026, 2, 10)): 4}))  # a hand edit in psql
    # A hand edit that bypassed the tallies (psql): the school's contribution is stale too.
    Case.objects.filter(pk=register[1].pk).update(status="selesai")
    assert figure_tallies.register_counts()["forms", "fisik"] == 5
    assert figure_tallies.register_counts() != live(None, None)
    drift = tallies_check.check()
    assert drift.schools["cases"] == 1 and drift.keys["cases"] >= 1
    assert AuditEvent.objects.filter(action="tallies.drift_repaired").exists()
    assert_tallies_agree()
    assert figure_tallies.register_counts()["status", "selesai"] == 1
    assert not tallies_check.check()  # nothing left to repair
    assert SchoolTally.objects.filter(figure="cases", school_id=school_a.pk).exists()


@pytest.mark.parametrize("outside", [False, True])
def test_the_city_report_counts_the_cases_from_the_tallies(register, school_a, outside):
    def section(report):
        scope = builder.Scope(report, date(2026, 2, 1), date(2026, 2, 28), outside, EARLY)
        with CaptureQueriesContext(connection) as queries:
            built = cases_section(scope)
        return built, " ".join(q["sql"] for q in queries.captured_queries)

    city, sql = section(city_report(outside=outside))
    live_summary = figures.summary(
        Case.objects.all(), start=date(2026, 2, 1), end=date(2026, 2, 28), outside=outside
    )
    assert "core_tally" in sql
    assert city.headlines[0][1] == live_summary.total == (3 if not outside else "<5")
    counted = city.tables[: len(live_summary.tables)]
    assert [t.rows for t in counted] == [
        [[label, n] for _k, label, n in t.rows] for t in live_summary.tables
    ]
    # A school's own report still counts its cases directly.
    _own, sql = section(school_report(school_a, outside=outside))
    assert "core_tally" not in sql


def test_the_koordinator_page_shows_regions_one_level_at_a_time(
    login, koordinator_ani, register, school_a
):
    """A register beyond Kota Metro: the cases by province, each a link down (keeping the
    period); a province's page shows its kecamatan (its only kabupaten skipped), with the
    way back up; the counts are the live ones."""
    school_a.kecamatan = Kecamatan.objects.create(code="35.12.04", name="Kalisat")
    school_a.save()
    client = login(koordinator_ani)
    period = {"dari": "2026-01-01", "sampai": "2026-12-31"}
    response = client.get(FIGURES, period)
    table = next(t for t in response.context["summary"].tables if t.by_region)
    in_a = Case.objects.filter(school=school_a, received_at__year=2026).count()
    total = response.context["summary"].total
    assert table.title == "Provinsi" and table.drill
    assert table.rows == [("18", "Lampung", total - in_a), ("35", "Jawa Timur", in_a)]
    assert 'href="?dari=2026-01-01&amp;sampai=2026-12-31&amp;wilayah=35"' in (
        response.content.decode()
    )
    east = client.get(FIGURES, {**period, "wilayah": "35"})
    table = next(t for t in east.context["summary"].tables if t.by_region)
    assert table.title == "Kecamatan" and not table.drill
    assert table.rows == [("Kalisat", "Kalisat", in_a)]
    assert [c.name for c in east.context["trail"]] == [
        "Semua wilayah",
        "Jawa Timur",
        "Kabupaten/kota 35.12",
    ]
    # Not a region: the country, never an error.
    assert client.get(FIGURES, {"wilayah": "x' OR 1=1"}).status_code == 200
