"""The conclusion and recommendation of the examination, approved by the desk's chair.

Who approves: the account linked to the desk member marked chair (koordinator TPPK, see
`sosdesk.models.DeskMember`), or a Koordinator of the Dinas (for a case the school's team
cannot handle). An approved conclusion is locked; the follow-up starts from it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peksos.accounts.models import Role, User
from peksos.core import audit
from peksos.core.refusals import Refusal

from ..models import Case, DeskMember
from .common import locked_case, timeline
from .models import Conclusion, Finding


def chair_member(case: Case) -> DeskMember | None:
    return (
        DeskMember.objects.filter(desk__school_id=case.school_id, is_chair=True)
        .select_related("user")
        .first()
    )


def can_approve_conclusion(user: User, case: Case) -> bool:
    if user.role == Role.KOORDINATOR:
        return True
    chair = chair_member(case)
    return chair is not None and chair.user_id == user.pk


def conclusion_save(
    *,
    case: Case,
    finding: str,
    sanction_level: str,
    sanction: str,
    victim_recovery: str,
    continued_schooling: str,
    reasoning: str,
    by: User,
    request=None,
) -> Conclusion:
    """Draft (or redraft) the conclusion; refused once it is approved."""
    if finding == Finding.PROVEN and not sanction_level:
        raise Refusal(_("A proven case needs a sanction level for the alleged party."))
    if finding != Finding.PROVEN:
        sanction_level, sanction = "", ""
    with transaction.atomic():
        locked = locked_case(case)
        conclusion = Conclusion.objects.select_for_update().filter(case=locked).first()
        if conclusion is not None and conclusion.is_approved:
            raise Refusal(_("The conclusion is already approved and cannot change."))
        if not locked.interviews.filter(held_at__isnull=False).exists():
            raise Refusal(_("Record at least one interview held before the conclusion."))
        conclusion = conclusion or Conclusion(case=locked)
        conclusion.finding, conclusion.sanction_level = finding, sanction_level
        conclusion.sanction, conclusion.victim_recovery = sanction, victim_recovery
        conclusion.continued_schooling, conclusion.reasoning = continued_schooling, reasoning
        conclusion.drafted_by, conclusion.drafted_at = by, timezone.now()
        conclusion.save()
        timeline(
            locked,
            by,
            _("conclusion drafted: %(finding)s") % {"finding": conclusion.get_finding_display()},
        )
        audit.record("case_conclusion_drafted", request=request, actor=by, obj=locked)
    return conclusion


def conclusion_approve(*, case: Case, by: User, request=None) -> Conclusion:
    if not can_approve_conclusion(by, case):
        raise Refusal(_("Only the chair of the school's team (or a Koordinator) approves."))
    with transaction.atomic():
        locked = locked_case(case)
        conclusion = Conclusion.objects.select_for_update().filter(case=locked).first()
        if conclusion is None:
            raise Refusal(_("There is no conclusion to approve yet."))
        if conclusion.is_approved:
            raise Refusal(_("The conclusion is already approved."))
        chair = chair_member(locked)
        if by.role == Role.KOORDINATOR and (chair is None or chair.user_id != by.pk):
            approved_as = _("Koordinator, Dinas Sosial")
        else:
            approved_as = _("Chair of the TPPK: %(name)s") % {"name": chair.name}
        conclusion.approved_at, conclusion.approved_by = timezone.now(), by
        conclusion.approved_as = approved_as[:150]
        conclusion.save(update_fields=["approved_at", "approved_by", "approved_as"])
        timeline(locked, by, _("conclusion approved"))
        audit.record("case_conclusion_approved", request=request, actor=by, obj=locked)
    return conclusion
