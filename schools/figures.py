"""The register's school figures, maintained (peksos/core/tallies.py): active schools, per
priority band, and not visited this school year, for the Koordinator's home page.

Each active school contributes 1 to `n`, 1 to `band|<band>`, and 1 to `visited` on the first
of the month of its last visit. A school year starts on the 1st of a month
(peksos/core/school_year.py), so "not visited this school year" is `n` minus the `visited`
months from the year's start: a range sum, right on any day and for any start month (an office
setting), without counting again.
"""

from collections import Counter
from collections.abc import Sequence
from datetime import date

from peksos.core import school_year, tallies

from .models import PriorityBand, School

NAME = "schools"


def count(school_ids: Sequence[int]) -> dict[int, Counter]:
    rows = School.objects.filter(pk__in=school_ids, is_active=True).values_list(
        "pk", "priority_band", "last_visit_on"
    )
    counts: dict[int, Counter] = {}
    for pk, band, last_visit in rows.order_by():
        mine = Counter({("n", tallies.UNDATED): 1, (f"band|{band}", tallies.UNDATED): 1})
        if last_visit is not None:
            mine["visited", last_visit.replace(day=1)] += 1
        counts[pk] = mine
    return counts


FIGURE = tallies.Figure(NAME, ("schools",), count)


def register_figures(today: date) -> dict:
    """{total, band_<band>..., not_visited} of the whole register today: one query."""
    sums = tallies.sums(NAME, since=school_year.start_of(today))
    figures = {f"band_{band}": sums[f"band|{band}"] for band in PriorityBand.values}
    figures["total"] = sums["n"]
    figures["not_visited"] = sums["n"] - sums["visited"]
    return figures
