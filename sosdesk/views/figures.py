"""Figures of SOS Desk cases: aggregates only, never a case's details.

Koordinators see the whole city; PEKSOS and desk officers the schools they serve (the cases
`cases_visible_to` gives them); a principal their own school's figures. Everyone else: 403.
`?keluar=1` gives the version that may leave the office, with counts under 5 suppressed; a
principal who is not on the desk gets only that version (issue 19).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from peksos.accounts.models import Role, User
from peksos.core import audit
from peksos.core.dbrouter import replica_reads
from schools import region_tree
from schools.permissions import serves_whole_register

from .. import figure_tallies, figures
from ..forms import FiguresFilterForm
from ..models import Case
from ..permissions import HANDLER_ROLES, cases_visible_to, principal_on_desk, school_side


def figure_cases(user: User) -> QuerySet[Case]:
    """The cases whose aggregates this user may see (403 for roles without figures)."""
    if user.role == Role.KOORDINATOR or user.role in HANDLER_ROLES:
        return cases_visible_to(user)
    if user.role == Role.KEPALA_SEKOLAH:
        # Figures only: the principal never reaches a case itself (cases_visible_to is empty),
        # and the cases hidden from the school are not counted.
        return Case.objects.filter(school_side(user))
    raise PermissionDenied


def suppressed_only(user: User) -> bool:
    """A principal who is not on the desk gets only the version for outside the office."""
    return user.role == Role.KEPALA_SEKOLAH and not principal_on_desk(user)


@require_safe
@login_required
def case_figures(request: HttpRequest) -> HttpResponse:
    cases = figure_cases(request.user)
    form = FiguresFilterForm(request.GET or None)
    data = form.valid_data()
    # All the register's cases: summed from the tallies (flat at any size, always current).
    whole_register = serves_whole_register(request.user)
    if data.get("sekolah"):
        cases = cases.filter(school__npsn=data["sekolah"])
        whole_register = False
    suppressed_only_ = suppressed_only(request.user)
    outside = bool(data.get("keluar")) or suppressed_only_
    period = {"start": data.get("dari"), "end": data.get("sampai"), "outside": outside}
    trail = []
    if whole_register:
        # The whole register's figures may come from the read replica (peksos/core/dbrouter.py);
        # one school's or a desk's own stay on the primary, with the scoping of who sees them.
        # By region one level at a time (schools/region_tree.py: `?wilayah=<code>`).
        asked = region_tree.parent_param(request.GET.get(region_tree.PARAM))
        with replica_reads():
            result = figure_tallies.register_summary(**period, parent=asked)
            parent = result.regions.parent
            if asked:
                top = figure_tallies.register_regions("", period["start"], period["end"])
                trail = region_tree.trail(parent, top.parent)
    else:
        result = figures.summary(cases, **period)
    with transaction.atomic():
        audit.record("case_figures_viewed", request=request, object_type="sosdesk.case")
    query = request.GET.copy()
    query.pop("keluar", None)
    region_query = query.copy()
    region_query.pop(region_tree.PARAM, None)
    context = {
        "form": form,
        "summary": result,
        "outside": outside,
        "suppressed_only": suppressed_only_,
        "filter_query": query.urlencode(),
        "region_query": region_query.urlencode(),
        "region_param": region_tree.PARAM,
        "trail": trail,
        "threshold": figures.SUPPRESSION_THRESHOLD,
    }
    return render(request, "sosdesk/case_figures.html", context)
