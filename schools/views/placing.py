"""The Koordinator's round of placing schools without coordinates: one school at a time on
the map (search it or take the next), click where it is, save, and the next one comes.

Without JavaScript the page still works: the school is chosen from a plain select and the
coordinates are typed. The Koordinator only (a PEKSOS sets their own schools' coordinates
from the map page); the save is audited (placing.set_coordinates).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from .. import geo
from ..forms import CoordinatesForm
from ..models import School
from ..permissions import can_edit_school, get_school_for_user
from ..placing import next_unplaced, set_coordinates, unplaced
from ..tiles import allow_tiles
from .register import require_register_access

# Query-string parameters of the page: the school to place, or the one to skip past.
SCHOOL_PARAM = "sekolah"
AFTER_PARAM = "setelah"


def _require_koordinator(user) -> None:
    require_register_access(user)
    if not can_edit_school(user):
        raise PermissionDenied


@require_safe
@login_required
@allow_tiles
def school_place(request: HttpRequest) -> HttpResponse:
    _require_koordinator(request.user)
    if npsn := request.GET.get(SCHOOL_PARAM):
        school = get_school_for_user(request.user, npsn)
    elif npsn := request.GET.get(AFTER_PARAM):
        school = next_unplaced(after=get_school_for_user(request.user, npsn))
    else:
        school = next_unplaced()
    form = None
    if school is not None:
        form = CoordinatesForm(initial={"latitude": school.latitude, "longitude": school.longitude})
    return render(request, "schools/school_place.html", _context(school, form))


@require_POST
@login_required
@allow_tiles
def school_place_save(request: HttpRequest, npsn: str) -> HttpResponse:
    _require_koordinator(request.user)
    school = get_school_for_user(request.user, npsn)
    form = CoordinatesForm(request.POST)
    if not form.is_valid():
        return render(request, "schools/school_place.html", _context(school, form))
    set_coordinates(
        school=school,
        latitude=form.cleaned_data["latitude"],
        longitude=form.cleaned_data["longitude"],
        request=request,
    )
    following = next_unplaced(after=school)
    if following is None:
        messages.success(
            request,
            _("Coordinates of %(school)s saved. Every school now has coordinates.")
            % {"school": school.name},
        )
        return redirect("schools:school-place")
    messages.success(
        request,
        _("Coordinates of %(school)s saved. Next: %(next)s.")
        % {"school": school.name, "next": following.name},
    )
    return redirect(f"{reverse('schools:school-place')}?{SCHOOL_PARAM}={following.npsn}")


def _context(school: School | None, form: CoordinatesForm | None) -> dict:
    remaining = list(unplaced().select_related("kecamatan").only("npsn", "name", "kecamatan__name"))
    centres = {row["code"]: row for row in geo.kecamatan_centres()}
    focus = centres.get(school.kecamatan.code) if school is not None else None
    return {
        "school": school,
        "form": form,
        "remaining": remaining,
        "data_url": reverse("schools:school-map-data"),
        "bounds": f"{geo.SOUTH},{geo.WEST},{geo.NORTH},{geo.EAST}",
        "centre": f"{geo.CENTRE[0]},{geo.CENTRE[1]}",
        "focus": f"{focus['latitude']},{focus['longitude']}" if focus else "",
        "school_param": SCHOOL_PARAM,
        "after_param": AFTER_PARAM,
    }
