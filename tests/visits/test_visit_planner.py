"""The annual visit planner (pure): each hard rule, the preferences, and a property test that
for random registers, calendars and capacities every hard rule holds for every placed visit
or the school is reported unplaceable with a reason."""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from visits import planner
from visits.planner import (
    PEKSOS,
    PENDAMPING,
    PSIKOLOG,
    FixedVisit,
    Placement,
    Plan,
    Problem,
    Rules,
    SchoolIn,
    StaffIn,
    plan,
    quality,
    verify,
)

YEAR = 2026
SEM1 = (date(2026, 7, 1), date(2026, 12, 31))
SEM2 = (date(2027, 1, 1), date(2027, 6, 30))
CAMPAIGNS = ("kampanye", "kampanye")


def school(i, kec="A", priority=0.0, peksos=(), area=""):
    return SchoolIn(i, kec, priority, tuple(peksos), area)


def problem(schools, staff, rules=None, **kwargs) -> Problem:
    return Problem(rules or Rules(YEAR, kinds=CAMPAIGNS), schools, staff, **kwargs)


def solve(p: Problem) -> Plan:
    result = plan(p)
    assert verify(p, result) == []
    return result


def days_of(result: Plan, school_id: int) -> list[date]:
    return sorted(p.day for p in result.placements if p.school_id == school_id)


def reasons(result: Plan) -> dict[tuple[int, int], str]:
    return {(u.school_id, u.semester): u.reason for u in result.unplaced}


# --- hard rules ---------------------------------------------------------------------------


def test_one_visit_per_semester_on_weekdays():
    result = solve(problem([school(1), school(2)], [StaffIn(10, PEKSOS)]))
    for school_id in (1, 2):
        first, second = days_of(result, school_id)
        assert SEM1[0] <= first <= SEM1[1] and SEM2[0] <= second <= SEM2[1]
        assert first.weekday() < 5 and second.weekday() < 5
    assert result.unplaced == []


def test_closed_and_blocked_days_are_never_used():
    closed = frozenset(date(2026, 7, 1) + timedelta(days=i) for i in range(30))
    blocked = {1: frozenset(date(2026, 7, 31) + timedelta(days=i) for i in range(14))}
    result = solve(problem([school(1)], [StaffIn(10, PEKSOS)], closed_days=closed, blocked=blocked))
    first = days_of(result, 1)[0]
    assert first not in closed and first not in blocked[1]
    assert first == date(2026, 8, 14)  # the first weekday after both


def test_a_school_blocked_for_a_whole_semester_is_reported():
    semester = frozenset(SEM1[0] + timedelta(days=i) for i in range(184))
    result = solve(problem([school(1)], [StaffIn(10, PEKSOS)], blocked={1: semester}))
    assert reasons(result) == {(1, 1): planner.NO_DAY}
    assert len(days_of(result, 1)) == 1


def test_the_minimum_gap_holds_against_locked_visits():
    fixed = [FixedVisit(1, date(2026, 12, 18), (10,))]
    result = solve(problem([school(1)], [StaffIn(10, PEKSOS)], fixed=fixed))
    (second,) = days_of(result, 1)
    assert (second - date(2026, 12, 18)).days >= 56


def test_no_day_far_enough_from_the_others_is_reported_as_gap():
    rules = Rules(YEAR, earliest=date(2026, 12, 1), kinds=CAMPAIGNS)
    fixed = [FixedVisit(1, date(2027, 1, 11), ())]
    result = solve(problem([school(1)], [StaffIn(10, PEKSOS)], rules, fixed=fixed))
    assert reasons(result) == {(1, 1): planner.GAP}


def test_capacity_per_day_and_week():
    staff = [StaffIn(10, PEKSOS, per_day=2, per_week=3)]
    result = solve(problem([school(i) for i in range(12)], staff))
    per_week: dict[int, int] = {}
    for p in result.placements:
        monday = p.day - timedelta(days=p.day.weekday())
        per_week[monday.toordinal()] = per_week.get(monday.toordinal(), 0) + 1
    assert max(per_week.values()) <= 3
    assert not result.unplaced


def test_too_few_staff_reports_schools_instead_of_placing_them_badly():
    rules = Rules(YEAR, earliest=date(2026, 12, 21), kinds=CAMPAIGNS)  # 9 weekdays left
    staff = [StaffIn(10, PEKSOS, per_day=1, per_week=5)]
    result = solve(problem([school(i, priority=i) for i in range(15)], staff, rules))
    placed_1 = [p.school_id for p in result.placements if p.semester == 1]
    assert len(placed_1) == 9
    assert set(placed_1) == set(range(6, 15))  # the highest priorities
    assert {r for (s, sem), r in reasons(result).items() if sem == 1} == {planner.NO_PEKSOS}


def test_weekdays_off_and_leave():
    leave = frozenset(SEM1[0] + timedelta(days=i) for i in range(40))
    staff = [StaffIn(10, PEKSOS, weekdays_off=frozenset({0, 1, 2, 3}), days_off=leave)]
    result = solve(problem([school(1)], staff))
    first = days_of(result, 1)[0]
    assert first.weekday() == 4 and first not in leave


def test_training_needs_a_psychologist():
    rules = Rules(YEAR, kinds=("kampanye", "pelatihan"))
    result = solve(problem([school(1)], [StaffIn(10, PEKSOS)], rules))
    assert reasons(result) == {(1, 2): planner.NO_PSIKOLOG}
    result = solve(problem([school(1)], [StaffIn(10, PEKSOS), StaffIn(20, PSIKOLOG)], rules))
    (training,) = [p for p in result.placements if p.semester == 2]
    assert training.kind == "pelatihan" and (20, PSIKOLOG) in training.team


def test_a_pendamping_where_set():
    rules = Rules(YEAR, kinds=CAMPAIGNS, pendamping_always=True)
    result = solve(problem([school(1)], [StaffIn(10, PEKSOS)], rules))
    assert set(reasons(result).values()) == {planner.NO_PENDAMPING}
    rules = Rules(YEAR, kinds=("one_day", "kampanye"))
    result = solve(problem([school(1)], [StaffIn(10, PEKSOS), StaffIn(30, PENDAMPING)], rules))
    one_day = [p for p in result.placements if p.kind == "one_day"]
    assert one_day and (30, PENDAMPING) in one_day[0].team


def test_the_schools_own_peksos_goes():
    staff = [StaffIn(10, PEKSOS), StaffIn(11, PEKSOS)]
    result = solve(problem([school(1, peksos=(11,)), school(2)], staff))
    assert {p.team[0][0] for p in result.placements if p.school_id == 1} == {11}


def test_locked_visits_count_and_use_capacity():
    fixed = [FixedVisit(1, date(2026, 7, 6), (10,)), FixedVisit(1, date(2026, 7, 6), (10,))]
    staff = [StaffIn(10, PEKSOS, per_day=2)]
    result = solve(problem([school(1), school(2)], staff, fixed=fixed))
    assert [p.semester for p in result.placements if p.school_id == 1] == [2]
    assert date(2026, 7, 6) not in days_of(result, 2)  # that day is full


def test_areas_keep_pooled_staff_local():
    staff = [StaffIn(10, PEKSOS, area="x"), StaffIn(11, PEKSOS, area="y")]
    result = solve(problem([school(1, area="x"), school(2, kec="B", area="y")], staff))
    assert {p.team[0][0] for p in result.placements if p.school_id == 2} == {11}


def test_a_staff_member_never_twice_in_a_team():
    staff = [StaffIn(10, PEKSOS)]
    result = solve(problem([school(1)], staff))
    assert all(len(p.team) == 1 for p in result.placements)


# --- preferences --------------------------------------------------------------------------


def test_high_priority_schools_come_earlier():
    staff = [StaffIn(10, PEKSOS, per_day=1, per_week=5)]
    schools = [school(i, kec=f"K{i}", priority=i) for i in range(20)]
    result = solve(problem(schools, staff))
    sem1 = {p.school_id: p.day for p in result.placements if p.semester == 1}
    assert sem1[19] < sem1[10] < sem1[0]


def test_visits_are_spread_over_the_semester():
    staff = [StaffIn(i, PEKSOS, per_day=2, per_week=10) for i in range(10)]
    result = solve(problem([school(i, kec=f"K{i % 5}") for i in range(300)], staff))
    sem1 = [p.day for p in result.placements if p.semester == 1]
    assert max(sem1) >= date(2026, 11, 1)  # not all packed into July


def test_schools_of_one_kecamatan_share_a_teams_day():
    staff = [StaffIn(i, PEKSOS, per_day=3, per_week=10) for i in range(3)]
    schools = [school(i, kec=f"K{i % 4}", priority=i) for i in range(60)]
    packed = Rules(YEAR, kinds=CAMPAIGNS, spread=False)  # days full, so travel matters
    clustered = solve(problem(schools, staff, packed))
    scattered = solve(
        problem(schools, staff, Rules(YEAR, kinds=CAMPAIGNS, spread=False, cluster=False))
    )
    q_on = quality(problem(schools, staff), clustered)
    q_off = quality(problem(schools, staff), scattered)
    assert q_on["kecamatan_per_staff_day"] < 1.1
    assert q_on["kecamatan_per_staff_day"] < q_off["kecamatan_per_staff_day"]


def test_load_is_even_across_staff():
    staff = [StaffIn(i, PEKSOS) for i in range(4)]
    result = solve(problem([school(i, kec=f"K{i % 4}") for i in range(40)], staff))
    load = quality(problem([school(i) for i in range(40)], staff), result)["load"][PEKSOS]
    assert load["max"] - load["min"] <= 4


def test_the_plan_is_deterministic():
    staff = [StaffIn(i, PEKSOS) for i in range(3)] + [StaffIn(9, PSIKOLOG)]
    p = problem([school(i, kec=f"K{i % 3}", priority=i % 7) for i in range(30)], staff)
    assert plan(p) == plan(p)


# --- verify catches violations --------------------------------------------------------------


def test_verify_reports_each_broken_rule():
    p = problem([school(1), school(2)], [StaffIn(10, PEKSOS, per_day=1)])
    saturday = date(2026, 7, 4)
    bad = Plan(
        placements=[
            Placement(1, saturday, 1, "kampanye", ((10, PEKSOS),)),
            Placement(1, date(2027, 1, 5), 2, "kampanye", ()),
            Placement(2, date(2026, 7, 6), 1, "kampanye", ((10, PEKSOS),)),
            Placement(2, date(2026, 7, 6), 1, "kampanye", ((10, PEKSOS),)),
        ],
        unplaced=[],
    )
    errors = "\n".join(verify(p, bad))
    for expected in ("weekend", "no PEKSOS", "visits on 2026-07-06", "0 days apart", "no visit in"):
        assert expected in errors


# --- property: random problems --------------------------------------------------------------

days_in_year = st.integers(min_value=0, max_value=364).map(
    lambda n: date(YEAR, 7, 1) + timedelta(days=n)
)


def day_range(start: date, length: int) -> frozenset[date]:
    return frozenset(start + timedelta(days=i) for i in range(length))


periods = st.builds(day_range, days_in_year, st.integers(1, 60))


@st.composite
def problems(draw) -> Problem:
    n_kec = draw(st.integers(1, 4))
    two_areas = draw(st.booleans())

    def area_of(kec: int) -> str:
        return f"area{kec % 2}" if two_areas else ""

    n_staff = draw(st.integers(0, 8))
    staff = []
    for i in range(n_staff):
        role = draw(st.sampled_from([PEKSOS, PEKSOS, PSIKOLOG, PENDAMPING]))
        per_day = draw(st.integers(1, 3))
        staff.append(
            StaffIn(
                id=100 + i,
                role=role,
                per_day=per_day,
                per_week=draw(st.integers(per_day, 8)),
                weekdays_off=frozenset(draw(st.sets(st.integers(0, 4), max_size=3))),
                days_off=draw(st.just(frozenset()) | periods),
                area=area_of(draw(st.integers(0, n_kec - 1))),
            )
        )
    peksos_ids = [s.id for s in staff if s.role == PEKSOS]
    schools = []
    for i in range(draw(st.integers(1, 25))):
        kec = draw(st.integers(0, n_kec - 1))
        own = draw(st.lists(st.sampled_from(peksos_ids), max_size=2)) if peksos_ids else []
        schools.append(SchoolIn(i, f"K{kec}", draw(st.floats(0, 100)), tuple(own), area_of(kec)))
    blocked = {s.id: draw(periods) for s in schools if draw(st.booleans())}
    fixed = [
        FixedVisit(
            draw(st.sampled_from(schools)).id,
            draw(days_in_year),
            tuple(draw(st.lists(st.sampled_from([s.id for s in staff]), max_size=2)))
            if staff
            else (),
        )
        for _ in range(draw(st.integers(0, 4)))
    ]
    rules = Rules(
        YEAR,
        earliest=draw(st.none() | days_in_year),
        min_gap_days=draw(st.integers(1, 150)),
        kinds=(draw(st.sampled_from(["kampanye", "pelatihan", "one_day"])),) * 2,
        pendamping_always=draw(st.booleans()),
        cluster=draw(st.booleans()),
        spread=draw(st.booleans()),
    )
    return Problem(
        rules=rules,
        schools=schools,
        staff=staff,
        closed_days=draw(periods) | frozenset(draw(st.sets(days_in_year, max_size=15))),
        blocked=blocked,
        fixed=fixed,
    )


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_every_hard_rule_holds_or_the_school_is_reported(p: Problem):
    result = plan(p)
    assert verify(p, result) == []
    assert all(u.reason in planner.REASONS for u in result.unplaced)
    # The plan never re-plans a semester a kept visit already covers.
    kept = {(f.school_id, planner.semester_of(f.day)) for f in p.fixed}
    assert not any((x.school_id, x.semester) in kept for x in result.placements)
