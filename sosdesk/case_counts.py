"""Counts of SOS Desk cases, for the figures (sosdesk/figures.py) and the register-wide
tallies (sosdesk/figure_tallies.py).

Every count takes a Case queryset that is already scoped (the caller decides whose cases) and
runs one query, grouped by `columns` of the cases when asked: none for the figures of one set
of cases, the school and the local day of receipt for the tallies. The same code counts both,
so that the figures of a desk and those of the whole register cannot disagree. SIMFONI PPA
categories come from the crosswalk below (docs/domain.md §3).
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.db import connections
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schools.models import Kecamatan, School

from . import party_figures
from .models import Case, CaseEvent, Modality, ViolenceForm

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
    """Cases received from `start` to `end` inclusive (local dates, WIB: the office's time
    zone, as the tallies' days, sosdesk/figure_tallies.py)."""
    zone = timezone.get_default_timezone()
    if start:
        cases = cases.filter(received_at__gte=datetime.combine(start, time.min, tzinfo=zone))
    if end:
        next_day = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
        cases = cases.filter(received_at__lt=next_day)
    return cases


# --- Counts (one query each) -----------------------------------------------------------
# Each count can be grouped by columns of the cases (`columns`): none for the figures of a
# set of cases (one group, `()`), the school and the local day of receipt for the tallies of
# the whole register (sosdesk/figure_tallies.py). One code path for both: they cannot
# disagree.

Columns = Callable[[str], dict]  # prefix of the case's fields -> {name: expression}


def _ungrouped(prefix: str = "") -> dict:
    return {}


def _rows(cases: QuerySet[Case], columns: Columns, by: tuple = (), **aggregates):
    """(group, row) per group of `columns` (and values of `by`): one query."""
    cases = cases.order_by()
    group = columns("")
    if not group and not by:
        return [((), cases.aggregate(**aggregates))]
    rows = cases.annotate(**group).values(*group, *by).annotate(**aggregates)
    return [(tuple(row[name] for name in group), row) for row in rows]


def _stream(cases: QuerySet[Case], columns: Columns, name: str):
    """(group, value of `name`) per case, streamed (one query)."""
    group = columns("")
    rows = cases.order_by().annotate(**group).values_list(*group, name)
    for *key, value in rows.iterator(chunk_size=CHUNK):
        yield tuple(key), value


def _in_sql(cases: QuerySet[Case]) -> bool:
    """PostgreSQL counts JSON list members itself (jsonb @>); SQLite has no containment."""
    return connections[cases.db].vendor == "postgresql"


def _count_matching(
    cases: QuerySet[Case], name: str, groups: dict[str, list[str]], columns: Columns
) -> Counter:
    """One aggregate: per key, the cases whose list `name` holds any of its values."""
    filters = {}
    for i, values in enumerate(groups.values()):
        if not values:  # a category no form maps to
            continue
        condition = Q()
        for value in values:
            condition |= Q(**{f"{name}__contains": [value]})
        filters[f"k{i}"] = Count("pk", filter=condition)
    counted = Counter()
    for group, row in _rows(cases, columns, **filters) if filters else []:
        for i, key in enumerate(groups):
            counted[group, key] += row.get(f"k{i}") or 0
    return counted


def _count_lists(cases: QuerySet[Case], name: str, keys: list[str], columns: Columns) -> Counter:
    """Count the values of a JSON list field: a case counts once under each value it holds.
    On PostgreSQL one aggregate (bench/national.py: 0.5 s per list at 100,000 cases when
    streamed); elsewhere the lists are streamed (one query), never all in memory at once."""
    if _in_sql(cases):
        return _count_matching(cases, name, {key: [key] for key in keys}, columns)
    counts = Counter()
    for group, values in _stream(cases, columns, name):
        counts.update((group, value) for value in set(values or []))
    return counts


def _group(cases: QuerySet[Case], name: str, columns: Columns) -> Counter:
    rows = _rows(cases, columns, (name,), n=Count("id", distinct=True))
    return Counter({(group, row[name]): row["n"] for group, row in rows})


def _ordered(counted: Counter, keys) -> dict[str, int]:
    return {key: counted.get(((), key), 0) for key in keys}


def _total(cases: QuerySet[Case], columns: Columns) -> Counter:
    rows = _rows(cases, columns, n=Count("id", distinct=True))
    return Counter({(group, ""): row["n"] or 0 for group, row in rows})


def total(cases: QuerySet[Case]) -> int:
    return _total(cases, _ungrouped)[(), ""]


def _by_form(cases: QuerySet[Case], columns: Columns) -> Counter:
    return _count_lists(cases, "forms", list(ViolenceForm.values), columns)


def by_form(cases: QuerySet[Case]) -> dict[str, int]:
    """Cases per form of violence (a case with two forms counts under both)."""
    return _ordered(_by_form(cases, _ungrouped), ViolenceForm.values)


def _by_modality(cases: QuerySet[Case], columns: Columns) -> Counter:
    return _count_lists(cases, "modalities", list(Modality.values), columns)


def by_modality(cases: QuerySet[Case]) -> dict[str, int]:
    return _ordered(_by_modality(cases, _ungrouped), Modality.values)


def simfoni_of(forms) -> set[str]:
    """The SIMFONI PPA categories of a case's forms of violence."""
    return {SIMFONI_CROSSWALK.get(f, Simfoni.LAINNYA) for f in forms}


def _by_simfoni(cases: QuerySet[Case], columns: Columns) -> Counter:
    if _in_sql(cases):
        groups = {
            key: [f for f, category in SIMFONI_CROSSWALK.items() if category == key]
            for key, _label in Simfoni.choices
        }
        return _count_matching(cases, "forms", groups, columns)
    counts = Counter()
    for group, forms in _stream(cases, columns, "forms"):
        counts.update((group, category) for category in simfoni_of(forms or []))
    return counts


def by_simfoni(cases: QuerySet[Case]) -> dict[str, int]:
    """Cases per SIMFONI PPA category: a case counts once per category its forms map to
    (bullying and psychological violence in one case count once under psikis)."""
    return _ordered(_by_simfoni(cases, _ungrouped), [key for key, _label in Simfoni.choices])


def _by_status(cases: QuerySet[Case], columns: Columns) -> Counter:
    return _group(cases, "status", columns)


def by_status(cases: QuerySet[Case]) -> dict[str, int]:
    return _ordered(_by_status(cases, _ungrouped), Case.Status.values)


def _by_channel(cases: QuerySet[Case], columns: Columns) -> Counter:
    return _group(cases, "channel", columns)


def by_channel(cases: QuerySet[Case]) -> dict[str, int]:
    return _ordered(_by_channel(cases, _ungrouped), Case.Channel.values)


def _by_level(cases: QuerySet[Case], columns: Columns) -> Counter:
    return _group(cases, "school__level", columns)


def by_level(cases: QuerySet[Case]) -> dict[str, int]:
    """Cases per school level (jenjang), in the register's order; levels without cases are
    left out (most schools are of a few levels)."""
    counts = _by_level(cases, _ungrouped)
    return {key: counts[(), key] for key in School.Level.values if counts.get(((), key))}


def _by_kecamatan(cases: QuerySet[Case], columns: Columns) -> Counter:
    """By the kecamatan's id, not its name: a kecamatan renamed (schools/regions.py) changes
    no count, only the name `named` gives it."""
    return _group(cases, "school__kecamatan_id", columns)


def by_kecamatan(cases: QuerySet[Case]) -> dict[str, int]:
    counts = _by_kecamatan(cases, _ungrouped)
    by_name = named(Counter({("kecamatan", key): n for (_group, key), n in counts.items()}))
    return dict(sorted((key, n) for (_table, key), n in by_name.items() if n))


def _tenths(hours: float) -> int:
    """An hour count in tenths of an hour, binned: to the tenth in the first day, to the whole
    hour in the first week, to the whole day after. Medians are shown to a tenth of an hour
    where that matters (the first hours of a report), and the bins stay few: a year of the
    register's cases has a few hundred per stage in the tallies (peksos/core/tallies.py), not
    one per case."""
    if hours < 24:
        return round(hours * 10)
    if hours < 7 * 24:
        return round(hours) * 10
    return round(hours / 24) * 240


def _stage_hours(cases: QuerySet[Case], columns: Columns) -> Counter:
    """(group, (stage, tenths)) -> n: `stage_hours` per group of `columns`."""
    group = columns("")
    rows = cases.order_by().annotate(**group).values_list("pk", "received_at", *group)
    received, groups = {}, {}
    for pk, at, *key in rows.iterator(chunk_size=CHUNK):
        received[pk], groups[pk] = at, tuple(key)
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
            hours[groups[case_id], (stage, _tenths(max(span, 0) / 3600))] += 1
    return hours


def stage_hours(cases: QuerySet[Case]) -> Counter:
    """(stage, tenths of an hour) -> how many cases first entered the stage that long after
    the report's receipt, from the case timeline (CaseEvent).

    Two queries (one more per CHUNK cases): the cases, then their events by case id. Joined
    in one query, PostgreSQL hashed the whole timeline (3 million events at national size:
    4 s for 9,000 cases, bench/national.py); by id it reads only these cases' events."""
    return Counter({key: n for (_group, key), n in _stage_hours(cases, _ungrouped).items()})


COUNTED = {
    "total": _total,
    "forms": _by_form,
    "simfoni": _by_simfoni,
    "modality": _by_modality,
    "level": _by_level,
    "kecamatan": _by_kecamatan,
    "status": _by_status,
    "channel": _by_channel,
    "hours": _stage_hours,
}


def grouped_counts(cases: QuerySet[Case], columns: Columns = _ungrouped) -> dict[tuple, Counter]:
    """Every count of `summary` per group of `columns` (one group, `()`, by default), each
    a Counter that adds up with others: (table, key) -> n, ("total", "") -> n, `stage_hours`
    as ("hours", (stage, tenths)) -> n, kecamatan by id (`named` gives their names). Twelve
    queries whatever the groups: one per table, two for the people (sosdesk/party_figures.py),
    two for the stage times (one more per CHUNK cases)."""
    per: dict[tuple, Counter] = defaultdict(Counter)
    for table, count_by in COUNTED.items():
        for (group, key), n in count_by(cases, columns).items():
            per[group][table, key] += n
    for group, people in party_figures.party_counts(cases, simfoni_of, columns).items():
        per[group].update(people)  # people, not cases
    return per


def named(counted: Counter) -> Counter:
    """The kecamatan of `grouped_counts` by name (one query when there are any)."""
    ids = {key for (table, key), n in counted.items() if table == "kecamatan" and n}
    names = dict(Kecamatan.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    result = Counter()
    for (table, key), n in counted.items():
        if table == "kecamatan":
            if n:
                result[table, names.get(key, str(key))] += n
        else:
            result[table, key] += n
    return result


def all_counts(cases: QuerySet[Case]) -> Counter:
    """Every count of `summary` in one Counter (`grouped_counts`, kecamatan by name), so
    that the counts of several sets of cases add up. Thirteen queries (the kecamatan's names)."""
    return named(grouped_counts(cases).get((), Counter()))
