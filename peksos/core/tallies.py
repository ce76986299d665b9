"""Register-wide figures kept current by deltas: a figure is a sum over a few small rows.

A *figure* (the Koordinator's school panel, visit compliance, the SOS Desk figures...) is a
sum over schools. Each school's part of it — its *contribution*, a `Counter` of (key, day)
-> n — is computed by the app that owns the figure (`Figure.count`) and stored
(`SchoolTally`). Whenever a write touches a school's data, the writer calls `changed` in the
same transaction: the school's contribution is computed again (after locking its stored
row, so two writers of one school take turns), and the difference to the stored one is
appended to `Tally` as delta rows. Appending never waits for another writer, so writers of
different schools never take turns and never deadlock on a hot total. A figure is then the
sum of its `Tally` rows (`read`); `compact` (Celery beat, every minute) folds the deltas
into one row per key, so that a read sums a few hundred rows at most, at any register size.

Dated keys (`day`) let a time-dependent count be a range sum: "visits planned from today
on" is the sum over days >= today; a period's cases the sum over its days. Undated keys
have `day = UNDATED`. Every dated delta is written three times, for its day, its month and
its year (`span`), and a read covers its range with whole years, then whole months, then
days (`cover`): "all time" or "this school year" sums a few rows per key, not one per day.

Correct by construction as long as every write calls `changed` for its schools: models do
it in `save`/`delete` (`TallyOnSave`); bulk writes (the planner's insert, the register
import, the priority recompute) call it themselves. `rebuild` (nightly, `check_tallies`)
derives every contribution again from the source rows, repairs what differs and reports
it: a write that bypassed `changed` (a hand-edit in psql) is counted by the next morning.

Apps register their figures in `AppConfig.ready` (`register`), with the *domains* of data
they depend on ("schools", "visits", "activities", "cases"): the lower floors only name a
domain when they write, and never import the apps that count it.
"""

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connections, router, transaction
from django.db.models import Q, Sum

from .models import SchoolTally, Tally

UNDATED = date(1, 1, 1)
FIRST_DAY, LAST_DAY = date(2, 1, 1), date(9999, 12, 31)  # the dated keys' range
DAY, MONTH, YEAR = "d", "m", "y"  # Tally.span: a row for a day, a month or a year
CHUNK = 2048  # schools whose contributions are computed and stored together
# The pseudo school of the rows that have none (a forum question asked by staff, or by someone
# in no school): stored and counted like a school, under an id no school has (pks start at 1).
NO_SCHOOL = 0
log = logging.getLogger(__name__)

Key = tuple[str, date]


@dataclass(frozen=True)
class Figure:
    """One register-wide figure: `name` (stored with its rows), the `domains` of data that
    change it, and `count(school_ids) -> {school_id: Counter[(key, day)]}`, each school's
    contribution computed from the source rows (a school with none may be left out). `count`
    must read the database it is given through the router's default, inside the caller's
    transaction: it sees the write being made.

    `without_school`: the figure also counts rows without a school, as the contribution of
    `NO_SCHOOL` (`count` is then given 0 and must read it as "school IS NULL"). No register
    lists that id: `rebuild` counts it always, stored or not."""

    name: str
    domains: tuple[str, ...]
    count: object  # Callable[[Sequence[int]], dict[int, Counter]]
    without_school: bool = False


_figures: dict[str, Figure] = {}


def register(figure: Figure) -> Figure:
    _figures[figure.name] = figure
    return figure


def figures(domains: Iterable[str] | None = None) -> list[Figure]:
    """The registered figures (those depending on any of `domains`), by name."""
    wanted = None if domains is None else set(domains)
    return [f for _name, f in sorted(_figures.items()) if wanted is None or wanted & set(f.domains)]


# --- Writing ---------------------------------------------------------------------------------

_deferred: ContextVar[dict | None] = ContextVar("tallies_deferred", default=None)


@contextmanager
def deferred():
    """Within it, `changed` only notes its schools; they are counted once when the block
    ends (for loops that save many rows one by one: the demo, an import). Use it inside the
    transaction that writes, so that the counting is part of it."""
    if _deferred.get() is not None:  # nested: the outer block counts
        yield
        return
    pending: dict[str, set[int]] = defaultdict(set)
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    for name in sorted(pending):  # not reached when the block raised: its writes roll back
        refresh(_figures[name], sorted(pending[name]))


def changed(domains: str | Iterable[str], school_ids: Iterable[int | None]) -> None:
    """These schools' data of `domains` changed: bring every figure that depends on it up to
    date, in the caller's transaction (call it inside the transaction that writes)."""
    domains = (domains,) if isinstance(domains, str) else tuple(domains)
    ids = sorted({int(pk) for pk in school_ids if pk is not None})
    if not ids or not domains:
        return
    pending = _deferred.get()
    for figure in figures(domains):
        if pending is not None:
            pending[figure.name].update(ids)
        else:
            refresh(figure, ids)


def refresh(figure: Figure, school_ids: Sequence[int]) -> Counter:
    """Count these schools' contributions to `figure` again and append the differences to
    the stored ones as delta rows. Returns the delta."""
    total = Counter()
    for start in range(0, len(school_ids), CHUNK):
        total.update(_refresh_chunk(figure, school_ids[start : start + CHUNK])[0])
    return Counter({key: n for key, n in total.items() if n})


def _refresh_chunk(figure: Figure, ids: Sequence[int]) -> tuple[Counter, int]:
    """The delta appended, and how many schools' stored contributions it changed."""
    db = router.db_for_write(SchoolTally)
    with transaction.atomic(using=db):
        # Every school gets a row first, so that the lock below covers a school counted for
        # the first time too (a second writer waits on the unique index, then on the lock).
        SchoolTally.objects.using(db).bulk_create(
            [SchoolTally(figure=figure.name, school_id=pk, counts=[]) for pk in ids],
            ignore_conflicts=True,
        )
        stored = {
            row.school_id: row
            for row in SchoolTally.objects.using(db)
            .select_for_update()
            .filter(figure=figure.name, school_id__in=ids)
            .order_by("school_id")
        }
        fresh = figure.count(ids)  # after the lock: sees what an earlier writer committed
        delta: Counter = Counter()
        changed_rows = []
        for pk in ids:
            row = stored[pk]
            now = Counter({k: n for k, n in (fresh.get(pk) or {}).items() if n})
            before = decode(row.counts)
            if now == before:
                continue
            delta.update(now)
            delta.subtract(before)
            row.counts = encode(now)
            changed_rows.append(row)
        if changed_rows:
            SchoolTally.objects.using(db).bulk_update(changed_rows, ["counts"], batch_size=500)
        append(figure.name, delta, db)
    return delta, len(changed_rows)


def append(name: str, delta: Counter, db: str | None = None) -> None:
    """Delta rows for figure `name`, (key, day) -> n: a dated one for its day, its month and
    its year (never an update of an existing row: no writer waits)."""
    _append_rows(name, rolled_up(delta), db)


def rolled_up(delta: Counter) -> Counter:
    """(key, day) -> n as the rows that hold it: (key, day, span) -> n."""
    rows: Counter = Counter()
    for (key, day), n in delta.items():
        if not n:
            continue
        rows[key, day, DAY] += n
        if day != UNDATED:
            rows[key, day.replace(day=1), MONTH] += n
            rows[key, date(day.year, 1, 1), YEAR] += n
    return rows


def _append_rows(name: str, rows: Counter, db: str | None = None) -> None:
    Tally.objects.using(db or router.db_for_write(Tally)).bulk_create(
        [
            Tally(figure=name, group=group_of(key), key=key, day=day, span=span, n=n)
            for (key, day, span), n in sorted(rows.items())
            if n
        ],
        batch_size=1000,
    )


def group_of(key: str) -> str:
    """A key's group: what comes before its first "|" ("kec|12|d1" is in group "kec"), or ""
    for a key without one. A read of one group (`prefix="kec|"`) reads only its rows."""
    return key.split("|", 1)[0] if "|" in key else ""


def encode(counts: Counter) -> list:
    return sorted([key, day.isoformat(), n] for (key, day), n in counts.items() if n)


def decode(stored: list) -> Counter:
    return Counter({(key, date.fromisoformat(day)): n for key, day, n in stored})


# --- Reading ---------------------------------------------------------------------------------


def read(
    name: str,
    *,
    prefix: str = "",
    since: date | None = None,
    until: date | None = None,
    undated: bool = True,
    group: str | None = None,
) -> Counter:
    """The figure's current sums, (key, day) -> n: the keys starting with `prefix`, dated
    keys from `since` to `until` inclusive, undated ones too unless `undated=False`. One
    query over its rows (grouped: deltas not yet compacted add up). Reads the database the
    router gives (the read replica inside `replica_reads()`)."""
    rows = _rows(name, prefix, since, until, undated, group)
    summed = rows.order_by().values_list("key", "day").annotate(total=Sum("n"))
    return Counter({(key, day): n for key, day, n in summed if n})


def sums(
    name: str,
    *,
    prefix: str = "",
    since: date | None = None,
    until: date | None = None,
    undated: bool = True,
    group: str | None = None,
) -> Counter:
    """`by_key(read(...))` summed by the database: key -> n, one row per key however many
    days a dated key has in the range (a range sum over a school year is a few hundred rows
    per key that need not travel). `group`: only the keys of that group ("" for the keys
    without one)."""
    rows = _rows(name, prefix, since, until, undated, group)
    summed = rows.order_by().values_list("key").annotate(total=Sum("n"))
    return Counter({key: n for key, n in summed if n})


def _rows(
    name: str,
    prefix: str,
    since: date | None,
    until: date | None,
    undated: bool,
    group: str | None = None,
):
    rows = Tally.objects.filter(figure=name)
    if "|" in prefix:  # the index's own column: only the group's rows are read
        group = group_of(prefix)
    if group is not None:
        rows = rows.filter(group=group)
    if prefix and not (prefix.endswith("|") and prefix.count("|") == 1):
        rows = rows.filter(key__startswith=prefix)
    dated = Q(pk__in=[])
    for span, first, last in cover(since, until):
        dated |= Q(span=span, day__gte=first, day__lte=last)
    return rows.filter(dated | Q(day=UNDATED) if undated else dated)


def _month_end(day: date) -> date:
    if day.month == 12:
        return date(day.year, 12, 31)
    return day.replace(month=day.month + 1, day=1) - timedelta(days=1)


def cover(since: date | None, until: date | None) -> list[tuple[str, date, date]]:
    """The days from `since` to `until` (open ends: all) as few rows as possible: (span,
    first, last) ranges of the rows' `day`: whole years, whole months, single days."""
    first, last = max(since or FIRST_DAY, FIRST_DAY), min(until or LAST_DAY, LAST_DAY)
    ranges = []
    while first <= last:
        if first.month == 1 and first.day == 1 and date(first.year, 12, 31) <= last:
            year = last.year if last == date(last.year, 12, 31) else last.year - 1
            ranges.append((YEAR, first, date(year, 1, 1)))
            end = date(year, 12, 31)
        elif first.day == 1 and _month_end(first) <= last:
            final = (
                last.replace(day=1)
                if _month_end(last) == last
                else (last.replace(day=1) - timedelta(days=1)).replace(day=1)
            )
            final = min(final, date(first.year, 12, 1))
            ranges.append((MONTH, first, final))
            end = _month_end(final)
        else:
            end = min(_month_end(first), last)
            ranges.append((DAY, first, end))
        if end >= LAST_DAY:
            break
        first = end + timedelta(days=1)
    return ranges


def by_key(counts: Counter) -> Counter:
    """Sums over the days: key -> n."""
    total = Counter()
    for (key, _day), n in counts.items():
        total[key] += n
    return total


# --- Keeping the rows right (their folding: peksos/core/tally_compaction.py) ----------------


@dataclass
class Drift:
    """What `rebuild` found wrong and repaired, per figure: schools whose stored contribution
    differed from their data, and the keys whose total differed from the schools' sum."""

    schools: dict[str, int] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return any(self.schools.values()) or any(self.keys.values())

    def lines(self) -> list[str]:
        return [
            f"{name}: {self.schools.get(name, 0)} schools, {self.keys.get(name, 0)} totals"
            for name in sorted(set(self.schools) | set(self.keys))
            if self.schools.get(name) or self.keys.get(name)
        ]


def rebuild(
    school_ids: Sequence[int], names: Iterable[str] | None = None, *, first_count: bool = False
) -> Drift:
    """Derive every contribution of these schools (normally the whole register, in order)
    again from the source rows, and every total from the stored contributions; repair what
    differs, log it and return it. Stored contributions of schools not in `school_ids` are
    checked against nothing (a deleted school's rows are counted down to nothing), except
    `NO_SCHOOL`'s of a figure `without_school`: counted again, stored before or not."""
    drift = Drift()
    chosen = [f for f in figures() if names is None or f.name in set(names)]
    db = router.db_for_write(Tally)
    for figure in chosen:
        stale = (
            set(
                SchoolTally.objects.using(db)
                .filter(figure=figure.name)
                .exclude(school_id__in=school_ids)
                .values_list("school_id", flat=True)
            )
            if len(school_ids) < 50_000
            else _gone(figure.name, school_ids, db)
        )
        ids = sorted(set(school_ids) | stale | ({NO_SCHOOL} if figure.without_school else set()))
        repaired = 0
        for start in range(0, len(ids), CHUNK):
            # The same locked count as a write's: a school whose stored contribution differs
            # from its data is one that drifted (its difference is appended).
            repaired += _refresh_chunk(figure, ids[start : start + CHUNK])[1]
        drift.schools[figure.name] = repaired
        drift.keys[figure.name] = _repair_totals(figure.name, db)
    for line in drift.lines():
        if first_count:  # nothing was counted before: not drift
            log.info("register-wide figures counted for the first time: %s", line)
        else:
            log.warning("register-wide figures had drifted and were repaired: %s", line)
    return drift


def _gone(name: str, school_ids: Sequence[int], db: str) -> set[int]:
    known = set(school_ids)
    return {
        pk
        for pk in SchoolTally.objects.using(db)
        .filter(figure=name)
        .values_list("school_id", flat=True)
        if pk not in known
    }


def _repair_totals(name: str, db: str) -> int:
    """Make the figure's totals equal the sum of its stored contributions; returns the
    number of (key, day) totals that differed."""
    with transaction.atomic(using=db):
        if connections[db].vendor == "postgresql":
            # Writers change a contribution before they append its delta, in one transaction:
            # with the contributions locked against writes, every delta of the stored
            # contributions is committed, and no other comes until the repair ends (seconds,
            # at night). SQLite has one writer at a time anyway.
            with connections[db].cursor() as cursor:
                table = connections[db].ops.quote_name(SchoolTally._meta.db_table)
                cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
        expected: Counter = Counter()
        for counts in (
            SchoolTally.objects.using(db)
            .filter(figure=name)
            .values_list("counts", flat=True)
            .iterator(chunk_size=5000)
        ):
            expected.update(decode(counts))
        difference = rolled_up(expected)
        difference.subtract(_sums(name, db))
        difference = Counter({k: n for k, n in difference.items() if n})
        if difference:
            _append_rows(name, difference, db)
    return len({(key, day) for key, day, span in difference if span == DAY})


def _sums(name: str, db: str) -> Counter:
    """Every row of the figure summed: (key, day, span) -> n."""
    summed = (
        Tally.objects.using(db)
        .filter(figure=name)
        .order_by()
        .values_list("key", "day", "span")
        .annotate(total=Sum("n"))
    )
    return Counter({(key, day, span): n for key, day, span, n in summed if n})


class TallyOnSave:
    """For a model whose rows count in register-wide figures: `save` and `delete` call
    `changed` for the row's school (before and after a move to another school) in
    `tally_domains`. Writes that bypass them (`QuerySet.update`, `bulk_create`, COPY) call
    `changed` themselves.

    `tally_fields`: the fields any figure of `tally_domains` reads from this model (by name;
    None: all of them). A `save(update_fields=...)` writing none of them cannot change a
    figure and counts nothing again (a visit locked, a case restricted). A save without
    `update_fields` always counts: it may write anything. A figure that comes to read another
    field must add it here, or its writes are only counted by the nightly check.

    `tally_without_school`: a row without a school counts for `NO_SCHOOL` (its figures are
    `Figure(without_school=True)`); otherwise it counts for no school (and no figure)."""

    tally_domains: tuple[str, ...] = ()
    tally_fields: frozenset[str] | None = None
    tally_without_school: bool = False

    def tally_school_ids(self) -> set[int]:
        return {self._tally_school(self.school_id)}

    def _tally_school(self, school_id: int | None) -> int | None:
        if school_id is None and self.tally_without_school:
            return NO_SCHOOL
        return school_id

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        if "school_id" in instance.__dict__:
            instance._tally_before = {instance._tally_school(instance.school_id)}
        return instance

    def save(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using") or router.db_for_write(type(self))):
            super().save(*args, **kwargs)
            if not self._tally_counts(kwargs.get("update_fields")):
                return
            before = getattr(self, "_tally_before", set())
            now = self.tally_school_ids()
            changed(self.tally_domains, now | before)
        self._tally_before = now

    def _tally_counts(self, update_fields) -> bool:
        """Whether a save writing `update_fields` (None: every field) may change a figure.
        Called after the save, which has refused a name that is not a field."""
        if update_fields is None or self.tally_fields is None:
            return True
        written = {self._meta.get_field(name).name for name in update_fields}  # "school_id" too
        return bool(written & self.tally_fields)

    def delete(self, *args, **kwargs):
        school_ids = self.tally_school_ids()
        with transaction.atomic(using=kwargs.get("using") or router.db_for_write(type(self))):
            result = super().delete(*args, **kwargs)
            changed(self.tally_domains, school_ids)
        return result
