"""Participants' feedback: storing one anonymous answer per device, and the figures."""

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from peksos.core import audit

from ..models import Activity, Feedback

SCORES = ("satisfaction", "usefulness", "clarity")


def submit_feedback(
    activity: Activity,
    *,
    device: str,
    satisfaction: int,
    usefulness: int,
    clarity: int,
    comment: str = "",
    group: str = "",
    request: HttpRequest | None = None,
) -> bool:
    """Store the answer; False (and nothing changes) when this device already answered."""
    if Feedback.objects.filter(activity=activity, device_hash=device).exists():
        return False
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                activity=activity,
                device_hash=device,
                satisfaction=satisfaction,
                usefulness=usefulness,
                clarity=clarity,
                comment=comment,
                group=group,
            )
            # No address, no user: the answer is anonymous.
            audit.record("activity_feedback_given", obj=feedback, keep_address=False)
    except IntegrityError:  # a double tap: the first one counts
        return False
    return True


def _stats(rows: list[tuple]) -> dict:
    n = len(rows)
    out = {"n": n}
    for i, name in enumerate(SCORES):
        out[name] = round(sum(r[i] for r in rows) / n, 2) if n else None
    out["comments"] = sum(1 for r in rows if r[3])
    return out


def feedback_summary(activities_qs: QuerySet[Activity]) -> dict:
    """The feedback figures of these activities (already scoped by the caller).

    Returns::

        {
          "overall": STATS,
          "by_school": [{"school_id": int, "school": str, **STATS}, ...],  # by school name
          "by_activity": [{"activity_id": int, "school_id": int, **STATS}, ...],  # by id
        }

    where STATS is ``{"n": int, "satisfaction": float|None, "usefulness": float|None,
    "clarity": float|None, "comments": int}``: means on the 1-5 scale (two decimals), the
    number of answers and of answers with a comment. Comments themselves are not included
    (see `comments_of`). Counts are not suppressed here: whoever shows them outside the
    programme staff applies `sosdesk.figures.suppress` / `participant_permissions.hidden_for`.
    Two queries.
    """
    rows = list(
        Feedback.objects.filter(activity__in=activities_qs.values("pk"))
        .order_by()
        .values_list(*SCORES, "comment", "activity_id", "activity__school_id")
    )
    by_activity: dict[int, list] = defaultdict(list)
    by_school: dict[int, list] = defaultdict(list)
    school_of = {}
    for r in rows:
        by_activity[r[4]].append(r)
        by_school[r[5]].append(r)
        school_of[r[4]] = r[5]
    from schools.models import School

    names = dict(School.objects.filter(pk__in=list(by_school)).values_list("pk", "name"))
    return {
        "overall": _stats(rows),
        "by_school": sorted(
            (
                {"school_id": pk, "school": names.get(pk, ""), **_stats(items)}
                for pk, items in by_school.items()
            ),
            key=lambda s: (s["school"], s["school_id"]),
        ),
        "by_activity": [
            {"activity_id": pk, "school_id": school_of[pk], **_stats(by_activity[pk])}
            for pk in sorted(by_activity)
        ],
    }


def distribution(activity: Activity) -> dict[str, list[int]]:
    """How many answered 1..5 on each scale."""
    counts = {name: [0] * 5 for name in SCORES}
    for row in activity.feedback.values_list(*SCORES):
        for name, value in zip(SCORES, row, strict=True):
            counts[name][value - 1] += 1
    return counts
