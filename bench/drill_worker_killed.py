"""Drill F2: a Celery worker is killed with SIGKILL in the middle of an impact report.

    .venv/bin/python bench/drill_worker_killed.py [--time-limit 30]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/drill_worker_killed.py

The real stack: PostgreSQL (a scratch database peksos_drill_f2 on the server DATABASE_URL
names, created, migrated and dropped by the drill), Redis (the broker, database 12 of
redis://127.0.0.1:6379, queue peksos_drill_f2, emptied before and after), a real worker
(`celery -A peksos worker -Q peksos_drill_f2 -c 1 --pool prefork`) and the outbox relay as
the system runs it (`manage.py outbox_relay --loop`). CELERY_TASK_TIME_LIMIT is lowered to
--time-limit seconds for every process of the drill, so that a report left running by a dead
worker becomes claimable again in seconds rather than minutes (the production value is 360).

A Koordinator asks for a city impact report through the view's own form and service
(`ReportRequestForm`, `services.report_request`: the row, its outbox message and the audit
row in one transaction). When the report is running (at least one section done):

  round a: SIGKILL the worker's pool child. Celery starts a new child; the message,
           acknowledged late and rejected on worker loss, is delivered again.
  round b: SIGKILL the whole worker (main process and child, its process group), then start
           a new worker.

In both rounds the drill waits until the report is done and prints the seconds from the kill
to the finished report. At the end: each report has exactly one file (no partial .part file
left), a valid PDF (starts with %PDF, `pdftotext` reads it), state done; no report and no
outbox message is left running or pending. Bounded: each wait has a timeout.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scratch import admin_sql, children_of, url_for, wait_for  # noqa: E402

SCRATCH = "peksos_drill_f2"
QUEUE = "peksos_drill_f2"
BROKER = "redis://127.0.0.1:6379/12"
SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


class Stack:
    """The worker and the relay, as subprocesses of this drill (killed by pid at the end)."""

    def __init__(self, env: dict, logs: Path):
        self.env = env
        self.logs = logs
        self.worker: subprocess.Popen | None = None
        self.relay: subprocess.Popen | None = None
        self.workers_started = 0

    def _spawn(self, command: list[str], log_name: str) -> subprocess.Popen:
        out = (self.logs / log_name).open("ab")
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: round b kills exactly that
        )

    def start_worker(self) -> int:
        self.workers_started += 1
        self.worker = self._spawn(
            [
                str(ROOT / ".venv" / "bin" / "celery"),
                "-A",
                "peksos",
                "worker",
                "-Q",
                QUEUE,
                "-c",
                "1",
                "--pool",
                "prefork",
                "-l",
                "info",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"drill-f2-{self.workers_started}@%h",
            ],
            f"worker{self.workers_started}.log",
        )
        child = wait_for(lambda: children_of(self.worker.pid), timeout=60, step=0.2)
        if not child:
            raise RuntimeError("the worker started no pool child within 60 s")
        return child[0]

    def start_relay(self) -> None:
        self.relay = self._spawn(
            [sys.executable, "manage.py", "outbox_relay", "--loop", "--interval", "2"],
            "relay.log",
        )

    def kill_worker_group(self) -> None:
        if self.worker and self.worker.poll() is None:
            os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker.wait(timeout=10)

    def stop(self) -> None:
        for process in (self.worker, self.relay):
            if process is None or process.poll() is not None:
                continue
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                continue
            process.wait(timeout=10)


def request_city_report(koordinator):
    """What `reports.views.report_create` does with a valid POST."""
    from django.utils import timezone

    from reports import services
    from reports.forms import ReportRequestForm, school_year_of

    data = {
        "kind": "kota",
        "period": "tahun",
        "school_year": str(school_year_of(timezone.localdate())),
        "with_appendix": "on",  # the longest report: more time to be killed in
        "idempotency_key": str(uuid.uuid4()),
    }
    form = ReportRequestForm(data, user=koordinator)
    if not form.is_valid():
        raise RuntimeError(f"report form refused: {form.errors.as_json()}")
    return services.report_request(fields=form.report_fields(), by=koordinator)


def running_mid_report(report_id):
    from reports.models import Report

    row = Report.objects.filter(pk=report_id).values("state", "sections_done").first()
    if row["state"] in (Report.State.DONE, Report.State.FAILED):
        return "over"
    return "running" if row["state"] == Report.State.RUNNING and row["sections_done"] else None


def finished(report_id):
    from reports.models import Report

    state = Report.objects.filter(pk=report_id).values_list("state", flat=True).first()
    return state if state in (Report.State.DONE, Report.State.FAILED) else None


def pdf_is_valid(path: Path) -> bool:
    if not path.is_file() or not path.read_bytes().startswith(b"%PDF"):
        return False
    result = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True)
    return result.returncode == 0 and "Kota Metro" in result.stdout


def drill(stack: Stack, media: Path, time_limit: int) -> int:
    from peksos.accounts.models import Role, User
    from peksos.core.models import OutboxMessage
    from reports.models import Report
    from schools.seed import load_kota_metro

    load_kota_metro()
    koordinator = User.objects.create_user(
        "drill_koordinator", "drill_koordinator@example.org", role=Role.KOORDINATOR
    )
    recover_timeout = time_limit + 60 + 90  # the outbox's stale limit, the relay, a render
    stack.start_relay()
    child = stack.start_worker()
    rounds, kills, failures = [], 0, []
    for name in ("a: pool child killed", "b: whole worker killed"):
        report = request_city_report(koordinator)
        seen = wait_for(lambda r=report: running_mid_report(r.pk), timeout=120, step=0.02)
        if seen != "running":
            failures.append(f"round {name}: the report was never seen mid-run ({seen})")
            break
        report.refresh_from_db()
        at = f"{report.sections_done}/{report.sections_total} sections ({report.current_section})"
        killed_at = time.monotonic()
        if name.startswith("a"):
            os.kill(child, signal.SIGKILL)
            new = wait_for(
                lambda old=child: [c for c in children_of(stack.worker.pid) if c != old],
                timeout=30,
            )
            restarted = f"pool started a new child: {'yes' if new else 'NO'}"
            if not new:
                failures.append("round a: the pool did not replace the killed child")
            else:
                child = new[0]
        else:
            stack.kill_worker_group()
            child = stack.start_worker()
            restarted = f"new worker started {time.monotonic() - killed_at:.1f} s after the kill"
        kills += 1
        state = wait_for(lambda r=report: finished(r.pk), timeout=recover_timeout, step=0.2)
        seconds = time.monotonic() - killed_at
        report.refresh_from_db()
        rounds.append((name, report, seconds))
        label = Report.State(state).name.lower() if state else "NOT finished"
        print(
            f"round {name}: killed at {at}; {restarted}; "
            f"report {label} {seconds:.1f} s after the kill (claimed {report.attempts} times)"
        )
        if state != Report.State.DONE:
            failures.append(f"round {name}: report {state or report.state} after the kill")
            break

    folder = media / "reports"
    files = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    pdfs_valid = 0
    for _, report, _ in rounds:
        mine = [f for f in files if f.startswith(f"{report.pk}.") or f.startswith(f".{report.pk}.")]
        if mine != [f"{report.pk}.pdf"]:
            failures.append(f"report {report.pk}: files {mine}, expected one PDF")
        if pdf_is_valid(folder / f"{report.pk}.pdf"):
            pdfs_valid += 1
        else:
            failures.append(f"report {report.pk}: not a valid PDF")
    partial = [f for f in files if f.endswith(".part")]
    done = Report.objects.filter(state=Report.State.DONE).count()
    stuck = Report.objects.filter(state=Report.State.RUNNING).count()
    undelivered = OutboxMessage.objects.exclude(state=OutboxMessage.State.DONE).count()
    print(
        f"rounds {len(rounds)}, kills {kills} (SIGKILL), seconds to recover "
        f"{' / '.join(f'{s:.1f}' for _, _, s in rounds)}, reports done {done} of "
        f"{Report.objects.count()}, PDFs valid {pdfs_valid} of {len(rounds)}, "
        f"report files {len(files)} (partial {len(partial)}), stuck running {stuck}, "
        f"outbox messages not done {undelivered}"
    )
    if stuck or undelivered or partial or len(rounds) != 2:
        failures.append("something was left running, undelivered or partial")
    for failure in failures:
        print("  -", failure)
    print("F2:", "PASS" if not failures else "FAIL")
    return 0 if not failures else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--time-limit", type=int, default=30, help="CELERY_TASK_TIME_LIMIT for the drill (s)"
    )
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        server = SERVER
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="drill_f2_"))
    media = work / "media"
    media.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "peksos.settings",
        "DATABASE_URL": url_for(server, SCRATCH),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_QUEUE": QUEUE,
        "CELERY_TASK_TIME_LIMIT": str(args.time_limit),
        "MEDIA_ROOT": str(media),
        "STATIC_MANIFEST": "0",  # no collectstatic needed
        "CACHE_URL": "",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)  # this process is the web request's side of the drill

    import redis

    broker = redis.Redis.from_url(BROKER)
    broker.flushdb()  # database 12 is the drill's own
    admin_sql(
        server, f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)", f"CREATE DATABASE {SCRATCH}"
    )
    stack = Stack(env, work)
    code = 1
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        print(
            f"database {SCRATCH} migrated, broker {BROKER} queue {QUEUE}, "
            f"time limit {args.time_limit} s ({time.monotonic() - started:.0f} s)"
        )
        import django

        django.setup()
        code = drill(stack, media, args.time_limit)
    finally:
        stack.stop()
        from django.db import connections

        connections.close_all()
        admin_sql(server, f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        broker.flushdb()
        broker.close()
        if code == 0:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"worker and relay logs kept in {work}")
        print(f"total {time.monotonic() - started:.0f} s")
    sys.exit(code)


if __name__ == "__main__":
    main()
