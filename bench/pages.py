"""P1/P2: the main pages through gunicorn, city and country interleaved (issue 22).

    .venv/bin/python bench/pages.py \\
        --city postgres://postgres@127.0.0.1:5432/peksos_bench_city \\
        --national postgres://postgres@127.0.0.1:5432/peksos_bench_nat450k \\
        --runs 30 --json var/bench/measure.json

Two gunicorn servers run side by side, one per data set (2 sync workers each, DEBUG off, each
with its own Redis cache database as in production), each with a Celery worker and beat on
its own Redis broker (the tallies' compaction every minute, the outbox relay), logged in as
the Koordinator through the login form. Then, as a user would meet them:

1. **steady**: every page (and `/ping`, same middleware) `--runs` times on each server, the
   requests alternating city / country (bench/verdicts.py `interleaved`): median and p95;
2. **cold**: both servers restarted (their caches emptied) `--cold-runs` times; after each
   restart, the first request of every register-wide page (dashboard, compliance board,
   SOS Desk figures), interleaved;
3. **after writes**: for K = 1, 16 and 100, before each request of a register-wide page, K
   writes in K schools of K different regions of that data set (bench/writes.py: a report
   filed, a visit marked done; through the services, each in its own transaction), then the
   page, interleaved, `--write-runs` times.

Every response must be 200 and none may be the "figures are being prepared" placeholder
(`figures-preparing`): a count of those is reported and fails the run. The machine's load
average is recorded before and after each phase (the machine is shared), and the PostgreSQL
settings of both databases (autovacuum above all: docs/benchmarks.md).
"""

import argparse
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import verdicts  # noqa: E402

PASSWORD = "bench-kata-sandi-2026"  # noqa: S105  # the generator's synthetic users
PLACEHOLDER = "figures-preparing"
# One Redis database per server for the cache and one for the broker: the two data sets never
# share cached entries or tasks.
CACHES = {"city": "redis://127.0.0.1:6379/14", "national": "redis://127.0.0.1:6379/15"}
BROKERS = {"city": "redis://127.0.0.1:6379/9", "national": "redis://127.0.0.1:6379/10"}
PAGES = {
    "home (dashboard)": "/",
    "schools, list": "/sekolah/",
    "schools, level=SD": "/sekolah/?level=SD",
    "schools, map data SMA": "/sekolah/peta/data.json?level=SMA",
    "school detail": "/sekolah/10807637/",
    "visits, list": "/kunjungan/",
    "visits, compliance": "/kunjungan/kepatuhan/",
    "activities, list": "/kegiatan/",
    "SOS Desk, cases": "/sosdesk/",
    "SOS Desk, figures": "/sosdesk/angka/",
    "monitoring, children": "/pemantauan/",
    "forum, questions": "/forum/",
    "reports, list": "/laporan/",
}
WRITES = (1, 16, 100)


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def empty_cache(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def database_settings(database_url: str) -> dict:
    """The PostgreSQL settings the figures depend on (docs/benchmarks.md states those assumed),
    and the server's version."""
    import psycopg

    names = (
        "autovacuum",
        "shared_buffers",
        "work_mem",
        "effective_cache_size",
        "random_page_cost",
        "jit",
        "synchronous_commit",
    )
    with psycopg.connect(database_url, connect_timeout=5) as connection:
        found = dict(
            connection.execute(
                "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name = ANY(%s)",
                [list(names)],
            ).fetchall()
        )
        found["version"] = connection.execute("SHOW server_version").fetchone()[0]
    return found


class Celery:
    """A Celery worker and beat for one data set, as a deployment runs them beside the web
    server (docs/deployment.md): beat's schedule runs the outbox relay and the tallies'
    compaction (peksos/core/tallies.py) as in production."""

    def __init__(self, env: dict, folder: str, name: str):
        celery = str(ROOT / ".venv/bin/celery")
        empty_cache(env["CELERY_BROKER_URL"])
        self.processes = [
            subprocess.Popen(  # nosec B603: our own venv's celery
                [celery, "-A", "peksos", *args, "-l", "warning"], cwd=ROOT, env=env
            )
            for args in (
                ["worker", "-Q", env["CELERY_QUEUE"], "-n", f"{name}-{os.getpid()}@%h",
                 "--concurrency", "1", "--without-mingle", "--without-gossip"],
                ["beat", "--schedule", f"{folder}/beat-{name}"],
            )
        ]  # fmt: skip

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def production(name: str) -> dict:
    """What a side's processes need to use its broker (tasks queued, not run in-process)."""
    return {"CELERY_BROKER_URL": BROKERS[name], "CELERY_QUEUE": f"peksos-bench-{name}"}


def server_env(database_url: str, cache_url: str, **more: str) -> dict:
    return {
        **os.environ,
        "CACHE_URL": cache_url,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "PEKSOS_REQUIRE_2FA": "0",
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        **more,
    }


class Server:
    """gunicorn on loopback for one database, with its cache emptied: a cold start."""

    def __init__(self, database_url: str, cache_url: str, workers: int, **env: str):
        self.args = (database_url, cache_url, workers)
        self.env = env
        self.start()

    def start(self) -> None:
        database_url, cache_url, workers = self.args
        self.port = free_port()
        empty_cache(cache_url)
        self.process = subprocess.Popen(  # nosec B603: our own venv's gunicorn
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "peksos.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=server_env(database_url, cache_url, **self.env),
        )
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{self.base}/ping", timeout=1)  # noqa: S310  # nosec B310
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)

    def restart(self) -> None:
        self.stop()
        self.start()


def logged_in_opener(base: str, username: str = "bench_koordinator"):
    """A cookie-keeping opener logged in through the form; the login lands on /ping, so no
    register-wide page is requested before it is measured."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/masuk/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD, "next": "/ping"}
    ).encode()
    request = urllib.request.Request(  # noqa: S310  # nosec B310: our own loopback URL
        f"{base}/masuk/", data=data, headers={"Referer": base}
    )
    response = opener.open(request)
    if urllib.parse.urlsplit(response.url).path != "/ping":
        # The login form again, or the second factor's code page (a user with a device in
        # the data set): every page measured would be that page.
        raise SystemExit(f"could not log in as {username}: landed on {response.url}")
    return opener


class Side:
    """One data set: its server, its logged-in opener and (lazily) its writer."""

    def __init__(self, name: str, database_url: str, workers: int, folder: str):
        self.name, self.database_url = name, database_url
        self.env = production(name)
        self.server = Server(database_url, CACHES[name], workers, **self.env)
        self.celery = Celery(server_env(database_url, CACHES[name], **self.env), folder, name)
        self.opener = logged_in_opener(self.server.base)
        self.writer = None
        self.placeholders = 0

    def get_ms(self, path: str) -> float:
        t0 = time.perf_counter()
        response = self.opener.open(f"{self.server.base}{path}")
        body = response.read()
        ms = (time.perf_counter() - t0) * 1000
        if response.status != 200:
            raise SystemExit(f"{self.name} {path}: HTTP {response.status}")
        if urllib.parse.urlsplit(response.url).path != urllib.parse.urlsplit(path).path:
            raise SystemExit(f"{self.name} {path}: redirected to {response.url}")
        if PLACEHOLDER.encode() in body:
            self.placeholders += 1
            print(f"  {self.name} {path}: 'being prepared' placeholder", flush=True)
        return ms

    def restart(self) -> None:
        self.server.restart()
        self.opener = logged_in_opener(self.server.base)

    def write(self, k: int) -> float:
        if self.writer is None:
            self.writer = subprocess.Popen(  # nosec B603: our own script
                [sys.executable, str(ROOT / "bench/writes.py"), "serve"],
                cwd=ROOT,
                env=server_env(self.database_url, CACHES[self.name], **self.env),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            if self.writer.stdout.readline().strip() != "ready":
                raise SystemExit(f"{self.name}: the writer did not start")
        self.writer.stdin.write(f"write {k}\n")
        self.writer.stdin.flush()
        answer = self.writer.stdout.readline().split()
        if answer[:1] != ["done"]:
            raise SystemExit(f"{self.name}: the writer answered {answer}")
        return float(answer[1])

    def stop(self) -> None:
        if self.writer is not None:
            self.writer.stdin.close()
            self.writer.wait(timeout=30)
        self.celery.stop()
        self.server.stop()


def run_order(sides: dict, order, paths: dict, before=None) -> dict:
    """Request `order` ((page, side) pairs); ms per page and side. `before(side, page)` runs
    before each request, untimed."""
    times: dict[str, dict[str, list[float]]] = {}
    for page, side in order:
        if before:
            before(sides[side], page)
        times.setdefault(page, {"city": [], "national": []})[side].append(
            sides[side].get_ms(paths[page])
        )
    return times


def measure(
    city: str, national: str, runs: int, cold_runs: int, write_runs: int, workers: int
) -> dict:
    paths = {verdicts.PING: "/ping", **PAGES}
    loads = {"start": load_average()}
    settings = {"city": database_settings(city), "national": database_settings(national)}
    folder = tempfile.mkdtemp(prefix="peksos-pages-")
    sides = {
        "city": Side("city", city, workers, folder),
        "national": Side("national", national, workers, folder),
    }
    rows = []
    try:
        for side in sides.values():  # warm: each page once (template and code caches)
            for path in paths.values():
                side.get_ms(path)
        print(f"steady: {runs} interleaved rounds", flush=True)
        steady = run_order(sides, verdicts.interleaved(list(paths), runs), paths)
        rows += verdicts.rows(steady, "page")
        loads["after steady"] = load_average()

        print(f"cold: {cold_runs} restarts", flush=True)
        cold: dict = {}
        for run in range(cold_runs):
            for side in sides.values():
                side.restart()
            order = verdicts.interleaved(list(verdicts.AGGREGATES), 1, first=run)
            found = run_order(sides, order, paths)
            for page, by_side in found.items():
                for side, values in by_side.items():
                    cold.setdefault(page, {"city": [], "national": []})[side] += values
        rows += verdicts.rows(cold, "cold (first request after a restart)")
        loads["after cold"] = load_average()

        write_ms: dict[int, list[float]] = {}
        for k in WRITES:
            print(f"after writes in {k} schools: {write_runs} rounds", flush=True)

            def before(side, _page, k=k):
                write_ms.setdefault(k, []).append(side.write(k))

            found = run_order(
                sides, verdicts.interleaved(list(verdicts.AGGREGATES), write_runs), paths, before
            )
            rows += verdicts.rows(found, f"after writes in {k} school{'s' if k > 1 else ''}")
            loads[f"after writes in {k}"] = load_average()
    finally:
        for side in sides.values():
            side.stop()
    placeholders = sum(side.placeholders for side in sides.values())
    return {
        "runs": runs,
        "cold_runs": cold_runs,
        "write_runs": write_runs,
        "workers": workers,
        "load_average": loads,
        "database_settings": settings,
        "write_ms_median": {k: round(verdicts.percentile(v, 50), 1) for k, v in write_ms.items()},
        "placeholders": placeholders,
        "rows": rows,
        "p1": verdicts.p1(rows),
        "p2": verdicts.p2(rows),
    }


def print_table(figures: dict) -> None:
    print(
        f"\nms through gunicorn ({figures['workers']} workers per server), city and country "
        f"interleaved; load average {figures['load_average']}\n"
    )
    print(
        "| page | measured | city median | city p95 | city / ping | national median | "
        "national p95 | national / ping | national / city |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in figures["rows"]:
        print(
            f"| {r['page']} | {r['kind']} | {r['city']['median']} | {r['city']['p95']} | "
            f"{r.get('city_per_ping', '')} | {r['national']['median']} | {r['national']['p95']} | "
            f"{r.get('national_per_ping', '')} | {r['national_per_city']} |"
        )
    print(
        f"\nP1: {verdicts.p1_text(figures['p1'])} -> {'met' if figures['p1']['met'] else 'NOT met'}"
    )
    print(
        f"P2: {verdicts.p2_text(figures['p2'])} -> {'met' if figures['p2']['met'] else 'NOT met'}"
    )
    print(f"'being prepared' placeholders: {figures['placeholders']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--city", required=True)
    parser.add_argument("--national", required=True)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--cold-runs", type=int, default=4)
    parser.add_argument("--write-runs", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    figures = measure(
        args.city, args.national, args.runs, args.cold_runs, args.write_runs, args.workers
    )
    print_table(figures)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))
    if figures["placeholders"]:
        sys.exit("a page answered 'being prepared'")


if __name__ == "__main__":
    main()
