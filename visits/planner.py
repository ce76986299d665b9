"""The annual visit planner: a pure function from plain data to a plan (no Django, no I/O).

    plan(Problem(rules, schools, staff, closed_days, blocked, fixed)) -> Plan

Every school gets one visit per activity kind chosen for a semester (`rules.kinds`; one per
semester at least, so two a school year), or is reported as unplaceable for that semester and
kind with a reason (`visits.plan_kinds`: the kinds, what kept visits cover). `visits.planning`
builds the Problem from the database and saves the Plan; `verify()` re-checks a plan against
every hard rule from scratch, and `quality()` measures it (the benchmark and the tests use both).

Hard rules (never broken; a school that cannot meet them is reported, not placed badly):
- one visit per chosen kind per semester (July-December, January-June), none before
  `rules.earliest`, and at least `rules.min_gap_days` between any two visits of a school
  (locked ones included);
- never on a weekend, on a day in `closed_days` (national holidays, city-wide blocked
  periods) or on one of the school's own blocked days (`blocked`);
- each staff member's capacity: visits per day, visits per ISO week, weekdays off and days
  off (leave); visits already in the calendar (`fixed`) use the same capacity;
- a team per visit: at least one PEKSOS (one of the school's own PEKSOS when it has any,
  otherwise any PEKSOS of its area), a psychologist for the kinds that need one (training),
  a pendamping sosial for the kinds that need one or for every visit when asked.

Preferences (how the greedy chooses among valid options):
- priority: schools are taken from a binary heap keyed by (-priority, id), and each is given
  the *earliest* day on which a full team is free, so high-priority schools come first in
  the semester;
- spread: each area has a weekly quota (its semester's visits / weeks × SPREAD_SLACK), so
  the semester is not packed into its first weeks; a school that finds no day within the
  quotas is searched again without them (the quota is a preference, never a reason);
- travel: once a team has a visit on a day, the rest of its day's capacity is filled with the
  highest-priority unplanned schools of the same kecamatan that it may serve (a short
  look-ahead in a per-kecamatan queue); psychologists and pendamping already working in that
  kecamatan on that day are chosen first;
- even load: among free staff, the one with the fewest visits so far is chosen (pools of
  psychologists, pendamping and PEKSOS are lazy min-heaps per day keyed by load).

The greedy is a heuristic: it never breaks a hard rule, but it does not prove that a school
it reports as unplaceable could not have been placed by a cleverer search (a CP-SAT model
with OR-Tools could, at a cost far beyond 450,000 schools). Its cost is about
O(S·(k + log P) + D·P) for S schools, k days looked at per school (small: per-staff and
per-pool "first free day" pointers skip full days), D visit days and P staff.
"""

import gc
import heapq
import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from statistics import mean, median, pstdev

from peksos.core import school_year

from . import plan_kinds

PEKSOS, PSIKOLOG, PENDAMPING = "peksos", "psikolog", "pendamping"
ROLES = (PEKSOS, PSIKOLOG, PENDAMPING)
WEEKEND = frozenset({5, 6})
LOOKAHEAD = 8  # schools looked at in a kecamatan queue when filling a team's day
# Weekly quota of an area = its visits of the semester / the semester's weeks × this slack:
# enough room for priority schools to come early, without packing the semester's first weeks.
SPREAD_SLACK = 1.25

# Why a school could not be placed in a semester (codes; the views translate them).
NO_DAY = "no_day"  # no visit day left: semester over, weekends, holidays, blocked periods
GAP = "gap"  # no visit day far enough from the school's other visits
NO_PEKSOS = "no_peksos"  # no (own) PEKSOS with a free day
NO_PSIKOLOG = "no_psikolog"  # no psychologist free on a day a PEKSOS is free
NO_PENDAMPING = "no_pendamping"  # no pendamping sosial free on such a day
REASONS = (NO_DAY, GAP, NO_PEKSOS, NO_PSIKOLOG, NO_PENDAMPING)


@dataclass(frozen=True, slots=True)
class SchoolIn:
    id: int
    kecamatan: str
    priority: float = 0.0  # higher is visited earlier
    peksos: tuple[int, ...] = ()  # the school's own PEKSOS; empty: any PEKSOS of its area
    area: str = ""


@dataclass(frozen=True, slots=True)
class StaffIn:
    id: int
    role: str  # PEKSOS, PSIKOLOG or PENDAMPING
    per_day: int = 2
    per_week: int = 8
    weekdays_off: frozenset[int] = frozenset()  # date.weekday() numbers
    days_off: frozenset[date] = frozenset()
    area: str = ""


@dataclass(frozen=True, slots=True)
class FixedVisit:
    """A visit the planner keeps (locked, agreed or done): it counts for its school and
    uses its team's capacity."""

    school_id: int
    day: date
    staff: tuple[int, ...] = ()
    kind: str = ""  # "" when not known: it covers the first open kind of its semester


@dataclass(frozen=True)
class Rules:
    year: int  # the school year starting in `start_month` of this year
    start_month: int = 7  # the office's setting (peksos.core.school_year), passed in
    earliest: date | None = None  # no visit before this day
    min_gap_days: int = 56
    # The kinds of each semester: one kind, or a tuple of kinds (one visit each).
    kinds: tuple[str | tuple[str, ...], str | tuple[str, ...]] = ("kampanye", "pelatihan")
    psikolog_kinds: frozenset[str] = frozenset({"pelatihan"})
    pendamping_kinds: frozenset[str] = frozenset({"one_day"})
    pendamping_always: bool = False
    cluster: bool = True  # fill a team's day with schools of the same kecamatan
    spread: bool = True  # spread visits over the semester's weeks (a soft weekly quota)

    def semester_bounds(self, semester: int) -> tuple[date, date]:
        return school_year.semester_bounds(self.year, semester, month=self.start_month)

    def kinds_of(self, semester: int) -> tuple[str, ...]:
        return plan_kinds.as_kinds(self.kinds[semester - 1])

    def needs(self, kind: str) -> tuple[bool, bool]:
        """(needs a psychologist, needs a pendamping) for a visit of this kind."""
        return kind in self.psikolog_kinds, self.pendamping_always or kind in self.pendamping_kinds


@dataclass
class Problem:
    rules: Rules
    schools: Sequence[SchoolIn]
    staff: Sequence[StaffIn]
    closed_days: frozenset[date] = frozenset()  # for every school
    blocked: Mapping[int, frozenset[date]] = field(default_factory=dict)  # per school
    fixed: Sequence[FixedVisit] = ()


@dataclass(frozen=True, slots=True)
class Placement:
    school_id: int
    day: date
    semester: int
    kind: str
    team: tuple[tuple[int, str], ...]  # (staff id, role), the PEKSOS first


@dataclass(frozen=True, slots=True)
class Unplaced:
    school_id: int
    semester: int
    reason: str
    kind: str = ""


@dataclass
class Plan:
    placements: list[Placement]
    unplaced: list[Unplaced]


def semester_of(day: date, start_month: int = 7) -> int:
    return school_year.semester_of(day, month=start_month)


def school_year_of(day: date, start_month: int = 7) -> int:
    return school_year.year_of(day, month=start_month)


def _monday(ordinal: int) -> int:
    return ordinal - date.fromordinal(ordinal).weekday()


class _Staff:
    """A staff member's running state while planning."""

    __slots__ = (
        "area",
        "day_used",
        "days_off",
        "first_free",
        "id",
        "load",
        "per_day",
        "per_week",
        "role",
        "week_used",
        "weekdays_off",
    )

    def __init__(self, s: StaffIn):
        self.id, self.role, self.area = s.id, s.role, s.area
        self.per_day, self.per_week = s.per_day, s.per_week
        self.weekdays_off = s.weekdays_off
        self.days_off = frozenset(d.toordinal() for d in s.days_off)
        self.day_used: dict[int, int] = {}
        self.week_used: dict[int, int] = {}
        self.load = 0
        self.first_free = 0

    def use(self, ordinal: int, week: int) -> None:
        self.day_used[ordinal] = self.day_used.get(ordinal, 0) + 1
        self.week_used[week] = self.week_used.get(week, 0) + 1
        self.load += 1


class _Semester:
    """The visit days of one semester and the lookups the search needs."""

    def __init__(self, problem: Problem, semester: int):
        rules = problem.rules
        start, end = rules.semester_bounds(semester)
        if rules.earliest and rules.earliest > start:
            start = rules.earliest
        closed = problem.closed_days
        days = []
        day = start
        while day <= end:
            if day.weekday() not in WEEKEND and day not in closed:
                days.append(day)
            day += timedelta(days=1)
        self.semester = semester
        self.days = days
        self.ords = [d.toordinal() for d in days]
        self.weeks = [o - d.weekday() for o, d in zip(self.ords, days, strict=True)]
        self.weekdays = [d.weekday() for d in days]
        self.sem_start = rules.semester_bounds(semester)[0].toordinal()
        self.sem_end = end.toordinal()
        # For skipping a week whose quota is used up: the first day index of the next week.
        self.next_week = [0] * len(days)
        following = len(days)
        for i in range(len(days) - 1, -1, -1):
            if i + 1 < len(days) and self.weeks[i + 1] != self.weeks[i]:
                following = i + 1
            self.next_week[i] = following


class _Planner:
    def __init__(self, problem: Problem):
        self.problem = problem
        self.rules = problem.rules
        self.gap = problem.rules.min_gap_days
        self.staff = {s.id: _Staff(s) for s in problem.staff}
        self.by_area_role: dict[tuple[str, str], list[_Staff]] = defaultdict(list)
        for st in self.staff.values():
            self.by_area_role[(st.area, st.role)].append(st)
        self.blocked = {
            sid: frozenset(d.toordinal() for d in days)
            for sid, days in problem.blocked.items()
            if days
        }
        self.dates: dict[int, list[int]] = defaultdict(list)  # school -> visit ordinals
        self.needs = open_needs(problem)  # (school, semester, kind) to place
        for fv in problem.fixed:
            ordinal = fv.day.toordinal()
            self.dates[fv.school_id].append(ordinal)
            for sid in fv.staff:
                if sid in self.staff:
                    self.staff[sid].use(ordinal, _monday(ordinal))
        self.placements: list[Placement] = []
        self.unplaced: list[Unplaced] = []
        self.leads_of: dict[int, list[_Staff]] = {}

    # --- availability ----------------------------------------------------------------------

    def _free(self, st: _Staff, di: int) -> bool:
        sem = self.sem
        return (
            st.day_used.get(sem.ords[di], 0) < st.per_day
            and st.week_used.get(sem.weeks[di], 0) < st.per_week
            and sem.weekdays[di] not in st.weekdays_off
            and sem.ords[di] not in st.days_off
        )

    def _first_free(self, st: _Staff) -> int:
        """The first day index on which `st` is free (a pointer that only moves forward:
        within a run, capacity is only ever used up)."""
        n = len(self.sem.days)
        i = st.first_free
        while i < n and not self._free(st, i):
            i += 1
        st.first_free = i
        return i

    def _heap(self, area: str, role: str, di: int) -> list:
        """A lazy min-heap of the staff of a role and area who may be free on day `di`,
        keyed by (already busy that day, load, id). Keys only grow during a run, so a stale
        entry is fixed when it reaches the top; a full or absent member is dropped."""
        key = (area, role, di)
        heap = self.pools.get(key)
        if heap is None:
            ordinal = self.sem.ords[di]
            heap = [
                (1 if st.day_used.get(ordinal) else 0, st.load, st.id, st)
                for st in self.by_area_role.get((area, role), ())
                if self._free(st, di)
            ]
            heapq.heapify(heap)
            self.pools[key] = heap
        return heap

    def _top(self, area: str, role: str, di: int) -> _Staff | None:
        heap = self._heap(area, role, di)
        ordinal = self.sem.ords[di]
        while heap:
            busy, load, sid, st = heap[0]
            if not self._free(st, di):
                heapq.heappop(heap)
                continue
            current = (1 if st.day_used.get(ordinal) else 0, st.load)
            if current != (busy, load):
                heapq.heapreplace(heap, (*current, sid, st))
                continue
            return st
        return None

    def _pick(self, area: str, role: str, di: int, kecamatan: str) -> _Staff | None:
        """Someone of this role already working in the kecamatan that day, or the top of the
        day's heap (idle before busy elsewhere, then the least loaded)."""
        here = self.busy.get((di, kecamatan))
        if here:
            near = [
                st
                for st in (self.staff[i] for i in here)
                if st.role == role and st.area == area and self._free(st, di)
            ]
            if near:
                return min(near, key=lambda st: (st.load, st.id))
        return self._top(area, role, di)

    def _frontier(self, area: str, role: str) -> int:
        """The first day index on which anyone of this role and area is free."""
        key = (area, role)
        i = self.fronts.get(key, 0)
        n = len(self.sem.days)
        while i < n and self._top(area, role, i) is None:
            i += 1
        self.fronts[key] = i
        return i

    def _choose(self, candidates: Iterable[_Staff], di: int, kecamatan: str) -> _Staff | None:
        """Among the school's own PEKSOS: one already in this kecamatan that day, else an
        idle one, else one busy elsewhere; then the least loaded; then the lowest id."""
        here = self.busy.get((di, kecamatan), ())
        ordinal = self.sem.ords[di]
        best, best_key = None, None
        for st in candidates:
            if not self._free(st, di):
                continue
            where = 0 if st.id in here else (2 if st.day_used.get(ordinal) else 1)
            key = (where, st.load, st.id)
            if best_key is None or key < best_key:
                best, best_key = st, key
        return best

    # --- one school ------------------------------------------------------------------------

    def _leads(self, school: SchoolIn) -> list[_Staff] | None:
        """The school's own PEKSOS, or None for "any PEKSOS of its area"."""
        if not school.peksos:
            return None
        leads = self.leads_of.get(school.id)
        if leads is None:
            own = [self.staff[i] for i in school.peksos if i in self.staff]
            leads = self.leads_of[school.id] = [st for st in own if st.role == PEKSOS]
        return leads or None

    def _gap_ok(self, school_id: int, ordinal: int) -> bool:
        gap = self.gap
        return all(abs(ordinal - x) >= gap for x in self.dates.get(school_id, ()))

    def _team(self, school: SchoolIn, leads, di: int) -> tuple[list[_Staff] | None, str]:
        kec = school.kecamatan
        if leads is None:
            lead = self._pick(school.area, PEKSOS, di, kec)
        else:
            lead = self._choose(leads, di, kec)
        if lead is None:
            return None, NO_PEKSOS
        team = [lead]
        if self.need_psikolog:
            psikolog = self._pick(school.area, PSIKOLOG, di, kec)
            if psikolog is None:
                return None, NO_PSIKOLOG
            team.append(psikolog)
        if self.need_pendamping:
            pendamping = self._pick(school.area, PENDAMPING, di, kec)
            if pendamping is None:
                return None, NO_PENDAMPING
            team.append(pendamping)
        return team, ""

    def _window(self, school_id: int, part: tuple[int, int]) -> tuple[int, int] | str:
        """The day indexes [lo, hi) within `part` allowed by the calendar and the gap, or a
        reason."""
        sem = self.sem
        if not sem.days:
            return NO_DAY
        lower, upper = 0, 10**9
        for x in self.dates.get(school_id, ()):
            if x < sem.sem_start:
                lower = max(lower, x + self.gap)
            elif x > sem.sem_end:
                upper = min(upper, x - self.gap)
        lo, hi = bisect_left(sem.ords, lower), bisect_right(sem.ords, upper)
        lo, hi = max(lo, part[0]), min(hi, part[1])
        if lo >= hi:
            return GAP
        blocked = self.blocked.get(school_id)
        if blocked and all(sem.ords[i] in blocked for i in range(lo, hi)):
            return NO_DAY
        return lo, hi

    def _start(self, school: SchoolIn, leads) -> int:
        """No day before this index can have a full team (every role's first free day)."""
        if leads is None:
            start = self._frontier(school.area, PEKSOS)
        else:
            start = min(self._first_free(st) for st in leads)
        if self.need_psikolog:
            start = max(start, self._frontier(school.area, PSIKOLOG))
        if self.need_pendamping:
            start = max(start, self._frontier(school.area, PENDAMPING))
        return start

    def _starved(self, school: SchoolIn, leads, hi: int) -> str:
        """The first role of the team with nobody free before the window's end."""
        if leads is None:
            if self._frontier(school.area, PEKSOS) >= hi:
                return NO_PEKSOS
        elif min(self._first_free(st) for st in leads) >= hi:
            return NO_PEKSOS
        if self.need_psikolog and self._frontier(school.area, PSIKOLOG) >= hi:
            return NO_PSIKOLOG
        return NO_PENDAMPING

    def _quota_full(self, area: str, di: int) -> bool:
        return self.quota_used.get((area, self.sem.weeks[di]), 0) >= self.quota.get(area, 0)

    def _quota_front(self, area: str) -> int:
        """The first day index of the first week with quota left (only moves forward)."""
        i = self.quota_fronts.get(area, 0)
        n = len(self.sem.days)
        while i < n and self._quota_full(area, i):
            i = self.sem.next_week[i]
        self.quota_fronts[area] = i
        return i

    def _find(self, school: SchoolIn, part: tuple[int, int]) -> tuple[int, list[_Staff]] | str:
        window = self._window(school.id, part)
        if isinstance(window, str):
            return window
        lo, hi = window
        leads = self._leads(school)
        start = max(lo, self._start(school, leads))
        if start >= hi:
            return self._starved(school, leads, hi)
        blocked = self.blocked.get(school.id, ())
        ords, next_week = self.sem.ords, self.sem.next_week
        rank = {NO_PEKSOS: 0, NO_PSIKOLOG: 1, NO_PENDAMPING: 2}
        worst = NO_PEKSOS  # how far the best day got: the reason if no day has a team
        gap_only = True  # every open day looked at was too close to another visit
        # First within the weekly quotas (spread over the semester), then without them.
        for spread in (True, False) if self.rules.spread else (False,):
            di = max(start, self._quota_front(school.area)) if spread else start
            skipped = di > start
            while di < hi:
                if spread and self._quota_full(school.area, di):
                    di = next_week[di]
                    skipped = True
                    continue
                if ords[di] not in blocked and self._gap_ok(school.id, ords[di]):
                    gap_only = False
                    team, why = self._team(school, leads, di)
                    if team is not None:
                        return di, team
                    if rank[why] > rank[worst]:
                        worst = why
                di += 1
            if not skipped:
                break
        return GAP if gap_only else worst

    def _place(self, school: SchoolIn, di: int, team: list[_Staff]) -> None:
        sem = self.sem
        ordinal, week = sem.ords[di], sem.weeks[di]
        here = self.busy.setdefault((di, school.kecamatan), set())
        for st in team:
            st.use(ordinal, week)
            here.add(st.id)
        key = (school.area, week)
        self.quota_used[key] = self.quota_used.get(key, 0) + 1
        self.dates[school.id].append(ordinal)
        self.handled.add(school.id)
        self.placements.append(
            Placement(
                school.id,
                sem.days[di],
                sem.semester,
                self.kind,
                tuple((st.id, st.role) for st in team),
            )
        )

    # --- travel: fill a team's day in one kecamatan -------------------------------------------

    def _queue_keys(self, school: SchoolIn) -> list[tuple]:
        leads = self._leads(school)
        if leads is None:
            return [("area", school.area, school.kecamatan)]
        return [("lead", st.id, school.kecamatan) for st in leads]

    def _fill_day(self, school: SchoolIn, di: int, team: list[_Staff]) -> None:
        """Give the rest of the team's day to schools of the same kecamatan."""
        lead = team[0]
        keys = [("lead", lead.id, school.kecamatan)]
        if lead.area == school.area:
            keys.append(("area", school.area, school.kecamatan))
        ordinal = self.sem.ords[di]
        free = self._free
        while True:
            for st in team:
                if not free(st, di):
                    return
            if self.rules.spread and self._quota_full(school.area, di):
                return
            candidate = None
            for key in keys:
                candidate = self._next_in_queue(key, ordinal, school.area)
                if candidate is not None:
                    break
            if candidate is None:
                return
            self._place(candidate, di, team)

    def _next_in_queue(self, key: tuple, ordinal: int, area: str) -> SchoolIn | None:
        """The highest-priority unplanned school of a queue that may be visited that day,
        looking at most LOOKAHEAD schools past the first unplanned one."""
        entry = self.queues.get(key)
        if entry is None:
            return None
        schools, head = entry
        handled = self.handled
        while head < len(schools) and schools[head].id in handled:
            head += 1
        entry[1] = head
        seen = 0
        for school in schools[head:]:
            if school.id in handled:
                continue
            blocked = self.blocked.get(school.id, ())
            fits = school.area == area and ordinal not in blocked
            if fits and self._gap_ok(school.id, ordinal):
                return school
            seen += 1
            if seen >= LOOKAHEAD:
                break
        return None

    # --- the run ---------------------------------------------------------------------------

    def run(self) -> Plan:
        for semester in (1, 2):
            self.sem = _Semester(self.problem, semester)
            kinds = self.rules.kinds_of(semester)
            for index, kind in enumerate(kinds):
                self.whole = (0, len(self.sem.days))
                self.part = plan_kinds.share(index, len(kinds), len(self.sem.days))
                self._run_pass(semester, kind)
        return Plan(self.placements, self.unplaced)

    def _run_pass(self, semester: int, kind: str) -> None:
        """Place the visits of one kind in one semester (first within its share of days)."""
        self.kind = kind
        self.need_psikolog, self.need_pendamping = self.rules.needs(kind)
        self.pools: dict[tuple, list] = {}
        self.fronts: dict[tuple, int] = {}
        self.busy: dict[tuple[int, str], set[int]] = {}
        self.handled: set[int] = set()
        for st in self.staff.values():
            st.first_free = 0
        pending = [s for s in self.problem.schools if (s.id, semester, kind) in self.needs]
        # Spread: each area gets a weekly quota of about its share of the semester's visits.
        per_area: dict[str, int] = defaultdict(int)
        for s in pending:
            per_area[s.area] += 1
        weeks = max(len(set(self.sem.weeks[self.part[0] : self.part[1]])), 1)
        self.quota = {a: math.ceil(n * SPREAD_SLACK / weeks) for a, n in per_area.items()}
        self.quota_used: dict[tuple[str, int], int] = {}
        self.quota_fronts: dict[str, int] = {}
        heap = [(-s.priority, s.id, s) for s in pending]
        heapq.heapify(heap)
        self.queues: dict[tuple, list] = {}
        if self.rules.cluster:
            for s in sorted(pending, key=lambda s: (-s.priority, s.id)):
                for key in self._queue_keys(s):
                    self.queues.setdefault(key, [[], 0])[0].append(s)
        while heap:
            _, _, school = heapq.heappop(heap)
            if school.id in self.handled:
                continue
            found = self._find(school, self.part)
            if isinstance(found, str) and self.part != self.whole:
                found = self._find(school, self.whole)
            if isinstance(found, str):
                self.handled.add(school.id)
                self.unplaced.append(Unplaced(school.id, semester, found, kind))
                continue
            di, team = found
            self._place(school, di, team)
            if self.rules.cluster:
                self._fill_day(school, di, team)


def open_needs(problem: Problem) -> set[plan_kinds.Need]:
    """The (school, semester, kind) the plan must place or report (visits.plan_kinds)."""
    rules = problem.rules
    kinds = {semester: rules.kinds_of(semester) for semester in (1, 2)}
    kept = [(f.school_id, semester_of(f.day, rules.start_month), f.kind) for f in problem.fixed]
    return plan_kinds.open_needs(kinds, (s.id for s in problem.schools), kept)


def plan(problem: Problem) -> Plan:
    """Place one visit per school per semester and kind, or report why it cannot be placed."""
    with gc_paused():
        return _Planner(problem).run()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a run allocates millions of small acyclic objects
    (freed by reference counting anyway), and collections that scan them all grow faster than
    the register (measured: the 450k/45k CPU-time ratio of planning went from 11.1 to 10.8)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- checking and measuring a plan ---------------------------------------------------------


def verify(problem: Problem, result: Plan) -> list[str]:
    """Every hard rule, checked from scratch: a list of violations (empty when the plan is
    valid). Also checks that every school is placed or reported for each semester's kinds."""
    rules = problem.rules
    errors: list[str] = []
    schools = {s.id: s for s in problem.schools}
    staff = {s.id: s for s in problem.staff}
    day_use: dict[tuple[int, int], int] = defaultdict(int)
    week_use: dict[tuple[int, int], int] = defaultdict(int)
    touched_days: set[tuple[int, int]] = set()
    touched_weeks: set[tuple[int, int]] = set()
    dates: dict[int, list[tuple[int, bool]]] = defaultdict(list)  # (ordinal, is_new)
    for fv in problem.fixed:
        o = fv.day.toordinal()
        dates[fv.school_id].append((o, False))
        for sid in fv.staff:
            day_use[(sid, o)] += 1
            week_use[(sid, _monday(o))] += 1
    own_of: dict[int, set[int]] = {}
    for p in result.placements:
        school = schools.get(p.school_id)
        d, o = p.day, p.day.toordinal()
        found: list[str] = []
        if school is None:
            errors.append(f"school {p.school_id} on {d}: unknown school")
            continue
        weekday = d.weekday()
        monday = o - weekday
        if weekday in WEEKEND:
            found.append("weekend")
        if d in problem.closed_days:
            found.append("closed day")
        if d in problem.blocked.get(school.id, ()):
            found.append("blocked for the school")
        if rules.earliest and d < rules.earliest:
            found.append(f"before {rules.earliest}")
        in_year = school_year_of(d, rules.start_month) == rules.year
        if (
            p.semester not in (1, 2)
            or not in_year
            or semester_of(d, rules.start_month) != p.semester
        ):
            found.append(f"outside semester {p.semester} of {rules.year}")
        roles = [role for _, role in p.team]
        need_psikolog, need_pendamping = rules.needs(p.kind)
        if PEKSOS not in roles:
            found.append("no PEKSOS")
        own = own_of.get(school.id)
        if own is None:
            own = own_of[school.id] = {
                i for i in school.peksos if i in staff and staff[i].role == PEKSOS
            }
        if own and not any(sid in own for sid, role in p.team if role == PEKSOS):
            found.append("not one of the school's own PEKSOS")
        if need_psikolog and PSIKOLOG not in roles:
            found.append("no psychologist")
        if need_pendamping and PENDAMPING not in roles:
            found.append("no pendamping")
        if len({sid for sid, _ in p.team}) != len(p.team):
            found.append("a staff member twice in the team")
        for sid, role in p.team:
            member = staff.get(sid)
            if member is None or member.role != role:
                found.append(f"staff {sid} is not a {role}")
                continue
            if weekday in member.weekdays_off or d in member.days_off:
                found.append(f"staff {sid} is off")
            pooled = role != PEKSOS or not own
            if pooled and member.area != school.area:
                found.append(f"staff {sid} of another area")
            day_use[(sid, o)] += 1
            week_use[(sid, monday)] += 1
            touched_days.add((sid, o))
            touched_weeks.add((sid, monday))
        errors.extend(f"school {p.school_id} on {d}: {what}" for what in found)
        dates[school.id].append((o, True))
    for sid, o in touched_days:
        if day_use[(sid, o)] > staff[sid].per_day:
            errors.append(f"staff {sid}: {day_use[(sid, o)]} visits on {date.fromordinal(o)}")
    for sid, week in touched_weeks:
        if week_use[(sid, week)] > staff[sid].per_week:
            errors.append(f"staff {sid}: {week_use[(sid, week)]} visits in week {week}")
    for school_id, visits in dates.items():
        visits.sort()
        for (a, new_a), (b, new_b) in pairwise(visits):
            if (new_a or new_b) and b - a < rules.min_gap_days:
                errors.append(f"school {school_id}: visits {b - a} days apart")
    errors += plan_kinds.kind_errors(
        {semester: rules.kinds_of(semester) for semester in (1, 2)},
        open_needs(problem),
        [(p.school_id, p.semester, p.kind) for p in result.placements if p.school_id in schools],
        {(u.school_id, u.semester, u.kind) for u in result.unplaced},
    )
    return errors


def quality(problem: Problem, result: Plan) -> dict:
    """Figures of a plan: travel clustering, load spread, how early priority schools come."""
    schools = {s.id: s for s in problem.schools}
    staff_days: dict[tuple[int, date], set[str]] = defaultdict(set)
    staff_day_visits: dict[tuple[int, date], int] = defaultdict(int)
    load: dict[int, int] = {s.id: 0 for s in problem.staff}
    for p in result.placements:
        kec = schools[p.school_id].kecamatan
        for sid, _role in p.team:
            staff_days[(sid, p.day)].add(kec)
            staff_day_visits[(sid, p.day)] += 1
            load[sid] += 1
    multi = [key for key, n in staff_day_visits.items() if n > 1]
    single_kec = sum(1 for key in multi if len(staff_days[key]) == 1)
    spread = {}
    by_role = defaultdict(list)
    for s in problem.staff:
        by_role[s.role].append(load[s.id])
    for role, loads in sorted(by_role.items()):
        avg = mean(loads) if loads else 0
        spread[role] = {
            "staff": len(loads),
            "min": min(loads, default=0),
            "max": max(loads, default=0),
            "mean": round(avg, 2),
            "cv": round(pstdev(loads) / avg, 3) if loads and avg else 0.0,
        }
    # How early in its semester each school is visited, by priority quartile.
    early = {}
    for semester in (1, 2):
        start = problem.rules.semester_bounds(semester)[0]
        rows = sorted(
            (
                (schools[p.school_id].priority, (p.day - start).days)
                for p in result.placements
                if p.semester == semester
            ),
            key=lambda r: -r[0],
        )
        if len(rows) >= 4:
            q = len(rows) // 4
            early[semester] = {
                "top_quarter_median_day": median(d for _, d in rows[:q]),
                "bottom_quarter_median_day": median(d for _, d in rows[-q:]),
            }
    return {
        "visits": len(result.placements),
        "unplaced": len(result.unplaced),
        "staff_days": len(staff_day_visits),
        "staff_days_with_several_visits": len(multi),
        "several_visits_in_one_kecamatan": round(single_kec / len(multi), 3) if multi else 1.0,
        "kecamatan_per_staff_day": round(mean(len(k) for k in staff_days.values()), 3)
        if staff_days
        else 0.0,
        "load": spread,
        "days_into_semester": early,
    }
