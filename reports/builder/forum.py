"""The report's section on the consultation forum."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from forum.models import Answer, Question

from ..models import Report
from .base import Scope, Section, Table


def forum_section(scope: Scope) -> Section:

    questions = Question.objects.filter(
        created_at__gte=scope.moment(scope.start), created_at__lt=scope.moment(scope.end, end=True)
    )
    if scope.kind != Report.Kind.CITY:
        questions = scope.of(questions)
    published = questions.filter(status=Question.Status.PUBLISHED)
    row = questions.order_by().aggregate(
        asked=Count("pk"),
        published=Count("pk", filter=Q(status=Question.Status.PUBLISHED)),
        answered=Count("pk", filter=Q(status=Question.Status.PUBLISHED, answer_count__gt=0)),
        waiting=Count("pk", filter=Q(status=Question.Status.PUBLISHED, answer_count=0)),
        pending=Count("pk", filter=Q(status=Question.Status.PENDING)),
    )
    answers = Answer.objects.filter(
        question__in=questions.values("pk"), status=Answer.Status.PUBLISHED
    ).count()
    categories = list(
        published.order_by()
        .values_list("category__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "category__name")
    )
    section = Section(
        "forum",
        _("Consultation forum"),
        intro=_("Questions asked in the forum in the period and their answers."),
        headlines=[(_("Questions published"), scope.count(row["published"]))],
    )
    section.tables.append(
        Table(
            _("Questions"),
            [_("Questions"), _("Number")],
            [
                [_("asked"), scope.count(row["asked"])],
                [_("published"), scope.count(row["published"])],
                [_("answered"), scope.count(row["answered"])],
                [_("waiting for an answer"), scope.count(row["waiting"])],
                [_("waiting for review"), scope.count(row["pending"])],
                [_("answers published"), scope.count(answers)],
            ],
        )
    )
    if categories:
        section.tables.append(
            Table(
                _("Published questions by category"),
                [_("Category"), _("Questions")],
                [[name, scope.count(n)] for name, n in categories],
            )
        )
    return section
