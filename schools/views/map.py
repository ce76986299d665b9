"""The map of schools: the page, its GeoJSON (filtered like the register's list), and setting
a school's coordinates, typed or picked on the map.

Schools without coordinates are listed beside the map; those the user may locate (the
Koordinator: all; a PEKSOS: the schools they serve) each carry a small coordinates form.
"""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from peksos.accounts.models import Role, User

from .. import geo
from ..bbox import BoxError, parse_bbox
from ..filters import SchoolFilterForm
from ..forms import CoordinatesForm
from ..models import PriorityBand, School
from ..permissions import (
    can_edit_school,
    can_set_coordinates,
    get_school_for_user,
    schools_served_by,
    schools_visible_to,
)
from ..placing import set_coordinates
from ..tiles import allow_tiles
from .register import require_register_access

# Beside the map, a phone shows this many schools without coordinates, then "and N more".
MISSING_SHOWN = 50
# The map data sends at most this many schools (the first by priority, then id) and this
# many kecamatan labels, however large the register or the box asked for; the labels are
# computed over at most KECAMATAN_SCHOOLS_MAX located schools of the box (more: no labels).
MAP_POINTS_MAX = 500
KECAMATAN_SHOWN = 100
KECAMATAN_SCHOOLS_MAX = 2000
# The query-string parameter that opens the coordinates form of one school (e.g. to correct
# coordinates already set: the detail page may link here with ?atur=<npsn>).
EDIT_PARAM = "atur"


@require_safe
@login_required
@allow_tiles
def school_map(request: HttpRequest) -> HttpResponse:
    require_register_access(request.user)
    focus = None
    if npsn := request.GET.get(EDIT_PARAM):
        school = get_school_for_user(request.user, npsn)
        if can_set_coordinates(request.user, school):
            initial = {"latitude": school.latitude, "longitude": school.longitude}
            focus = (school, _coordinates_form(school, initial=initial))
    query = request.GET.copy()
    query.pop(EDIT_PARAM, None)
    next_url = f"{request.path}?{query.urlencode()}" if query else request.path
    context = _map_context(request, query, focus=focus, next_url=next_url)
    return render(request, "schools/school_map.html", context)


@require_safe
@login_required
def school_map_data(request: HttpRequest) -> JsonResponse:
    """Visible schools with coordinates, after the filters, as a GeoJSON FeatureCollection;
    its foreign member `kecamatan` holds the kecamatan's label points (geo.kecamatan_centres).

    Bounded by MAP_POINTS_MAX whatever the register's size (docs/benchmarks.md, "The map data
    grows with the register"): the schools inside `bbox=west,south,east,north` (without it,
    the whole register), the first MAP_POINTS_MAX by priority then id. One more is fetched to
    know whether there are more, rather than counting them all: then `truncated` is true (the
    page says "zoom in"), `total` is null and `kecamatan` is empty (a view that wide has too
    many for labels to help). Otherwise `total` is the exact number of schools sent, and the
    labels are the box's (all its located schools, whatever the filters), computed over at most
    KECAMATAN_SCHOOLS_MAX of them. Two queries besides the session's (schools, labels; one
    when truncated), whatever the number of schools.
    """
    require_register_access(request.user)
    box = None
    if "bbox" in request.GET:
        try:
            box = parse_bbox(request.GET["bbox"])
        except BoxError as error:
            return JsonResponse({"error": str(error)}, status=400)
    query = request.GET.copy()
    query.pop("bbox", None)
    filters = SchoolFilterForm(query or None)
    schools = filters.filter(schools_visible_to(request.user)).with_coordinates()
    if box is not None:
        schools = schools.filter(
            latitude__range=(box.south, box.north), longitude__range=(box.west, box.east)
        )
    rows = list(
        schools.order_by("-priority_rank", "id").values(
            "npsn",
            "name",
            "level",
            "priority_band",
            "priority_score",
            "latitude",
            "longitude",
            "kecamatan__name",
        )[: MAP_POINTS_MAX + 1]
    )
    truncated = len(rows) > MAP_POINTS_MAX  # the one more says so, no count needed
    rows = rows[:MAP_POINTS_MAX]
    band_labels = {value: str(label) for value, label in PriorityBand.choices}
    # One reverse() for all rows: NPSNs are digits, so a placeholder swap is safe.
    url_pattern = reverse("schools:school-detail", args=["00000000"])
    features = [
        {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [float(row["longitude"]), float(row["latitude"])],
            },
            "properties": {
                "npsn": row["npsn"],
                "name": row["name"],
                "level": row["level"],
                "kecamatan": row["kecamatan__name"],
                "band": row["priority_band"],
                "band_label": band_labels.get(row["priority_band"], row["priority_band"]),
                "score": None if row["priority_score"] is None else float(row["priority_score"]),
                "url": url_pattern.replace("00000000", row["npsn"]),
            },
        }
        for row in rows
    ]
    labels = (
        []  # a view too wide for every school is too wide for labels to help: no query
        if truncated
        else geo.kecamatan_centres(box, limit=KECAMATAN_SHOWN, schools_max=KECAMATAN_SCHOOLS_MAX)
    )
    return JsonResponse(
        {
            "type": "FeatureCollection",
            "features": features,
            "total": None if truncated else len(features),
            "truncated": truncated,
            "kecamatan": labels,
        }
    )


@require_POST
@login_required
def school_coordinates(request: HttpRequest, npsn: str) -> HttpResponse:
    """Set a school's coordinates (from the map page, or any page passing `next`)."""
    school = get_school_for_user(request.user, npsn)  # hidden: 404
    if not can_set_coordinates(request.user, school):
        raise PermissionDenied
    next_url = _safe_next(request)
    form = _coordinates_form(school, data=request.POST)
    if not form.is_valid():
        # Back on the map, with the errors and what was typed, under the filters of `next`.
        query = QueryDict(urlsplit(next_url).query) if next_url else QueryDict()
        context = _map_context(request, query, focus=(school, form), next_url=next_url)
        return render(request, "schools/school_map.html", context)
    set_coordinates(
        school=school,
        latitude=form.cleaned_data["latitude"],
        longitude=form.cleaned_data["longitude"],
        request=request,
    )
    messages.success(request, _("Coordinates of %(school)s saved.") % {"school": school.name})
    return redirect(next_url or reverse("schools:school-map"))


# --- helpers ------------------------------------------------------------------------------


def _coordinates_form(school: School, **kwargs) -> CoordinatesForm:
    """Many forms share the page: ids carry the NPSN so labels stay unique."""
    return CoordinatesForm(auto_id=f"id_{school.npsn}_%s", **kwargs)


def _safe_next(request: HttpRequest) -> str:
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


def _coordinates_settable(user: User, schools: list[School]) -> set[int]:
    """`can_set_coordinates` for many schools in one query (the same rule, in bulk)."""
    if can_edit_school(user):
        return {school.pk for school in schools}
    if user.role != Role.PEKSOS or not schools:
        return set()
    served = schools_served_by(user).filter(pk__in=[school.pk for school in schools])
    return set(served.values_list("pk", flat=True))


def _map_context(
    request: HttpRequest,
    query: QueryDict,
    *,
    focus: tuple[School, CoordinatesForm] | None,
    next_url: str,
) -> dict:
    """Everything the map page shows, in a fixed number of queries however many schools."""
    query = query.copy()
    query.pop(EDIT_PARAM, None)
    filters = SchoolFilterForm(query or None)
    schools = filters.filter(schools_visible_to(request.user))
    unlocated = Q(latitude__isnull=True) | Q(longitude__isnull=True)
    counts = schools.aggregate(missing=Count("pk", filter=unlocated), total=Count("pk"))
    shown = list(
        schools.without_coordinates()
        .select_related("kecamatan")
        .only("npsn", "name", "level", "kecamatan__name")
        .order_by("name", "id")[:MISSING_SHOWN]
    )
    settable = _coordinates_settable(request.user, shown)
    if focus is not None:
        settable.discard(focus[0].pk)  # its form is shown on its own, above the list
    data_query = query.urlencode()
    data_url = reverse("schools:school-map-data")
    return {
        "filters": filters,
        "filter_query": data_query,
        "data_url": f"{data_url}?{data_query}" if data_query else data_url,
        "on_map_count": counts["total"] - counts["missing"],
        "missing": [
            (school, _coordinates_form(school) if school.pk in settable else None)
            for school in shown
        ],
        "missing_count": counts["missing"],
        "missing_more": max(counts["missing"] - len(shown), 0),
        "focus": focus,
        "next_url": next_url,
        "bounds": f"{geo.SOUTH},{geo.WEST},{geo.NORTH},{geo.EAST}",
        "centre": f"{geo.CENTRE[0]},{geo.CENTRE[1]}",
        "bands": PriorityBand.choices,
        "can_place": can_edit_school(request.user),
    }
