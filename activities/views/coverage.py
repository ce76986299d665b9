"""Plan coverage: the schools × the three activity types this school year (reached, planned,
missing), summed per kecamatan, with the schools page by page (activities/coverage.py)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from peksos.core.pagination import page_for, page_links
from schools.permissions import schools_served_by
from visits.views.common import year_param

from ..coverage import KINDS, coverage_by_school, statuses_of, summary_by_kecamatan
from ..forms import CoverageFilterForm
from ..permissions import can_see_coverage

SCHOOL_ORDER = ("name", "id")


@require_safe
@login_required
def coverage_board(request: HttpRequest) -> HttpResponse:
    if not can_see_coverage(request.user):
        raise PermissionDenied
    year = year_param(request)
    form = CoverageFilterForm(request.GET or None)
    schools = form.filter(schools_served_by(request.user).active())
    coverage = coverage_by_school(schools, year, timezone.localdate())
    groups, total = summary_by_kecamatan(
        schools.order_by().values_list("pk", "kecamatan__name"), coverage
    )
    page = page_for(request, schools.select_related("kecamatan"), SCHOOL_ORDER)
    rows = [(school, statuses_of(coverage, school.pk)) for school in page.items]
    context = {
        "year": year,
        "form": form,
        "keep": [("tahun", year)],
        "kinds": KINDS,
        "groups": groups,
        "total": total,
        "rows": rows,
        "page": page,
        **page_links(request, page),
    }
    return render(request, "activities/coverage_board.html", context)
