"""Pieces every step of the procedure uses: the case locked for a change, the timeline entry."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peksos.core.refusals import Refusal

from ..models import Case, CaseEvent
from .models import Conclusion


def locked_case(case: Case, *, open_only: bool = True) -> Case:
    """The case row locked for this transaction; a closed case takes no more steps."""
    assert transaction.get_connection().in_atomic_block, "call inside transaction.atomic()"
    case = Case.objects.select_for_update().select_related("school").get(pk=case.pk)
    if open_only and not case.is_open:
        raise Refusal(_("This case is closed: its procedure can no longer change."))
    return case


def timeline(case: Case, by, detail: str, kind: str = CaseEvent.Kind.PROCEDURE) -> CaseEvent:
    """One line of the case's timeline (no names of parties: the timeline is read by every
    handler and a referred psychologist)."""
    return CaseEvent.objects.create(
        case=case, at=timezone.now(), actor=by, kind=kind, detail=detail[:300]
    )


def conclusion_approved(case: Case) -> bool:
    return Conclusion.objects.filter(case=case, approved_at__isnull=False).exists()
