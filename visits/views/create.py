"""Visits made by hand: the Koordinator for any school, a PEKSOS for the schools they serve.
A visit the plan left out, or a follow-up after a case (the case page links here with
`?sekolah=<npsn>&asal=kasus:<code>`). The planner's hard rules refuse a visit; the soft ones
warn; the Koordinator may override the hard ones with a reason (docs/visits.md)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peksos.core.refusals import Refusal

from .. import services
from ..checks import Check, check_visit
from ..forms import VisitCreateForm
from ..permissions import can_override_rules, may_create_visits, schools_for_new_visit


def may_go_ahead(check: Check, form) -> bool:
    """Save when the rules hold (and any warning was confirmed), or when they are broken and
    the Koordinator gave a reason to override them."""
    if check.ok:
        return not check.warnings or form.cleaned_data["confirm"]
    return bool(form.override_text)


@require_http_methods(["GET", "POST"])
@login_required
def visit_create(request: HttpRequest) -> HttpResponse:
    if not may_create_visits(request.user):
        raise PermissionDenied
    initial = {"school": request.GET.get("sekolah", ""), "origin": request.GET.get("asal", "")}
    form = VisitCreateForm(
        request.POST or None,
        initial=initial,
        schools=schools_for_new_visit(request.user),
        can_override=can_override_rules(request.user),
    )
    check = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        check = check_visit(form.visit_for_check(), data["date"], form.team())
        if may_go_ahead(check, form):
            try:
                visit = services.visit_create(
                    school=data["school"],
                    kind=data["kind"],
                    day=data["date"],
                    team=form.team(),
                    needs_pendamping=data["needs_pendamping"],
                    origin=data["origin"],
                    override_reason=form.override_text,
                    by=request.user,
                    request=request,
                )
            except Refusal as exc:
                check.errors = exc.messages
            else:
                messages.success(request, _("The visit was added and proposed to the school."))
                return redirect("visits:visit-detail", pk=visit.pk)
    return render(request, "visits/visit_create.html", {"form": form, "check": check})
