"""Transfers: a case moved to another school's desk (a pupil who changed school, a case that
belongs to another school), and a case given to another PEKSOS. Both keep their history
(`Handover` rows), a timeline line and an audit row; the new desk or PEKSOS gets an e-mail
without details, through the outbox.

After a move the old school's officers and PEKSOS no longer see the case (the case follows
its school, sosdesk/permissions.py). The case's PEKSOS must serve the case's school: giving
a case to a PEKSOS does not widen anyone's access."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from peksos.accounts.models import Role, User
from peksos.core import audit, tallies
from peksos.core.refusals import Refusal
from peksos.notifications.models import Kind
from peksos.notifications.services import notify
from schools.models import School

from .. import services
from ..models import Case, CaseEvent
from ..protection.models import CaseHandler
from ..protection.recipients import case_recipients
from .common import locked_case, timeline
from .models import Handover


def current_peksos(case: Case) -> User | None:
    last = (
        Handover.objects.filter(case=case, kind=Handover.Kind.PEKSOS)
        .select_related("to_peksos")
        .order_by("-at", "-id")
        .first()
    )
    return last.to_peksos if last else None


def case_move_school(
    *, case: Case, to_school: School, reason: str, by: User, request=None
) -> Handover:
    with transaction.atomic(), tallies.deferred():
        locked = locked_case(case)
        old = locked.school
        if to_school.pk == old.pk:
            raise Refusal(_("The case is already at this school."))
        locked.school = to_school
        locked.save(update_fields=["school", "updated_at"])
        handover = Handover.objects.create(
            case=locked,
            kind=Handover.Kind.SCHOOL,
            by=by,
            from_school=old,
            to_school=to_school,
            reason=reason,
        )
        services.desk_ensure(to_school, by=by, request=request)
        timeline(
            locked,
            by,
            _("moved from %(old)s to %(new)s") % {"old": old.name, "new": to_school.name},
            kind=CaseEvent.Kind.HANDOVER,
        )
        audit.record("case_moved_school", request=request, actor=by, obj=locked)
        for school in (old, to_school):
            services.record_school_case_count(school, timezone.now())
        with override("id"):
            notify(
                case_recipients(locked),  # the new desk, unless the case is hidden from it
                Kind.NEW_CASE,
                _("A case was moved to the SOS Desk of %(school)s") % {"school": to_school.name},
                reverse("sosdesk:case-detail", args=[locked.code]),
                email_body=_(
                    "Case %(code)s was moved to the SOS Desk of %(school)s. Open PEKSOS "
                    "to read and handle it. This e-mail holds no details on purpose."
                )
                % {"code": locked.code, "school": to_school.name},
            )
    return handover


def case_assign_peksos(*, case: Case, peksos: User, reason: str, by: User, request=None):
    if peksos.role != Role.PEKSOS or not peksos.is_active:
        raise Refusal(_("Choose an active PEKSOS."))
    with transaction.atomic():
        locked = locked_case(case)
        if not locked.school.memberships.filter(user=peksos).exists():
            raise Refusal(
                _(
                    "This PEKSOS does not serve %(school)s. Add them to the school first, "
                    "then give them the case."
                )
                % {"school": locked.school.name}
            )
        before = current_peksos(locked)
        if before is not None and before.pk == peksos.pk:
            raise Refusal(_("This PEKSOS already has the case."))
        if locked.recusals.filter(user=peksos).exists():
            raise Refusal(_("This PEKSOS is recused from this case."))
        if locked.dinas_only or locked.restricted:  # only its named handlers may open it
            CaseHandler.objects.get_or_create(case=locked, user=peksos, defaults={"added_by": by})
        handover = Handover.objects.create(
            case=locked,
            kind=Handover.Kind.PEKSOS,
            by=by,
            from_peksos=before,
            to_peksos=peksos,
            reason=reason,
        )
        timeline(
            locked,
            by,
            _("given to PEKSOS %(name)s") % {"name": peksos.get_full_name() or peksos.username},
            kind=CaseEvent.Kind.HANDOVER,
        )
        audit.record("case_peksos_assigned", request=request, actor=by, obj=locked)
        with override("id"):
            notify(
                [peksos],
                Kind.NEW_CASE,
                _("A case was given to you"),
                reverse("sosdesk:case-detail", args=[locked.code]),
                email_body=_("Case %(code)s was given to you. Open PEKSOS to read it.")
                % {"code": locked.code},
            )
    return handover
