"""Folding the delta rows of the register-wide figures (peksos/core/tallies.py): Celery beat
runs `compact` every minute (`compact_tallies`), so that a read sums a few rows per key."""

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date

from django.db import router, transaction
from django.db.models import Count, Q, Sum

from .models import Tally
from .tallies import _append_rows, group_of


def compact(name: str | None = None) -> int:
    """Fold the (key, day, span) of each figure that have several delta rows, or sum to zero,
    into one row (none for a zero); returns the rows removed. Rows already alone are neither
    read nor rewritten: at national size a figure has hundreds of thousands of them, and a
    minute's writes add deltas to a few hundred keys. One transaction per figure: a reader sees
    the rows before or after, with the same sums. Only the rows read (and locked) are deleted,
    by pk: a writer appending meanwhile loses nothing (its rows wait for the next pass)."""
    removed = 0
    db = router.db_for_write(Tally)
    for figure_name in [name] if name else _stored_names(db):
        groups = _to_fold(figure_name, db)
        if len(groups) > FOLD_ALL:
            removed += _fold_all(figure_name, db)
        elif groups:
            removed += _fold(figure_name, groups, db)
    return removed


FOLD_CHUNK = 200  # (key, day, span) per locking query: each an exact lookup of the index
# More keys to fold than this (after a first count or a rebuild, not a minute's writes): the
# figure's rows are read and rewritten in one go, cheaper than thousands of lookups.
FOLD_ALL = 20_000


def _fold_all(name: str, db: str) -> int:
    with transaction.atomic(using=db):
        sums: Counter = Counter()
        ids = []
        for pk, key, day, span, n in (
            Tally.objects.using(db)
            .select_for_update()
            .filter(figure=name)
            .values_list("pk", "key", "day", "span", "n")
            .iterator(chunk_size=20_000)
        ):
            sums[key, day, span] += n
            ids.append(pk)
        for start in range(0, len(ids), 5000):
            Tally.objects.using(db).filter(pk__in=ids[start : start + 5000]).delete()
        _append_rows(name, sums, db)
    return len(ids) - sum(1 for n in sums.values() if n)


def _to_fold(name: str, db: str) -> list[tuple[str, date, str]]:
    """The figure's (key, day, span) with more than one row, or summing to zero: one query."""
    return sorted(
        Tally.objects.using(db)
        .filter(figure=name)
        .order_by()
        .values_list("key", "day", "span")
        .annotate(rows=Count("pk"), total=Sum("n"))
        .filter(Q(rows__gt=1) | Q(total=0))
        .values_list("key", "day", "span")
    )


def _fold(name: str, groups: Sequence[tuple[str, date, str]], db: str) -> int:
    with transaction.atomic(using=db):
        rows: dict[tuple[str, date, str], list[tuple[int, int]]] = defaultdict(list)
        for start in range(0, len(groups), FOLD_CHUNK):
            chosen = Q(pk__in=[])
            for key, day, span in groups[start : start + FOLD_CHUNK]:
                chosen |= Q(group=group_of(key), span=span, day=day, key=key)
            # Another pass folding the same figure holds its rows: skipped, not waited for
            # (whichever pass locked a row deletes it, and writes its sum once).
            for pk, key, day, span, n in (
                Tally.objects.using(db)
                .select_for_update(skip_locked=True)
                .filter(chosen, figure=name)
                .order_by("pk")
                .values_list("pk", "key", "day", "span", "n")
            ):
                rows[key, day, span].append((pk, n))
        sums: Counter = Counter()
        ids = []
        for group, found in rows.items():
            total = sum(n for _pk, n in found)
            if len(found) == 1 and total:
                continue  # folded by another pass since `_to_fold`: left as it is
            ids += [pk for pk, _n in found]
            sums[group] = total
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            deleted, _by_model = Tally.objects.using(db).filter(pk__in=chunk).delete()
            if deleted != len(chunk):  # cannot happen with the rows locked; never count twice
                raise RuntimeError(f"tallies: {name}: {deleted} of {len(chunk)} rows deleted")
        _append_rows(name, sums, db)
    return len(ids) - sum(1 for n in sums.values() if n)


def _stored_names(db: str) -> list[str]:
    return sorted(set(Tally.objects.using(db).values_list("figure", flat=True).distinct()))
