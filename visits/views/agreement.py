"""Agreeing dates with the school. The principal and SOS Desk officers see their school's
proposed visits, accept one or propose another date with a reason; the Koordinator or the
school's PEKSOS accept the school's date or suggest a third one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peksos.accounts.models import Role
from peksos.core.actions import back_to
from peksos.core.refusals import Refusal

from .. import services
from ..forms import DateProposalForm
from ..models import DateChange, Visit
from ..permissions import (
    SCHOOL_OFFICE_ROLES,
    can_answer_for_school,
    can_edit_visit,
    get_visit_for_user,
    visits_visible_to,
)

AGREEMENT_LIMIT = 200


@require_safe
@login_required
def visit_agreement(request: HttpRequest) -> HttpResponse:
    """The school's side: its proposed and agreed visits. The programme's side: the dates
    schools proposed, waiting for an answer."""
    user = request.user
    if user.role not in SCHOOL_OFFICE_ROLES | {Role.KOORDINATOR, Role.PEKSOS}:
        raise PermissionDenied
    proposed_date = DateChange.objects.filter(
        visit=OuterRef("pk"), state=DateChange.State.PENDING
    ).values("to_date")[:1]
    visible = visits_visible_to(user).for_list().annotate(proposed_date=Subquery(proposed_date))
    if user.role in SCHOOL_OFFICE_ROLES:
        awaiting = visible.awaiting_school()
        waiting = visible.awaiting_programme()
        agreed = visible.upcoming(timezone.localdate()).filter(state=Visit.State.AGREED)
    else:
        awaiting = visible.awaiting_programme()
        waiting = visible.awaiting_school()
        agreed = visible.none()
    context = {
        "school_side": user.role in SCHOOL_OFFICE_ROLES,
        "awaiting": list(awaiting.order_by("date", "id")[:AGREEMENT_LIMIT]),
        "waiting": list(waiting.order_by("date", "id")[:AGREEMENT_LIMIT]),
        "agreed": list(agreed.order_by("date", "id")[:AGREEMENT_LIMIT]),
    }
    return render(request, "visits/visit_agreement.html", context)


@require_POST
@login_required
def visit_accept(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit_for_user(request.user, pk, check=can_answer_for_school)
    try:
        services.visit_accept(visit=visit, by=request.user, request=request)
    except Refusal as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(request, _("Thank you: the visit date is agreed."))
    return redirect("visits:visit-agreement")


def _date_form_view(request, pk, *, check, action, template, done_message, redirect_to):
    visit = get_visit_for_user(request.user, pk, check=check)
    form = DateProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            action(
                visit=visit,
                day=form.cleaned_data["date"],
                reason=form.cleaned_data["reason"],
                by=request.user,
                request=request,
            )
        except Refusal as exc:
            for error in exc.messages:
                form.add_error("date", error)
        else:
            messages.success(request, done_message)
            return redirect(*redirect_to(visit))
    pending = visit.changes.filter(state=DateChange.State.PENDING).first()
    return render(request, template, {"visit": visit, "form": form, "pending": pending})


@require_http_methods(["GET", "POST"])
@login_required
def visit_counter(request: HttpRequest, pk: int) -> HttpResponse:
    """The school proposes another date."""
    return _date_form_view(
        request,
        pk,
        check=can_answer_for_school,
        action=services.visit_counter,
        template="visits/visit_counter.html",
        done_message=_("Your date was sent to the programme, which will answer soon."),
        redirect_to=lambda visit: ["visits:visit-agreement"],
    )


@require_http_methods(["GET", "POST"])
@login_required
def visit_suggest(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme answers the school's date with a third one."""
    return _date_form_view(
        request,
        pk,
        check=can_edit_visit,
        action=services.visit_suggest,
        template="visits/visit_suggest.html",
        done_message=_("Your date was sent to the school."),
        redirect_to=lambda visit: ["visits:visit-detail", visit.pk],
    )


@require_POST
@login_required
def visit_counter_accept(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit_for_user(request.user, pk, check=can_edit_visit)
    try:
        services.visit_counter_accept(visit=visit, by=request.user, request=request)
    except Refusal as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(request, _("The school's date is accepted: the visit is agreed."))
    return back_to(request, "visits:visit-detail", pk=visit.pk)
