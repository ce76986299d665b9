"""The read replica (docs/deployment.md): which reads may go there, and when they may not.

With `DATABASE_REPLICA_URL` set, settings add a `replica` database alias and this router.
Nothing goes to the replica by default: a code path opts in for its heavy, lag-tolerant reads
(the register-wide figures of the dashboards, the report builder's sections, the exports) with

    with replica_reads():
        panels = register_panels(today)               # every read inside: the replica
    rows = queryset.using(read_alias())               # or one queryset, decided now

Those reads stay on the primary (`default`) when

- the request has written, or is a POST/PUT/PATCH/DELETE, or the user's browser made one in
  the last `REPLICA_MAX_LAG_SECONDS` (a cookie): a user always sees what they just saved;
- something inside the block writes (from then on, the rest of the block reads the primary);
- a transaction is open on the primary (its own uncommitted rows are not on the replica);
- the replica is down, or behind the primary by more than `REPLICA_MAX_LAG_SECONDS`, checked
  at most every `REPLICA_CHECK_SECONDS` per process (`/healthz` says which);
- inside `primary_reads()`: permission checks never read the replica (they are not inside
  these blocks in the first place; `primary_reads()` is for one called from inside one).

Writes always go to the primary; migrations never run on the replica.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

log = logging.getLogger(__name__)

REPLICA = "replica"
COOKIE = "peksos_primary"  # "this browser wrote a moment ago": read the primary
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
# Writes that say nothing about what a user sees next (the session's own row, the audit log
# a page view appends, the login throttle): they do not send the request's reads to the primary.
BOOKKEEPING = {
    "sessions.session",
    "core.auditevent",
    "axes.accessattempt",
    "axes.accessattemptexpiration",
    "axes.accessfailurelog",
    "axes.accesslog",
}

OK, LAGGING, DOWN = "ok", "lagging", "down"


@dataclass
class _Block:
    alias: str | None  # where this block reads: the replica, or None (the primary)
    wrote: bool = False


@dataclass
class _Request:
    wrote: bool = False


_block: ContextVar[_Block | None] = ContextVar("replica_block", default=None)
_request: ContextVar[_Request | None] = ContextVar("replica_request", default=None)
_primary_only: ContextVar[bool] = ContextVar("replica_primary_only", default=False)


def configured() -> bool:
    return REPLICA in settings.DATABASES


# --- The replica's health, checked briefly --------------------------------------------------

_checked: dict[str, tuple[float, str, float | None]] = {}
_lock = threading.Lock()


def forget_status() -> None:
    """The next check asks the replica again (tests, after stopping or pausing it)."""
    with _lock:
        _checked.clear()


def _measure(alias: str) -> tuple[str, float | None]:
    """(status, seconds behind) asked of the replica itself. Behind: 0 when everything it
    received is replayed and it is streaming from the primary; otherwise the age of the last
    transaction it replayed (an idle primary's replica that lost its stream is called lagging
    as soon as that age passes the limit: nobody can vouch for it)."""
    conn = connections[alias]
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(),"
                " pg_last_wal_receive_lsn() IS NOT NULL"
                "  AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(),"
                # A row while a WAL receiver runs; its details (status) are hidden from a
                # role without pg_read_all_stats, its existence is not.
                " EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE pid IS NOT NULL),"
                " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"
            )
            in_recovery, caught_up, streaming, age = cursor.fetchone()
    except Exception:  # refused, timed out, not allowed: the primary serves every read
        log.warning("read replica unavailable: reads go to the primary", exc_info=True)
        try:
            conn.close()
        except Exception:  # a dead socket: it is gone anyway
            log.debug("closing the replica's connection failed", exc_info=True)
        return DOWN, None
    if not in_recovery:  # a promoted standby: still a copy, no longer following
        return LAGGING, None
    behind = 0.0 if caught_up and streaming else float(age if age is not None else 1e9)
    limit = float(settings.REPLICA_MAX_LAG_SECONDS)
    return (OK if behind <= limit else LAGGING), round(behind, 3)


def replica_status(*, fresh: bool = False) -> tuple[str, float | None]:
    """(ok | lagging | down, seconds behind) of the replica, cached for
    REPLICA_CHECK_SECONDS in this process; ("", None) without a replica."""
    if not configured():
        return "", None
    now = time.monotonic()
    with _lock:
        found = _checked.get(REPLICA)
    if found and not fresh and now - found[0] < float(settings.REPLICA_CHECK_SECONDS):
        return found[1], found[2]
    status, behind = _measure(REPLICA)
    with _lock:
        _checked[REPLICA] = (time.monotonic(), status, behind)
    return status, behind


# --- Deciding --------------------------------------------------------------------------------


def _request_wrote() -> bool:
    state = _request.get()
    return bool(state and state.wrote)


def read_alias() -> str:
    """Where a lag-tolerant read made now should go: `replica` when allowed (see the module's
    docstring), else `default`."""
    if not configured() or _primary_only.get() or _request_wrote():
        return DEFAULT_DB_ALIAS
    block = _block.get()
    if block is not None and block.wrote:
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA if replica_status()[0] == OK else DEFAULT_DB_ALIAS


def current_alias() -> str:
    """Where a read made now goes, as the router decides it (raw SQL inside a block:
    `connections[current_alias()].cursor()`); no health check of its own."""
    return ReplicaRouter().db_for_read(None) or DEFAULT_DB_ALIAS


@contextmanager
def replica_reads():
    """Every read inside goes to the replica when `read_alias()` allows it at the start."""
    token = _block.set(_Block(alias=read_alias() if configured() else DEFAULT_DB_ALIAS))
    try:
        yield
    finally:
        _block.reset(token)


@contextmanager
def primary_reads():
    """Every read inside goes to the primary, even within `replica_reads()` (permission
    checks, a row about to be changed)."""
    token = _primary_only.set(True)
    try:
        yield
    finally:
        _primary_only.reset(token)


def note_write(model=None) -> None:
    """A write happened: the rest of this request and of the current block read the primary."""
    if model is not None and model._meta.label_lower in BOOKKEEPING:
        return
    block = _block.get()
    if block is not None:
        block.wrote = True
    state = _request.get()
    if state is not None:
        state.wrote = True


class ReplicaRouter:
    """settings.DATABASE_ROUTERS when a replica is configured."""

    def db_for_read(self, model, **hints):
        block = _block.get()
        if block is None or block.alias != REPLICA:
            return None
        if _primary_only.get() or block.wrote or _request_wrote():
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        note_write(model)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None


class PrimaryAfterWriteMiddleware:
    """Marks the requests whose reads must stay on the primary: a POST (or another unsafe
    method) and, for REPLICA_MAX_LAG_SECONDS after it, the same browser's next requests
    (a cookie, so the page a form redirects to shows what was saved)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not configured():
            return self.get_response(request)
        unsafe = request.method not in SAFE_METHODS
        token = _request.set(_Request(wrote=unsafe or COOKIE in request.COOKIES))
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        if unsafe:
            response.set_cookie(
                COOKIE,
                "1",
                max_age=max(1, int(float(settings.REPLICA_MAX_LAG_SECONDS) + 1)),
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
