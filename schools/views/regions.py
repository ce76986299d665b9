"""The regions of the register (/wilayah/): kecamatan and kelurahan listed, added, renamed and
imported from a file (preview, per-line errors, all or nothing). Only the Koordinator
(`can_edit_school`); everyone else signed in gets 403."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peksos.core import audit
from peksos.core.refusals import Refusal

from .. import region_import
from ..importer import max_bytes
from ..models import Kecamatan, Kelurahan, RegionImport
from ..permissions import can_edit_school
from ..region_forms import KecamatanForm, KelurahanForm, RegionImportForm
from ..regions import region_save

PREVIEW_ROWS = 200


def require_region_manager(user) -> None:
    if not can_edit_school(user):
        raise PermissionDenied


@require_safe
@login_required
def region_list(request: HttpRequest) -> HttpResponse:
    require_region_manager(request.user)
    kelurahan = Kelurahan.objects.annotate(school_count=Count("schools")).order_by("code")
    kecamatan = (
        Kecamatan.objects.annotate(school_count=Count("schools"))
        .prefetch_related(Prefetch("kelurahan", queryset=kelurahan))
        .order_by("code")
    )
    return render(request, "schools/region_list.html", {"kecamatan_list": kecamatan})


def _save(request: HttpRequest, form, region=None) -> HttpResponse | None:
    """Validate and save; None when the form (with its errors) is to be shown again."""
    if not form.is_valid():
        return None
    code = region.code if region is not None else form.cleaned_data["code"]
    try:
        saved = region_save(
            code=code,
            name=form.cleaned_data["name"],
            parent=form.parent_code(),
            by=request.user,
            request=request,
        )
    except Refusal as exc:
        form.add_error(None, exc)
        return None
    messages.success(request, _("%(region)s is saved.") % {"region": saved.name})
    return redirect("regions:region-list")


def _form_page(request, form, *, kind: str, region=None) -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "is_kelurahan": kind == "kelurahan", "region": region}
    return render(request, "schools/region_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def kecamatan_create(request: HttpRequest) -> HttpResponse:
    require_region_manager(request.user)
    form = KecamatanForm(request.POST or None)
    if request.method == "POST" and (done := _save(request, form)):
        return done
    return _form_page(request, form, kind="kecamatan")


@require_http_methods(["GET", "POST"])
@login_required
def kecamatan_edit(request: HttpRequest, code: str) -> HttpResponse:
    require_region_manager(request.user)
    region = get_object_or_404(Kecamatan, code=code)
    form = KecamatanForm(request.POST or None, region=region)
    if request.method == "POST" and (done := _save(request, form, region)):
        return done
    return _form_page(request, form, kind="kecamatan", region=region)


@require_http_methods(["GET", "POST"])
@login_required
def kelurahan_create(request: HttpRequest) -> HttpResponse:
    require_region_manager(request.user)
    initial = {"kecamatan": request.GET.get("kecamatan", "")[:16]}
    form = KelurahanForm(request.POST or None, initial=initial)
    if request.method == "POST" and (done := _save(request, form)):
        return done
    return _form_page(request, form, kind="kelurahan")


@require_http_methods(["GET", "POST"])
@login_required
def kelurahan_edit(request: HttpRequest, code: str) -> HttpResponse:
    require_region_manager(request.user)
    region = get_object_or_404(Kelurahan.objects.select_related("kecamatan"), code=code)
    form = KelurahanForm(request.POST or None, region=region)
    if request.method == "POST" and (done := _save(request, form, region)):
        return done
    return _form_page(request, form, kind="kelurahan", region=region)


@require_http_methods(["GET", "POST"])
@login_required
def import_create(request: HttpRequest) -> HttpResponse:
    require_region_manager(request.user)
    form = RegionImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = region_import.check_file(upload.name, upload.read(max_bytes() + 1))
        except region_import.ImportFileError as exc:
            form.add_error("file", exc.message)
        else:
            with transaction.atomic():
                batch = region_import.create_import(upload.name, result, by=request.user)
                audit.record("region_import_upload", request=request, obj=batch)
            for note in result.notes:
                messages.info(request, note)
            return redirect("regions:import-detail", pk=batch.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "schools/region_import_form.html", {"form": form}, status=status)


@require_safe
@login_required
def import_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    require_region_manager(request.user)
    batch = get_object_or_404(RegionImport, pk=pk)
    codes = [row["code"] for row in batch.rows]
    known = set(Kecamatan.objects.filter(code__in=codes).values_list("code", flat=True))
    known |= set(Kelurahan.objects.filter(code__in=codes).values_list("code", flat=True))
    preview = [
        {**row, "known": row["code"] in known, "is_kecamatan": row["kind"] == "kecamatan"}
        for row in batch.rows[:PREVIEW_ROWS]
    ]
    context = {"batch": batch, "preview": preview, "new_count": len(set(codes) - known)}
    return render(request, "schools/region_import_detail.html", context)


@require_POST
@login_required
def import_apply(request: HttpRequest, pk: UUID) -> HttpResponse:
    require_region_manager(request.user)
    batch = get_object_or_404(RegionImport, pk=pk)
    if batch.state == RegionImport.State.INVALID:
        messages.error(request, _("This file has errors: correct them and upload it again."))
        return redirect("regions:import-detail", pk=batch.pk)
    batch = region_import.apply_import(batch, by=request.user, request=request)
    if batch.state == RegionImport.State.APPLIED:
        messages.success(
            request,
            _("Applied: %(created)d regions added, %(updated)d changed.")
            % {"created": batch.created, "updated": batch.updated},
        )
    else:
        messages.error(request, _("The regions changed meanwhile: see the errors below."))
    return redirect("regions:import-detail", pk=batch.pk)
