"""Schools' invitation codes for joining the forum: made and switched off by the Koordinator
(any school) or a PEKSOS (the schools they serve). See forum.permissions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from peksos.accounts.models import Role
from schools.models import School
from schools.permissions import schools_served_by

from .. import registration
from ..forms import InviteCodeForm, SchoolSearchForm
from ..permissions import get_invite_code_for_user, get_school_for_invite_codes

SEARCH_LIMIT = 20


@require_safe
@login_required
def invitecode_index(request: HttpRequest) -> HttpResponse:
    """Pick a school: the Koordinator searches the register, a PEKSOS sees their schools."""
    user = request.user
    if user.role not in {Role.KOORDINATOR, Role.PEKSOS}:
        raise PermissionDenied
    form = SchoolSearchForm(request.GET or None)
    schools = School.objects.none()
    if user.role == Role.PEKSOS:
        schools = schools_served_by(user)
    elif form.is_valid() and form.cleaned_data["q"].strip():
        q = form.cleaned_data["q"].strip()
        schools = School.objects.filter(Q(name__icontains=q) | Q(npsn=q))
    schools = schools.select_related("kecamatan").order_by("name", "id")[:SEARCH_LIMIT]
    return render(request, "forum/invitecode_index.html", {"form": form, "schools": list(schools)})


@require_safe
@login_required
def invitecode_list(request: HttpRequest, npsn: str) -> HttpResponse:
    school = get_school_for_invite_codes(request.user, npsn)
    codes = school.forum_invite_codes.annotate(
        confirmed=Count("registrations", filter=Q(registrations__confirmed_at__isnull=False))
    )
    context = {
        "school": school,
        "codes": list(codes),
        "form": InviteCodeForm(),
        "join_url": request.build_absolute_uri(reverse("forum:registration-create")),
    }
    return render(request, "forum/invitecode_list.html", context)


@require_POST
@login_required
def invitecode_create(request: HttpRequest, npsn: str) -> HttpResponse:
    school = get_school_for_invite_codes(request.user, npsn)
    form = InviteCodeForm(request.POST)
    if form.is_valid():
        code = registration.invite_code_create(
            school=school, label=form.cleaned_data["label"], by=request.user, request=request
        )
        messages.success(request, _("New code: %(code)s") % {"code": code.display})
        return redirect("forum:invitecode-list", npsn=school.npsn)
    context = {"school": school, "codes": list(school.forum_invite_codes.all()), "form": form}
    return render(request, "forum/invitecode_list.html", context)


@require_POST
@login_required
def invitecode_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    code = get_invite_code_for_user(request.user, pk)
    registration.invite_code_deactivate(code=code, by=request.user, request=request)
    messages.success(request, _("The code %(code)s no longer works.") % {"code": code.display})
    return redirect("forum:invitecode-list", npsn=code.school.npsn)
