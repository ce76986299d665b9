"""Every docs/quality.md performance target (P1-P7) in one run, and a results page.

    make bench                                  # generates the data sets first
    .venv/bin/python bench/run.py --national postgres://postgres@127.0.0.1:5432/peksos_national

Runs each benchmark in its own process (one failing does not stop the others), collects the
figures each writes with `--json`, and writes `docs/bench-results.md`: the machine, the date,
the commit, the command, and per target the figure measured, the target and whether it is
met. The data sets for P1, P2 and P7 must exist (`bench/national.py generate`, as `make
bench` does); the others make and drop their own scratch databases.

- P1, each main page / a trivial view, same middleware, city data: national.py measure
- P2, each main page, national data set / city data set: national.py measure
- P3, queries per page at 10, 100 and 1,000 rows: queries.py
- P4, the annual visit plan at 308, 45,000 and 450,000 schools: plan_visits.py
- P5, the city PDF report through the worker's task / WeasyPrint alone: report_bench.py
- P6, outbox: commit -> task start, and a backlog of 50: outbox_latency.py
- P7, 50 users at once (locust), errors and p95: national.py load
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

from scratch import admin_sql

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv/bin/python")
OUT = ROOT / "var/bench"
PG = "postgres://postgres@127.0.0.1:5432"
PLAN_DB, REPORT_DB = "peksos_bench_plan", "peksos_reports_bench"  # scratch, made afresh
# The main pages' names in national.py (before any ", level=SD"-like detail).
PAGE_NAMES = {
    "home (dashboard)",
    "schools",
    "school detail",
    "visits",
    "activities",
    "SOS Desk",
    "monitoring",
    "forum",
    "reports",
}


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
        return {"error": "not run"}


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
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0
    return (
        f"{platform.machine()}, {os.cpu_count()} cores{memory}, Python "
        f"{platform.python_version()}, load average {load:.1f} at the end"
    )


def commit() -> str:
    found = subprocess.run(  # nosec B603 B607
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return found.stdout.strip() or "?"


# --- The verdicts ---------------------------------------------------------------------------


def p1_p2(measured: dict) -> list[tuple]:
    if "rows" not in measured:
        return [("P1", "–", "", "not measured"), ("P2", "–", "", "not measured")]
    pages = [r for r in measured["rows"] if r["page"].split(",")[0] in PAGE_NAMES]
    pages = [r for r in pages if not r["page"].endswith("after a write")]
    pages = [r for r in pages if r["page"] != "/ping"]
    aggregates = {"home (dashboard)", "visits, compliance", "SOS Desk, figures"}
    worst_list = max(
        (r for r in pages if r["page"] not in aggregates), key=lambda r: r["city_per_ping"]
    )
    worst_dash = max(
        (r for r in pages if r["page"] in aggregates), key=lambda r: r["city_per_ping"]
    )
    worst_p2 = max(pages, key=lambda r: r["national_per_city"])
    return [
        (
            "P1",
            f"lists and details ≤ {worst_list['city_per_ping']}× ({worst_list['page']}); "
            f"dashboards ≤ {worst_dash['city_per_ping']}× ({worst_dash['page']})",
            "≤ 10× lists and details, ≤ 20× dashboards",
            worst_list["city_per_ping"] <= 10 and worst_dash["city_per_ping"] <= 20,
        ),
        (
            "P2",
            f"worst {worst_p2['national_per_city']}× ({worst_p2['page']})",
            "≤ 1.5×",
            worst_p2["national_per_city"] <= 1.5,
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
        f"308 schools in {real} s; time(450k) / time(45k) = {ratio} "
        f"(CPU: {summary.get('ratio_450k_45k_total_cpu_seconds')}); "
        f"{summary.get('all_violations')} violations"
    )
    return ("P4", text, "308 < 1 s; ratio ≤ 12", met)


def simple(code: str, figures: dict, target: str) -> tuple:
    if "error" in figures:
        return (code, f"failed ({figures['error']})", target, False)
    return (code, figures.get("summary", "–"), target, bool(figures.get("met")))


def p7(load: dict) -> tuple:
    pages = load.get("pages")
    if not pages:
        return ("P7", "–", "", "not measured")
    total = next((p for p in pages if p["page"] == "Aggregated"), pages[-1])
    text = (
        f"{total['requests']:,} requests, {total['failures']} failures, "
        f"median {total['median_ms']:.0f} ms, p95 {total['p95_ms']:.0f} ms"
    )
    return (
        "P7",
        text,
        "0 errors, p95 < 500 ms on 2 cores",
        not total["failures"] and total["p95_ms"] < 500,
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
    if measured.get("rows"):
        lines += [
            "",
            f"## P1, P2: pages through gunicorn ({measured['workers']} workers), median of "
            f"{measured['runs']} requests, ms",
            "",
            '"refresh": every register-wide part computed into the empty cache, as Celery beat',
            'does after a restart (background work, not a page); "after a write": a write to one',
            "random school before each request (its partition computed again, the others from",
            "the cache).",
            "",
            "| page | city ms | page / ping | national ms | page / ping | national / city |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for r in measured["rows"]:
            lines.append(
                f"| {r['page']} | {r['city_ms']} | {r['city_per_ping']} | {r['national_ms']} | "
                f"{r['national_per_ping']} | {r['national_per_city']} |"
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
            f"({load['workers']} workers)",
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
    parser.add_argument("--city", default=f"{PG}/peksos_city")
    parser.add_argument("--national", default=f"{PG}/peksos_national")
    parser.add_argument("--runs", type=int, default=11)
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
                "bench/national.py",
                "measure",
                "--city",
                args.city,
                "--national",
                args.national,
                "--runs",
                str(args.runs),
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
                "bench/national.py",
                "load",
                "--database",
                args.national,
                "--users",
                str(args.users),
                "--seconds",
                str(args.seconds),
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
