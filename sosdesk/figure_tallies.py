"""The SOS Desk figures of the whole register, maintained rather than recomputed (issue #22):
figure "cases" of peksos/core/tallies.py.

Each school's contribution is `case_counts.grouped_counts` of its cases, grouped by the local
(WIB) day each case was received: the counts of any period are then the sum of its days'
rows, however many schools and cases the register holds. The same functions count one desk's
figures directly (sosdesk/figures.py), so the two cannot disagree.

The contribution depends on the cases, their timeline (stage times), their parties (counted
as people) and the school's level and kecamatan: `Case`, `CaseEvent` and `CaseParty` are
`TallyOnSave` in domain "cases", `School` in "schools" (and every other). A write that
bypasses `save` calls `tallies.changed("cases", ...)` itself (demo/year/cases.py).

The cases by region are kept at each level (schools/region_tree.py), each level under one
parent in a group of its own: "prov|18", "kab:18|18.72", "kec:18.72|<kecamatan id>" (by id:
a renamed kecamatan changes no tally, only the name read with it). The figures page shows
one level at a time (38 provinces, a province's kabupaten/kota, a kabupaten's kecamatan),
so it reads one group of a few dozen keys, not the thousands of a country's kecamatan.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from django.db.models import F
from django.db.models.functions import TruncDate
from django.utils import timezone

from peksos.core import tallies
from schools import region_tree
from schools.models import Kecamatan

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
# "hours:stage:tenths". Reversible: `key_of(key_text(k)) == k`. The kecamatan table is kept
# by region instead (`_regions`).


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
    return table, key


def _regions(kecamatan_ids) -> dict[int, tuple[str, ...]]:
    """Kecamatan id -> its region keys at each level ("prov|18", "kab:18|18.72", ...)."""
    codes = Kecamatan.objects.filter(pk__in=set(kecamatan_ids)).values_list("pk", "code")
    return {
        pk: tuple(f"{group}|{row}" for group, row in region_tree.groups_of(code, pk))
        for pk, code in codes
    }


def count(school_ids: Sequence[int]) -> dict[int, Counter]:
    """Each school's contribution: (key text, day received) -> n. Thirteen queries for a
    chunk of schools (one more per 2,000 of their cases), never one per school."""
    cases = Case.objects.filter(school_id__in=list(school_ids))
    counted = case_counts.grouped_counts(cases, _columns)
    regions = _regions(
        key for by_day in counted.values() for (table, key) in by_day if table == "kecamatan"
    )
    contributions: dict[int, Counter] = defaultdict(Counter)
    for (school_id, day), by_key in counted.items():
        for (table, key), n in by_key.items():
            if not n:
                continue
            if table == "kecamatan":
                for region_key in regions.get(key, ()):
                    contributions[school_id][region_key, day] += n
            else:
                contributions[school_id][key_text(table, key), day] += n
    return contributions


FIGURE = tallies.Figure(NAME, ("cases", "schools"), count)


def _region_sums(parent: str, start: date | None, end: date | None) -> Counter:
    group = region_tree.group_name(parent)
    summed = tallies.sums(NAME, group=group, since=start, until=end, undated=False)
    return Counter({key.split("|", 1)[1]: n for key, n in summed.items()})


def register_regions(
    parent: str = "", start: date | None = None, end: date | None = None
) -> figures.Regions:
    """The register's cases received from `start` to `end` by region one level under
    `parent`, going down while a level has a single region (Kota Metro: its kecamatan; the
    country: its provinces). One query per level read, one for the names."""
    counts = _region_sums(parent, start, end)
    while len(counts) == 1 and region_tree.level_below(parent) != region_tree.KECAMATAN:
        parent = next(iter(counts))
        counts = _region_sums(parent, start, end)
    level = region_tree.level_below(parent)
    if level != region_tree.KECAMATAN:
        named = region_tree.names(counts)
        rows = [(code, named[code], counts[code]) for code in sorted(counts)]
    else:
        kecamatan = Kecamatan.objects.filter(pk__in=[int(pk) for pk in counts]).values_list(
            "pk", "code", "name"
        )
        # By name, as a desk's own kecamatan table (sosdesk/figures.py).
        rows = sorted(("", name, counts[str(pk)]) for pk, _code, name in kecamatan)
    return figures.Regions(parent, level, rows)


def register_counts(start: date | None = None, end: date | None = None) -> Counter:
    """`all_counts` of all the register's cases received from `start` to `end`, without the
    kecamatan table (`register_regions`): one query over the tallies' rows."""
    summed = tallies.sums(NAME, group="", since=start, until=end, undated=False)
    return Counter({key_of(text): n for text, n in summed.items()})


def register_summary(
    *,
    start: date | None = None,
    end: date | None = None,
    outside: bool = False,
    now: datetime | None = None,
    parent: str = "",
) -> figures.Summary:
    """`figures.summary` of all the register's cases, its counts from the tallies, by region
    under `parent` (`register_regions`); open and overdue cases counted live (they depend on
    the hour), from an index."""
    return figures.summary(
        Case.objects.all(),
        start=start,
        end=end,
        outside=outside,
        now=now,
        counted=register_counts(start, end),
        regions=register_regions(parent, start, end),
    )
