"""The approvals inbox (`/persetujuan/`): everything waiting for this user's decision, from
every app, oldest first. It lives on the top floor (home), which may read every app, so each
source is a plain function here rather than a registry filled at start-up: the sources are
few and fixed, and each is one query whatever the number of items.

Who decides what (each app's own rule):
- support plans to approve and closures to approve: the Koordinator (monitoring
  `is_supervisor`; not a closure they asked for themselves: four eyes);
- reasons not to report to the police (the 72-hour clock) recorded by an officer: the
  Koordinator (sosdesk `can_approve_police_exemption`);
- dates proposed by a school: the Koordinator, and the PEKSOS for the visits they see
  (visits `visits_visible_to`);
- referrals of cases sent to a psychologist and not yet answered: that psychologist;
- forum questions and answers held for moderation, and posts reported by members (open
  flags): the moderators (forum `can_moderate`).

Items say what waits and where, never a child's name, a report's text or a post's content.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Max, OuterRef, Subquery, Value
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from forum.models import Answer, Flag, Question
from forum.permissions import can_moderate
from monitoring.models import ChildRecord, SupportPlan
from monitoring.permissions import is_supervisor
from peksos.accounts.models import Role, User
from sosdesk.models import Case, CaseEvent, Referral
from sosdesk.permissions import can_approve_police_exemption
from visits.models import DateChange
from visits.permissions import visits_visible_to

INBOX_ROLES = frozenset({Role.KOORDINATOR, Role.PEKSOS, Role.PSIKOLOG})
PER_SOURCE = 200  # a longer queue is shown up to this many per source, with the total


@dataclass
class Action:
    label: str
    url: str
    style: str = "btn-primary"


@dataclass
class Item:
    kind: str
    title: str
    since: datetime
    link: str
    place: str = ""
    actions: list[Action] = field(default_factory=list)


def has_inbox(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role in INBOX_ROLES


# --- the sources: (the pending rows for this user) as one queryset each -----------------------


def pending_plans(user: User):
    if not is_supervisor(user):
        return None
    return SupportPlan.objects.filter(
        approved_at__isnull=True, record__status=ChildRecord.Status.OPEN
    )


def pending_closures(user: User):
    if not is_supervisor(user):
        return None
    return (
        ChildRecord.objects.open()
        .filter(closure_requested_at__isnull=False)
        .exclude(closure_requested_by=user)
    )


def pending_police_exemptions(user: User):
    if not can_approve_police_exemption(user):
        return None
    return Case.objects.police_clock_running().exclude(police_exemption_reason="")


def pending_counter_proposals(user: User):
    if not user.is_active or user.role not in {Role.KOORDINATOR, Role.PEKSOS}:
        return None
    changes = DateChange.objects.filter(
        kind=DateChange.Kind.COUNTER, state=DateChange.State.PENDING
    )
    if user.role == Role.KOORDINATOR:
        return changes
    return changes.filter(visit__in=visits_visible_to(user).values("pk"))


def pending_referrals(user: User):
    if not user.is_active or user.role != Role.PSIKOLOG:
        return None
    return Referral.objects.filter(psikolog=user, state=Referral.State.SENT)


def pending_questions(user: User):
    return Question.objects.pending() if can_moderate(user) else None


def pending_answers(user: User):
    return Answer.objects.pending() if can_moderate(user) else None


def _open_flags():
    return Flag.objects.filter(resolved_at__isnull=True)


def flagged_questions(user: User):
    if not can_moderate(user):
        return None
    return Question.objects.filter(pk__in=_open_flags().values("question_id"))


def flagged_answers(user: User):
    if not can_moderate(user):
        return None
    return Answer.objects.filter(pk__in=_open_flags().values("answer_id"))


SOURCES = (
    pending_plans,
    pending_closures,
    pending_police_exemptions,
    pending_counter_proposals,
    pending_referrals,
    pending_questions,
    pending_answers,
    flagged_questions,
    flagged_answers,
)


def waiting_for(user: User):
    """The waiting decisions of the user as one queryset (a UNION ALL of the sources, one
    constant column), or None when the user decides nothing."""
    if not has_inbox(user):
        return None
    parts = [qs for source in SOURCES if (qs := source(user)) is not None]
    if not parts:
        return None
    rows = [qs.order_by().annotate(one=Value(1)).values("one") for qs in parts]
    return rows[0].union(*rows[1:], all=True).order_by() if len(rows) > 1 else rows[0]


def count_for(user: User) -> int:
    """How many decisions wait for the user: one query."""
    waiting = waiting_for(user)
    return 0 if waiting is None else waiting.count()


# --- the items of each source, for the page ---------------------------------------------------


def _record_place(record: ChildRecord) -> str:
    return f"{record.code} · {record.school.name}"


def plan_items(user: User, qs) -> list[Item]:
    plans = qs.select_related("record__school").defer(
        "needs", "record__name", "record__guardian_contact", "record__closing_note"
    )
    return [
        Item(
            kind=_("Support plan"),
            title=_("A support plan waits for your approval."),
            since=plan.updated_at,
            link=reverse("monitoring:record-detail", args=[plan.record.code]) + "#plan",
            place=_record_place(plan.record),
            actions=[
                Action(_("Approve"), reverse("monitoring:plan-approve", args=[plan.record.code]))
            ],
        )
        for plan in plans.order_by("updated_at", "pk")[:PER_SOURCE]
    ]


def closure_items(user: User, qs) -> list[Item]:
    records = qs.without_identity().defer("closing_note").select_related("school")
    return [
        Item(
            kind=_("Closure"),
            title=_("Closing a child's record waits for your approval."),
            since=record.closure_requested_at,
            link=reverse("monitoring:record-detail", args=[record.code]) + "#closure",
            place=_record_place(record),
            actions=[
                Action(
                    _("Close the record"),
                    reverse("monitoring:record-close-approve", args=[record.code]),
                ),
                Action(
                    _("Turn down"),
                    reverse("monitoring:record-close-reject", args=[record.code]),
                    "btn-outline-secondary",
                ),
            ],
        )
        for record in records.order_by("closure_requested_at", "pk")[:PER_SOURCE]
    ]


def police_items(user: User, qs) -> list[Item]:
    recorded = (
        CaseEvent.objects.filter(case=OuterRef("pk"), kind=CaseEvent.Kind.POLICE)
        .order_by()
        .values("case")
        .annotate(at=Max("at"))
        .values("at")
    )
    cases = (
        qs.annotate(reason_at=Subquery(recorded))
        .select_related("school")
        .only("code", "received_at", "school__name")
    )
    return [
        Item(
            kind=_("Police report"),
            title=_("A reason not to report to the police waits for your approval."),
            since=case.reason_at or case.received_at,
            link=reverse("sosdesk:case-detail", args=[case.code]) + "#police",
            place=f"{case.code} · {case.school.name}",
        )
        for case in cases.order_by("received_at", "pk")[:PER_SOURCE]
    ]


def counter_items(user: User, qs) -> list[Item]:
    changes = qs.select_related("visit__school").only(
        "created_at", "from_date", "to_date", "visit__id", "visit__school__name"
    )
    return [
        Item(
            kind=_("Visit date"),
            title=_("The school proposes %(date)s instead of %(old)s.")
            % {
                "date": formats.date_format(change.to_date, "j M Y"),
                "old": formats.date_format(change.from_date, "j M Y"),
            },
            since=change.created_at,
            link=reverse("visits:visit-detail", args=[change.visit.pk]),
            place=change.visit.school.name,
            actions=[
                Action(
                    _("Accept the date"),
                    reverse("visits:visit-counter-accept", args=[change.visit.pk]),
                )
            ],
        )
        for change in changes.order_by("created_at", "pk")[:PER_SOURCE]
    ]


def referral_items(user: User, qs) -> list[Item]:
    referrals = qs.select_related("case__school").only(
        "created_at", "case__code", "case__school__name"
    )
    return [
        Item(
            kind=_("Referral"),
            title=_("A case was referred to you: accept or decline it."),
            since=referral.created_at,
            link=reverse("sosdesk:case-detail", args=[referral.case.code]) + "#referrals",
            place=f"{referral.case.code} · {referral.case.school.name}",
        )
        for referral in referrals.order_by("created_at", "pk")[:PER_SOURCE]
    ]


def question_items(user: User, qs) -> list[Item]:
    questions = qs.select_related("category").only("created_at", "category__name")
    return [
        Item(
            kind=_("Forum"),
            title=_("A question waits for moderation."),
            since=question.created_at,
            link=reverse("forum:moderation-queue"),
            place=question.category.name,
        )
        for question in questions.order_by("created_at", "id")[:PER_SOURCE]
    ]


def answer_items(user: User, qs) -> list[Item]:
    answers = qs.only("created_at")
    return [
        Item(
            kind=_("Forum"),
            title=_("An answer waits for moderation."),
            since=answer.created_at,
            link=reverse("forum:moderation-queue"),
        )
        for answer in answers.order_by("created_at", "id")[:PER_SOURCE]
    ]


def _first_flag(post_field: str) -> Subquery:
    flags = _open_flags().filter(**{post_field: OuterRef("pk")}).order_by("created_at", "id")
    return Subquery(flags.values("created_at")[:1])


def flagged_question_items(user: User, qs) -> list[Item]:
    questions = qs.annotate(flagged_at=_first_flag("question")).only("created_at")
    return [
        Item(
            kind=_("Forum"),
            title=_("A question was reported to the moderators."),
            since=question.flagged_at,
            link=reverse("forum:flag-queue"),
        )
        for question in questions.order_by("flagged_at", "id")[:PER_SOURCE]
    ]


def flagged_answer_items(user: User, qs) -> list[Item]:
    answers = qs.annotate(flagged_at=_first_flag("answer")).only("created_at")
    return [
        Item(
            kind=_("Forum"),
            title=_("An answer was reported to the moderators."),
            since=answer.flagged_at,
            link=reverse("forum:flag-queue"),
        )
        for answer in answers.order_by("flagged_at", "id")[:PER_SOURCE]
    ]


ITEMS = {
    pending_plans: plan_items,
    pending_closures: closure_items,
    pending_police_exemptions: police_items,
    pending_counter_proposals: counter_items,
    pending_referrals: referral_items,
    pending_questions: question_items,
    pending_answers: answer_items,
    flagged_questions: flagged_question_items,
    flagged_answers: flagged_answer_items,
}


def items_for(user: User) -> list[Item]:
    """Every waiting decision of the user, oldest first (one query per source)."""
    if not has_inbox(user):
        return []
    items: list[Item] = []
    for source in SOURCES:
        qs = source(user)
        if qs is not None:
            items += ITEMS[source](user, qs)
    return sorted(items, key=lambda item: item.since)
