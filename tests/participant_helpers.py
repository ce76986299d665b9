"""Shared set-up of the participant-side tests (knowledge tests, feedback, draws)."""

from datetime import date

from activities.models import Activity, Question, QuestionSet
from activities.services import knowledge as knowledge_services
from visits.models import Visit, VisitMember

DAY = date(2026, 8, 4)


def make_activity(school, kind=Visit.Kind.TRAINING, *, facilitators=(), open_forms=True, **kw):
    visit = Visit(school=school, state=Visit.State.AGREED, kind=kind)
    visit.set_date(kw.pop("day", DAY))
    visit.save()
    activity = Activity.objects.create(
        visit=visit, kind=kind, date=visit.date, participant_forms_open=open_forms, **kw
    )
    for user in facilitators:
        activity.facilitators.add(user)
        VisitMember.objects.get_or_create(visit=visit, user=user, defaults={"role": user.role})
    return activity


def make_question_set(n: int = 4, title: str = "Deteksi dini kekerasan") -> QuestionSet:
    """n questions, each with choices A-D; the correct choice of question i is i mod 4."""
    qset = QuestionSet.objects.create(title=title)
    for i in range(1, n + 1):
        Question.objects.create(
            question_set=qset,
            position=i,
            text=f"Pertanyaan nomor {i}?",
            choices=[f"Pilihan {c}" for c in "ABCD"],
            correct=(i - 1) % 4,
        )
    return qset


def correct_answers(qset: QuestionSet) -> list[int]:
    return list(qset.questions.order_by("position").values_list("correct", flat=True))


def with_test(activity: Activity, qset: QuestionSet | None = None) -> QuestionSet:
    qset = qset or make_question_set()
    knowledge_services.choose_set(activity, qset, by=None)
    return qset
