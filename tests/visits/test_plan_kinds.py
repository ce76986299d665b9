"""Plan coverage (issue 18): the plan form's choice of activity kinds per semester (One Day for
Children in semester 2 by default), and the planner placing one visit per school for each
chosen kind, within the hard rules and capacities (visits.plan_kinds, visits.planner)."""

import html
import itertools
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peksos.accounts.models import Role
from schools.models import School
from visits import plan_kinds, planner
from visits.models import PlanRun, StaffCapacity, Visit, VisitMember
from visits.planner import (
    PEKSOS,
    PENDAMPING,
    PSIKOLOG,
    FixedVisit,
    Problem,
    Rules,
    SchoolIn,
    StaffIn,
    plan,
    verify,
)

TODAY = datetime(2026, 7, 6, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))  # a Monday
YEAR = 2026
METRO_PUSAT = "18.72.01"
DEFAULT = (("kampanye",), ("pelatihan", "one_day"))
ALL_KINDS = {"kampanye", "pelatihan", "one_day"}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def team_of_every_role(per_day=2, per_week=8) -> list[StaffIn]:
    return [
        StaffIn(10, PEKSOS, per_day, per_week),
        StaffIn(11, PEKSOS, per_day, per_week),
        StaffIn(20, PSIKOLOG, per_day, per_week),
        StaffIn(30, PENDAMPING, per_day, per_week),
    ]


def schools(n: int) -> list[SchoolIn]:
    return [SchoolIn(i, f"K{i % 3}", float(i % 5)) for i in range(n)]


# --- the pure planner -----------------------------------------------------------------------


def test_default_kinds_give_each_school_the_three_activities_apart():
    p = Problem(Rules(YEAR, kinds=DEFAULT), schools(20), team_of_every_role())
    result = plan(p)
    assert verify(p, result) == []
    assert result.unplaced == []
    for school_id in range(20):
        mine = sorted(
            (x for x in result.placements if x.school_id == school_id), key=lambda x: x.day
        )
        assert [(x.semester, x.kind) for x in mine if x.semester == 1] == [(1, "kampanye")]
        assert {x.kind for x in mine if x.semester == 2} == {"pelatihan", "one_day"}
        assert all((b.day - a.day).days >= 56 for a, b in itertools.pairwise(mine))
    for x in result.placements:
        roles = {role for _, role in x.team}
        assert (PSIKOLOG in roles) == (x.kind == "pelatihan")
        assert (PENDAMPING in roles) == (x.kind == "one_day")


def test_without_one_day_none_is_placed():
    kinds = (("kampanye",), ("pelatihan",))
    p = Problem(Rules(YEAR, kinds=kinds), schools(12), team_of_every_role())
    result = plan(p)
    assert verify(p, result) == []
    assert not [x for x in result.placements if x.kind == "one_day"]
    assert Counter(x.kind for x in result.placements) == {"kampanye": 12, "pelatihan": 12}


def test_capacity_holds_and_what_does_not_fit_is_reported_with_its_kind():
    staff = [StaffIn(10, PEKSOS, 1, 2), StaffIn(20, PSIKOLOG, 1, 2), StaffIn(30, PENDAMPING, 1, 1)]
    p = Problem(Rules(YEAR, earliest=date(2027, 3, 1), kinds=DEFAULT), schools(30), staff)
    result = plan(p)
    assert verify(p, result) == []  # per day and per week included
    week = Counter((sid, x.day.isocalendar()[:2]) for x in result.placements for sid, _ in x.team)
    assert max(week[(30, w)] for (sid, w) in week if sid == 30) <= 1
    reported = {(u.semester, u.kind) for u in result.unplaced}
    assert (2, "one_day") in reported and (1, "kampanye") in reported  # semester 1 is over
    assert all(u.reason in planner.REASONS for u in result.unplaced)


def test_a_kept_visit_counts_for_its_kind():
    kept = [FixedVisit(1, date(2026, 9, 1), (10,), "one_day")]  # held early, in semester 1
    p = Problem(Rules(YEAR, kinds=DEFAULT), schools(3), team_of_every_role(), fixed=kept)
    result = plan(p)
    assert verify(p, result) == []
    mine = {(x.semester, x.kind) for x in result.placements if x.school_id == 1}
    assert mine == {(1, "kampanye"), (2, "pelatihan")}  # One Day already held this year


def test_open_needs_rules():
    kinds = {1: ("kampanye",), 2: ("pelatihan", "one_day")}
    kept = [(1, 1, "kampanye"), (1, 2, ""), (2, 1, "pelatihan"), (2, 1, "pelatihan")]
    needs = plan_kinds.open_needs(kinds, [1, 2], kept)
    # School 1: the campaign kept, an unknown kind takes the first open kind of semester 2.
    # School 2: one training kept counts for semester 2; the second covers nothing more.
    assert needs == {(1, 2, "one_day"), (2, 1, "kampanye"), (2, 2, "one_day")}
    assert plan_kinds.as_kinds(("one_day", "", "one_day")) == ("one_day",)
    assert plan_kinds.share(1, 2, 100) == (50, 100) and plan_kinds.share(0, 1, 9) == (0, 9)


def test_verify_catches_a_kind_not_chosen_and_a_kind_missing():
    p = Problem(Rules(YEAR, kinds=DEFAULT), schools(1), team_of_every_role())
    bad = planner.Plan(
        [planner.Placement(0, date(2026, 8, 4), 1, "one_day", ((10, PEKSOS), (30, PENDAMPING)))],
        [],
    )
    errors = "\n".join(verify(p, bad))
    assert "kind one_day not chosen for semester 1" in errors
    assert "no visit in semester 1 for kampanye" in errors
    assert "no visit in semester 2 for one_day" in errors


kind_sets = st.lists(st.sampled_from(sorted(ALL_KINDS)), max_size=3, unique=True).map(tuple)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kinds=st.tuples(kind_sets, kind_sets),
    n=st.integers(1, 15),
    per_day=st.integers(1, 3),
    gap=st.integers(7, 100),
    kept=st.lists(
        st.tuples(
            st.integers(0, 14), st.integers(0, 360), st.sampled_from(["", *sorted(ALL_KINDS)])
        ),
        max_size=4,
    ),
)
def test_any_choice_of_kinds_keeps_every_hard_rule(kinds, n, per_day, gap, kept):
    fixed = [FixedVisit(s % n, date(YEAR, 7, 1) + timedelta(days=d), (10,), k) for s, d, k in kept]
    rules = Rules(YEAR, min_gap_days=gap, kinds=kinds)
    p = Problem(rules, schools(n), team_of_every_role(per_day, per_day * 3), fixed=fixed)
    result = plan(p)
    assert verify(p, result) == []


# --- the plan form ---------------------------------------------------------------------------


def plan_url(name="plan-create", *args) -> str:
    return reverse(f"visits:{name}", args=args)


@pytest.fixture
def field_staff(peksos_budi, peksos_joko_sdn2, psikolog_gita, pendamping_hadi):
    staff = (peksos_budi, peksos_joko_sdn2, psikolog_gita, pendamping_hadi)
    for user in staff:
        StaffCapacity.objects.create(user=user, per_day=3, per_week=15)
    return staff


def test_the_form_ticks_one_day_in_semester_2_by_default(login, koordinator_ani):
    page = login(koordinator_ani).get(plan_url()).content.decode()
    checked = [
        line for line in page.split("<input") if "checked" in line.split(">")[0] and "kind_" in line
    ]
    ticked = {
        (c.split('name="')[1].split('"')[0], c.split('value="')[1].split('"')[0]) for c in checked
    }
    assert ticked == {
        ("kind_semester_1", "kampanye"),
        ("kind_semester_2", "pelatihan"),
        ("kind_semester_2", "one_day"),
    }


def post_plan(client, sem1, sem2, **extra):
    data = {"year": 2026, "min_gap_weeks": 8, "kecamatan": METRO_PUSAT, **extra}
    data["kind_semester_1"], data["kind_semester_2"] = sem1, sem2
    return client.post(plan_url(), data, follow=True)


def test_the_default_plan_of_a_kecamatan_places_all_three_kinds(
    login, koordinator_ani, field_staff
):
    response = post_plan(login(koordinator_ani), ["kampanye"], ["pelatihan", "one_day"])
    run = PlanRun.objects.get()
    planned = School.objects.active().filter(kecamatan__code=METRO_PUSAT)
    assert run.unplaced == [] and run.placed == 3 * planned.count()
    assert run.options["kinds_semester_2"] == ["pelatihan", "one_day"]
    visits = Visit.objects.filter(plan=run)
    for school in planned:
        assert {(v.semester, v.kind) for v in visits if v.school_id == school.pk} == {
            (1, "kampanye"),
            (2, "pelatihan"),
            (2, "one_day"),
        }
    one_days = visits.filter(kind="one_day")
    assert all(one_days.values_list("needs_pendamping", flat=True))
    with_pendamping = VisitMember.objects.filter(visit__in=one_days, role=Role.PENDAMPING)
    assert with_pendamping.values("visit").distinct().count() == one_days.count()
    assert not visits.filter(kind="kampanye", needs_pendamping=True).exists()
    page = html.unescape(response.content.decode())
    assert "One Day for Children" in page and "Kegiatan semester 2" in page


def test_a_plan_without_one_day_places_none(login, koordinator_ani, field_staff):
    post_plan(login(koordinator_ani), ["kampanye"], ["pelatihan"])
    run = PlanRun.objects.get()
    visits = Visit.objects.filter(plan=run)
    assert visits.exists() and not visits.filter(kind="one_day").exists()
    assert set(visits.values_list("kind", flat=True)) == {"kampanye", "pelatihan"}


def test_replanning_keeps_a_held_one_day_for_the_year(
    login, koordinator_ani, field_staff, school_a
):
    held = Visit(school=school_a, kind="one_day", state=Visit.State.DONE)
    held.set_date(date(2026, 7, 8))
    held.save()
    post_plan(login(koordinator_ani), ["kampanye"], ["pelatihan", "one_day"])
    mine = Visit.objects.filter(plan__isnull=False, school=school_a)
    assert sorted(mine.values_list("kind", flat=True)) == ["kampanye", "pelatihan"]


@pytest.mark.parametrize(
    ("sem1", "sem2", "message"),
    [([], [], "Centang setidaknya satu kegiatan"), (["rapat"], ["one_day"], "rapat")],
)
def test_bad_kinds_are_a_form_error(login, koordinator_ani, sem1, sem2, message):
    response = post_plan(login(koordinator_ani), sem1, sem2)
    assert response.status_code == 200
    assert not PlanRun.objects.exists()
    assert message in html.unescape(response.content.decode())
    assert response.context["form"]["min_gap_weeks"].value() == "8"  # nothing typed is lost
