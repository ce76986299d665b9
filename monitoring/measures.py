"""What the measures say: the wellbeing outcome indicator and the series the charts draw.

The indicator (docs/domain.md §6): a child's wellbeing improved when their score rose by at least
WELLBEING_IMPROVEMENT_POINTS (3) between the first and the latest rating. Teachers and parents
rate on the same 0-10 scale but not alike, so first and latest are compared per rater type
(a teacher's latest against the teacher's first, never against a parent's). A child counts
as improved when at least one rater type with two or more ratings shows the rise; with no
rater type rated twice, the indicator is unknown (None), never "not improved".
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .models import WELLBEING_IMPROVEMENT_POINTS, SdqScore, WellbeingRating


@dataclass(frozen=True)
class Change:
    rater: str
    rater_label: str
    first: int
    latest: int
    count: int

    @property
    def delta(self) -> int:
        return self.latest - self.first

    @property
    def improved(self) -> bool:
        return self.delta >= WELLBEING_IMPROVEMENT_POINTS


def wellbeing_changes(ratings: Iterable[WellbeingRating]) -> list[Change]:
    """First and latest rating per rater type (by date, then by entry), with 2+ ratings."""
    by_rater: dict[str, list[WellbeingRating]] = {}
    for rating in sorted(ratings, key=lambda r: (r.rated_on, r.created_at)):
        by_rater.setdefault(rating.rater, []).append(rating)
    labels = dict(WellbeingRating.Rater.choices)
    return [
        Change(rater, str(labels.get(rater, rater)), rows[0].score, rows[-1].score, len(rows))
        for rater, rows in sorted(by_rater.items())
        if len(rows) >= 2
    ]


def wellbeing_improved(ratings: Iterable[WellbeingRating]) -> bool | None:
    changes = wellbeing_changes(ratings)
    if not changes:
        return None
    return any(change.improved for change in changes)


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    points: list[tuple[date, int]]


def sdq_series(scores: Iterable[SdqScore]) -> list[Series]:
    """SDQ total difficulties over time, one line per informant."""
    labels = dict(SdqScore.Informant.choices)
    lines: dict[str, list[tuple[date, int]]] = {}
    for score in sorted(scores, key=lambda s: (s.taken_on, s.created_at)):
        lines.setdefault(score.informant, []).append((score.taken_on, score.total))
    return [Series(k, str(labels.get(k, k)), v) for k, v in sorted(lines.items())]


def wellbeing_series(ratings: Iterable[WellbeingRating]) -> list[Series]:
    labels = dict(WellbeingRating.Rater.choices)
    lines: dict[str, list[tuple[date, int]]] = {}
    for rating in sorted(ratings, key=lambda r: (r.rated_on, r.created_at)):
        lines.setdefault(rating.rater, []).append((rating.rated_on, rating.score))
    return [Series(k, str(labels.get(k, k)), v) for k, v in sorted(lines.items())]
