"""Aggregate figures of SOS Desk cases, for the figures page, the dashboard and impact reports.

The counts are sosdesk/case_counts.py's (one query each, over cases the caller has scoped:
`permissions.cases_visible_to`, one school, the whole city); the whole register's are summed
from the tallies (sosdesk/figure_tallies.py). Nothing here returns a case's details: only
counts, shares and medians.

Counts leave the office only through `suppress` (docs/domain.md §5: counts under 5 are suppressed
in any report that leaves the office).
"""

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schools import region_tree
from schools.models import School

from . import party_figures
from .case_counts import TIMED_STAGES, Simfoni, all_counts, in_period, stage_hours
from .deadline_tallies import register_deadlines
from .models import Case, Modality, ViolenceForm

SUPPRESSION_THRESHOLD = 5


@dataclass(frozen=True)
class Overdue:
    open: int | str  # a string only once suppressed ("<5")
    overdue: int | str

    @property
    def share(self) -> float | None:
        """Percent of open cases past a deadline (None without open cases, or suppressed)."""
        if not isinstance(self.open, int) or not isinstance(self.overdue, int) or not self.open:
            return None
        return round(100 * self.overdue / self.open, 1)


def overdue_share(cases: QuerySet[Case], now: datetime | None = None) -> Overdue:
    """Open cases and those past a stage deadline or the police clock (`CaseQuerySet.overdue`),
    counted live: a desk's or a user's cases (the whole register's are maintained:
    sosdesk/deadline_tallies.py `register_deadlines`)."""
    now = now or timezone.now()
    late = Q(stage_due_at__lt=now) | Q(police_due_at__lt=now, police_clock_closed_at__isnull=True)
    row = (
        cases.open()
        .order_by()
        .aggregate(
            open=Count("id", distinct=True),
            overdue=Count("id", filter=late, distinct=True),
        )
    )
    return Overdue(open=row["open"], overdue=row["overdue"])


@dataclass(frozen=True)
class StageTime:
    stage: str
    cases: int | str  # how many cases reached the stage ("<5" once suppressed)
    median_hours: float | None

    @property
    def label(self) -> str:
        return Case.Status(self.stage).label


def _median(binned: dict[int, int]) -> float | None:
    """The median of values given as value -> how many (statistics.median's rule)."""
    n = sum(binned.values())
    if not n:
        return None
    wanted, found, seen = {(n - 1) // 2, n // 2}, [], 0
    for value in sorted(binned):
        count = binned[value]
        found += [value] * len([i for i in wanted if seen <= i < seen + count])
        seen += count
    return statistics.fmean(found)


def medians(hours: Counter) -> list[StageTime]:
    """StageTime per timed stage from `stage_hours` (or a sum of them)."""
    times = []
    for stage in TIMED_STAGES:
        binned = {tenths: n for (s, tenths), n in hours.items() if s == stage and n}
        median = _median(binned)
        times.append(
            StageTime(
                stage,
                sum(binned.values()),
                None if median is None else round(median / 10, 1),
            )
        )
    return times


def time_to_stages(cases: QuerySet[Case]) -> list[StageTime]:
    """Median hours from a report's receipt to its first entry into each stage (to a tenth
    of an hour; to the hour from 100 hours on)."""
    return medians(stage_hours(cases))


# --- Leaving the office ------------------------------------------------------------------


def suppress(counts: dict, threshold: int = SUPPRESSION_THRESHOLD) -> dict:
    """Counts from 1 to threshold-1 become "<threshold" (e.g. "<5"): for anything that leaves
    the office (docs/domain.md §5). Zero stays zero."""
    hidden = f"<{threshold}"
    return {
        key: hidden if isinstance(n, int) and 0 < n < threshold else n for key, n in counts.items()
    }


def suppress_count(n: int, threshold: int = SUPPRESSION_THRESHOLD) -> int | str:
    return suppress({"n": n}, threshold)["n"]


SECONDARY_MARK = "*"


def suppress_parts(counts: dict, threshold: int = SUPPRESSION_THRESHOLD) -> dict:
    """`suppress` for counts that add up to a published total (cases by status, children by
    sex): when exactly one part is hidden, the total minus the others gives it back, so the
    smallest other non-zero part is hidden too (secondary suppression), shown as "*"."""
    shown = suppress(counts, threshold)
    hidden = [key for key, n in shown.items() if isinstance(n, str)]
    if len(hidden) != 1:
        return shown
    others = [(n, key) for key, n in shown.items() if isinstance(n, int) and n > 0]
    if others:
        shown[min(others)[1]] = SECONDARY_MARK
    return shown


# --- Everything at once ------------------------------------------------------------------


@dataclass
class Table:
    """One table of counts: rows of (key, label, count), count possibly "<5"."""

    key: str
    title: str
    rows: list[tuple[str, str, int | str]] = field(default_factory=list)
    counts_people: bool = False  # parties (sosdesk/party_figures.py), not reports
    # The rows' keys are regions to go down to (`?wilayah=<key>`: schools/region_tree.py).
    drill: bool = False

    @property
    def by_region(self) -> bool:
        """The table of cases by kecamatan, or by region for the whole register."""
        return self.key == "kecamatan"


@dataclass(frozen=True)
class Regions:
    """The whole register's cases by region, one level under `parent` (its `level`, a
    schools.region_tree level): rows of (code to go down to, or "" for a kecamatan; label;
    count). Shown in place of the kecamatan table (sosdesk/figure_tallies.py)."""

    parent: str
    level: str
    rows: list[tuple[str, str, int]]


@dataclass
class Summary:
    total: int | str
    tables: list[Table]
    overdue: Overdue
    overdue_share: float | None
    stage_times: list[StageTime]
    suppressed: bool
    regions: "Regions | None" = None  # the whole register's: the region level shown


# Tables in which each case (or each person: sosdesk/party_figures.py) counts once, so that
# their rows add up to a total.
PARTITIONS = frozenset({"level", "kecamatan", "status", "channel", *party_figures.TABLES})


def _labelled(counts: dict, labels: dict) -> list[tuple[str, str, int | str]]:
    return [(key, str(labels.get(key, key)), n) for key, n in counts.items()]


def _table(counted: Counter, table: str) -> dict:
    found = {key: n for (name, key), n in counted.items() if name == table}
    if table == "level":  # the register's order, levels without cases left out
        return {key: found[key] for key in School.Level.values if found.get(key)}
    if table == "kecamatan":
        return dict(sorted((key, n) for key, n in found.items() if n))
    if table in party_figures.TABLES:
        return {key: found.get(key, 0) for key in party_figures.table_keys(table)}
    keys = {
        "forms": ViolenceForm.values,
        "simfoni": [key for key, _label in Simfoni.choices],
        party_figures.SIMFONI_TABLE: [key for key, _label in Simfoni.choices],
        "modality": Modality.values,
        "status": Case.Status.values,
        "channel": Case.Channel.values,
    }[table]
    return {key: found.get(key, 0) for key in keys}


def summary(
    cases: QuerySet[Case],
    *,
    start: date | None = None,
    end: date | None = None,
    outside: bool = False,
    now: datetime | None = None,
    counted: Counter | None = None,
    regions: Regions | None = None,
) -> Summary:
    """All the figures of these cases in the period. With `outside=True`, the version that may
    leave the office: small counts suppressed, and shares and medians resting on fewer than
    5 cases withheld (they would reveal the small count or one case's timeline).

    `counted`: the counts (`all_counts`) of these cases in the period when they are known
    already: all the register's cases, whose counts the tallies keep
    (sosdesk/figure_tallies.py `register_summary`), with `regions` in place of the kecamatan
    table. Open and overdue cases depend on the hour and are always counted live, then from
    the index alone (`case_open_deadlines`)."""
    whole_register = counted is not None
    cases = in_period(cases, start, end)
    if counted is None:
        counted = all_counts(cases)
    levels = dict(School.Level.choices)
    labels = {
        "forms": (_("Form of violence"), dict(ViolenceForm.choices)),
        "simfoni": (_("SIMFONI PPA category"), dict(Simfoni.choices)),
        "modality": (_("How it was done"), dict(Modality.choices)),
        "level": (_("Level (jenjang)"), levels),
        "kecamatan": (_("Kecamatan"), {}),
        "status": (_("Status"), dict(Case.Status.choices)),
        "channel": (_("Received"), dict(Case.Channel.choices)),
        **{
            table: (
                title,
                dict(Simfoni.choices)
                if table == party_figures.SIMFONI_TABLE
                else party_figures.table_labels(table),
            )
            for table, title in party_figures.TITLES.items()
        },
    }
    tables = [
        Table(
            key,
            title,
            _labelled(_table(counted, key), names),
            counts_people=key in party_figures.TITLES,
        )
        for key, (title, names) in labels.items()
    ]
    if regions is not None and regions.rows:  # none: the kecamatan table's "No reports."
        table = next(t for t in tables if t.key == "kecamatan")
        table.title = region_tree.LEVEL_TITLES[regions.level]
        table.rows = [(code or label, label, n) for code, label, n in regions.rows if n]
        table.drill = regions.level != region_tree.KECAMATAN
    count = counted["total", ""]
    if whole_register and start is None and end is None:
        # All of them: maintained by deadline day (sosdesk/deadline_tallies.py). A period's
        # open cases are counted live (those received in it).
        deadlines = register_deadlines(now)
        overdue = Overdue(open=deadlines["open"], overdue=deadlines["overdue"])
    else:
        overdue = overdue_share(cases, now)
    share = overdue.share
    hours = Counter({key: n for (name, key), n in counted.items() if name == "hours"})
    stage_times = medians(hours)
    if outside:
        for table in tables:
            counts = suppress_parts if table.key in PARTITIONS else suppress
            shown = counts({k: n for k, _label, n in table.rows})
            table.rows = [(k, label, shown[k]) for k, label, _n in table.rows]
        # The share times the open count would give back a small overdue count.
        if 0 < overdue.overdue < SUPPRESSION_THRESHOLD or overdue.open < SUPPRESSION_THRESHOLD:
            share = None
        stage_times = [
            t
            if t.cases >= SUPPRESSION_THRESHOLD
            else StageTime(t.stage, suppress_count(t.cases), None)
            for t in stage_times
        ]
        return Summary(
            suppress_count(count),
            tables,
            Overdue(suppress_count(overdue.open), suppress_count(overdue.overdue)),
            share,
            stage_times,
            True,
            regions,
        )
    return Summary(count, tables, overdue, share, stage_times, False, regions)
