"""Every docs/quality.md performance target (P1-P7) in one run, and a results page.

    make bench                                  # generates the data sets first
    .venv/bin/python bench/run.py \
        --city postgres://postgres@127.0.0.1:5432/peksos_bench_city \
        --national postgres://postgres@127.0.0.1:5432/peksos_bench_nat450k

Runs each benchmark in its own process (one failing does not stop the others), collects the
figures each writes with `--json`, and writes `docs/bench-results.md`: the machine and its
load average, the date, the commit, the command, and per target the figure measured, the
target and whether it is met. The data sets for P1, P2 and P7 must exist (`bench/national.py
generate`, as `make bench` does); the others make and drop their own scratch databases.

- P1, each main page / a trivial view (same middleware), on the city and on the country:
  pages.py (steady rows: lists ≤ 10×, register-wide pages ≤ 20×)
- P2, each main page, national / city, interleaved; the register-wide pages also cold (after
  a restart) and right after writes in 1, 16 and 100 schools of different regions: pages.py
- P3, queries per page at 10, 100 and 1,000 rows: queries.py
- P4, the annual visit plan at 308, 45,000 and 450,000 schools, from reading the register to
  saved visits: plan_visits.py
- P5, the city PDF report through the worker's task / WeasyPrint alone: report_bench.py
- P6, outbox: commit -> task start, and a backlog of 50: outbox_latency.py
- P7, 50 users at once (locust) while writes go on, cache and workers as in production;
  errors, p95 and "being prepared" placeholders: load.py
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import verdicts
from scratch import admin_sql

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv/bin/python")
OUT = ROOT / "var/bench"
PG = "postgres://postgres@127.0.0.1:5432"
STARTED_LOAD = tuple(round(x, 2) for x in os.getloadavg()) if hasattr(os, "getloadavg") else ()
PLAN_DB, REPORT_DB = "peksos_bench_plan", "peksos_reports_bench"  # scratch, made afresh
NOT_RUN = "not run"  # a step left out by --only that has no earlier figures here


def run(name: str, args: list[str], env: dict | None = None, stdout_json: bool = False) -> dict:
    """Run one benchmark; its figures from its --json file (or its standard output)."""
    target = OUT / f"{name}.json"
    target.unlink(missing_ok=True)
    command = [PY, *args] if stdout_json else [PY, *args, "--json", str(target)]
    print(f"\n=== {name}: {' '.join(command[1:])}", flush=True)
    started = time.perf_counter()
    result = subprocess.run(  # nosec B603: our own scripts, fixed arguments
        command,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE if stdout_json else None,
        text=True,
        check=False,
    )
    seconds = round(time.perf_counter() - started)
    if result.returncode != 0:
        print(f"=== {name} FAILED (exit {result.returncode})", flush=True)
        return {"error": f"exit {result.returncode}", "seconds": seconds}
    figures = json.loads(result.stdout) if stdout_json else json.loads(target.read_text())
    figures["seconds"] = seconds
    return figures


def previous(name: str) -> dict:
    """The figures of a step not run this time (`--only`), from its last run."""
    try:
        return json.loads((OUT / f"{name}.json").read_text())
    except (OSError, ValueError):
        return {"error": NOT_RUN}


def fresh_database(name: str) -> str:
    """An empty scratch database (dropped and created again); its URL."""
    url = f"{PG}/{name}"
    admin_sql(url, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    return url


def machine() -> str:
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0, 0, 0)
    return (
        f"{platform.machine()}, {os.cpu_count()} cores{memory}, Python "
        f"{platform.python_version()}; load average (1, 5, 15 min) {STARTED_LOAD} at the start,"
        f" {tuple(round(x, 2) for x in load)} at the end (the machine may be shared: each"
        " step's own load figures are in its section)"
    )


def commit() -> str:
    found = subprocess.run(  # nosec B603 B607
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return found.stdout.strip() or "?"


# --- The verdicts ---------------------------------------------------------------------------


def p1_p2(measured: dict) -> list[tuple]:
    """P1 and P2 from bench/pages.py's rows (bench/verdicts.py computes both)."""
    if not all("kind" in r for r in measured.get("rows") or [{}]):  # none, or the old format
        return [("P1", "–", "", "not measured"), ("P2", "–", "", "not measured")]
    p1, p2 = verdicts.p1(measured["rows"]), verdicts.p2(measured["rows"])
    placeholders = measured.get("placeholders", 0)
    return [
        (
            "P1",
            verdicts.p1_text(p1),
            "≤ 10× lists and details, ≤ 20× dashboards (city and national)",
            p1["met"],
        ),
        (
            "P2",
            verdicts.p2_text(p2)
            + (f"; {placeholders} 'being prepared' pages" if placeholders else ""),
            "≤ 1.5×, steady, cold and after writes in 1/16/100 schools",
            p2["met"] and not placeholders,
        ),
    ]


def p4(plan: dict) -> tuple:
    summary = plan.get("summary", {})
    ratio = summary.get("ratio_450k_45k_total_seconds")
    real = summary.get("real_308_total_seconds")
    if ratio is None or real is None:
        return ("P4", "–", "", "not measured")
    met = real < 1 and ratio <= 12 and summary.get("all_violations", 1) == 0
    text = (
        f"308 schools in {real} s (register read, planned, saved); "
        f"time(450k) / time(45k) = {ratio} "
        f"(CPU: {summary.get('ratio_450k_45k_total_cpu_seconds')}); "
        f"{summary.get('all_violations')} violations"
    )
    return ("P4", text, "308 < 1 s; ratio ≤ 12", met)


def simple(code: str, figures: dict, target: str) -> tuple:
    if figures.get("error") == NOT_RUN:  # `--only` left it out, and it has no earlier run here
        return (code, "not run in this run, none earlier on this machine", target, "not measured")
    if "error" in figures:
        return (code, f"failed ({figures['error']})", target, False)
    return (code, figures.get("summary", "–"), target, bool(figures.get("met")))


def p7(load: dict) -> tuple:
    pages = load.get("pages")
    if not pages:
        return ("P7", "–", "", "not measured")
    total = next((p for p in pages if p["page"] == "Aggregated"), pages[-1])
    writes = load.get("writes", {})
    placeholders = load.get("placeholders", 0)
    text = (
        f"{total['requests']:,} requests, {total['failures']} failures, "
        f"median {total['median_ms']:.0f} ms, p95 {total['p95_ms']:.0f} ms; "
        f"{writes.get('writes', 0)} writes ({writes.get('errors', '?')} failed); "
        f"{placeholders} 'being prepared' pages"
    )
    return (
        "P7",
        text,
        "0 errors, p95 < 500 ms on 2 cores, no 'being prepared' page",
        not total["failures"] and total["p95_ms"] < 500 and not placeholders,
    )


# --- The page -------------------------------------------------------------------------------


def verdict(met) -> str:
    return met if isinstance(met, str) else ("met" if met else "**not met**")


def write_page(
    path: Path, results: dict, rows: list[tuple], command: str, only: list | None = None
) -> None:
    lines = [
        "# Benchmark results (docs/quality.md P1–P7)",
        "",
        f"Written by `bench/run.py` on {datetime.now():%Y-%m-%d %H:%M} (commit {commit()}).",
        f"Machine: {machine()}. Command:",
        "",
        f"    {command}",
        "",
        "Each figure is a median or a ratio; see docs/benchmarks.md for what each benchmark",
        "does and what was changed because of it."
        + (
            f" This run measured {', '.join(only)}; the other steps' figures are those of"
            " their last run (var/bench/*.json)."
            if only
            else " Every step was measured in this run."
        ),
        "",
        "| | measured | target | verdict | run (s) |",
        "|---|---|---|---|---:|",
    ]
    seconds = {
        "P1": results["measure"].get("seconds"),
        "P2": results["measure"].get("seconds"),
        "P3": results["queries"].get("seconds"),
        "P4": results["plan"].get("seconds"),
        "P5": results["report"].get("seconds"),
        "P6": results["outbox"].get("seconds"),
        "P7": results["load"].get("seconds"),
    }
    for code, text, target, met in rows:
        lines.append(f"| {code} | {text} | {target} | {verdict(met)} | {seconds.get(code) or ''} |")
    measured = results["measure"]
    if measured.get("rows") and all("kind" in r for r in measured["rows"]):
        lines += [
            "",
            f"## P1, P2: pages through gunicorn ({measured['workers']} workers per server), ms",
            "",
            f"City and country on two servers side by side, requests alternating (bench/pages.py):"
            f" {measured['runs']} per page and side in steady state; cold: the first request"
            f" after each of {measured['cold_runs']} restarts; after writes: K writes in K"
            f" schools of K regions (a report filed, a visit done) before each of"
            f" {measured['write_runs']} requests. Load average (1, 5, 15 min) during the run:"
            f" {measured.get('load_average')}.",
            "",
            "| page | measured | city median | city p95 | city / ping | national median | "
            "national p95 | national / ping | national / city |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in measured["rows"]:
            lines.append(
                f"| {r['page']} | {r['kind']} | {r['city']['median']} | {r['city']['p95']} | "
                f"{r.get('city_per_ping', '')} | {r['national']['median']} | "
                f"{r['national']['p95']} | {r.get('national_per_ping', '')} | "
                f"{r['national_per_city']} |"
            )
    for name, title in (("queries", "P3: queries per page"), ("outbox", "P6: outbox")):
        table = results[name].get("table")
        if table:
            lines += ["", f"## {title}", "", table.strip()]
    load = results["load"]
    if load.get("pages"):
        lines += [
            "",
            f"## P7: {load['users']} users for {load['seconds']} s, gunicorn "
            f"({load['workers']} workers), Celery worker and beat, Redis cache",
            "",
            f"Writes beside the load (bench/writes.py loop, {load.get('writes_per_second')}/s):"
            f" {load.get('writes')}. 'Being prepared' pages: {load.get('placeholders')}."
            f" Load average: {load.get('load_average')}.",
            "",
            "| page | requests | failures | median ms | p95 ms |",
            "|---|---:|---:|---:|---:|",
        ]
        for p in load["pages"]:
            lines.append(
                f"| {p['page']} | {p['requests']} | {p['failures']} | {p['median_ms']} | "
                f"{p['p95_ms']:.0f} |"
            )
    # The section bench/cluster.py writes (several processes) is kept as it was.
    old = path.read_text() if path.exists() else ""
    start, end = "<!-- bench/cluster.py: start -->", "<!-- bench/cluster.py: end -->"
    if start in old and end in old:
        lines += ["", start + old.split(start, 1)[1].split(end, 1)[0] + end]
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--city", default=f"{PG}/peksos_bench_city")
    parser.add_argument("--national", default=f"{PG}/peksos_bench_nat450k")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--cold-runs", type=int, default=4)
    parser.add_argument("--write-runs", type=int, default=10)
    parser.add_argument("--writes-per-second", type=float, default=2)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--plan-sizes", nargs="+", default=["308", "45000", "450000"])
    parser.add_argument("--output", default=str(ROOT / "docs/bench-results.md"))
    parser.add_argument(
        "--only", nargs="+", help="run these steps; the others' figures from their last run"
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    steps = {
        "measure": lambda: run(
            "measure",
            [
                "bench/pages.py",
                "--city",
                args.city,
                "--national",
                args.national,
                "--runs",
                str(args.runs),
                "--cold-runs",
                str(args.cold_runs),
                "--write-runs",
                str(args.write_runs),
            ],
        ),
        "queries": lambda: run("queries", ["bench/queries.py"]),
        "plan": lambda: run(
            "plan",
            [
                "bench/plan_visits.py",
                "--json",
                "--database-url",
                fresh_database(PLAN_DB),
                "--sizes",
                *args.plan_sizes,
            ],
            stdout_json=True,
        ),
        "report": lambda: run(
            "report",
            ["bench/report_bench.py", "--runs", "5"],
            env={"DATABASE_URL": fresh_database(REPORT_DB)},
        ),
        "outbox": lambda: run("outbox", ["bench/outbox_latency.py"]),
        "load": lambda: run(
            "load",
            [
                "bench/load.py",
                "--database",
                args.national,
                "--users",
                str(args.users),
                "--seconds",
                str(args.seconds),
                "--writes-per-second",
                str(args.writes_per_second),
            ],
        ),
    }
    results = {}
    for name, step in steps.items():
        if args.only and name not in args.only:
            results[name] = previous(name)
            continue
        results[name] = step()
        (OUT / f"{name}.json").write_text(json.dumps(results[name], indent=1, default=str))
    rows = [
        *p1_p2(results["measure"]),
        simple("P3", results["queries"], "identical counts at 10 / 100 / 1,000 rows, in budget"),
        p4(results["plan"]),
        simple("P5", results["report"], "task / WeasyPrint ≤ 1.2; < 15 s and 400 MB"),
        simple("P6", results["outbox"], "p95 ≤ 15 s; backlog of 50 ≤ 60 s"),
        p7(results["load"]),
    ]
    command = " ".join([".venv/bin/python", "bench/run.py", *sys.argv[1:]])
    write_page(Path(args.output), results, rows, command, args.only)
    (OUT / "results.json").write_text(json.dumps(results, indent=1, default=str))
    print(f"\nwritten: {args.output}")
    for code, text, _target, met in rows:
        print(f"{code}: {verdict(met)} — {text}")


if __name__ == "__main__":
    main()
