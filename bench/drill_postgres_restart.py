"""Drill F3: PostgreSQL is restarted while the public files SOS Desk reports.

    .venv/bin/python bench/drill_postgres_restart.py [--seconds 20] [--threads 4]

Needs root and the PostgreSQL server binaries (/usr/lib/postgresql/*/bin). The drill never
touches the PostgreSQL everyone else uses: it starts a private cluster of its own (initdb in
a temporary folder, port 5499, trust on loopback), migrates a database there, and removes it
all afterwards.

`--threads` clients post reports to the real public form view (`lapor:form`), each with its own
idempotency key, for `--seconds`; one third into the run the cluster is restarted
(`pg_ctl restart -m fast`: connections are cut, in-flight transactions roll back). docs/quality.md
F3: errors only while it is down (+2 s); no partial writes (every case has its timeline event
and its audit row); every success response matches a committed row. The drill prints the
requests tried, successes, errors inside and outside the down window, rows lost and partial
cases.
"""

import argparse
import glob
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 5499


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        sys.exit(f"{name} not found: apt-get install postgresql")
    return found[-1]


def as_postgres(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *command], capture_output=True, text=True, check=True
    )


def start_cluster(folder: Path) -> None:
    shutil.chown(folder, "postgres")
    as_postgres(pg_bin("initdb"), "-D", str(folder / "data"), "--auth=trust", "-U", "postgres")
    as_postgres(*pg_ctl(folder), "start", "-w")


def pg_ctl(folder: Path) -> list[str]:
    options = f"-p {PORT} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    return [pg_bin("pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "log"), "-o", options]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="peksos_f3_"))
    start_cluster(folder)
    try:
        url = f"postgres://postgres@127.0.0.1:{PORT}/peksos_drill_f3"
        as_postgres(
            pg_bin("psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(PORT),
            "-c",
            "CREATE DATABASE peksos_drill_f3",
        )
        os.environ.update(
            DATABASE_URL=url,
            DJANGO_SETTINGS_MODULE="peksos.settings",
            STATIC_MANIFEST="0",
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",  # alerts not printed
        )
        os.environ.pop("CELERY_BROKER_URL", None)  # tasks in-process: this drill is about the DB
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        code = drill(folder, args.seconds, args.threads)
    finally:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *pg_ctl(folder), "stop", "-m", "immediate"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)
    sys.exit(code)


def drill(folder: Path, seconds: float, threads: int) -> int:
    import secrets

    from django.conf import settings
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.urls import reverse

    from peksos.accounts.models import Role, User
    from peksos.core.models import AuditEvent
    from schools.models import School, SchoolMembership
    from schools.seed import load_kota_metro
    from sosdesk.models import Case, CaseEvent, Desk

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # The 500s while the database is down are expected: counted below, not printed.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    load_kota_metro()
    school = School.objects.get(npsn="10807637")
    for username, role in (("drill_sosdesk", Role.SOSDESK), ("drill_peksos", Role.PEKSOS)):
        user = User.objects.create_user(username, f"{username}@example.org", role=role)
        SchoolMembership.objects.create(user=user, school=school)
    desk = Desk.objects.create(school=school, sk_number="421/01/SK/2025")
    form_url = reverse("lapor:form", args=[desk.public_code])
    receipt_url = reverse("lapor:receipt")
    connection.close()

    results: list[tuple[float, float, bool, str]] = []  # (sent, answered, success, case code)
    lock = threading.Lock()
    start = time.monotonic()
    stop_at = start + seconds

    def client_loop() -> None:
        client = Client(raise_request_exception=False)
        n = 0
        while time.monotonic() < stop_at:
            n += 1
            at = time.monotonic() - start
            data = {
                "narrative": f"Latihan F3 ke-{n}: murid dipukul di kantin.",
                "violence": ["fisik"],
                "modalities": ["fisik"],
                "scope": "dalam",
                "occurred_on": "",
                "occurred_text": "Senin lalu",
                "affected": ["murid"],
                "ongoing_danger": "tidak",
                "identity": "anonim",
                "idempotency_key": secrets.token_urlsafe(24),
            }
            try:
                response = client.post(form_url, data)
                ok = response.status_code == 302 and response["Location"] == receipt_url
                code = client.session.get("sosdesk_receipt", {}).get("code", "") if ok else ""
            except Exception:
                ok, code = False, ""
            with lock:
                results.append((at, time.monotonic() - start, ok and bool(code), code))
            close_old_connections()
        connection.close()

    window = {}

    def restarter() -> None:
        time.sleep(seconds / 3)
        window["down"] = time.monotonic() - start
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *pg_ctl(folder), "restart", "-m", "fast", "-w"],
            capture_output=True,
            check=False,
        )
        window["up"] = time.monotonic() - start

    workers = [threading.Thread(target=client_loop) for _ in range(threads)]
    workers.append(threading.Thread(target=restarter))
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    down, up = window["down"], window["up"]
    successes = [r for r in results if r[2]]
    errors = [r for r in results if not r[2]]
    # An error is "while it was down" when the request was in flight during [down, up + 2 s].
    outside = [r for r in errors if r[1] < down or r[0] > up + 2]
    committed = set(Case.objects.values_list("code", flat=True))
    lost = [code for *_times, _ok, code in successes if code not in committed]
    # Written in the case's transaction: its "received" event and its audit row.
    with_event = set(CaseEvent.objects.values_list("case__code", flat=True))
    audited = set(
        AuditEvent.objects.filter(action="case_filed").values_list("object_id", flat=True)
    )
    partial = [
        case.code
        for case in Case.objects.only("pk", "code")
        if case.code not in with_event or str(case.pk) not in audited
    ]
    print(f"PostgreSQL restart (-m fast) at {down:.1f} s, accepting again at {up:.1f} s")
    print(
        f"requests tried: {len(results)} in {seconds:.0f} s with {threads} clients, "
        f"successes: {len(successes)}, errors: {len(errors)} "
        f"(outside the down window +2 s: {len(outside)})"
    )
    print(
        f"cases committed: {len(committed)}, rows lost (success without a row): {len(lost)}, "
        f"partial cases: {len(partial)}, rows without a success answer: "
        f"{len(committed) - len(successes)}"
    )
    ok = not outside and not lost and not partial
    print("F3:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    main()
