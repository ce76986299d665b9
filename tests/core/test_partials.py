"""Register-wide aggregates summed from per-partition parts (peksos/core/partials.py): a part
is computed again only after a write to its partition, a rolled-back write leaves nothing
behind, and every page built on them shows what a direct count shows."""

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from peksos.core import partials
from peksos.core.models import PartitionVersion
from schools.models import School
from sosdesk import figures
from sosdesk.models import Case
from visits.compliance import compliance_rows, register_rows
from visits.models import Visit, school_year_of, semester_of

TODAY = date(2026, 11, 2)
YEAR = 2026
HOME = reverse("home")
BOARD = reverse("visits:compliance-board")
FIGURES = reverse("sosdesk:case-figures")
FAR_ID = 2 * partials.PARTITION_SIZE + 17  # the third partition; the city is in the first


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("Asia/Jakarta")), tick=False):
        yield


@pytest.fixture
def far_school(school_b) -> School:
    """A school of another city: an id in another partition than Kota Metro's."""
    school = School.objects.get(pk=school_b.pk)
    school.pk, school.npsn, school.name = FAR_ID, "99000017", "SD NEGERI JAUH"
    school._state.adding = True
    school.save()
    return school


def visit(school, day, state=Visit.State.DONE) -> Visit:
    return Visit.objects.create(
        school=school,
        date=day,
        school_year=school_year_of(day),
        semester=semester_of(day),
        state=state,
    )


def done_visits(calls: list):
    """A part that counts the visits done in a partition, and notes each time it is computed."""

    def part(lo: int, hi: int) -> Counter:
        calls.append(lo)
        n = Visit.objects.filter(state=Visit.State.DONE, school_id__gte=lo, school_id__lt=hi)
        return Counter({"done": n.count()})

    return part


def total_done(calls: list) -> int:
    last_id = School.objects.last_id()
    total = partials.combined("test-done", ("visits",), last_id, done_visits(calls))
    return total["done"]


def test_parts_are_computed_again_only_where_something_changed(school_a, far_school):
    visit(school_a, date(2026, 8, 3))
    calls = []
    assert total_done(calls) == 1
    assert calls == [0, partials.PARTITION_SIZE, 2 * partials.PARTITION_SIZE]
    calls.clear()
    assert total_done(calls) == 1 and calls == []  # all three parts from the cache
    visit(far_school, date(2026, 9, 7))
    assert total_done(calls) == 2
    assert calls == [2 * partials.PARTITION_SIZE]  # only the far school's partition
    calls.clear()
    Visit.objects.filter(school=far_school).get().delete()
    assert total_done(calls) == 1 and calls == [2 * partials.PARTITION_SIZE]


def test_a_rolled_back_write_leaves_no_part_behind(school_a):
    calls = []
    assert total_done(calls) == 0
    with pytest.raises(RuntimeError), transaction.atomic():
        visit(school_a, date(2026, 8, 3))
        assert total_done(calls) == 1  # cached under the version of the rolled-back write
        raise RuntimeError
    assert total_done(calls) == 0
    visit(school_a, date(2026, 9, 3), Visit.State.AGREED)  # a new write: a new version
    assert total_done(calls) == 0


def test_saving_a_school_marks_every_domain_of_its_partition(school_a):
    PartitionVersion.objects.all().delete()
    school = School.objects.get(pk=school_a.pk)
    school.name = "SD NEGERI 1 METRO (baru)"
    school.save()
    domains = set(PartitionVersion.objects.filter(partition=0).values_list("domain", flat=True))
    assert domains == {"schools", "visits", "activities", "cases"}


def test_register_rows_equal_a_direct_count(school_a, school_b, far_school):
    visit(school_a, date(2026, 8, 3))
    visit(school_a, date(2026, 10, 5))
    visit(far_school, date(2026, 9, 7))
    visit(far_school, date(2027, 2, 8), Visit.State.AGREED)
    visit(school_b, date(2025, 9, 1))  # last school year
    for group in ("kecamatan__name", "level"):
        direct = compliance_rows(School.objects.active(), YEAR, TODAY, group)
        summed, risky = register_rows(YEAR, TODAY, group, School.objects.last_id())
        assert summed == direct
    # The city's partition holds at-risk schools (school B and most others); the far
    # partition's only school has a visit done and one planned.
    assert risky == [partials.bounds(0)]


def test_board_at_risk_list_looks_in_every_partition_that_has_them(
    login, koordinator_ani, far_school
):
    client = login(koordinator_ani)
    names = [s.name for s in client.get(BOARD, {"tahun": YEAR}).context["page"].items]
    assert names  # the city's schools without visits
    response = client.get(BOARD, {"tahun": YEAR})
    assert response.context["totals"]["at_risk"] == School.objects.active().count()
    visit(far_school, date(2026, 8, 3))
    visit(far_school, date(2026, 10, 5))
    response = client.get(BOARD, {"tahun": YEAR})
    assert response.context["totals"]["at_risk"] == School.objects.active().count() - 1
    assert response.context["totals"]["done_2"] == 1


def test_far_school_at_risk_is_listed(login, koordinator_ani, school_a, far_school):
    """Every city school has two visits planned; only the far school is at risk."""
    for school in School.objects.active().exclude(pk=far_school.pk):
        Visit.objects.bulk_create(
            [
                Visit(school=school, date=d, school_year=YEAR, semester=s, state=Visit.State.AGREED)
                for d, s in ((date(2026, 12, 1), 1), (date(2027, 2, 1), 2))
            ]
        )
    partials.changed("visits", [school_a.pk])  # bulk writes mark their schools themselves
    response = login(koordinator_ani).get(BOARD, {"tahun": YEAR})
    assert [s.pk for s in response.context["page"].items] == [far_school.pk]


def test_dashboard_follows_a_visit_done_with_a_warm_cache(login, koordinator_ani, far_school):
    client = login(koordinator_ani)

    def done_tile():
        dashboard = client.get(HOME).context["dashboard"]
        return {f"{p.key}.{t.key}": t.value for p in dashboard.panels for t in p.tiles}

    before = done_tile()
    assert before["visits.done"] == 0
    visit(far_school, date(2026, 8, 3))
    after = done_tile()
    assert after["visits.done"] == 1
    assert after["compliance.done_1"] == before["compliance.done_1"] + 1


def test_figures_follow_a_new_case_with_a_warm_cache(login, koordinator_ani, far_school):
    client = login(koordinator_ani)
    assert client.get(FIGURES).context["summary"].total == 0
    Case.objects.create(
        school=far_school,
        channel=Case.Channel.PUBLIC_FORM,
        narrative="uji",
        forms=["fisik"],
        received_at=datetime(2026, 10, 1, 8, tzinfo=ZoneInfo("Asia/Jakarta")),
    )
    summary = client.get(FIGURES).context["summary"]
    assert summary.total == 1
    forms = {key: n for key, _label, n in summary.tables[0].rows}
    assert forms["fisik"] == 1


def test_summed_figures_equal_the_direct_ones(school_a, far_school):
    at = datetime(2026, 10, 1, 8, tzinfo=ZoneInfo("Asia/Jakarta"))
    for school, forms in ((school_a, ["fisik"]), (far_school, ["seksual", "psikis"])):
        case = Case.objects.create(
            school=school, channel="telepon", narrative="uji", forms=forms, received_at=at
        )
        case.events.create(kind="status", to_status="verifikasi", at=at + timedelta(hours=3))
    direct = figures.summary(Case.objects.all(), now=at)
    summed = figures.summary(Case.objects.all(), now=at, last_id=School.objects.last_id())
    assert summed == direct
    assert summed.stage_times[0].median_hours == 3.0


@pytest.mark.parametrize(
    ("values", "median"),
    [({}, None), ({30: 1}, 30), ({10: 1, 40: 1}, 25), ({10: 2, 40: 1}, 10), ({1: 1, 2: 3}, 2)],
)
def test_median_of_binned_hours(values, median):
    assert figures._median(values) == median


def test_the_scheduled_refresh_recomputes_every_part(
    login, koordinator_ani, school_a, django_assert_num_queries
):
    """Celery beat's nightly refresh: a write that bypassed `changed` (here a raw bulk
    insert) is counted after it, and the Koordinator's next visit finds every part cached."""
    from home.tasks import refresh_register_aggregates

    client = login(koordinator_ani)
    client.get(HOME)
    Visit.objects.bulk_create(
        [
            Visit(
                school=school_a,
                date=date(2026, 8, 3),
                school_year=YEAR,
                semester=1,
                state=Visit.State.DONE,
            )
        ]
    )
    assert refresh_register_aggregates.delay(everything=True).get() == School.objects.last_id()
    with django_assert_num_queries(15):  # as warm as it gets: no part computed (+ the bell)
        dashboard = client.get(HOME).context["dashboard"]
    numbers = {f"{p.key}.{t.key}": t.value for p in dashboard.panels for t in p.tiles}
    assert numbers["visits.done"] == 1


def test_the_half_hourly_fill_computes_only_missing_parts(school_a):
    from home.dashboards import refresh_register_aggregates

    refresh_register_aggregates()
    Visit.objects.bulk_create(  # bypasses `changed`: the fill does not see it
        [
            Visit(
                school=school_a,
                date=date(2026, 8, 3),
                school_year=YEAR,
                semester=1,
                state=Visit.State.DONE,
            )
        ]
    )
    refresh_register_aggregates()
    done = register_rows(YEAR, TODAY, "level", School.objects.last_id())[0]
    assert sum(row["done_1"] for row in done) == 0
    refresh_register_aggregates(everything=True)
    done = register_rows(YEAR, TODAY, "level", School.objects.last_id())[0]
    assert sum(row["done_1"] for row in done) == 1


@pytest.mark.parametrize("url", [HOME, BOARD, FIGURES])
def test_a_cold_national_register_says_the_figures_are_being_prepared(
    url, login, koordinator_ani, far_school, monkeypatch
):
    """More parts missing than a request may compute (a national register after a restart):
    the page says so instead of timing out, a worker is asked to fill them, and the next
    visit after that shows the numbers."""
    asked = []
    monkeypatch.setattr(partials, "COLD_LIMIT", 2)  # the test register has 3 partitions
    monkeypatch.setattr(partials, "request_refresh", lambda **params: asked.append(params))
    client = login(koordinator_ani)
    response = client.get(url)
    assert response.status_code == 200
    assert b'id="figures-preparing"' in response.content
    assert asked == [{"year": YEAR} if url == BOARD else {}]
    from home.tasks import refresh_register_aggregates

    refresh_register_aggregates(**asked[0])  # what the worker does
    response = client.get(url)
    assert response.status_code == 200
    assert b'id="figures-preparing"' not in response.content


def test_asking_for_a_refresh_sends_the_task_once(monkeypatch):
    from peksos.celery import app

    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, kwargs: sent.append((name, kwargs)))
    app.conf.task_always_eager = False  # a broker, as in production (put back by conftest)
    partials.request_refresh()
    partials.request_refresh()  # within five minutes: not again
    partials.request_refresh(year=2025)  # other figures: asked for too
    assert sent == [(partials.REFRESH_TASK, {}), (partials.REFRESH_TASK, {"year": 2025})]


@pytest.mark.parametrize(
    ("url", "query", "asked"),
    [
        (BOARD, {"tahun": 2025}, {"year": 2025}),
        (
            FIGURES,
            {"dari": "2026-01-01", "sampai": "2026-06-30"},
            {"start": "2026-01-01", "end": "2026-06-30"},
        ),
    ],
)
def test_other_figures_than_the_scheduled_ones_are_asked_for_and_prepared(
    url, query, asked, login, koordinator_ani, far_school, monkeypatch
):
    """A past school year's board or a period's figures are not among the parts beat keeps:
    the page asks for exactly those, and the worker's run prepares them."""
    from home.tasks import refresh_register_aggregates

    requests = []
    monkeypatch.setattr(partials, "COLD_LIMIT", 2)
    monkeypatch.setattr(partials, "request_refresh", lambda **params: requests.append(params))
    client = login(koordinator_ani)
    refresh_register_aggregates()  # the scheduled parts: not these
    assert b'id="figures-preparing"' in client.get(url, query).content
    assert requests == [asked]
    refresh_register_aggregates(**asked)
    assert b'id="figures-preparing"' not in client.get(url, query).content


def test_the_refresh_command_fills_the_parts(school_a, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    from home.dashboards import register_panels

    monkeypatch.setattr(partials, "COLD_LIMIT", 0)  # not one part may be missing
    last_id = School.objects.last_id()
    with pytest.raises(partials.NotReady):
        register_panels(TODAY, last_id)
    out = StringIO()
    call_command("refresh_aggregates", stdout=out)
    assert "ready up to school id" in out.getvalue()
    assert register_panels(TODAY, last_id)  # every part from the cache


def test_the_benchmark_writes_to_the_same_partitions():
    """bench/national.py simulates a write to one partition without Django: same size."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "bench" / "national.py"
    spec = importlib.util.spec_from_file_location("bench_national", path)
    national = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(national)
    assert national.PARTITION_SIZE == partials.PARTITION_SIZE
