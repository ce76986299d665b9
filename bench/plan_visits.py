"""P4: the annual visit plan for the real register (308 schools) and synthetic registers of
45,000 and 450,000 schools with proportional staff (docs/quality.md P4, docs/visits.md).

    .venv/bin/python bench/plan_visits.py                # all three, a few minutes on 2 cores
    .venv/bin/python bench/plan_visits.py --sizes 308 45000 --repeat 5

- 308: the real register loaded with `schools.seed.load_kota_metro()` into a temporary SQLite
  database (or DATABASE_URL with --database-url), real staff users and memberships, the real
  calendar (national holidays), through the whole database path the Koordinator's button
  uses: build the problem, plan, save (bulk insert).
- 45,000 and 450,000: generated schools (`TEST SD 000001`, NPSN from 99000001) in kecamatan
  of 90 schools, staff in proportion (1 PEKSOS per 16 schools, 1 psychologist and 1
  pendamping per 64) and each school's own PEKSOS as a membership, inserted first (untimed);
  then timed as the Koordinator's button runs it (issue 22: reading the register was 13.8 s
  of 71.7 s at 450k and had been left out): reading the register (`build_problem`),
  planning, saving the visits with bulk inserts.

Each plan is checked with `planner.verify` (violations must be 0) and measured with
`planner.quality` (travel clustering, load spread, how early high-priority schools come).
Timings are the median of --repeat runs (default: 5 for 308 schools, 3 for 45,000, 1 for
450,000; saving: one run), as wall-clock and CPU seconds: this machine is shared, and other
processes stretch wall time far more than CPU time.
"""

import argparse
import json
import math
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEAR = 2026
SCHOOLS_PER_KECAMATAN = 90
KECAMATAN_PER_AREA = 10
SCHOOLS_PER_PEKSOS = 16
SCHOOLS_PER_SPECIALIST = 64


def setup_django(database_url: str | None) -> str:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        folder = tempfile.mkdtemp(prefix="peksos-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peksos.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return os.environ["DATABASE_URL"]


class Stopwatch:
    """Wall-clock and CPU time of a process. CPU time is reported too because this kind of
    machine is shared: other processes stretch wall time, much less CPU time."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        lap = (wall - self.wall, cpu - self.cpu)
        self.wall, self.cpu = wall, cpu
        return lap


def medians(laps: list[dict[str, tuple[float, float]]]) -> tuple[dict, dict]:
    """Per stage, the median wall and CPU seconds over runs; plus their total."""
    wall = {k: statistics.median(run[k][0] for run in laps) for k in laps[0]}
    cpu = {k: statistics.median(run[k][1] for run in laps) for k in laps[0]}
    wall["total"], cpu["total"] = sum(wall.values()), sum(cpu.values())
    return wall, cpu


# --- the real register through the database ---------------------------------------------------


def real_register(repeat: int) -> dict:
    from peksos.accounts.models import Role, User
    from schools.models import School, SchoolMembership
    from schools.seed import load_kota_metro
    from visits import planner
    from visits.planning import PlanOptions, build_problem, save_plan

    load_kota_metro()
    schools = list(School.objects.active().order_by("kecamatan__code", "pk"))
    n = len(schools)
    peksos = [
        User.objects.create(username=f"bench_peksos_{i}", role=Role.PEKSOS)
        for i in range(max(1, round(n / SCHOOLS_PER_PEKSOS)))
    ]
    for role in (Role.PSIKOLOG, Role.PENDAMPING):
        for i in range(max(1, round(n / SCHOOLS_PER_SPECIALIST))):
            User.objects.create(username=f"bench_{role}_{i}", role=role)
    # Each PEKSOS serves a contiguous run of schools ordered by kecamatan.
    SchoolMembership.objects.bulk_create(
        SchoolMembership(user=peksos[i * len(peksos) // n], school=school)
        for i, school in enumerate(schools)
    )
    options = PlanOptions(year=YEAR)
    queryset = School.objects.active()
    today = date(YEAR, 7, 1)

    laps = []
    for _ in range(repeat):
        watch = Stopwatch()
        problem = build_problem(options, queryset, today=today)
        load = watch.lap()
        result = planner.plan(problem)
        plan = watch.lap()
        save_plan(options=options, schools=queryset, problem=problem, result=result, by=None)
        laps.append({"load": load, "plan": plan, "save": watch.lap()})
    figures = report(n, problem, result, *medians(laps))
    # The first run also pays the process's cold caches (the holidays package computes the
    # Islamic calendar once per process).
    figures["first_run_seconds"] = round(sum(wall for wall, _cpu in laps[0].values()), 3)
    return figures


# --- synthetic registers ---------------------------------------------------------------------


def synthetic_problem(n: int, seed: int = 1):
    import holidays

    from visits import planner

    rnd = random.Random(seed)
    schools, staff = [], []
    next_staff = 1
    area_schools: dict[str, list[int]] = {}
    for i in range(n):
        kec = i // SCHOOLS_PER_KECAMATAN
        area = f"A{kec // KECAMATAN_PER_AREA:05d}"
        area_schools.setdefault(area, []).append(i)
    own: dict[int, tuple[int, ...]] = {}
    for area, members in area_schools.items():
        count = len(members)
        peksos_ids = []
        for role, per in (
            (planner.PEKSOS, SCHOOLS_PER_PEKSOS),
            (planner.PSIKOLOG, SCHOOLS_PER_SPECIALIST),
            (planner.PENDAMPING, SCHOOLS_PER_SPECIALIST),
        ):
            for _ in range(max(1, round(count / per))):
                off = frozenset({rnd.randrange(5)}) if rnd.random() < 0.1 else frozenset()
                staff.append(planner.StaffIn(next_staff, role, 2, 8, off, frozenset(), area))
                if role == planner.PEKSOS:
                    peksos_ids.append(next_staff)
                next_staff += 1
        for j, school_id in enumerate(members):
            # 90% of schools have their own PEKSOS (contiguous runs, so by kecamatan).
            if rnd.random() < 0.9:
                own[school_id] = (peksos_ids[j * len(peksos_ids) // count],)
    blocked = {}
    year_start = date(YEAR, 7, 1)
    for i in range(n):
        if rnd.random() < 0.05:
            start = year_start + timedelta(days=rnd.randrange(330))
            blocked[i] = frozenset(start + timedelta(days=d) for d in range(14))
    for i in range(n):
        kec = i // SCHOOLS_PER_KECAMATAN
        schools.append(
            planner.SchoolIn(
                i,
                f"K{kec:05d}",
                rnd.random() * 100,
                own.get(i, ()),
                f"A{kec // KECAMATAN_PER_AREA:05d}",
            )
        )
    found = holidays.country_holidays(
        "ID", years=[YEAR, YEAR + 1], categories=("public", "government")
    )
    closed = frozenset(d for d in found if year_start <= d <= date(YEAR + 1, 6, 30))
    rules = planner.Rules(YEAR, earliest=date(YEAR, 7, 13))
    return planner.Problem(rules, schools, staff, closed, blocked, ())


def clear_synthetic() -> None:
    """Remove an earlier synthetic register (NPSNs from 99000001 are reused by each size)."""
    from peksos.accounts.models import User
    from schools.models import Kecamatan, School, SchoolMembership
    from visits.models import Visit, VisitMember

    for queryset in (
        SchoolMembership.objects.filter(school__npsn__startswith="99"),
        VisitMember.objects.filter(visit__school__npsn__startswith="99"),
        Visit.objects.filter(school__npsn__startswith="99"),
        School.objects.filter(npsn__startswith="99"),
        Kecamatan.objects.filter(code__startswith="99."),
        User.objects.filter(username__startswith="bench_staff_"),
    ):
        queryset._raw_delete(queryset.db)  # a benchmark's own rows: no cascade needed


def insert_schools(n: int) -> dict[int, int]:
    """Synthetic schools in the database (untimed); returns planner id -> School pk."""
    from schools.models import Kecamatan, School

    kecamatan = Kecamatan.objects.bulk_create(
        Kecamatan(code=f"99.{k:05d}", name=f"TEST KECAMATAN {k:05d}")
        for k in range(math.ceil(n / SCHOOLS_PER_KECAMATAN))
    )
    from django.utils import timezone

    from visits.planning import bulk_insert

    now = timezone.now()
    bulk_insert(
        School,
        [
            "npsn",
            "name",
            "level",
            "status",
            "kecamatan",
            "address",
            "source",
            "is_active",
            "priority_rank",
            "priority_band",
            "updated_at",
        ],
        (
            (
                str(99000001 + i),
                f"TEST SD {i + 1:06d}",
                "SD",
                "negeri",
                kecamatan[i // SCHOOLS_PER_KECAMATAN].pk,
                "",
                "bench",
                True,
                -1,
                "unknown",
                now,
            )
            for i in range(n)
        ),
    )
    rows = School.objects.filter(npsn__startswith="99").values_list("npsn", "pk")
    return {int(npsn) - 99000001: pk for npsn, pk in rows}


def insert_staff(problem) -> dict[int, int]:
    from peksos.accounts.models import User

    users = User.objects.bulk_create(
        (User(username=f"bench_staff_{s.id}", role=s.role) for s in problem.staff),
        batch_size=5000,
    )
    return {s.id: u.pk for s, u in zip(problem.staff, users, strict=True)}


def insert_memberships(problem, school_pk: dict[int, int], staff_pk: dict[int, int]) -> None:
    """Each synthetic school's own PEKSOS as a membership, as the register stores it."""
    from schools.models import SchoolMembership
    from visits.planning import bulk_insert

    bulk_insert(
        SchoolMembership,
        ["user", "school", "since"],
        (
            (staff_pk[user], school_pk[school.id], date(YEAR, 7, 1))
            for school in problem.schools
            for user in school.peksos
        ),
    )


def synthetic(n: int, repeat: int) -> dict:
    """Timed as the Koordinator's button runs (issue 22): from reading the register (schools,
    memberships, staff, calendars: `build_problem`) through planning to the saved visits. The
    schools, staff and memberships are inserted first, untimed."""
    from schools.models import School
    from visits import planner
    from visits.planning import PlanOptions, build_problem, save_plan

    shape = synthetic_problem(n)  # who serves which school; staff per area
    clear_synthetic()
    school_pk = insert_schools(n)
    staff_pk = insert_staff(shape)
    insert_memberships(shape, school_pk, staff_pk)
    options = PlanOptions(year=YEAR)
    schools = School.objects.filter(npsn__startswith="99")
    laps = []
    for _ in range(repeat):
        watch = Stopwatch()
        problem = build_problem(options, schools, today=date(YEAR, 7, 1))
        load = watch.lap()
        result = planner.plan(problem)
        plan = watch.lap()
        save_plan(options=options, schools=schools, problem=problem, result=result, by=None)
        laps.append({"load": load, "plan": plan, "save": watch.lap()})
    return report(n, problem, result, *medians(laps))


def report(n: int, problem, result, wall: dict, cpu: dict) -> dict:
    from visits import planner

    checked = time.perf_counter()
    violations = planner.verify(problem, result)
    quality = planner.quality(problem, result)
    return {
        "schools": n,
        "staff": len(problem.staff),
        "seconds": {k: round(v, 3) for k, v in wall.items()},
        "cpu_seconds": {k: round(v, 3) for k, v in cpu.items()},
        "violations": len(violations),
        "violation_examples": violations[:3],
        "verify_seconds": round(time.perf_counter() - checked, 2),
        **quality,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[308, 45_000, 450_000])
    parser.add_argument("--repeat", type=int, default=None, help="runs per size (median)")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()
    database = setup_django(args.database_url)
    results = []
    for n in args.sizes:
        repeat = args.repeat or (5 if n < 1000 else 3 if n <= 50_000 else 1)
        result = real_register(repeat) if n == 308 else synthetic(n, repeat)
        results.append(result)
        if not args.json:
            print(f"\n== {n:,} schools ==")
            print(json.dumps(result, indent=1, default=str))
    by_size = {r["schools"]: r for r in results}
    summary = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "database": database.split(":")[0],
    }
    if 45_000 in by_size and 450_000 in by_size:
        big, small = by_size[450_000], by_size[45_000]
        for clock in ("seconds", "cpu_seconds"):
            for stage in ("total", "plan"):
                summary[f"ratio_450k_45k_{stage}_{clock}"] = round(
                    big[clock][stage] / small[clock][stage], 2
                )
    if 308 in by_size:
        summary["real_308_total_seconds"] = by_size[308]["seconds"]["total"]
    summary["all_violations"] = sum(r["violations"] for r in results)
    print(json.dumps({"summary": summary, "results": results} if args.json else summary, indent=1))


if __name__ == "__main__":
    main()
