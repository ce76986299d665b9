"""Where a page's time goes: its queries (each with its time) and the Python around them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peksos_bench_nat450k \\
        .venv/bin/python bench/profile_page.py / /kunjungan/kepatuhan/ [--user bench_koordinator]
        [--runs 5] [--cprofile]

Requests each path `--runs` times with Django's test client as the user (no second factor,
as bench/pages.py's servers), on the data set's database with a process-local cache.
Prints, per path, the median wall time and, for the last run, the queries slowest first and
the time spent outside them. With --cprofile, the 25 costliest functions of the last run.
A developer's tool for the benchmarks of docs/benchmarks.md: it measures nothing the
verdicts use.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--user", default="bench_koordinator")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--queries", type=int, default=12, help="slowest queries shown")
    parser.add_argument("--width", type=int, default=220, help="characters of SQL shown")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peksos.settings")
    os.environ.pop("CACHE_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["STATIC_MANIFEST"] = "0"
    os.environ["DJANGO_DEBUG"] = "0"
    # As the page benchmark's servers (bench/pages.py): no second factor. A device made here
    # would stay in the data set and send the benchmark's login to the code page.
    os.environ["PEKSOS_REQUIRE_2FA"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from queries import fresh_session

    from peksos.accounts.models import User

    client = Client()
    client.force_login(
        User.objects.get(username=args.user),
        backend="peksos.accounts.backends.UsernameOrEmailBackend",
    )
    for path in args.paths:
        times = []
        for run in range(args.runs):
            fresh_session(client)
            profiler = cProfile.Profile() if args.cprofile and run == args.runs - 1 else None
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                if profiler:
                    profiler.enable()
                response = client.get(path)
                if profiler:
                    profiler.disable()
                times.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{path}: status {response.status_code}")
        in_sql = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        print(
            f"\n{path}: median {statistics.median(times):.1f} ms over {args.runs} "
            f"(last {times[-1]:.1f}); {len(captured.captured_queries)} queries, "
            f"{in_sql:.1f} ms in SQL, {times[-1] - in_sql:.1f} ms outside"
        )
        slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
        for query in slowest[: args.queries]:
            print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][: args.width]}")
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
