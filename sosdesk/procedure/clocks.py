"""The clocks of the procedure's steps, beside the stage clock and the 72-hour police clock
(which are unchanged, sosdesk/views/cases.py):

- examination: concluded (conclusion approved) within `StageDeadlines.examination_days` of
  the report's receipt;
- follow-up: a decision recorded within `decision_days` of the approval of a "proven"
  conclusion;
- each decision with a date to carry it out by, until it is carried out;
- each recovery task, until it is done.

These deadlines are computed from the settings when read: a changed setting applies to every
open case at once. Only open cases count.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Case, StageDeadlines
from .models import Conclusion, Decision, Finding, RecoveryTask

BOARD_LIMIT = 200  # rows per kind on the overdue board


@dataclass(frozen=True)
class StepClock:
    step: str
    due: date
    done: bool
    overdue: bool


def _day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def case_clocks(case: Case, conclusion: Conclusion | None, decisions, tasks, now=None):
    """The step clocks of one case, in the order of the procedure."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    deadlines = StageDeadlines.current()
    clocks = []
    approved = conclusion is not None and conclusion.is_approved
    exam_due = _day(case.received_at + timedelta(days=deadlines.examination_days))
    clocks.append(
        StepClock(_("Examination concluded"), exam_due, approved, not approved and today > exam_due)
    )
    if approved and conclusion.finding == Finding.PROVEN:
        due = _day(conclusion.approved_at + timedelta(days=deadlines.decision_days))
        decided = bool(decisions)
        clocks.append(StepClock(_("Follow-up decided"), due, decided, not decided and today > due))
    for decision in decisions:
        if decision.execute_by:
            done = decision.executed_on is not None
            late = not done and today > decision.execute_by
            clocks.append(StepClock(_("Decision carried out"), decision.execute_by, done, late))
    for task in tasks:
        done = task.done_on is not None
        late = not done and today > task.due_on
        clocks.append(StepClock(task.get_kind_display(), task.due_on, done, late))
    if not case.is_open:
        return [StepClock(c.step, c.due, c.done, False) for c in clocks]
    return clocks


@dataclass(frozen=True)
class OverdueStep:
    case: Case
    step: str
    due: date

    @property
    def days(self) -> int:
        return (timezone.localdate() - self.due).days


def overdue_steps(cases, now=None) -> list[OverdueStep]:
    """Steps past their deadline in the open cases of `cases` (a queryset the user may see),
    most overdue first. Four queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    deadlines = StageDeadlines.current()
    open_cases = cases.filter(status__in=Case.OPEN_STATUSES)
    rows: list[OverdueStep] = []
    exam = (
        open_cases.filter(received_at__lt=now - timedelta(days=deadlines.examination_days))
        .exclude(conclusion__approved_at__isnull=False)
        .select_related("school")
        .order_by("received_at")[:BOARD_LIMIT]
    )
    span = timedelta(days=deadlines.examination_days)
    rows += [OverdueStep(c, _("Examination concluded"), _day(c.received_at + span)) for c in exam]
    undecided = (
        Conclusion.objects.filter(
            case__in=open_cases,
            finding=Finding.PROVEN,
            approved_at__lt=now - timedelta(days=deadlines.decision_days),
            case__decisions__isnull=True,
        )
        .select_related("case__school")
        .order_by("approved_at")[:BOARD_LIMIT]
    )
    span = timedelta(days=deadlines.decision_days)
    rows += [
        OverdueStep(c.case, _("Follow-up decided"), _day(c.approved_at + span)) for c in undecided
    ]
    late_decisions = (
        Decision.objects.filter(case__in=open_cases, execute_by__lt=today, executed_on__isnull=True)
        .select_related("case__school")
        .order_by("execute_by")[:BOARD_LIMIT]
    )
    rows += [OverdueStep(d.case, _("Decision carried out"), d.execute_by) for d in late_decisions]
    late_tasks = (
        RecoveryTask.objects.filter(case__in=open_cases, due_on__lt=today, done_on__isnull=True)
        .select_related("case__school")
        .order_by("due_on")[:BOARD_LIMIT]
    )
    rows += [OverdueStep(t.case, t.get_kind_display(), t.due_on) for t in late_tasks]
    return sorted(rows, key=lambda r: (r.due, r.case.code))
