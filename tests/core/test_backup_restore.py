"""F5 backup and restore on PostgreSQL: `manage.py backup` (pg_dump -Fc) of a populated database,
`manage.py restore` (pg_restore) into a fresh one, then every table's row count and checksum,
and every sequence's position, must be identical. Only scratch databases named peksos_drill_*
are written; the test database is only read (pg_dump).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from peksos.core import backup
from tests.services import on_postgresql, skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.services


def database_url(name: str) -> str:
    db = settings.DATABASES["default"]
    auth = db.get("USER") or ""
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


def manage(name: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url(name), "PEKSOS_DEMO": "1"}
    env.pop("CELERY_BROKER_URL", None)  # tasks in-process, on the scratch database only
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.fixture
def scratch():
    if not on_postgresql():
        skip_or_fail("PostgreSQL (DATABASE_URL=postgres://...)")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        skip_or_fail("pg_dump/pg_restore (apt-get install postgresql-client)")
    names = [f"peksos_drill_t{os.getpid()}_src", f"peksos_drill_t{os.getpid()}_dst"]
    for name in names:
        backup.create_database(name)
    yield names
    for name in names:
        backup.drop_database(name)


@pytest.mark.django_db
def test_backup_then_restore_gives_an_identical_copy(scratch, tmp_path, kota_metro):
    source, copy = scratch
    db = settings.DATABASES["default"]
    # The source: the test database's committed content (schema, the 308 schools) ...
    seed = backup.backup(tmp_path / "seed.dump", db)
    backup.restore(seed, {**db, "NAME": source})
    # ... plus the demo's users, memberships and an SOS Desk for every school.
    manage(source, "seed_demo")
    before = backup.fingerprints(db, source)
    populated = {t: f.rows for t, f in before.items() if f.rows and not t.startswith("sequence:")}
    assert len(populated) >= 8, populated
    assert before["sosdesk_desk"].rows >= 300

    dump = tmp_path / "peksos.dump"
    out = manage(source, "backup", "--output", str(dump))
    assert str(dump) in out and dump.stat().st_size > 10_000
    out = manage(copy, "restore", "--noinput", str(dump))
    assert "restored" in out

    after = backup.fingerprints(db, copy)
    assert backup.differences(before, after) == []
    assert backup.fingerprints(db, source) == before  # the backup changed nothing
    # The restored copy is a working PEKSOS database: nothing left to migrate, checks pass.
    manage(copy, "migrate", "--check")
    manage(copy, "check")

    # The comparison can fail: one changed row is found.
    import psycopg

    with psycopg.connect(
        dbname=copy, host=db.get("HOST"), user=db.get("USER"), autocommit=True
    ) as conn:
        conn.execute("UPDATE schools_school SET name = name || ' ' WHERE npsn = '10807637'")
    changed = backup.fingerprints(db, copy)
    assert backup.differences(before, changed) == [
        f"schools_school: {before['schools_school']} != {changed['schools_school']}"
    ]


def test_only_scratch_databases_are_created_or_dropped():
    for name in ["peksos", "test_peksos", "postgres", 'peksos_drill_x"; DROP DATABASE peksos']:
        with pytest.raises(backup.BackupError):
            backup.drop_database(name)


def test_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(backup.BackupError):
        backup.restore(tmp_path / "nothing.dump")


def test_sqlite_backup_and_restore_round_trip(tmp_path):
    """The SQLite path (make run's default database) with the online backup API."""
    import sqlite3

    live = tmp_path / "live.sqlite3"
    with sqlite3.connect(live) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
        conn.executemany("INSERT INTO t (name) VALUES (?)", [(f"n{i}",) for i in range(50)])
    db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(live)}
    before = backup.fingerprints(db)
    saved = backup.backup(tmp_path / "copy.sqlite3", db)
    with sqlite3.connect(live) as conn:
        conn.execute("DELETE FROM t WHERE id > 10")
    assert backup.differences(before, backup.fingerprints(db))  # the loss is seen ...
    backup.restore(saved, db)
    assert backup.differences(before, backup.fingerprints(db)) == []  # ... and undone
