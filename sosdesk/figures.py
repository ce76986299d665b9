"""Aggregate figures of SOS Desk cases, for the figures page, the dashboard and impact reports.

Every function takes a Case queryset that is already scoped (the caller decides whose cases:
`permissions.cases_visible_to`, one school, the whole city) and runs one query. Nothing here
returns a case's details: only counts, shares and medians.

Counts leave the office only through `suppress` (docs/domain.md §5: counts under 5 are suppressed
in any report that leaves the office), and SIMFONI PPA categories come from the crosswalk below
(docs/domain.md §3).
"""

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connections
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schools.models import School

from . import party_figures
from .models import Case, CaseEvent, Modality, ViolenceForm

SUPPRESSION_THRESHOLD = 5
CHUNK = 2000

# The stages whose first entry we time, counted from the report's receipt.
TIMED_STAGES = [
    Case.Status.VERIFYING,
    Case.Status.HANDLING,
    Case.Status.REFERRED,
    Case.Status.CLOSED,
]


class Simfoni:
    """Jenis kekerasan in SIMFONI PPA (KemenPPPA's national recording system)."""

    FISIK = "fisik"
    PSIKIS = "psikis"
    SEKSUAL = "seksual"
    EKSPLOITASI = "eksploitasi"
    TRAFFICKING = "trafficking"
    PENELANTARAN = "penelantaran"
    LAINNYA = "lainnya"

    choices = [
        (FISIK, _("physical")),
        (PSIKIS, _("psychological")),
        (SEKSUAL, _("sexual")),
        (EKSPLOITASI, _("exploitation")),
        (TRAFFICKING, _("trafficking")),
        (PENELANTARAN, _("neglect")),
        (LAINNYA, _("other")),
    ]


# Our forms of violence (Permendikbudristek 46/2023) -> SIMFONI PPA categories.
SIMFONI_CROSSWALK: dict[str, str] = {
    # Same concept in both taxonomies.
    ViolenceForm.SEKSUAL: Simfoni.SEKSUAL,
    ViolenceForm.FISIK: Simfoni.FISIK,
    ViolenceForm.PSIKIS: Simfoni.PSIKIS,
    # SIMFONI has no bullying category; bullying is recorded there by its harm, and bullying
    # at school is mostly verbal/social, i.e. psychological. A bullying case that was also
    # physical carries `fisik` as well and so counts there too.
    ViolenceForm.PERUNDUNGAN: Simfoni.PSIKIS,
    # Discrimination and intolerance is a category of the school regulation only; SIMFONI
    # would need a judgement about the harm we do not record, so it goes to "other".
    ViolenceForm.DISKRIMINASI: Simfoni.LAINNYA,
    # A violent school policy is an institutional form, not a type of harm: "other".
    ViolenceForm.KEBIJAKAN: Simfoni.LAINNYA,
    ViolenceForm.LAINNYA: Simfoni.LAINNYA,
}


# --- Scope -------------------------------------------------------------------------------


def in_period(
    cases: QuerySet[Case], start: date | None = None, end: date | None = None
) -> QuerySet[Case]:
    """Cases received from `start` to `end` inclusive (local dates, WIB)."""
    zone = timezone.get_current_timezone()
    if start:
        cases = cases.filter(received_at__gte=datetime.combine(start, time.min, tzinfo=zone))
    if end:
        next_day = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
        cases = cases.filter(received_at__lt=next_day)
    return cases


# --- Counts (one query each) -----------------------------------------------------------


def _in_sql(cases: QuerySet[Case]) -> bool:
    """PostgreSQL counts JSON list members itself (jsonb @>); SQLite has no containment."""
    return connections[cases.db].vendor == "postgresql"


def _count_matching(cases: QuerySet[Case], name: str, groups: dict[str, list[str]]) -> dict:
    """One aggregate: per key, the cases whose list `name` holds any of its values."""
    filters = {}
    for i, values in enumerate(groups.values()):
        if not values:  # a category no form maps to
            continue
        condition = Q()
        for value in values:
            condition |= Q(**{f"{name}__contains": [value]})
        filters[f"k{i}"] = Count("pk", filter=condition)
    row = cases.order_by().aggregate(**filters) if filters else {}
    return {key: row.get(f"k{i}") or 0 for i, key in enumerate(groups)}


def _count_lists(cases: QuerySet[Case], name: str, keys: list[str]) -> dict[str, int]:
    """Count the values of a JSON list field: a case counts once under each value it holds.
    On PostgreSQL one aggregate (bench/national.py: 0.5 s per list at 100,000 cases when
    streamed); elsewhere the lists are streamed (one query), never all in memory at once."""
    if _in_sql(cases):
        return _count_matching(cases, name, {key: [key] for key in keys})
    counts = Counter()
    for values in cases.order_by().values_list(name, flat=True).iterator(chunk_size=CHUNK):
        counts.update(set(values or []))
    return {key: counts.get(key, 0) for key in keys}


def _group(cases: QuerySet[Case], name: str) -> dict[str, int]:
    rows = cases.order_by().values(name).annotate(n=Count("id", distinct=True))
    return {row[name]: row["n"] for row in rows}


def total(cases: QuerySet[Case]) -> int:
    return cases.order_by().aggregate(n=Count("id", distinct=True))["n"]


def by_form(cases: QuerySet[Case]) -> dict[str, int]:
    """Cases per form of violence (a case with two forms counts under both)."""
    return _count_lists(cases, "forms", list(ViolenceForm.values))


def by_modality(cases: QuerySet[Case]) -> dict[str, int]:
    return _count_lists(cases, "modalities", list(Modality.values))


def simfoni_of(forms) -> set[str]:
    """The SIMFONI PPA categories of a case's forms of violence."""
    return {SIMFONI_CROSSWALK.get(f, Simfoni.LAINNYA) for f in forms}


def by_simfoni(cases: QuerySet[Case]) -> dict[str, int]:
    """Cases per SIMFONI PPA category: a case counts once per category its forms map to
    (bullying and psychological violence in one case count once under psikis)."""
    if _in_sql(cases):
        groups = {
            key: [f for f, category in SIMFONI_CROSSWALK.items() if category == key]
            for key, _label in Simfoni.choices
        }
        return _count_matching(cases, "forms", groups)
    counts = Counter()
    for forms in cases.order_by().values_list("forms", flat=True).iterator(chunk_size=CHUNK):
        counts.update({SIMFONI_CROSSWALK.get(f, Simfoni.LAINNYA) for f in forms or []})
    return {key: counts.get(key, 0) for key, _label in Simfoni.choices}


def by_status(cases: QuerySet[Case]) -> dict[str, int]:
    counts = _group(cases, "status")
    return {key: counts.get(key, 0) for key in Case.Status.values}


def by_channel(cases: QuerySet[Case]) -> dict[str, int]:
    counts = _group(cases, "channel")
    return {key: counts.get(key, 0) for key in Case.Channel.values}


def by_level(cases: QuerySet[Case]) -> dict[str, int]:
    """Cases per school level (jenjang), in the register's order; levels without cases are
    left out (most schools are of a few levels)."""
    counts = _group(cases, "school__level")
    return {key: counts[key] for key in School.Level.values if counts.get(key)}


def by_kecamatan(cases: QuerySet[Case]) -> dict[str, int]:
    counts = _group(cases, "school__kecamatan__name")
    return dict(sorted(counts.items()))


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


def overdue_share(
    cases: QuerySet[Case], now: datetime | None = None, *, distinct: bool = True
) -> Overdue:
    """Open cases and those past a stage deadline or the police clock (`CaseQuerySet.overdue`).
    `distinct=False` when `cases` has no join that repeats a case (all the register's): then
    PostgreSQL counts from the open cases' index alone (`case_open_deadlines`)."""
    now = now or timezone.now()
    late = Q(stage_due_at__lt=now) | Q(police_due_at__lt=now, police_clock_closed_at__isnull=True)
    counted = "id" if distinct else "status"  # a column of the index: no table read
    row = (
        cases.open()
        .order_by()
        .aggregate(
            open=Count(counted, distinct=distinct),
            overdue=Count(counted, filter=late, distinct=distinct),
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


def _tenths(hours: float) -> int:
    """An hour count in tenths of an hour, whole hours from 100 hours on: medians are shown to
    a tenth of an hour, and binned hours add up across partitions (`summary`)."""
    return round(hours * 10) if hours < 100 else round(hours) * 10


def stage_hours(cases: QuerySet[Case]) -> Counter:
    """(stage, tenths of an hour) -> how many cases first entered the stage that long after
    the report's receipt, from the case timeline (CaseEvent).

    Two queries (one more per CHUNK cases): the cases, then their events by case id. Joined
    in one query, PostgreSQL hashed the whole timeline (3 million events at national size:
    4 s for 9,000 cases, bench/national.py); by id it reads only these cases' events."""
    received = dict(cases.order_by().values_list("pk", "received_at").iterator(chunk_size=CHUNK))
    ids = list(received)
    hours = Counter()
    for start in range(0, len(ids), CHUNK):
        rows = (
            CaseEvent.objects.filter(
                case_id__in=ids[start : start + CHUNK],
                kind=CaseEvent.Kind.STATUS,
                to_status__in=TIMED_STAGES,
            )
            .order_by()
            .values_list("case_id", "to_status")
            .annotate(first=Min("at"))
        )
        for case_id, stage, first in rows:
            span = (first - received[case_id]).total_seconds()
            hours[stage, _tenths(max(span, 0) / 3600)] += 1
    return hours


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


@dataclass
class Summary:
    total: int | str
    tables: list[Table]
    overdue: Overdue
    overdue_share: float | None
    stage_times: list[StageTime]
    suppressed: bool


# Tables in which each case (or each person: sosdesk/party_figures.py) counts once, so that
# their rows add up to a total.
PARTITIONS = frozenset({"level", "kecamatan", "status", "channel", *party_figures.TABLES})


def _labelled(counts: dict, labels: dict) -> list[tuple[str, str, int | str]]:
    return [(key, str(labels.get(key, key)), n) for key, n in counts.items()]


COUNTED = {
    "forms": by_form,
    "simfoni": by_simfoni,
    "modality": by_modality,
    "level": by_level,
    "kecamatan": by_kecamatan,
    "status": by_status,
    "channel": by_channel,
}


def all_counts(cases: QuerySet[Case]) -> Counter:
    """Every count of `summary` in one Counter, so that the counts of several sets of cases
    add up: (table, key) -> n, ("total", "") -> n, and `stage_hours` as ("hours", (stage,
    tenths)) -> n. Eleven queries (two count the parties: sosdesk/party_figures.py)."""
    counted = Counter({("total", ""): total(cases)})
    for table, count_by in COUNTED.items():
        counted.update({(table, key): n for key, n in count_by(cases).items()})
    counted.update(party_figures.party_counts(cases, simfoni_of))  # people, not cases
    counted.update({("hours", key): n for key, n in stage_hours(cases).items()})
    return counted


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
    last_id: int | None = None,
) -> Summary:
    """All the figures of these cases in the period. With `outside=True`, the version that may
    leave the office: small counts suppressed, and shares and medians resting on fewer than
    5 cases withheld (they would reveal the small count or one case's timeline).

    `last_id` (the register's highest school id) when `cases` are all the register's cases:
    the counts are then summed from per-partition parts cached until a case of the partition
    changes (`peksos.core.partials`), flat at national size. Open and overdue cases depend
    on the hour and are always counted live (an index on status and deadline)."""
    cases = in_period(cases, start, end)
    if last_id is None:
        counted = all_counts(cases)
    else:
        counted = all_counts(cases)  # INTERIM: live, until the tallies count it
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
    count = counted["total", ""]
    overdue = overdue_share(cases, now, distinct=last_id is None)
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
        )
    return Summary(count, tables, overdue, share, stage_times, False)
