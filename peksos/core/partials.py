"""Aggregates over the whole register that stay fast at national size.

A city-wide figure (schools by visits done, cases by form of violence) is a sum over schools.
Here it is computed per *partition* of the register — a range of `PARTITION_SIZE` school ids —
and each partition's part is cached under that partition's version (`PartitionVersion`). A
change to a school's data gives its partition a new version in the same transaction
(`changed`), so the next reader recomputes that one partition and takes every other part from
the cache. At 450,000 schools a page sums about 220 cached parts instead of scanning millions
of rows (docs/benchmarks.md); a city is one partition, computed as before.

Correct by construction as long as every write marks its schools changed: models do it in
`save`/`delete`; bulk writes (the planner's insert, the register import, the priority
recompute) call `changed` themselves.
Versions live in the database, so a cache that is not shared (locmem, one per process) is
only less useful, never wrong. A part is a `Counter` of integers, so parts add up.
"""

import hashlib
import logging
import secrets
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from celery import current_app
from django.core.cache import cache

from .models import PartitionVersion

PARTITION_SIZE = 2048
# Celery beat computes every part again nightly (`refreshing()`, reports/tasks.py),
# and parts expire after a day without it: a write that bypassed `changed`, or a database
# restored under a warm cache, is counted by the next morning at the latest.
CACHE_SECONDS = 24 * 3600
MISSING = "-"
# More parts missing than this (a national register after a restart: minutes of work) and
# `combined` does not compute them within the request: it raises NotReady, the page says
# the figures are being prepared, and `request_refresh` has a worker fill them.
COLD_LIMIT = 16
REFRESH_TASK = "home.tasks.refresh_register_aggregates"
log = logging.getLogger(__name__)


class NotReady(Exception):
    """Too many parts are missing to compute them within one request."""


def request_refresh(**params: int | str) -> None:
    """Ask a worker to compute the missing parts of the figures a page needs (by task name:
    the task lives on a higher floor; `params` say which: a school `year`, a period's `start`
    and `end` as ISO dates), at most once in five minutes for the same figures. Without a
    broker (the embedded default, where a register is one city and never this cold) nothing
    is sent; a broker that is down is logged and left to Celery beat's next run."""
    figures = hashlib.sha256(repr(sorted(params.items())).encode()).hexdigest()[:16]
    asked = f"partials:refresh-asked:{figures}"
    if current_app.conf.task_always_eager or not cache.add(asked, 1, 300):
        return
    try:
        current_app.send_task(REFRESH_TASK, kwargs=params)
    except Exception:  # the page must render; beat refreshes within 30 min
        log.warning("could not ask for a refresh of the register-wide figures", exc_info=True)


def partition_of(school_id: int) -> int:
    return school_id // PARTITION_SIZE


def bounds(partition: int) -> tuple[int, int]:
    """The school ids of a partition: lo <= id < hi."""
    return partition * PARTITION_SIZE, (partition + 1) * PARTITION_SIZE


_refreshing: ContextVar[bool] = ContextVar("partials_refreshing", default=False)
_uncapped: ContextVar[bool] = ContextVar("partials_uncapped", default=False)


@contextmanager
def uncapped():
    """Within it, `combined` computes however many parts are missing (a worker's refresh)."""
    token = _uncapped.set(True)
    try:
        yield
    finally:
        _uncapped.reset(token)


@contextmanager
def refreshing():
    """Within it, `combined` computes and caches every part again instead of reading them
    (the scheduled refresh: nobody waits for a cold part after midnight or a restart)."""
    token, uncapped_token = _refreshing.set(True), _uncapped.set(True)
    try:
        yield
    finally:
        _refreshing.reset(token)
        _uncapped.reset(uncapped_token)


def changed(domains: str | tuple[str, ...], school_ids: Iterable[int | None]) -> None:
    """Give the partitions of these schools a new version of `domains` (one or several);
    call it inside the transaction that writes. The version rows stay locked until that
    transaction ends, so writers to one partition take turns. One UPDATE, and an INSERT for
    the rows that do not exist yet."""
    domains = (domains,) if isinstance(domains, str) else domains
    partitions = sorted({partition_of(pk) for pk in school_ids if pk is not None})
    if not partitions or not domains:
        return
    token = secrets.token_hex(8)
    rows = PartitionVersion.objects.filter(domain__in=domains, partition__in=partitions)
    if rows.update(token=token) < len(partitions) * len(domains):
        PartitionVersion.objects.bulk_create(
            [
                PartitionVersion(domain=domain, partition=p, token=token)
                for domain in sorted(domains)
                for p in partitions
            ],
            ignore_conflicts=True,
        )
        rows.update(token=token)  # rows another writer created meanwhile


def versions(domains: tuple[str, ...]) -> dict[int, str]:
    """Each partition's combined version of these domains (one query)."""
    found: dict[int, list[str]] = {}
    for domain, partition, token in PartitionVersion.objects.filter(domain__in=domains).values_list(
        "domain", "partition", "token"
    ):
        found.setdefault(partition, []).append(f"{domain}={token}")
    return {p: ",".join(sorted(tokens)) for p, tokens in found.items()}


def combined(
    name: str,
    domains: tuple[str, ...],
    last_school_id: int | None,
    compute: Callable[[int, int], Counter],
    params: tuple = (),
) -> Counter:
    """The sum of `compute(lo, hi)` over every partition up to `last_school_id`. `params` are
    whatever else the parts depend on (a year, today's date). The sum itself is cached too,
    under every part's version: while nothing changes, a reader makes one cache lookup.
    Inside `refreshing()` every part is computed again."""
    if last_school_id is None:
        return Counter()
    current = versions(domains)
    tag = hashlib.sha256(repr((name, domains, params)).encode()).hexdigest()[:16]
    keys = {
        p: f"partials:{tag}:{p}:{current.get(p, MISSING)}"
        for p in range(partition_of(last_school_id) + 1)
    }
    refresh = _refreshing.get()
    whole_key = "partials-sum:" + hashlib.sha256("|".join(keys.values()).encode()).hexdigest()
    total = None if refresh else cache.get(whole_key)
    if total is not None:
        return total
    cached = {} if refresh else cache.get_many(keys.values())
    if not _uncapped.get() and len(keys) - len(cached) > COLD_LIMIT:
        raise NotReady(f"{len(keys) - len(cached)} of {len(keys)} parts of {name} missing")
    fresh = {}
    total = Counter()
    for partition, key in keys.items():
        part = cached.get(key)
        if part is None:
            part = fresh[key] = compute(*bounds(partition))
        total.update(part)
    fresh[whole_key] = total
    cache.set_many(fresh, CACHE_SECONDS)
    return total


class MarksPartitions:
    """For a model whose rows count in partitioned aggregates: `save` and `delete` mark the
    row's school (before and after a move to another school) changed in `partition_domains`.
    Writes that bypass them (`QuerySet.update`, `bulk_create`, COPY) call `changed` themselves."""

    partition_domains: tuple[str, ...] = ()

    def partition_school_ids(self) -> set[int]:
        return {self.school_id}

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        if "school_id" in instance.__dict__:
            instance._partition_before = {instance.school_id}
        return instance

    def _mark(self, school_ids: set[int]) -> None:
        changed(self.partition_domains, school_ids)

    def save(self, *args, **kwargs):
        before = getattr(self, "_partition_before", set())
        super().save(*args, **kwargs)
        now = self.partition_school_ids()
        self._mark(now | before)
        self._partition_before = now

    def delete(self, *args, **kwargs):
        school_ids = self.partition_school_ids()
        result = super().delete(*args, **kwargs)
        self._mark(school_ids)
        return result
