"""P7: many users at once while others write, with the cache and workers as in production.

    .venv/bin/python bench/load.py \\
        --database postgres://postgres@127.0.0.1:5432/peksos_bench_nat450k \\
        --users 50 --seconds 120 --writes-per-second 2 --json var/bench/load.json

Starts, against one data set: gunicorn (`--workers`, DEBUG off), a Celery worker and beat on
a Redis broker, and the Redis cache, as a deployment runs them (docs/deployment.md); beat's
schedule does what it does in production (the outbox relay, the tallies' compaction every
minute). Then, for `--seconds`, at the same time:

- locust (bench/locustfile.py): Koordinators reading the dashboard, the compliance board and
  the SOS Desk figures, PEKSOS on their lists, parents in the forum, pupils on the public
  report pages. A response carrying the "figures are being prepared" placeholder
  (`figures-preparing`) counts as a failure named so;
- bench/writes.py loop: `--writes-per-second` writes through the services, in turn a report
  filed (a new case), a desk's message on a case, a visit marked done and a parent's forum
  question, in schools all over the country.

Reported: per page requests, failures, median and p95; the writes made and failed; the
placeholders seen (must be 0); the load average before and after.
"""

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from pages import (  # noqa: E402
    PLACEHOLDER,
    Celery,
    Server,
    database_settings,
    load_average,
    server_env,
)

CACHE = "redis://127.0.0.1:6379/12"
BROKER = "redis://127.0.0.1:6379/11"
QUEUE = "peksos-bench"


def load(database_url: str, users: int, seconds: int, workers: int, writes: float) -> dict:
    production = {"CELERY_BROKER_URL": BROKER, "CELERY_QUEUE": QUEUE}
    env = server_env(database_url, CACHE, **production)
    settings = database_settings(database_url)
    with tempfile.TemporaryDirectory() as folder:
        started_load = load_average()
        server = Server(database_url, CACHE, workers, **production)
        celery = Celery(env, folder, "load")
        try:
            writer = subprocess.Popen(  # nosec B603: our own script
                [
                    sys.executable,
                    str(ROOT / "bench/writes.py"),
                    "loop",
                    "--per-second",
                    str(writes),
                    "--seconds",
                    str(seconds),
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
            prefix = f"{folder}/locust"
            subprocess.run(  # nosec B603: our own venv's locust, fixed arguments
                [
                    str(ROOT / ".venv/bin/locust"),
                    "-f",
                    str(ROOT / "bench/locustfile.py"),
                    "--headless",
                    "--users",
                    str(users),
                    "--spawn-rate",  # two people a second arrive and log in
                    "2",
                    "--run-time",
                    f"{seconds}s",
                    "--host",
                    server.base,
                    "--csv",
                    prefix,
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                check=False,
                timeout=seconds + 120,
            )
            out, _ = writer.communicate(timeout=seconds + 120)
            made = json.loads(out.strip().splitlines()[-1]) if out.strip() else {"error": "none"}
            with open(f"{prefix}_stats.csv", newline="") as handle:
                rows = list(csv.DictReader(handle))
            with open(f"{prefix}_failures.csv", newline="") as handle:
                failures = list(csv.DictReader(handle))
        finally:
            celery.stop()
            server.stop()
    pages = [
        {
            "page": row["Name"],
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "median_ms": round(float(row["Median Response Time"] or 0)),
            "p95_ms": float(row["95%"] or 0),
        }
        for row in rows
    ]
    placeholders = sum(
        int(row.get("Occurrences") or 0) for row in failures if PLACEHOLDER in row.get("Error", "")
    )
    return {
        "users": users,
        "seconds": seconds,
        "workers": workers,
        "writes_per_second": writes,
        "writes": made,
        "placeholders": placeholders,
        "failure_kinds": [
            {"page": r.get("Name"), "error": r.get("Error"), "count": r.get("Occurrences")}
            for r in failures
        ],
        "load_average": {"start": started_load, "end": load_average()},
        "database_settings": settings,
        "pages": pages,
    }


def print_table(figures: dict) -> None:
    print(
        f"\n{figures['users']} users for {figures['seconds']} s against gunicorn "
        f"({figures['workers']} workers), {figures['writes_per_second']} writes/s: "
        f"{figures['writes']}; load average {figures['load_average']}\n"
    )
    print("| page | requests | failures | median ms | p95 ms |")
    print("|---|---:|---:|---:|---:|")
    for p in figures["pages"]:
        print(
            f"| {p['page']} | {p['requests']} | {p['failures']} | {p['median_ms']} | "
            f"{p['p95_ms']:.0f} |"
        )
    print(f"\n'being prepared' placeholders: {figures['placeholders']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--writes-per-second", type=float, default=2)
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    started = time.perf_counter()
    figures = load(args.database, args.users, args.seconds, args.workers, args.writes_per_second)
    figures["wall_seconds"] = round(time.perf_counter() - started)
    print_table(figures)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
