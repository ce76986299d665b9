"""The SOS Desk figures of the whole register, maintained rather than recomputed (issue #22):
figure "cases" of peksos/core/tallies.py.

Each school's contribution is `case_counts.grouped_counts` of its cases, grouped by the local
(WIB) day each case was received: the counts of any period are then the sum of its days'
rows, however many schools and cases the register holds. The same functions count one desk's
figures directly (sosdesk/figures.py), so the two cannot disagree.

The contribution depends on the cases, their timeline (stage times), their parties (counted
as people) and the school's level and kecamatan: `Case`, `CaseEvent` and `CaseParty` are
`TallyOnSave` in domain "cases", `School` in "schools" (and every other). A write that
bypasses `save` calls `tallies.changed("cases", ...)` itself (demo/year/cases.py). Kecamatan
are kept by id: a renamed kecamatan changes no tally, only the name read with it.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from django.db.models import F
from django.db.models.functions import TruncDate
from django.utils import timezone

from peksos.core import tallies

from . import case_counts, figures
from .models import Case

NAME = "cases"


def _columns(prefix: str) -> dict:
    """A case's school and the local day it was received (`in_period`'s days)."""
    return {
        "tally_school": F(f"{prefix}school_id"),
        "tally_day": TruncDate(f"{prefix}received_at", tzinfo=timezone.get_default_timezone()),
    }


# Keys of `grouped_counts` as the tallies' strings: "table:key"; the stage times
# "hours:stage:tenths"; kecamatan "kecamatan:id". Reversible: `key_of(key_text(k)) == k`.
INT_KEYS = frozenset({"kecamatan"})


def key_text(table: str, key) -> str:
    if table == "hours":
        stage, tenths = key
        return f"hours:{stage}:{int(tenths)}"
    return f"{table}:{key}"


def key_of(text: str) -> tuple:
    table, key = text.split(":", 1)
    if table == "hours":
        stage, tenths = key.rsplit(":", 1)
        return table, (stage, int(tenths))
    return table, int(key) if table in INT_KEYS else key


def count(school_ids: Sequence[int]) -> dict[int, Counter]:
    """Each school's contribution: (key text, day received) -> n. Twelve queries for a chunk
    of schools (one more per 2,000 of their cases), never one per school."""
    cases = Case.objects.filter(school_id__in=list(school_ids))
    contributions: dict[int, Counter] = defaultdict(Counter)
    for (school_id, day), counted in case_counts.grouped_counts(cases, _columns).items():
        for (table, key), n in counted.items():
            if n:
                contributions[school_id][key_text(table, key), day] += n
    return contributions


FIGURE = tallies.Figure(NAME, ("cases", "schools"), count)


def register_counts(start: date | None = None, end: date | None = None) -> Counter:
    """`all_counts` of all the register's cases received from `start` to `end`: one query
    over the tallies' rows, one more for the kecamatan's names."""
    summed = tallies.sums(NAME, since=start, until=end, undated=False)
    return case_counts.named(Counter({key_of(text): n for text, n in summed.items()}))


def register_summary(
    *,
    start: date | None = None,
    end: date | None = None,
    outside: bool = False,
    now: datetime | None = None,
) -> figures.Summary:
    """`figures.summary` of all the register's cases, its counts from the tallies; open and
    overdue cases counted live (they depend on the hour), from an index."""
    return figures.summary(
        Case.objects.all(),
        start=start,
        end=end,
        outside=outside,
        now=now,
        counted=register_counts(start, end),
    )
