"""PEKSOS past one machine, on this machine (docs/deployment.md, issue #23): several web and
worker processes behind a pooler, with the read replica and object storage, under the
locust mix; then the checks that several processes must not break.

    make cluster                        # CLUSTER_SECONDS=90
    .venv/bin/python bench/cluster.py --seconds 90 --users 20 [--reuse]

Starts (and stops at the end): 2 gunicorn web processes on their own ports behind a tiny
round-robin proxy (each new connection to the next one), 2 Celery workers (the default queue
and the reports queue), 1 beat, moto's S3 server, and a writer that files e-mails through the
outbox during the run. Uses `bin/scaleout-up`'s PostgreSQL primary (5434) through PgBouncer in
transaction mode (6434), its streaming standby (5435) as the read replica, and Redis (broker
and cache in database numbers of their own). The data: the city data set of
`bench/national.py generate --schools 0` in `peksos_cluster` (made again unless --reuse).

Checks: locust's errors (0), every outbox e-mail delivered exactly once (the e-mail files are
counted), every report asked for during the run rendered exactly once (one claim each, one
object in the bucket), and the same figures on both web processes after a write. The figures
go to var/bench/cluster.json and to a section of docs/bench-results.md.
"""

import argparse
import asyncio
import csv
import http.cookiejar
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from national import PASSWORD  # noqa: E402
from scratch import wait_for  # noqa: E402

PY = str(ROOT / ".venv/bin/python")
OUT = ROOT / "var/cluster"
DATABASE = "peksos_cluster"
PRIMARY = f"postgres://postgres@127.0.0.1:5434/{DATABASE}"
POOLED = f"postgres://postgres@127.0.0.1:6434/{DATABASE}"
REPLICA = f"postgres://postgres@127.0.0.1:5435/{DATABASE}"
POOLER_ADMIN = "postgres://postgres@127.0.0.1:6434/pgbouncer"
BROKER = "redis://127.0.0.1:6379/7"
CACHE = "redis://127.0.0.1:6379/8"
BUCKET = "peksos-cluster"
MARKER_START = "<!-- bench/cluster.py: start -->"
MARKER_END = "<!-- bench/cluster.py: end -->"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def say(text: str) -> None:
    print(f"cluster: {text}", flush=True)


# --- The round-robin proxy ------------------------------------------------------------------


class RoundRobin:
    """Each new client connection to the next web process (TCP, like a layer-4 balancer)."""

    def __init__(self, backends: list[int]):
        self.backends = itertools.cycle(backends)
        self.port = free_port()
        self.counts: dict[int, int] = {b: 0 for b in backends}
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()
        self.ready.wait(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(
            asyncio.start_server(self._client, "127.0.0.1", self.port)
        )
        self.ready.set()
        try:
            self.loop.run_forever()
        finally:
            server.close()

    async def _client(self, reader, writer) -> None:
        backend = next(self.backends)
        self.counts[backend] += 1
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", backend)
        except OSError:
            writer.close()
            return

        async def pipe(src, dst):
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)


# --- Processes ------------------------------------------------------------------------------


class Processes:
    def __init__(self, env: dict):
        self.env = env
        self.running: list[tuple[str, subprocess.Popen]] = []
        OUT.mkdir(parents=True, exist_ok=True)

    def start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = (OUT / f"{name}.log").open("wb")
        process = subprocess.Popen(  # nosec B603: our own venv's programs, fixed arguments
            args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.running.append((name, process))
        return process

    def stop(self) -> None:
        for _name, process in reversed(self.running):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name, process in reversed(self.running):
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                say(f"{name} did not stop: killed")
                process.kill()


def manage(env: dict, *args: str, capture: bool = False) -> str:
    done = subprocess.run(  # nosec B603: manage.py, fixed arguments
        [PY, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return done.stdout or ""


def admin_sql(url: str, *statements: str) -> list:
    import psycopg

    rows = []
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements:
            cursor = conn.execute(statement)
            if cursor.description:
                rows.extend(cursor.fetchall())
    return rows


def release_pooled(database: str) -> None:
    import psycopg

    with psycopg.connect(POOLER_ADMIN, autocommit=True) as console:
        for command in (f"KILL {database}", f"RESUME {database}"):
            console.pgconn.exec_(command.encode())


def prepare_database(reuse: bool) -> None:
    exists = admin_sql(
        "postgres://postgres@127.0.0.1:5434/postgres",
        f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'",  # noqa: S608 - a constant
    )
    if reuse and exists:
        say(f"reusing {DATABASE}")
        return
    release_pooled(DATABASE)
    admin_sql(
        "postgres://postgres@127.0.0.1:5434/postgres",
        f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)',
        f'CREATE DATABASE "{DATABASE}"',
    )
    say(f"generating the city data set in {DATABASE} (bench/national.py generate --schools 0)")
    env = {**os.environ, "DATABASE_URL": PRIMARY}
    subprocess.run(  # nosec B603
        [PY, "bench/national.py", "generate", "--schools", "0"], cwd=ROOT, env=env, check=True
    )


def wait_http(url: str, timeout: float = 60) -> bool:
    def ok():
        try:
            urllib.request.urlopen(url, timeout=2).read()  # noqa: S310  # nosec B310
            return True
        except OSError:
            return False

    return bool(wait_for(ok, timeout, step=0.3))


# --- The web side: logging in, figures ------------------------------------------------------


def logged_in(base: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/masuk/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "bench_koordinator", "password": PASSWORD}
    ).encode()
    request = urllib.request.Request(  # noqa: S310  # nosec B310: our own loopback URL
        f"{base}/masuk/", data=data, headers={"Referer": base}
    )
    if opener.open(request).url.rstrip("/").endswith("/masuk"):
        raise SystemExit("could not log in as bench_koordinator")
    return opener


FIGURE_PAGES = ("/sosdesk/angka/", "/")


def figures(opener, base: str) -> dict:
    """The figures of the register-wide pages: their <main>, without per-response tokens."""
    found = {}
    for path in FIGURE_PAGES:
        html = opener.open(f"{base}{path}").read().decode()
        main = html[html.find("<main") : html.find("</main>")]
        main = re.sub(r'(nonce|value|data-csrf)="[^"]*"', "", main)
        found[path] = re.sub(r"\s+", " ", main)
    return found


def case_count(text: str) -> list[str]:
    return re.findall(r">\s*([\d.]+)\s*<", text)[:12]


# --- The run --------------------------------------------------------------------------------

WRITER = """
import time, uuid
from peksos.core import outbox
from django.db import transaction
n, pause, run = {n}, {pause}, "{run}"
for i in range(n):
    with transaction.atomic():
        outbox.enqueue_email(to=["uji{{}}@contoh.id".format(i)],
                             subject="cluster {{}} {{}}".format(run, i), body="satu kali")
    time.sleep(pause)
print("enqueued", n)
"""

WRITE_A_CASE = """
from django.utils import timezone
from schools.models import School
from sosdesk.models import Case
school = School.objects.get(npsn="10807637")
now = timezone.now()
Case.objects.create(school=school, channel=Case.Channel.IN_PERSON, narrative="cluster",
                    forms=["fisik"], received_at=now, stage_changed_at=now)
print("case written")
"""

REPORTS = """
import json
from reports.models import Report
rows = list(Report.objects.filter(created_at__gte="{since}").values_list("pk", "state", "attempts"))
print(json.dumps([[str(p), s, a] for p, s, a in rows]))
"""

OUTBOX = """
import json
from django.db.models import Count
from peksos.core.models import OutboxMessage
print(json.dumps(dict(OutboxMessage.objects.values_list("state").annotate(n=Count("id")))))
"""


def shell(env: dict, code: str) -> str:
    return manage(env, "shell", "-c", code, capture=True).strip().splitlines()[-1]


def replica_caught_up(timeout: float = 30) -> bool:
    target = admin_sql(PRIMARY, "SELECT pg_current_wal_insert_lsn()::text")[0][0]
    return bool(
        wait_for(
            lambda: admin_sql(REPLICA, f"SELECT pg_last_wal_replay_lsn() >= '{target}'")[0][0],
            timeout,
            step=0.1,
        )
    )


def emails(folder: Path, run: str) -> tuple[int, int]:
    """(e-mails written for this run, distinct ones) from the file backend's files."""
    subjects = []
    for path in folder.glob("*.log"):
        subjects += re.findall(rf"^Subject: (cluster {run} \d+)$", path.read_text(), re.M)
    return len(subjects), len(set(subjects))


def number(text: str) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):  # "N/A" for a page without requests
        return 0.0


def locust(host: str, users: int, seconds: int, folder: str) -> list[dict]:
    prefix = f"{folder}/locust"
    subprocess.run(  # nosec B603: our own venv's locust, fixed arguments
        [
            str(ROOT / ".venv/bin/locust"),
            "-f",
            str(ROOT / "bench/locust_cluster.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            "2",
            "--run-time",
            f"{seconds}s",
            "--host",
            host,
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
    with open(f"{prefix}_stats.csv", newline="") as handle:
        return [
            {
                "page": row["Name"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "median_ms": round(number(row["Median Response Time"])),
                "p95_ms": round(number(row["95%"])),
            }
            for row in csv.DictReader(handle)
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=90)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--emails", type=int, default=60)
    parser.add_argument("--reuse", action="store_true", help="keep an existing peksos_cluster")
    parser.add_argument("--output", default=str(ROOT / "docs/bench-results.md"))
    args = parser.parse_args()
    started_at = datetime.now()
    run = started_at.strftime("%H%M%S")

    subprocess.run([str(ROOT / "bin/scaleout-up")], check=True)  # nosec B603
    prepare_database(args.reuse)
    import redis

    for url in (BROKER, CACHE):
        redis.Redis.from_url(url).flushdb()
    mail = OUT / "mail"
    shutil.rmtree(mail, ignore_errors=True)
    mail.mkdir(parents=True)
    (OUT / "beat-schedule").unlink(missing_ok=True)

    moto_port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": POOLED,
        "DB_TRANSACTION_POOLING": "1",
        "DATABASE_REPLICA_URL": REPLICA,
        "CELERY_BROKER_URL": BROKER,
        "CELERY_REPORTS_QUEUE": "peksos-reports",
        "CACHE_URL": CACHE,
        "MEDIA_S3_BUCKET": BUCKET,
        "MEDIA_S3_ENDPOINT_URL": f"http://127.0.0.1:{moto_port}",
        "MEDIA_S3_REGION": "us-east-1",
        "MEDIA_S3_ACCESS_KEY": "cluster",
        "MEDIA_S3_SECRET_KEY": "cluster",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail),
        "DJANGO_DEBUG": "0",
        "PEKSOS_REQUIRE_2FA": "0",
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "WARNING",
        "SITE_URL": "http://127.0.0.1",
    }
    processes = Processes(env)
    proxy = None
    result: dict = {"command": " ".join([".venv/bin/python", "bench/cluster.py", *sys.argv[1:]])}
    try:
        processes.start("moto", [PY, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)])
        if not wait_http(f"http://127.0.0.1:{moto_port}/moto-api/data.json"):
            raise SystemExit("moto's S3 server did not start")
        manage(env, "media_bucket")
        celery = str(ROOT / ".venv/bin/celery")
        ports = [free_port(), free_port()]
        for i, port in enumerate(ports, 1):
            processes.start(
                f"web{i}",
                [
                    str(ROOT / ".venv/bin/gunicorn"),
                    "peksos.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                    "--log-level",
                    "warning",
                ],
            )
        common = ["--without-mingle", "--without-gossip", "-l", "warning", "--concurrency", "1"]
        processes.start(
            "worker-default",
            [celery, "-A", "peksos", "worker", "-Q", "peksos", "-n", f"default-{run}@%h", *common],
        )
        processes.start(
            "worker-reports",
            [
                celery,
                "-A",
                "peksos",
                "worker",
                "-Q",
                "peksos-reports",
                "-n",
                f"reports-{run}@%h",
                *common,
            ],
        )
        processes.start(
            "beat",
            [
                celery,
                "-A",
                "peksos",
                "beat",
                "-l",
                "warning",
                "--schedule",
                str(OUT / "beat-schedule"),
            ],
        )
        for port in ports:
            if not wait_http(f"http://127.0.0.1:{port}/ping"):
                raise SystemExit(f"gunicorn on {port} did not start (var/cluster/web*.log)")
        health = [
            json.loads(urllib.request.urlopen(f"http://127.0.0.1:{p}/healthz").read())  # nosec B310
            for p in ports
        ]
        say(f"health: {health}")
        proxy = RoundRobin(ports)
        host = f"http://127.0.0.1:{proxy.port}"
        say(f"2 web processes {ports} behind {host}; locust: {args.users} users, {args.seconds} s")

        since = datetime.now().astimezone().isoformat()
        writer = processes.start(
            "writer",
            [
                PY,
                "manage.py",
                "shell",
                "-c",
                WRITER.format(n=args.emails, pause=args.seconds * 0.8 / args.emails, run=run),
            ],
        )
        load_avg_before = os.getloadavg()
        with tempfile.TemporaryDirectory() as folder:
            pages = locust(host, args.users, args.seconds, folder)
        load_avg = os.getloadavg()
        writer.wait(60)

        # Everything the run asked for is done, once.
        def settled():
            states = json.loads(shell(env, OUTBOX))
            reports = json.loads(shell(env, REPORTS.format(since=since)))
            busy = sum(n for s, n in states.items() if s != "done")
            running = [r for r in reports if r[1] in ("antre", "berjalan")]
            return (states, reports) if not busy and not running else None

        found = wait_for(settled, 240, step=3)
        if not found:
            say("the outbox or the reports did not settle within 4 minutes")
            found = (
                json.loads(shell(env, OUTBOX)),
                json.loads(shell(env, REPORTS.format(since=since))),
            )
        states, reports = found
        written, distinct = emails(mail, run)
        import boto3

        s3 = boto3.client(
            "s3",
            endpoint_url=env["MEDIA_S3_ENDPOINT_URL"],
            region_name="us-east-1",
            aws_access_key_id="cluster",
            aws_secret_access_key="cluster",  # noqa: S106 - moto's, local
        )
        objects = [
            o["Key"]
            for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="reports/").get("Contents", [])
        ]
        done_reports = [r for r in reports if r[1] == "selesai"]

        # The same figures on both web processes, before and after a write.
        openers = [logged_in(f"http://127.0.0.1:{p}") for p in ports]
        replica_caught_up()
        before = [figures(o, f"http://127.0.0.1:{p}") for o, p in zip(openers, ports, strict=True)]
        shell(env, WRITE_A_CASE)
        caught_up = replica_caught_up()
        time.sleep(1)
        after = [figures(o, f"http://127.0.0.1:{p}") for o, p in zip(openers, ports, strict=True)]
        total = next((p for p in pages if p["page"] == "Aggregated"), pages[-1])
        result.update(
            {
                "started": started_at.isoformat(timespec="seconds"),
                "seconds": args.seconds,
                "users": args.users,
                "machine": f"{os.cpu_count()} cores",
                "load_average_before": [round(x, 2) for x in load_avg_before],
                "load_average_after": [round(x, 2) for x in load_avg],
                "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),  # nosec B607
                "health": health,
                "connections_per_web_process": list(proxy.counts.values()),
                "requests": total["requests"],
                "failures": total["failures"],
                "median_ms": total["median_ms"],
                "p95_ms": total["p95_ms"],
                "pages": pages,
                "outbox": states,
                "emails_enqueued": args.emails,
                "emails_written": written,
                "emails_distinct": distinct,
                "email_duplicates": written - distinct,
                "reports": len(reports),
                "reports_done": len(done_reports),
                "reports_claimed_more_than_once": len([r for r in reports if r[2] != 1]),
                "report_objects": len(objects),
                "report_objects_of_this_run": len(
                    [r for r in done_reports if f"reports/{r[0]}.pdf" in objects]
                ),
                "replica_caught_up_after_write": caught_up,
                "figures_equal_before": before[0] == before[1],
                "figures_equal_after": after[0] == after[1],
                "figures_changed_by_the_write": after[0] != before[0],
            }
        )
    finally:
        if proxy:
            proxy.stop()
        processes.stop()
    result["met"] = (
        result.get("failures") == 0
        and set(result.get("outbox", {})) == {"done"}
        and result.get("email_duplicates") == 0
        and result.get("emails_distinct") == args.emails
        and result.get("reports_claimed_more_than_once") == 0
        and result.get("reports_done") == result.get("reports")
        and result.get("report_objects_of_this_run") == result.get("reports_done")
        and result.get("figures_equal_after") is True
        and result.get("figures_changed_by_the_write") is True
    )
    Path(ROOT / "var/bench").mkdir(parents=True, exist_ok=True)
    (ROOT / "var/bench/cluster.json").write_text(json.dumps(result, indent=1))
    write_section(Path(args.output), result)
    say(json.dumps({k: v for k, v in result.items() if k not in ("pages", "health")}))
    sys.exit(0 if result["met"] else 1)


def write_section(path: Path, r: dict) -> None:
    lines = [
        MARKER_START,
        "",
        "## Several processes: bench/cluster.py (issue #23)",
        "",
        f"Run {r['started']}, {r['seconds']} s, {r['users']} locust users (the mix of",
        "bench/locustfile.py plus a Koordinator asking for a city report every 20–40 s), on",
        f"{r['machine']} shared with other work: `uptime` at the end: `{r['uptime']}`.",
        "2 gunicorn web processes (2 workers each) behind a round-robin TCP proxy",
        f"(connections per process: {r['connections_per_web_process']}), 2 Celery workers",
        "(default queue, reports queue), 1 beat, PgBouncer in transaction mode in front of the",
        "primary, its streaming standby as the read replica, moto's S3 server for media, Redis.",
        "A writer filed e-mails through the outbox during the run. This run checks that the",
        "pieces work together; its response times are those of a machine whose load average",
        "was far above its 2 cores (the `uptime` above), not a capacity figure (that is P7).",
        "Command:",
        "",
        f"    {r['command']}",
        "",
        "| figure | value |",
        "|---|---|",
        f"| requests | {r['requests']:,} |",
        f"| errors | {r['failures']} |",
        f"| median / p95 | {r['median_ms']} ms / {r['p95_ms']} ms |",
        f"| e-mails filed / written / duplicates | {r['emails_enqueued']} / "
        f"{r['emails_written']} / {r['email_duplicates']} |",
        f"| outbox rows by state | {r['outbox']} |",
        f"| reports asked / rendered / claimed more than once | {r['reports']} / "
        f"{r['reports_done']} / {r['reports_claimed_more_than_once']} |",
        f"| report PDFs in the bucket (this run's) | {r['report_objects_of_this_run']} |",
        f"| figures equal on both web processes after a write (and changed by it) | "
        f"{r['figures_equal_after']} ({r['figures_changed_by_the_write']}) |",
        f"| read replica in /healthz | {', '.join(h.get('replica', '-') for h in r['health'])} |",
        f"| verdict | {'met' if r['met'] else '**not met**'} |",
        "",
        "| page | requests | failures | median ms | p95 ms |",
        "|---|---:|---:|---:|---:|",
        *[
            f"| {p['page']} | {p['requests']} | {p['failures']} | {p['median_ms']} | "
            f"{p['p95_ms']} |"
            for p in r["pages"]
        ],
        "",
        MARKER_END,
    ]
    text = path.read_text() if path.exists() else ""
    if MARKER_START in text and MARKER_END in text:
        head, rest = text.split(MARKER_START, 1)
        text = head + "\n".join(lines) + rest.split(MARKER_END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    path.write_text(text)


if __name__ == "__main__":
    main()
