"""Backup and restore of the database (`make backup`, `make restore FILE=...`), and the per-table
fingerprints (row count + checksum) that prove a restored copy equals its source.

PostgreSQL: `pg_dump -Fc` (custom format: compressed, restorable table by table) and
`pg_restore --clean --if-exists --single-transaction`. SQLite: the sqlite3 online backup API
(a consistent copy even while the app writes). Media files (uploads, report PDFs) are not in
the database: back up MEDIA_ROOT alongside (docs/security.md).
"""

import hashlib
import os
import shutil
import sqlite3

# Runs pg_dump/pg_restore with an argument list, never a shell.
import subprocess  # nosec B404
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone


class BackupError(Exception):
    pass


def database() -> dict:
    return settings.DATABASES["default"]


def is_postgresql(db: dict | None = None) -> bool:
    return (db or database())["ENGINE"] == "django.db.backends.postgresql"


def default_path() -> Path:
    suffix = "dump" if is_postgresql() else "sqlite3"
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return Path(settings.BASE_DIR) / "var" / "backups" / f"peksos-{stamp}.{suffix}"


def pg_env(db: dict) -> dict[str, str]:
    """libpq's environment for `db`: no password on any command line (ps would show it)."""
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[name] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} not found: install the PostgreSQL client (postgresql-client)")
    return path


def _run(command: list[str], db: dict) -> None:
    result = subprocess.run(  # noqa: S603  # nosec B603
        command, env=pg_env(db), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def backup(path: Path, db: dict | None = None) -> Path:
    """Write a full copy of the database to `path` (parent folders are made)."""
    db = db or database()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if is_postgresql(db):
        _run([_tool("pg_dump"), "-Fc", "--no-owner", "-f", str(path), db["NAME"]], db)
    else:
        with sqlite3.connect(db["NAME"]) as source, sqlite3.connect(path) as target:
            source.backup(target)
    return path


def restore(path: Path, db: dict | None = None) -> None:
    """Replace the database's content with the backup at `path` (all or nothing)."""
    db = db or database()
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no such backup file: {path}")
    if is_postgresql(db):
        command = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner"]
        command += ["--single-transaction", "--exit-on-error", "-d", db["NAME"], str(path)]
        _run(command, db)
    else:
        with sqlite3.connect(path) as source, sqlite3.connect(db["NAME"]) as target:
            source.backup(target)


# --- Fingerprints --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fingerprint:
    rows: int
    checksum: str


def _pg_connect(db: dict, name: str | None = None):
    import psycopg

    return psycopg.connect(
        dbname=name or db["NAME"],
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        autocommit=True,
    )


def fingerprints(db: dict | None = None, name: str | None = None) -> dict[str, Fingerprint]:
    """{table: (rows, md5 of every row in a fixed order)} for every table, and for every
    PostgreSQL sequence its position (a restore that rewinds one would reuse ids)."""
    db = db or database()
    result: dict[str, Fingerprint] = {}
    if is_postgresql(db):
        with _pg_connect(db, name) as conn, conn.cursor() as cursor:
            cursor.execute(
                "SELECT quote_ident(table_name) FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
            )
            for (table,) in cursor.fetchall():
                # table names come from the catalogue, quoted with quote_ident.
                cursor.execute(
                    f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' "  # noqa: S608  # nosec B608
                    f"ORDER BY t::text), '')) FROM {table} t"
                )
                rows, checksum = cursor.fetchone()
                result[table] = Fingerprint(rows, checksum)
            cursor.execute(
                "SELECT quote_ident(sequencename), coalesce(last_value, 0) FROM pg_sequences "
                "WHERE schemaname = 'public'"
            )
            for sequence, last in cursor.fetchall():
                result[f"sequence:{sequence}"] = Fingerprint(int(last), "")
        return result
    with sqlite3.connect(name or db["NAME"]) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        for table in tables:
            quoted = '"' + table.replace('"', '""') + '"'
            rows = sorted(repr(r) for r in conn.execute(f"SELECT * FROM {quoted}"))  # noqa: S608  # nosec B608
            digest = hashlib.md5("\n".join(rows).encode(), usedforsecurity=False).hexdigest()
            result[table] = Fingerprint(len(rows), digest)
    return result


def differences(a: dict[str, Fingerprint], b: dict[str, Fingerprint]) -> list[str]:
    """Every table (or sequence) whose count or checksum differs, or that one side lacks."""
    return [
        f"{name}: {a.get(name)} != {b.get(name)}"
        for name in sorted(set(a) | set(b))
        if a.get(name) != b.get(name)
    ]


# --- Scratch databases for the drill and its test ------------------------------------------------


def create_database(name: str, db: dict | None = None) -> None:
    _check_drill_name(name)
    with _pg_connect(db or database(), "postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str, db: dict | None = None) -> None:
    _check_drill_name(name)
    with _pg_connect(db or database(), "postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _check_drill_name(name: str) -> None:
    # Only scratch databases are ever created or dropped here: never the app's own.
    if not name.startswith("peksos_drill_") or not name.replace("_", "").isalnum():
        raise BackupError(f"refusing to create or drop {name!r}: not a peksos_drill_* name")
