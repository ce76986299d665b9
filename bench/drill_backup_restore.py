"""Drill F5: back up a populated PostgreSQL database and restore it into a fresh one.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peksos \\
        .venv/bin/python bench/drill_backup_restore.py

DATABASE_URL only says which server to use: the drill creates its own scratch databases
peksos_drill_src and peksos_drill_dst there (dropped again unless --keep) and never writes to
the database DATABASE_URL names. Steps, each with the real commands `make backup` /
`make restore` run:

1. peksos_drill_src: migrate, then one school year of generated activity (bench/report_bench.py:
   308 schools, visits, SOS Desk cases with timelines, forum, children in support) and the
   demo users (seed_demo).
2. `manage.py backup --output var/backups/drill.dump` (pg_dump -Fc) against the source.
3. `manage.py restore --noinput` (pg_restore --single-transaction) into peksos_drill_dst.
4. Every table's row count and md5 of its ordered rows, and every sequence's position,
   compared: the drill prints the number of differences (the bar: 0), then runs
   `migrate --check` and `check` on the restored copy.
"""

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peksos.settings")

SOURCE, COPY = "peksos_drill_src", "peksos_drill_dst"


def url_for(name: str) -> str:
    base = os.environ["DATABASE_URL"]
    return base.rsplit("/", 1)[0] + "/" + name


def manage(name: str, *args: str, script: str = "manage.py") -> str:
    env = {**os.environ, "DATABASE_URL": url_for(name)}
    result = subprocess.run(
        [sys.executable, script, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(f"{script} {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout.strip()


def populate() -> None:
    """Runs in a child process whose DATABASE_URL is the source database."""
    sys.path.insert(0, str(ROOT / "bench"))
    import report_bench  # django.setup() happens there
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    counts = report_bench.generate(random.Random(20261127))
    call_command("seed_demo", verbosity=0)
    print(", ".join(f"{v} {k}" for k, v in counts.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    parser.add_argument("--populate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://... (the server to drill on).")
    if args.populate:
        populate()
        return

    import django

    django.setup()
    from peksos.core import backup

    db = backup.database()
    dump = ROOT / "var" / "backups" / "drill.dump"
    started = time.monotonic()
    try:
        backup.create_database(SOURCE, db)
        made = manage(SOURCE, "--populate", script="bench/drill_backup_restore.py")
        print(f"source {SOURCE}: {made}")
        before = backup.fingerprints(db, SOURCE)

        t0 = time.monotonic()
        print(manage(SOURCE, "backup", "--output", str(dump)))
        backup_s = time.monotonic() - t0
        backup.create_database(COPY, db)
        t0 = time.monotonic()
        print(manage(COPY, "restore", "--noinput", str(dump)))
        restore_s = time.monotonic() - t0
        after = backup.fingerprints(db, COPY)

        tables = [t for t in before if not t.startswith("sequence:")]
        rows = sum(before[t].rows for t in tables)
        problems = backup.differences(before, after)
        manage(COPY, "migrate", "--check")
        manage(COPY, "check")
        print(
            f"tables compared: {len(tables)} (+{len(before) - len(tables)} sequences), "
            f"rows: {rows}, non-empty tables: {sum(1 for t in tables if before[t].rows)}"
        )
        print(
            f"dump: {dump.stat().st_size / 1024:.0f} KiB, backup {backup_s:.1f} s, "
            f"restore {restore_s:.1f} s, total {time.monotonic() - started:.0f} s"
        )
        print(f"differences (count or checksum): {len(problems)}")
        for line in problems:
            print("  " + line)
        print("restored copy: migrate --check and check pass")
        if problems:
            sys.exit(1)
    finally:
        if not args.keep:
            for name in (SOURCE, COPY):
                backup.drop_database(name, db)


if __name__ == "__main__":
    main()
