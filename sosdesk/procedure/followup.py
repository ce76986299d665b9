"""Follow-up (tindak lanjut): the decision of the principal or the competent authority on an
approved recommendation, and its execution."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peksos.accounts.models import User
from peksos.core import audit
from peksos.core.idempotency import create_once
from peksos.core.refusals import Refusal

from ..models import Case
from .common import conclusion_approved, locked_case, timeline
from .models import Decision


def decision_record(
    *,
    case: Case,
    authority: str,
    decided_by_name: str,
    decision: str,
    decided_on,
    decree_number: str = "",
    execute_by=None,
    by: User,
    idempotency_key: str | None = None,
    request=None,
) -> Decision:
    if decided_on > timezone.localdate():
        raise Refusal(_("A decision cannot be dated in the future."))
    if execute_by and execute_by < decided_on:
        raise Refusal(_("It cannot be due before the decision was taken."))
    earlier = (
        Decision.objects.filter(idempotency_key=idempotency_key, case=case, created_by=by)
        if idempotency_key
        else None
    )

    def make() -> Decision:
        locked = locked_case(case)
        if not conclusion_approved(locked):
            raise Refusal(_("The follow-up starts after the conclusion is approved."))
        row = Decision.objects.create(
            case=locked,
            authority=authority,
            decided_by_name=decided_by_name,
            decision=decision,
            decided_on=decided_on,
            decree_number=decree_number,
            execute_by=execute_by,
            created_by=by,
            idempotency_key=idempotency_key or None,
        )
        timeline(
            locked,
            by,
            _("follow-up decided by %(who)s") % {"who": row.get_authority_display()},
        )
        audit.record("case_decision_recorded", request=request, actor=by, obj=locked)
        return row

    with transaction.atomic():
        return create_once(earlier, make)[0]


def decision_executed(
    *, decision: Decision, executed_on, note: str, by: User, request=None
) -> Decision:
    if executed_on > timezone.localdate():
        raise Refusal(_("It cannot be carried out in the future."))
    if executed_on < decision.decided_on:
        raise Refusal(_("It cannot be carried out before it was decided."))
    with transaction.atomic():
        case = locked_case(decision.case)
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        if decision.executed_on:
            raise Refusal(_("This decision is already recorded as carried out."))
        decision.executed_on, decision.execution_note = executed_on, note
        decision.save(update_fields=["executed_on", "execution_note"])
        timeline(case, by, _("follow-up carried out"))
        audit.record("case_decision_executed", request=request, actor=by, obj=case)
    return decision
