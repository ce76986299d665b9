"""Knowledge tests: question sets and their versions, an activity's chosen set, attempts by
phone and on paper, and the figures (gain per activity, school and overall).

Figures are percentages of the maximum score. The gain is the mean post-test score minus the
mean pre-test score (percentage points). The paired gain is the mean of (post - pre) over the
participants who took both: the same phone (same device hash) or the same participant number
on paper; it is not confounded by who happened to answer only one of the two tests.
"""

import hashlib
import hmac
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from peksos.core import audit
from visits.models import Visit

from ..models import Activity, ActivityTest, KnowledgeAttempt, Question, QuestionSet

TEST_KINDS = frozenset({Visit.Kind.CAMPAIGN, Visit.Kind.TRAINING})


def device_hash(activity: Activity, token: str) -> str:
    """A participant's device in one activity: a keyed hash of its random cookie. Including
    the activity keeps a device's answers in different activities unlinkable."""
    message = f"{activity.pk}:{token}".encode()
    key = f"participant-device:{settings.SECRET_KEY}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


# --- Question sets ---------------------------------------------------------------------------


@dataclass
class QuestionData:
    text: str
    choices: list[str]
    correct: int


def save_question_set(
    *,
    title: str,
    description: str,
    questions: list[QuestionData],
    by,
    existing: QuestionSet | None = None,
    request: HttpRequest | None = None,
) -> QuestionSet:
    """Create a set, or change one. A set already answered is frozen: the change becomes its
    next version (the old one keeps its attempts), and the activities that chose the old
    version but have no answers yet move to the new one."""
    if not questions:
        raise ValidationError(_("Add at least one question."))
    with transaction.atomic():
        if existing is not None:
            existing = QuestionSet.objects.select_for_update().get(pk=existing.pk)
            if not existing.is_current:
                raise ValidationError(_("This is an old version; change the current one."))
        if existing is None:
            qset = QuestionSet.objects.create(title=title, description=description, created_by=by)
            action = "question_set_created"
        elif existing.is_frozen:
            qset = QuestionSet.objects.create(
                title=title,
                description=description,
                root_id=existing.family_id,
                version=existing.version + 1,
                created_by=by,
            )
            existing.is_current = False
            existing.save(update_fields=["is_current"])
            unanswered = ActivityTest.objects.filter(question_set=existing).exclude(
                activity__test_attempts__isnull=False
            )
            unanswered.update(question_set=qset)
            action = "question_set_new_version"
        else:
            qset = existing
            qset.title, qset.description = title, description
            qset.save(update_fields=["title", "description"])
            qset.questions.all().delete()
            action = "question_set_changed"
        Question.objects.bulk_create(
            Question(
                question_set=qset,
                position=i,
                text=q.text,
                choices=q.choices,
                correct=q.correct,
            )
            for i, q in enumerate(questions, start=1)
        )
        audit.record(action, request=request, actor=by, obj=qset)
    return qset


def choose_set(
    activity: Activity, qset: QuestionSet, *, by, request: HttpRequest | None = None
) -> ActivityTest:
    """The set this activity's participants answer. Once anyone answered, it stays."""
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if activity.kind not in TEST_KINDS:
            raise ValidationError(_("Knowledge tests belong to campaigns and trainings."))
        if not qset.is_current:
            raise ValidationError(_("Choose the current version of a question set."))
        if activity.test_attempts.exists():
            raise ValidationError(
                _("Participants already answered this test: its questions cannot change.")
            )
        test, _created = ActivityTest.objects.update_or_create(
            activity=activity, defaults={"question_set": qset, "chosen_by": by}
        )
        audit.record("activity_test_chosen", request=request, actor=by, obj=test)
    return test


# --- Attempts ----------------------------------------------------------------------------------


def score_answers(questions: list[Question], answers: list[int | None]) -> int:
    return sum(
        1 for q, a in zip(questions, answers, strict=True) if a is not None and a == q.correct
    )


def submit_phone_attempt(
    activity: Activity,
    *,
    phase: str,
    group: str,
    answers: list[int | None],
    device: str,
    request: HttpRequest | None = None,
) -> tuple[KnowledgeAttempt, bool]:
    """Store a participant's answers; a second attempt of the same device in the same phase
    changes nothing (returns the first, False)."""
    test = ActivityTest.objects.select_related("question_set").get(activity=activity)
    questions = list(test.question_set.questions.all())
    if len(answers) != len(questions):
        raise ValidationError(_("Answer every question."))
    existing = KnowledgeAttempt.objects.filter(
        activity=activity, phase=phase, device_hash=device
    ).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            attempt = KnowledgeAttempt.objects.create(
                activity=activity,
                question_set=test.question_set,
                phase=phase,
                source=KnowledgeAttempt.Source.PHONE,
                group=group,
                device_hash=device,
                answers=answers,
                score=score_answers(questions, answers),
                max_score=len(questions),
            )
            audit.record("activity_test_answered", request=request, obj=attempt, keep_address=False)
    except IntegrityError:  # the same device at the same moment (a double tap)
        return KnowledgeAttempt.objects.get(
            activity=activity, phase=phase, device_hash=device
        ), False
    return attempt, True


@dataclass
class PaperRow:
    ref: str
    group: str
    answers: list[int | None] | None  # None: only the score was typed
    score: int | None


def enter_paper_attempts(
    activity: Activity,
    *,
    phase: str,
    rows: list[PaperRow],
    batch_key: str,
    by,
    request: HttpRequest | None = None,
) -> int:
    """Store the paper tests typed from one sheet; the same sheet sent twice counts once.
    A participant number already entered for this phase is refused (nothing is stored)."""
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if batch_key and activity.test_attempts.filter(batch_key=batch_key).exists():
            return 0
        test = ActivityTest.objects.select_related("question_set").get(activity=activity)
        questions = list(test.question_set.questions.all())
        refs = [row.ref for row in rows if row.ref]
        taken = set(
            activity.test_attempts.filter(phase=phase, paper_ref__in=refs).values_list(
                "paper_ref", flat=True
            )
        )
        if taken:
            raise ValidationError(
                _("Already entered for this test: participant number %(refs)s.")
                % {"refs": ", ".join(sorted(taken))}
            )
        attempts = []
        for row in rows:
            if row.answers is not None:
                score = score_answers(questions, row.answers)
            else:
                score = row.score or 0
            attempts.append(
                KnowledgeAttempt(
                    activity=activity,
                    question_set=test.question_set,
                    phase=phase,
                    source=KnowledgeAttempt.Source.PAPER,
                    group=row.group,
                    paper_ref=row.ref,
                    answers=row.answers,
                    score=min(score, len(questions)),
                    max_score=len(questions),
                    batch_key=batch_key,
                    entered_by=by,
                )
            )
        KnowledgeAttempt.objects.bulk_create(attempts)
        audit.record("activity_paper_tests_entered", request=request, actor=by, obj=activity)
    return len(attempts)


# --- Figures -------------------------------------------------------------------------------------


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _stats(rows: list[dict]) -> dict:
    """Figures of a list of attempts (dicts with phase, percent, pair key)."""
    pre = [r["percent"] for r in rows if r["phase"] == KnowledgeAttempt.Phase.PRE]
    post = [r["percent"] for r in rows if r["phase"] == KnowledgeAttempt.Phase.POST]
    by_pair: dict[tuple, dict[str, float]] = defaultdict(dict)
    for r in rows:
        if r["pair"]:
            by_pair[r["pair"]][r["phase"]] = r["percent"]
    diffs = [
        p[KnowledgeAttempt.Phase.POST] - p[KnowledgeAttempt.Phase.PRE]
        for p in by_pair.values()
        if len(p) == 2
    ]
    pre_mean, post_mean = _mean(pre), _mean(post)
    return {
        "pre_n": len(pre),
        "post_n": len(post),
        "pre_mean": pre_mean,
        "post_mean": post_mean,
        "gain": round(post_mean - pre_mean, 1)
        if pre_mean is not None and post_mean is not None
        else None,
        "pairs": len(diffs),
        "paired_gain": _mean(diffs),
    }


def knowledge_summary(activities_qs: QuerySet[Activity]) -> dict:
    """The knowledge-test figures of these activities (already scoped by the caller).

    Returns::

        {
          "overall": STATS,
          "by_school": [{"school_id": int, "school": str, **STATS}, ...],   # by school name
          "by_activity": [{"activity_id": int, "school_id": int, **STATS}, ...],  # by id
        }

    where STATS is ``{"pre_n": int, "post_n": int, "pre_mean": float|None,
    "post_mean": float|None, "gain": float|None, "pairs": int, "paired_gain": float|None}``:
    means are percentages of the maximum score (0-100, one decimal), gains percentage points
    (post minus pre), `pairs` the participants with both tests (same phone or paper number).
    Only activities with at least one attempt appear in the lists. Two queries.
    """
    rows = []
    for activity_id, school_id, phase, score, max_score, device, ref in (
        KnowledgeAttempt.objects.filter(activity__in=activities_qs.values("pk"))
        .order_by()
        .values_list(
            "activity_id",
            "activity__school_id",
            "phase",
            "score",
            "max_score",
            "device_hash",
            "paper_ref",
        )
        .iterator(chunk_size=2000)
    ):
        pair = (activity_id, "d", device) if device else (activity_id, "p", ref) if ref else None
        rows.append(
            {
                "activity": activity_id,
                "school": school_id,
                "phase": phase,
                "percent": 100.0 * score / max_score if max_score else 0.0,
                "pair": pair,
            }
        )
    by_activity: dict[int, list] = defaultdict(list)
    by_school: dict[int, list] = defaultdict(list)
    school_of: dict[int, int] = {}
    for r in rows:
        by_activity[r["activity"]].append(r)
        by_school[r["school"]].append(r)
        school_of[r["activity"]] = r["school"]
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


def question_difficulty(activity: Activity) -> list[dict]:
    """Per question of the activity's set: the share answering correctly before and after
    (attempts with answers only; score-only paper tests do not say which were right)."""
    test = getattr(activity, "knowledge_test", None)
    if test is None:
        return []
    questions = list(test.question_set.questions.all())
    right = {phase: [0] * len(questions) for phase in KnowledgeAttempt.Phase.values}
    seen = dict.fromkeys(KnowledgeAttempt.Phase.values, 0)
    for phase, answers in activity.test_attempts.filter(
        question_set=test.question_set, answers__isnull=False
    ).values_list("phase", "answers"):
        if not isinstance(answers, list) or len(answers) != len(questions):
            continue
        seen[phase] += 1
        for i, (q, a) in enumerate(zip(questions, answers, strict=True)):
            if a == q.correct:
                right[phase][i] += 1
    pre, post = KnowledgeAttempt.Phase.PRE, KnowledgeAttempt.Phase.POST

    def share(phase, i):
        return round(100.0 * right[phase][i] / seen[phase], 1) if seen[phase] else None

    return [
        {
            "position": q.position,
            "text": q.text,
            "pre_correct": share(pre, i),
            "post_correct": share(post, i),
            "pre_n": seen[pre],
            "post_n": seen[post],
        }
        for i, q in enumerate(questions)
    ]
