"""The steps that protect a case (issue 19): restrict it to named handlers, lift that, name a
handler, recuse someone. One transaction and one audit row each; the case is locked first so
two steps at once do not interleave. Who may take each step is checked by the view
(sosdesk/permissions.py); the rules about *whom* a step may name are checked here.

Every step also recounts the school's "reported cases (24 months)", which leaves out the
cases hidden from the school (it is shown on the school's page)."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from peksos.accounts.models import Role, User
from peksos.core import audit
from peksos.core.refusals import Refusal

from ..models import Case
from ..services import record_school_case_count
from .models import CaseHandler, CaseRecusal


def handler_candidates(case: Case):
    """Who may be named to handle the case: any active PEKSOS; for a case that is only
    restricted (not sent to the Dinas only), also the school's desk officers. Never someone
    recused from it or already named."""
    who = Q(role=Role.PEKSOS)
    if not case.dinas_only:
        who |= Q(role=Role.SOSDESK, school_memberships__school=case.school_id)
    return (
        User.objects.filter(who, is_active=True)
        .exclude(pk__in=case.recusals.values("user_id"))
        .exclude(pk__in=case.handlers.values("user_id"))
        .distinct()
        .order_by("first_name", "username")
    )


def keep_candidates(case: Case, by: User):
    """The school's desk officers and PEKSOS who may stay on a case being restricted."""
    return (
        User.objects.filter(
            is_active=True,
            role__in=[Role.SOSDESK, Role.PEKSOS],
            school_memberships__school=case.school_id,
        )
        .exclude(pk=by.pk)
        .exclude(pk__in=case.recusals.values("user_id"))
        .order_by("first_name", "username")
    )


def recusal_candidates(case: Case):
    """Who could be recused: the school's desk officers and PEKSOS and the named handlers."""
    return (
        User.objects.filter(
            Q(
                role__in=[Role.SOSDESK, Role.PEKSOS],
                school_memberships__school=case.school_id,
            )
            | Q(handled_cases__case=case)
        )
        .exclude(pk__in=case.recusals.values("user_id"))
        .distinct()
        .order_by("first_name", "username")
    )


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _name(case: Case, user: User, by: User) -> None:
    CaseHandler.objects.get_or_create(case=case, user=user, defaults={"added_by": by})


def case_restrict(*, case: Case, keep: list[User], by: User, request=None) -> Case:
    """Only the named handlers (the person restricting it, unless a Koordinator, and those
    kept) and Koordinators see the case from now on."""
    with transaction.atomic():
        case = _locked(case)
        if case.restricted:
            raise Refusal(_("This case is already restricted."))
        allowed = set(keep_candidates(case, by).values_list("pk", flat=True))
        if any(user.pk not in allowed for user in keep):
            raise Refusal(_("Only the school's desk officers and PEKSOS can be kept on the case."))
        case.restricted = True
        case.save(update_fields=["restricted", "updated_at"])
        if by.role != Role.KOORDINATOR:
            _name(case, by, by)
        for user in keep:
            _name(case, user, by)
        audit.record("case_restricted", request=request, actor=by, obj=case)
        record_school_case_count(case.school, timezone.now())
    return case


def case_unrestrict(*, case: Case, by: User, request=None) -> Case:
    with transaction.atomic():
        case = _locked(case)
        if not case.restricted:
            raise Refusal(_("This case is not restricted."))
        case.restricted = False
        case.save(update_fields=["restricted", "updated_at"])
        audit.record("case_unrestricted", request=request, actor=by, obj=case)
        record_school_case_count(case.school, timezone.now())
    return case


def handler_add(*, case: Case, user: User, by: User, request=None) -> CaseHandler:
    with transaction.atomic():
        case = _locked(case)
        if not handler_candidates(case).filter(pk=user.pk).exists():
            raise Refusal(_("This person cannot be named to handle this case."))
        handler = CaseHandler.objects.create(case=case, user=user, added_by=by)
        audit.record("case_handler_named", request=request, actor=by, obj=case)
    return handler


def recuse(*, case: Case, user: User, reason: str, by: User, request=None) -> CaseRecusal:
    """`user` loses access to the case at once (and stops being its named handler)."""
    with transaction.atomic():
        case = _locked(case)
        if user.role == Role.KOORDINATOR:
            raise Refusal(_("A Koordinator cannot be recused from a case here."))
        if CaseRecusal.objects.filter(case=case, user=user).exists():
            raise Refusal(_("This person is already recused from this case."))
        recusal = CaseRecusal.objects.create(case=case, user=user, reason=reason, by=by)
        CaseHandler.objects.filter(case=case, user=user).delete()
        audit.record("case_recused", request=request, actor=by, obj=case)
    return recusal
