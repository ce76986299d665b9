"""The compliance board: schools by visits done this school year (0 / 1 / 2 or more) and
planned, per region and per jenjang, and the schools at risk of missing their second
visit (done + planned from today < 2).

The whole register's regions are shown one level at a time (schools/region_tree.py): the
provinces, a province's kabupaten/kota, a kabupaten's kecamatan (`?wilayah=<code>`); a user
with some schools sees their kecamatan."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from peksos.core.dbrouter import replica_reads
from peksos.core.pagination import page_for, page_links
from schools import region_tree
from schools.permissions import schools_served_by, serves_whole_register

from ..compliance import compliance_rows, count_per_school, schools_with_counts, totals
from ..figures import region_drill, register_rows
from ..models import Visit
from ..permissions import can_see_compliance
from .common import year_param

AT_RISK_ORDER = ("name", "id")


@require_safe
@login_required
def compliance_board(request: HttpRequest) -> HttpResponse:
    if not can_see_compliance(request.user):
        raise PermissionDenied
    year = year_param(request)
    today = timezone.localdate()
    scope = schools_served_by(request.user).active()
    parent, trail = "", []
    if serves_whole_register(request.user):
        # Maintained sums (visits/figures.py): a few small queries at any register size.
        with replica_reads():  # the whole register's figures (peksos/core/dbrouter.py)
            asked = region_tree.parent_param(request.GET.get(region_tree.PARAM))
            parent, by_region = region_drill(year, today, asked)
            by_level = register_rows(year, today, "level")
            top = region_drill(year, today)[0] if asked else parent
            trail = region_tree.trail(parent, top)
        level = region_tree.level_below(parent)
        # The list of schools at risk belongs to one kabupaten/kota (its kecamatan shown):
        # above it, a country's thousands of schools at risk in alphabetical order help
        # nobody, and finding them would read the register. The list looks only where the
        # sums say at-risk schools are: the kecamatan and the levels that have some.
        ids = []
        if level == region_tree.KECAMATAN:
            ids = [r["kecamatan_id"] for r in by_region if r["at_risk"]]
        scope = scope.filter(
            kecamatan_id__in=ids, level__in=[r["level"] for r in by_level if r["at_risk"]]
        )
    else:
        level = region_tree.KECAMATAN
        by_region = compliance_rows(scope, year, today, "kecamatan__name")
        for row in by_region:
            row["label"] = row["kecamatan__name"]
        by_level = compliance_rows(scope, year, today, "level")
        for row in by_level:
            row["label"] = row["level"]
    # At risk: fewer than two visits done or still planned. One correlated count per school
    # (two, as `done` and `planned`, cost twice: bench/national.py); the page shows both.
    counting = Visit.objects.in_school_year(year).filter(
        Q(state=Visit.State.DONE) | Q(state__in=Visit.PLANNED_STATES, date__gte=today)
    )
    at_risk = schools_with_counts(
        scope.annotate(counted=count_per_school(counting)).filter(counted__lt=2), year, today
    )
    page = page_for(request, at_risk.select_related("kecamatan"), AT_RISK_ORDER)
    context = {
        "year": year,
        "by_region": by_region,
        "region_title": region_tree.LEVEL_TITLES[level],
        "region_param": region_tree.PARAM,
        "trail": trail,
        "region_parent": parent,
        "pick_a_kabupaten": level != region_tree.KECAMATAN,
        "by_level": by_level,
        "totals": totals(by_region),
        "page": page,
        **page_links(request, page),
    }
    return render(request, "visits/compliance_board.html", context)
