"""A school's SOS Desk: its TPPK (SK, term, members, rule checks), the officers with accounts,
the public page's QR poster, and reports that officers receive in person, by phone, by letter
or by message.

Who sees what is decided in `sosdesk.permissions` (`desks_visible_to`, `can_manage_desk`,
`can_file_for_school`): a school the user may not see is 404, an action they may not take 403.
"""

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peksos.accounts.models import Role
from schools.models import School

from .. import desk_rules, services
from ..forms import DeskForm, DeskMemberForm
from ..models import Desk, DeskMember
from ..permissions import can_file_for_school, can_manage_desk, desks_visible_to
from ..report_forms import OfficerReportForm

OFFICER_ROLES = (Role.PEKSOS, Role.SOSDESK)


def get_desk_school(user, npsn: str) -> School:
    """The school whose desk the user may see (404 otherwise)."""
    try:
        return desks_visible_to(user).select_related("kecamatan").get(npsn=npsn)
    except School.DoesNotExist:
        raise Http404 from None


def _manageable(request: HttpRequest, npsn: str) -> School:
    school = get_desk_school(request.user, npsn)
    if not can_manage_desk(request.user, school):
        raise PermissionDenied
    return school


def public_url(request: HttpRequest, desk: Desk) -> str:
    return request.build_absolute_uri(reverse("lapor:form", args=[desk.public_code]))


def _desk_page(request: HttpRequest, school: School, member_form=None) -> HttpResponse:
    desk = services.desk_ensure(school, by=request.user, request=request)
    members = list(desk.members.select_related("user"))
    problems = desk_rules.desk_problems(desk, members)
    officers = (
        school.memberships.filter(user__is_active=True, user__role__in=OFFICER_ROLES)
        .select_related("user")
        .order_by("user__role", "user__first_name", "user__username")
    )
    can_manage = can_manage_desk(request.user, school)
    if member_form is None and can_manage:
        member_form = DeskMemberForm(school=school)
    context = {
        "school": school,
        "desk": desk,
        "members": members,
        "errors": [p for p in problems if p.is_error],
        "warnings": [p for p in problems if not p.is_error],
        "officers": officers,
        "public_url": public_url(request, desk),
        "can_manage": can_manage,
        "can_file": can_file_for_school(request.user, school),
        "member_form": member_form,
    }
    return render(request, "sosdesk/desk_detail.html", context)


@require_safe
@login_required
def desk_detail(request: HttpRequest, npsn: str) -> HttpResponse:
    return _desk_page(request, get_desk_school(request.user, npsn))


@require_http_methods(["GET", "POST"])
@login_required
def desk_edit(request: HttpRequest, npsn: str) -> HttpResponse:
    school = _manageable(request, npsn)
    desk = services.desk_ensure(school, by=request.user, request=request)
    form = DeskForm(request.POST if request.method == "POST" else None, instance=desk)
    if form.is_valid():
        services.desk_update(
            desk=desk,
            sk_number=form.cleaned_data["sk_number"],
            term_start=form.cleaned_data["term_start"],
            term_end=form.cleaned_data["term_end"],
            by=request.user,
            request=request,
        )
        messages.success(request, _("The decree (SK) and the term were saved."))
        return redirect("sosdesk:desk-detail", npsn=school.npsn)
    return render(request, "sosdesk/desk_form.html", {"school": school, "form": form})


@require_POST
@login_required
def member_add(request: HttpRequest, npsn: str) -> HttpResponse:
    school = _manageable(request, npsn)
    form = DeskMemberForm(request.POST, school=school)
    if not form.is_valid():
        return _desk_page(request, school, member_form=form)
    services.desk_member_add(
        desk=services.desk_ensure(school, by=request.user, request=request),
        **form.cleaned_data,
        by=request.user,
        request=request,
    )
    messages.success(request, _("%(name)s was added to the team.") % form.cleaned_data)
    return redirect("sosdesk:desk-detail", npsn=school.npsn)


@require_POST
@login_required
def member_delete(request: HttpRequest, npsn: str, pk: int) -> HttpResponse:
    school = _manageable(request, npsn)
    member = get_object_or_404(DeskMember, pk=pk, desk__school=school)
    services.desk_member_remove(member=member, by=request.user, request=request)
    messages.success(request, _("%(name)s was removed from the team.") % {"name": member.name})
    return redirect("sosdesk:desk-detail", npsn=school.npsn)


@require_safe
@login_required
def desk_poster(request: HttpRequest, npsn: str) -> HttpResponse:
    school = get_desk_school(request.user, npsn)
    desk = services.desk_ensure(school, by=request.user, request=request)
    url = public_url(request, desk)
    context = {
        "school": school,
        "desk": desk,
        "public_url": url,
        "short_url": url.split("://", 1)[-1],  # what people type: no scheme
    }
    return render(request, "sosdesk/desk_poster.html", context)


@require_safe
@login_required
def desk_qr(request: HttpRequest, npsn: str) -> HttpResponse:
    school = get_desk_school(request.user, npsn)
    desk = services.desk_ensure(school, by=request.user, request=request)
    url = public_url(request, desk)
    buffer = io.BytesIO()
    # Error level M survives a poster that gets scratched or folded; the URL is short.
    segno.make(url, error="m").save(buffer, kind="svg", scale=10, border=4, desc=url)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_http_methods(["GET", "POST"])
@login_required
def case_create(request: HttpRequest, npsn: str) -> HttpResponse:
    """A report received in person, by phone, by letter or by message, recorded by an officer."""
    school = get_desk_school(request.user, npsn)
    if not can_file_for_school(request.user, school):
        raise PermissionDenied
    if request.method != "POST":
        form = OfficerReportForm()  # with a fresh idempotency key
        return render(request, "sosdesk/case_create.html", {"school": school, "form": form})
    form = OfficerReportForm(request.POST)
    if not form.is_valid():
        return render(request, "sosdesk/case_create.html", {"school": school, "form": form})
    receipt = services.case_file(
        school=school, by=request.user, request=request, **form.report_kwargs()
    )
    if receipt.created:
        messages.success(
            request,
            _(
                "The report was recorded. Tracking code %(code)s, PIN %(pin)s: give both to the "
                "reporter now. The PIN is shown only this once."
            )
            % {"code": receipt.case.code, "pin": receipt.pin},
        )
    else:
        messages.info(request, _("This report was already recorded."))
    return redirect("sosdesk:case-detail", code=receipt.case.code)
