"""Figures of the people in SOS Desk cases (issue 19): victims and alleged parties counted as
people, not cases, by the regulation's category (46/2023), sex and SIMFONI PPA age band, and
victims by SIMFONI PPA category of violence (a victim counts once under each category their
case's forms map to, as SIMFONI records victims).

Only the coarse columns of `procedure.models.CaseParty` are read (role, category, sex, age
band, and the case's forms): never a name or contact (encrypted, not loaded). Two queries,
whatever the number of cases. `figures.summary` adds these tables to the case figures, the
dashboard's and the impact reports' (suppressed outside the office like every count).
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Case
from .procedure.models import AgeBand, CaseParty, Sex

VICTIM, ALLEGED = CaseParty.Role.VICTIM, CaseParty.Role.ALLEGED
# Table key -> (role, column): each party counts once per table, so each table's rows add up
# to the number of victims (or alleged parties) and are suppressed as parts of a total.
TABLES = {
    "victims_category": (VICTIM, "category"),
    "victims_sex": (VICTIM, "sex"),
    "victims_age": (VICTIM, "age_band"),
    "alleged_category": (ALLEGED, "category"),
    "alleged_sex": (ALLEGED, "sex"),
    "alleged_age": (ALLEGED, "age_band"),
}
SIMFONI_TABLE = "victims_simfoni"
TITLES = {
    "victims_category": _("Victims by category"),
    "victims_sex": _("Victims by sex"),
    "victims_age": _("Victims by age (SIMFONI bands)"),
    "victims_simfoni": _("Victims by SIMFONI PPA category"),
    "alleged_category": _("Alleged parties by category"),
    "alleged_sex": _("Alleged parties by sex"),
    "alleged_age": _("Alleged parties by age (SIMFONI bands)"),
}
COLUMN_KEYS = {
    "category": list(CaseParty.Category.values),
    "sex": list(Sex.values),
    "age_band": list(AgeBand.values),
}
COLUMN_LABELS = {
    "category": dict(CaseParty.Category.choices),
    "sex": dict(Sex.choices),
    "age_band": dict(AgeBand.choices),
}


def party_counts(
    cases: QuerySet[Case],
    simfoni: Callable[[Iterable[str]], set[str]],
    columns: Callable[[str], dict] = dict,
) -> dict[tuple, Counter]:
    """(table, key) -> number of people, for `figures.all_counts`, per group of the cases:
    `columns(prefix)` gives the columns that group them, read through `prefix` (the case's
    own, e.g. its school and day of receipt, sosdesk/figure_tallies.py), none by default
    (one group, `()`). `simfoni` maps a case's forms of violence to its SIMFONI categories
    (figures.SIMFONI_CROSSWALK)."""
    parties = CaseParty.objects.filter(case__in=cases.order_by().values("pk")).order_by()
    group = columns("case__")
    counted: dict[tuple, Counter] = defaultdict(Counter)
    rows = (
        parties.filter(role__in=[VICTIM, ALLEGED])
        .annotate(**group)
        .values(*group, "role", "category", "sex", "age_band")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        key = tuple(row[name] for name in group)
        for table, (role, column) in TABLES.items():
            if row["role"] == role:
                counted[key][table, row[column]] += row["n"]
    victims_forms = parties.filter(role=VICTIM).annotate(**group).values_list(*group, "case__forms")
    for *key, forms in victims_forms.iterator(chunk_size=2000):
        for category in simfoni(forms or []):
            counted[tuple(key)][SIMFONI_TABLE, category] += 1
    return counted


def table_keys(table: str) -> list[str]:
    """The rows of a table of people (the SIMFONI table's are the figures' own)."""
    return COLUMN_KEYS[TABLES[table][1]]


def table_labels(table: str) -> dict:
    return COLUMN_LABELS[TABLES[table][1]]
