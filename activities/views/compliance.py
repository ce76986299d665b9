"""The compliance board: schools by visits done this school year (0 / 1 / 2 or more) and
planned, per kecamatan and per jenjang, and the schools at risk of missing their second
visit (done + planned from today < 2)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from schools.models import School
from schools.permissions import schools_served_by

from ..models import Visit
from ..permissions import can_see_compliance
from .common import page_of, page_urls, year_param

AT_RISK_ORDER = ("name", "id")


def _count(visits: QuerySet[Visit]) -> Subquery:
    counted = visits.filter(school=OuterRef("pk")).order_by().values("school")
    return Coalesce(
        Subquery(counted.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
        Value(0),
    )


def schools_with_counts(schools: QuerySet[School], year: int, today) -> QuerySet[School]:
    """Each school with `done` (visits done this school year) and `planned` (proposed or
    agreed from today on)."""
    visits = Visit.objects.in_school_year(year)
    return schools.annotate(done=_count(visits.done()), planned=_count(visits.upcoming(today)))


def _groups(schools: QuerySet[School], field: str) -> list[dict]:
    at_risk = Q(done=0, planned__lt=2) | Q(done=1, planned=0)
    return list(
        schools.order_by()
        .values(field)
        .annotate(
            total=Count("pk"),
            done_0=Count("pk", filter=Q(done=0)),
            done_1=Count("pk", filter=Q(done=1)),
            done_2=Count("pk", filter=Q(done__gte=2)),
            with_planned=Count("pk", filter=Q(planned__gt=0)),
            at_risk=Count("pk", filter=at_risk),
        )
        .order_by(field)
    )


@require_safe
@login_required
def compliance_board(request: HttpRequest) -> HttpResponse:
    if not can_see_compliance(request.user):
        raise PermissionDenied
    year = year_param(request)
    today = timezone.localdate()
    schools = schools_with_counts(schools_served_by(request.user).active(), year, today)
    by_kecamatan = _groups(schools, "kecamatan__name")
    at_risk = schools.filter(Q(done=0, planned__lt=2) | Q(done=1, planned=0))
    page = page_of(at_risk.select_related("kecamatan"), AT_RISK_ORDER, request)
    context = {
        "year": year,
        "by_kecamatan": by_kecamatan,
        "by_level": _groups(schools, "level"),
        "totals": {
            key: sum(row[key] for row in by_kecamatan)
            for key in ("total", "done_0", "done_1", "done_2", "with_planned", "at_risk")
        },
        "page": page,
        **page_urls(request, page),
    }
    return render(request, "activities/compliance_board.html", context)
