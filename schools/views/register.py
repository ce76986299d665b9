"""The school register: list (search, filters, keyset pages), detail, edit, exports."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from peksos.accounts.models import Role
from peksos.accounts.reauth import needs_reauth
from peksos.core import audit
from peksos.core.dbrouter import read_alias
from peksos.core.pagination import page_for, page_links

from .. import exports, priority
from ..filters import SORTS, SchoolFilterForm
from ..forms import SchoolForm
from ..permissions import (
    REGISTER_WIDE_ROLES,
    can_edit_calendar,
    can_edit_school,
    can_set_coordinates,
    get_school_for_user,
    may_use_schools,
    schools_visible_to,
    serves_whole_register,
)
from ..tiles import allow_tiles

CONTACT_ROLES = (Role.KEPALA_SEKOLAH, Role.SOSDESK, Role.PEKSOS)


def require_register_access(user) -> None:
    """Teachers and parents have no register: 403 (the page exists, their role may not)."""
    if not may_use_schools(user):
        raise PermissionDenied


@require_safe
@login_required
def school_list(request: HttpRequest) -> HttpResponse:
    require_register_access(request.user)
    form = SchoolFilterForm(request.GET or None)
    schools = form.filter(schools_visible_to(request.user)).select_related("kecamatan", "kelurahan")
    page = page_for(request, schools, SORTS[form.sort_key])
    context = {
        "form": form,
        "page": page,
        **page_links(request, page),
        "can_import": can_edit_school(request.user),
    }
    return render(request, "schools/school_list.html", context)


@require_safe
@login_required
def school_export(request: HttpRequest, fmt: str) -> HttpResponse:
    require_register_access(request.user)
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    if (prompt := needs_reauth(request)) is not None:
        return prompt
    form = SchoolFilterForm(request.GET or None)
    schools = form.filter(schools_visible_to(request.user)).order_by(*SORTS[form.sort_key])
    if serves_whole_register(request.user):  # the whole register: the read replica if any
        schools = schools.using(read_alias())
    audit.record(f"school_export_{fmt}", request=request, object_type="schools.school")
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        response = StreamingHttpResponse(exports.csv_lines(schools), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="sekolah-{stamp}.csv"'
        return response
    buffer = io.BytesIO()
    exports.xlsx_workbook(schools).save(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"sekolah-{stamp}.xlsx")


@require_safe
@login_required
@allow_tiles
def school_detail(request: HttpRequest, npsn: str) -> HttpResponse:
    require_register_access(request.user)
    school = get_school_for_user(request.user, npsn)
    contacts = (
        school.memberships.filter(user__is_active=True, user__role__in=CONTACT_ROLES)
        .select_related("user")
        .order_by("user__role", "user__first_name")
    )
    context = {
        "school": school,
        "contacts": contacts,
        "breakdown": priority.explain(school),
        "can_edit": can_edit_school(request.user),
        "can_set_coordinates": can_set_coordinates(request.user, school),
        "can_edit_calendar": can_edit_calendar(request.user, school),
        # The page that explains the score is for register-wide roles only (403 for others).
        "can_see_weights": request.user.role in REGISTER_WIDE_ROLES,
    }
    return render(request, "schools/school_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def school_edit(request: HttpRequest, npsn: str) -> HttpResponse:
    require_register_access(request.user)
    school = get_school_for_user(request.user, npsn)
    if not can_edit_school(request.user, school):
        raise PermissionDenied
    form = SchoolForm(request.POST or None, instance=school)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            priority.recompute(type(school).objects.filter(pk=school.pk))
            audit.record("school_updated", request=request, obj=school)
        messages.success(request, _("The school's details were saved."))
        return redirect("schools:school-detail", npsn=school.npsn)
    return render(request, "schools/school_form.html", {"school": school, "form": form})
