"""Helpers the benchmarks and drills share: scratch databases on the PostgreSQL server,
subprocesses, bounded waits."""

import time
from pathlib import Path


def url_for(server: str, name: str) -> str:
    """The URL of database `name` on the server of the URL `server`."""
    return server.rsplit("/", 1)[0] + "/" + name


def admin_sql(server: str, *statements: str) -> None:
    """Statements run on the server's `postgres` database, outside a transaction (CREATE
    DATABASE, DROP DATABASE)."""
    import psycopg

    with psycopg.connect(url_for(server, "postgres"), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def children_of(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def wait_for(predicate, timeout: float, step: float = 0.05):
    """`predicate()`'s first true value within `timeout` seconds, else None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None
