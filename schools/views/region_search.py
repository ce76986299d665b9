"""/wilayah/cari/...: the JSON search behind the kecamatan and kelurahan filters of the lists
(schools, visits, activities; `peksos.core.forms.LongModelChoiceField`). Anyone with a list that
has these filters (`may_use_schools`: the programme and the school offices) may search; teachers
and parents get 403. Region names and codes are public administrative names, not records: no
audit row. `?kecamatan=<code>` limits the kelurahan to one kecamatan."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from peksos.core.search import search_response

from ..models import Kecamatan, Kelurahan
from ..permissions import may_use_schools


def _require(user) -> None:
    if not may_use_schools(user):
        raise PermissionDenied


@require_safe
@login_required
def kecamatan_search(request: HttpRequest) -> JsonResponse:
    _require(request.user)
    return search_response(
        request,
        Kecamatan.objects.order_by("name", "code"),
        fields=("name", "code"),
        value=lambda k: k.code,
        text=lambda k: k.name,
    )


@require_safe
@login_required
def kelurahan_search(request: HttpRequest) -> JsonResponse:
    _require(request.user)
    rows = Kelurahan.objects.select_related("kecamatan").order_by("name", "code")
    kecamatan = request.GET.get("kecamatan", "")
    if kecamatan and len(kecamatan) <= 16 and kecamatan.isprintable():
        rows = rows.filter(kecamatan__code=kecamatan)
    return search_response(
        request,
        rows,
        fields=("name", "code"),
        value=lambda k: k.code,
        text=lambda k: f"{k.name} ({k.kecamatan.name})",
    )
