"""The case's protection page (issue 19): who may see the case, restricting it to named
handlers, naming handlers, recusing a desk member.

- The page and "restrict": whoever handles the case (sosdesk/permissions.py): the school's
  officers and PEKSOS, its named handlers, Koordinators. A referred psychologist: 403.
- Naming a handler, lifting a restriction, recusing someone else: Koordinators only (403).
- A handler may recuse themselves; they lose access at once and are sent to their list.
Another school's case, a case hidden from the school, or one the user is recused from: 404.
"""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from peksos.accounts.models import Role
from peksos.core import audit
from peksos.core.actions import run_step

from ..models import Case
from ..permissions import can_manage_protection
from ..protection import services
from ..protection.forms import HandlerForm, RecusalForm, RestrictForm, UnrestrictForm
from .cases import _denied, _get_case

PAGE = "sosdesk:case-protection"


def _koordinator_only(request: HttpRequest, case: Case) -> None:
    if not can_manage_protection(request.user):
        raise _denied(request, case.code, PermissionDenied())


def _render(request: HttpRequest, case: Case, *, status: int = 200, **bound) -> HttpResponse:
    user = request.user
    koordinator = can_manage_protection(user)
    audit.record("case_protection_viewed", request=request, obj=case)
    context = {
        "case": case,
        "is_koordinator": koordinator,
        "handlers": case.handlers.select_related("user", "added_by"),
        "recusals": case.recusals.select_related("user", "by"),
        "restrict_form": None
        if case.restricted or case.dinas_only
        else RestrictForm(case=case, by=user),
        "recusal_form": RecusalForm(case=case, by=user, koordinator=koordinator),
        "handler_form": HandlerForm(case=case) if koordinator else None,
        "unrestrict_form": UnrestrictForm() if koordinator and case.restricted else None,
    }
    context.update(bound)
    return render(request, "sosdesk/case_protection.html", context, status=status)


@require_safe
@login_required
def case_protection(request: HttpRequest, code: str) -> HttpResponse:
    return _render(request, _get_case(request, code, write=True))


@require_POST
@login_required
def case_restrict(request: HttpRequest, code: str) -> HttpResponse:
    case = _get_case(request, code, write=True)
    form = RestrictForm(request.POST, case=case, by=request.user)
    if case.restricted or case.dinas_only or not form.is_valid():
        if form.is_bound and not form.errors:
            form.add_error(None, _("This case is already hidden from the school's desk."))
        return _render(request, case, status=400, restrict_form=form)
    step = partial(
        services.case_restrict,
        case=case,
        keep=list(form.cleaned_data["keep"]),
        by=request.user,
        request=request,
    )
    return run_step(
        request,
        step,
        _("The case is restricted: only its named handlers and Koordinators see it."),
        PAGE,
        code=case.code,
    )


@require_POST
@login_required
def case_unrestrict(request: HttpRequest, code: str) -> HttpResponse:
    case = _get_case(request, code, write=True)
    _koordinator_only(request, case)
    form = UnrestrictForm(request.POST)
    if not form.is_valid():
        return _render(request, case, status=400, unrestrict_form=form)
    step = partial(services.case_unrestrict, case=case, by=request.user, request=request)
    return run_step(request, step, _("The restriction was lifted."), PAGE, code=case.code)


@require_POST
@login_required
def case_handler_add(request: HttpRequest, code: str) -> HttpResponse:
    case = _get_case(request, code, write=True)
    _koordinator_only(request, case)
    form = HandlerForm(request.POST, case=case)
    if not form.is_valid():
        return _render(request, case, status=400, handler_form=form)
    step = partial(
        services.handler_add,
        case=case,
        user=form.cleaned_data["user"],
        by=request.user,
        request=request,
    )
    return run_step(request, step, _("The handler was named."), PAGE, code=case.code)


@require_POST
@login_required
def case_recuse(request: HttpRequest, code: str) -> HttpResponse:
    case = _get_case(request, code, write=True)
    user = request.user
    koordinator = user.role == Role.KOORDINATOR
    form = RecusalForm(request.POST, case=case, by=user, koordinator=koordinator)
    if not form.is_valid():
        return _render(request, case, status=400, recusal_form=form)
    person = form.cleaned_data["user"]
    try:
        services.recuse(
            case=case, user=person, reason=form.cleaned_data["reason"], by=user, request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(PAGE, code=case.code)
    if person.pk == user.pk:
        messages.success(request, _("You were recused from the case and no longer see it."))
        return redirect("sosdesk:case-list")
    messages.success(request, _("The person was recused and no longer sees the case."))
    return redirect(PAGE, code=case.code)
