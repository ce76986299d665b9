"""The priority index: a transparent score per school from versioned weights.

Each factor is a number from 0 to 1, or unknown:
- pupils: the number of pupils, full at PUPILS_FULL or more;
- socio-economic: the share of pupils receiving PIP/KIP (an aggregate per school);
- cases: reported cases in the last 24 months, full at CASES_FULL or more;
- time since the last visit: full at 12 months or never visited;
- no SOS Desk: 1 without a working SOS Desk/TPPK, 0 with one.
The score is 100 × Σ(weight × factor) / Σ(weight). An unknown factor counts as the middle
value (UNKNOWN_VALUE = 0.5): it neither pushes a school up nor down, and is never read as
zero; the page marks it unknown. (Averaging over known factors only was tried and rejected:
a school we know nothing about then outranks one with known high needs.)
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peksos.core import tallies

from .models import PriorityBand, PriorityWeights, School

PUPILS_FULL = 1000
CASES_FULL = 5
MONTHS_FULL = 12
UNKNOWN_VALUE = 0.5
BATCH = 2000
PRIORITY_FIELDS = ["priority_score", "priority_rank", "priority_band", "priority_weights"]


@dataclass(frozen=True)
class Factor:
    key: str
    label: str
    raw: str  # the input as a person reads it
    value: float | None  # 0..1, None when unknown
    weight: int

    @property
    def known(self) -> bool:
        return self.value is not None

    @property
    def points(self) -> float:
        return (UNKNOWN_VALUE if self.value is None else self.value) * self.weight


@dataclass(frozen=True)
class Breakdown:
    factors: list[Factor]
    score: Decimal | None
    band: str

    @property
    def known_count(self) -> int:
        return sum(f.known for f in self.factors)


def _months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def factors(school: School, weights: PriorityWeights, today: date) -> list[Factor]:
    unknown = str(_("unknown"))
    if school.last_visit_on is None:
        visit = Factor(
            "time_since_visit",
            _("Time since the last visit"),
            str(_("never visited")),
            1.0,
            weights.time_since_visit,
        )
    else:
        months = max(_months_between(school.last_visit_on, today), 0)
        visit = Factor(
            "time_since_visit",
            _("Time since the last visit"),
            str(_("%(months)d months") % {"months": months}),
            min(months / MONTHS_FULL, 1.0),
            weights.time_since_visit,
        )
    return [
        Factor(
            "students",
            _("Number of pupils"),
            unknown if school.students is None else intcomma(school.students),
            None if school.students is None else min(school.students / PUPILS_FULL, 1.0),
            weights.students,
        ),
        Factor(
            "socioeconomic",
            _("Pupils receiving PIP/KIP"),
            unknown if school.socioeconomic_share is None else f"{school.socioeconomic_share}%",
            None if school.socioeconomic_share is None else school.socioeconomic_share / 100,
            weights.socioeconomic,
        ),
        Factor(
            "cases",
            _("Reported cases (24 months)"),
            unknown if school.cases_24m is None else str(school.cases_24m),
            None if school.cases_24m is None else min(school.cases_24m / CASES_FULL, 1.0),
            weights.cases,
        ),
        visit,
        Factor(
            "no_sos_desk",
            _("No working SOS Desk"),
            unknown
            if school.has_sos_desk is None
            else str(_("yes") if school.has_sos_desk else _("no")),
            None if school.has_sos_desk is None else (0.0 if school.has_sos_desk else 1.0),
            weights.no_sos_desk,
        ),
    ]


def band_for(score: Decimal | None, weights: PriorityWeights) -> str:
    if score is None:
        return PriorityBand.UNKNOWN
    if score >= weights.high_from:
        return PriorityBand.HIGH
    if score >= weights.medium_from:
        return PriorityBand.MEDIUM
    return PriorityBand.LOW


def explain(
    school: School, weights: PriorityWeights | None = None, today: date | None = None
) -> Breakdown:
    weights = weights or PriorityWeights.current()
    today = today or timezone.localdate()
    items = factors(school, weights, today)
    total_weight = sum(f.weight for f in items)
    score = None
    if total_weight:
        points = sum(f.points for f in items)
        score = Decimal(100 * points / total_weight).quantize(Decimal("0.1"))
    return Breakdown(items, score, band_for(score, weights))


def recompute(schools=None, weights: PriorityWeights | None = None) -> int:
    """Recompute and store every school's score (or those of the given queryset)."""
    weights = weights or PriorityWeights.current()
    today = timezone.localdate()
    queryset = (schools if schools is not None else School.objects.all()).order_by("pk")
    changed = 0
    last_pk = 0
    while True:
        batch = list(queryset.filter(pk__gt=last_pk)[:BATCH])
        if not batch:
            return changed
        for school in batch:
            result = explain(school, weights, today)
            school.priority_score, school.priority_band = result.score, result.band
            school.priority_rank = -1 if result.score is None else int(result.score * 10)
            school.priority_weights = weights
        with transaction.atomic():
            School.objects.bulk_update(batch, PRIORITY_FIELDS)
            tallies.changed("schools", [school.pk for school in batch])
        changed += len(batch)
        last_pk = batch[-1].pk
