"""Outbox latency (docs/quality.md P6): from a commit to the start of its notification task.

    .venv/bin/python bench/outbox_latency.py [--messages 30] [--backlog 50] [--json PATH]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/outbox_latency.py

Target (docs/quality.md P6): "Outbox latency: commit -> notification task start: p95 <= 15 s;
a backlog of 50 drained <= 60 s".

The real stack: PostgreSQL (a scratch database peksos_bench_outbox on the server DATABASE_URL
names, created, migrated and dropped by the bench), Redis (the broker, database 13 of
redis://127.0.0.1:6379, queue peksos_bench_outbox through CELERY_QUEUE, emptied before and
after), a real worker (`celery -A peksos worker -Q peksos_bench_outbox -c 2 --pool prefork`)
and the relay loop (`manage.py outbox_relay --loop`). E-mail goes to Django's locmem backend
in the worker: nothing is sent.

This process plays the web request: `outbox.enqueue_email(...)` inside `transaction.atomic()`;
on commit the outbox nudges the relay (a `relay_outbox` task) which publishes `send_email`;
the task claims its row (started_at) and sends (done_at). After a warm-up message:

  single:  --messages e-mails, each in its own transaction, --spacing seconds apart.
           Latency = started_at - created_at of each row (the task-start time written by the
           worker); commit -> started_at (commit stamped by an on_commit hook registered
           before the outbox's own) is shown too. Median, p95 (nearest rank) and max.
  backlog: --backlog e-mails in ONE transaction. Drain = commit -> the last done_at; every
           message must be done exactly once (state done, attempts == 1).

Prints a Markdown table and the verdict; `--json PATH` writes the figures with "met" and
"summary" (and "table", the Markdown table, for bench/run.py). Exit status 0 when the bench
ran to the end (met or not: "met" says which), 1 when it could not. Every wait is bounded.
"""

import argparse
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scratch import admin_sql, children_of, url_for, wait_for  # noqa: E402

SCRATCH = "peksos_bench_outbox"
QUEUE = "peksos_bench_outbox"
BROKER = "redis://127.0.0.1:6379/13"
SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
TARGET_P95 = 15.0  # seconds, commit -> task start
TARGET_DRAIN = 60.0  # seconds, a backlog of 50 drained
DRAIN_TIMEOUT = 300.0  # wait this long for a backlog before giving up (well over the target)


def nearest_rank(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


class Stack:
    """The worker and the relay loop, subprocesses in their own process groups."""

    def __init__(self, env: dict, logs: Path):
        self.env = env
        self.logs = logs
        self.processes: list[subprocess.Popen] = []

    def _spawn(self, command: list[str], log_name: str) -> subprocess.Popen:
        with (self.logs / log_name).open("ab") as out:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    def start_worker(self, concurrency: int) -> None:
        command = [str(ROOT / ".venv" / "bin" / "celery"), "-A", "peksos", "worker"]
        command += ["-Q", QUEUE, "-c", str(concurrency), "--pool", "prefork", "-l", "info"]
        command += ["--without-gossip", "--without-mingle", "--hostname", "bench-outbox@%h"]
        worker = self._spawn(command, "worker.log")
        ready = wait_for(lambda: len(children_of(worker.pid)) >= concurrency, 60, 0.2)
        if not ready:
            raise RuntimeError(f"the worker started no {concurrency} pool children within 60 s")

    def start_relay(self, interval: float) -> None:
        self._spawn(
            [sys.executable, "manage.py", "outbox_relay", "--loop", "--interval", str(interval)],
            "relay.log",
        )

    def dead(self) -> list[str]:
        return [" ".join(p.args[1:4]) for p in self.processes if p.poll() is not None]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is not None:
                continue
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=10)
            except ProcessLookupError:
                continue
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def enqueue_emails(count: int, label: str):
    """`count` e-mails in one transaction; returns their ids and the commit time."""
    from django.db import transaction
    from django.utils import timezone

    from peksos.core import outbox

    stamp = {}
    with transaction.atomic():
        # Registered before the outbox's nudge: it runs first, right at the commit.
        transaction.on_commit(lambda: stamp.setdefault("at", timezone.now()))
        ids = [
            outbox.enqueue_email(
                to=[f"bench{i}@example.org"],
                subject=f"PEKSOS bench {label} {i}",
                body="Outbox latency bench.",
            ).pk
            for i in range(count)
        ]
    return ids, stamp["at"]


def rows_of(ids: list) -> list[dict]:
    from peksos.core.models import OutboxMessage

    return list(
        OutboxMessage.objects.filter(pk__in=ids).values(
            "id", "state", "attempts", "created_at", "started_at", "done_at"
        )
    )


def wait_finished(ids: list, timeout: float) -> list[dict] | None:
    """The rows once none is pending, dispatched or running any more (None on timeout)."""
    from peksos.core.models import OutboxMessage

    final = (OutboxMessage.State.DONE, OutboxMessage.State.FAILED)
    finished = wait_for(
        lambda: OutboxMessage.objects.filter(pk__in=ids, state__in=final).count() == len(ids),
        timeout,
        0.05,
    )
    return rows_of(ids) if finished else None


def stats(values: list[float]) -> dict:
    if not values:
        return {"n": 0, "median": None, "p95": None, "max": None}
    return {
        "n": len(values),
        "median": round(statistics.median(values), 3),
        "p95": round(nearest_rank(values, 0.95), 3),
        "max": round(max(values), 3),
    }


def measure_singles(count: int, spacing: float, timeout: float) -> dict:
    sent = []
    for i in range(count):
        ids, committed = enqueue_emails(1, f"single {i}")
        sent.append((ids[0], committed))
        time.sleep(spacing)
    rows = wait_finished([pk for pk, _ in sent], timeout)
    if rows is None:
        rows = rows_of([pk for pk, _ in sent])
    by_id = {row["id"]: row for row in rows}
    started = [(by_id[pk], committed) for pk, committed in sent if by_id[pk]["started_at"]]
    created_to_start = [(r["started_at"] - r["created_at"]).total_seconds() for r, _ in started]
    commit_to_start = [(r["started_at"] - c).total_seconds() for r, c in started]
    done = sum(1 for row in rows if row["state"] == "done")
    return {
        "messages": count,
        "spacing_s": spacing,
        "done": done,
        "created_to_start_s": stats(created_to_start),
        "commit_to_start_s": stats(commit_to_start),
    }


def measure_backlog(count: int, timeout: float) -> dict:
    ids, committed = enqueue_emails(count, "backlog")
    waited = time.monotonic()
    rows = wait_finished(ids, timeout)
    timed_out = rows is None
    if timed_out:
        rows = rows_of(ids)
    finished = [row["done_at"] for row in rows if row["done_at"]]
    starts = [row["started_at"] for row in rows if row["started_at"]]
    once = sum(1 for row in rows if row["state"] == "done" and row["attempts"] == 1)
    return {
        "messages": count,
        "timed_out": timed_out,
        "waited_s": round(time.monotonic() - waited, 1),
        "done": sum(1 for row in rows if row["state"] == "done"),
        "done_exactly_once": once,
        "commit_to_first_start_s": round((min(starts) - committed).total_seconds(), 3)
        if starts
        else None,
        "drain_s": round((max(finished) - committed).total_seconds(), 3)
        if finished and not timed_out
        else None,
    }


def broker_check(broker) -> dict:
    """Which queues the broker saw: ours only, and left empty."""
    bindings = sorted(
        key.decode().removeprefix("_kombu.binding.") for key in broker.keys("_kombu.binding.*")
    )
    queues = [name for name in bindings if "pidbox" not in name and name != "celeryev"]
    return {"queues": queues, "left_in_queue": broker.llen(QUEUE), "ok": queues == [QUEUE]}


def run(stack: Stack, args) -> dict:
    stack.start_relay(args.relay_interval)
    stack.start_worker(args.concurrency)
    warm = enqueue_emails(args.concurrency, "warm-up")[0]
    if wait_finished(warm, 120) is None:
        raise RuntimeError("the warm-up e-mails were not done within 120 s (see the logs)")
    single = measure_singles(args.messages, args.spacing, timeout=120)
    backlog = measure_backlog(args.backlog, timeout=DRAIN_TIMEOUT)
    return {"single": single, "backlog": backlog}


def verdict(result: dict, broker: dict, dead: list[str]) -> tuple[bool, list[str]]:
    single, backlog = result["single"], result["backlog"]
    p95 = single["created_to_start_s"]["p95"]
    problems = []
    if single["done"] != single["messages"]:
        problems.append(f"single: {single['done']} of {single['messages']} done")
    if p95 is None or p95 > TARGET_P95:
        problems.append(f"single: p95 {p95} s > {TARGET_P95:g} s")
    if backlog["drain_s"] is None or backlog["drain_s"] > TARGET_DRAIN:
        problems.append(f"backlog: drained in {backlog['drain_s']} s > {TARGET_DRAIN:g} s")
    if backlog["done_exactly_once"] != backlog["messages"]:
        problems.append(
            f"backlog: {backlog['done_exactly_once']} of {backlog['messages']} done exactly once"
        )
    if not broker["ok"]:
        problems.append(f"broker: queues {broker['queues']}, expected only {QUEUE}")
    if dead:
        problems.append(f"exited during the bench: {dead}")
    return not problems, problems


def fmt(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def table(result: dict) -> str:
    single, backlog = result["single"], result["backlog"]
    lines = [
        "| measure | n | median s | p95 s | max s | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for label, key, target in (
        ("single: created_at -> task start", "created_to_start_s", f"p95 <= {TARGET_P95:g} s"),
        ("single: commit -> task start", "commit_to_start_s", ""),
    ):
        s = single[key]
        lines.append(
            f"| {label} | {s['n']} | {fmt(s['median'])} | {fmt(s['p95'])} "
            f"| {fmt(s['max'])} | {target} |"
        )
    lines.append(
        f"| backlog: commit -> last done | {backlog['messages']} | | | "
        f"{fmt(backlog['drain_s'])} | <= {TARGET_DRAIN:g} s |"
    )
    return "\n".join(lines)


def summary_of(result: dict, met: bool) -> str:
    single, backlog = result["single"], result["backlog"]
    s = single["created_to_start_s"]
    return (
        f"P6 {'met' if met else 'NOT met'}: single e-mail commit->task start median "
        f"{fmt(s['median'])} s, p95 {fmt(s['p95'])} s (n={s['n']}); backlog of "
        f"{backlog['messages']} drained in {fmt(backlog['drain_s'])} s, "
        f"{backlog['done_exactly_once']} done exactly once"
    )


def report(result: dict, queues: dict, met: bool, problems: list[str], path: str | None):
    """The Markdown table, the checks and the verdict; the JSON file if asked."""
    backlog = result["backlog"]
    summary = summary_of(result, met)
    print()
    print(table(result))
    print()
    print(
        f"backlog: {backlog['done']} of {backlog['messages']} done, "
        f"{backlog['done_exactly_once']} exactly once (attempts 1); first task start "
        f"{fmt(backlog['commit_to_first_start_s'])} s after the commit"
    )
    print(f"broker queues seen: {', '.join(queues['queues']) or 'none'}")
    for problem in problems:
        print("  -", problem)
    print(summary)
    if path:
        payload = {"name": "outbox_latency", "target": "P6", "met": met, "summary": summary}
        payload.update(result, broker=queues, problems=problems, table=table(result))
        Path(path).write_text(json.dumps(payload, indent=1, default=str) + "\n")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=30, help="single e-mails (default 30)")
    parser.add_argument("--spacing", type=float, default=0.3, help="seconds between singles")
    parser.add_argument("--backlog", type=int, default=50, help="e-mails in one transaction")
    parser.add_argument("--concurrency", type=int, default=2, help="worker pool size")
    parser.add_argument(
        "--relay-interval", type=float, default=2.0, help="outbox_relay --interval (default 2)"
    )
    parser.add_argument("--json", metavar="PATH", help="write the figures as JSON to PATH")
    return parser.parse_args()


def environment(server: str, media: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "peksos.settings",
        "DATABASE_URL": url_for(server, SCRATCH),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_QUEUE": QUEUE,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "MEDIA_ROOT": str(media),
        "STATIC_MANIFEST": "0",
        "CACHE_URL": "",
        "LOG_LEVEL": "WARNING",
    }


def main() -> None:
    args = parse_args()
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        server = SERVER
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="bench_outbox_"))
    (work / "media").mkdir()
    env = environment(server, work / "media")
    os.environ.update(env)  # this process is the web request's side

    import redis

    broker = redis.Redis.from_url(BROKER)
    broker.flushdb()  # database 13 is this bench's own
    drop = f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)"
    admin_sql(server, drop, f"CREATE DATABASE {SCRATCH}")
    stack = Stack(env, work)
    keep_logs = True
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        print(f"database {SCRATCH} migrated, broker {BROKER} queue {QUEUE}")
        import django

        django.setup()
        result = run(stack, args)
        queues = broker_check(broker)
        met, problems = verdict(result, queues, stack.dead())
        keep_logs = not met
    finally:
        stack.stop()
        from django.db import connections

        connections.close_all()
        admin_sql(server, drop)
        broker.flushdb()
        broker.close()
        if keep_logs:
            print(f"worker and relay logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    report(result, queues, met, problems, args.json)
    print(f"total {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
