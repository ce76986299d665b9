"""Importing people from a file: upload and check, preview with every line's errors, apply
(all or nothing, synchronous: a city's staff is a few thousand rows at most)."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peksos.core import audit

from .. import importer
from ..forms import PeopleImportForm
from ..models import UserImport
from ..permissions import require_people_manager

PREVIEW_ROWS = 100


@require_http_methods(["GET", "POST"])
@login_required
def import_create(request: HttpRequest) -> HttpResponse:
    require_people_manager(request.user)
    form = PeopleImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = importer.check_file(upload.name, upload.read(importer.max_bytes() + 1))
        except importer.ImportFileError as exc:
            form.add_error("file", exc.message)
        else:
            with transaction.atomic():
                batch = importer.create_import(upload.name, result, by=request.user)
                audit.record("people_import_upload", request=request, obj=batch)
            for note in result.notes:
                messages.info(request, note)
            return redirect("people:import-detail", pk=batch.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "people/import_form.html", {"form": form}, status=status)


@require_safe
@login_required
def import_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    require_people_manager(request.user)
    batch = get_object_or_404(UserImport, pk=pk)
    context = {
        "batch": batch,
        "preview": batch.rows[:PREVIEW_ROWS],
        "new_people": len(
            {r["email"].casefold() or r["phone"] for r in batch.rows if not r["existing"]}
        ),
    }
    return render(request, "people/import_detail.html", context)


@require_POST
@login_required
def import_apply(request: HttpRequest, pk: UUID) -> HttpResponse:
    require_people_manager(request.user)
    batch = get_object_or_404(UserImport, pk=pk)
    if batch.state == UserImport.State.INVALID:
        messages.error(request, _("This file has errors: correct them and upload it again."))
        return redirect("people:import-detail", pk=batch.pk)
    batch = importer.apply_import(batch, by=request.user, request=request)
    if batch.state == UserImport.State.APPLIED:
        messages.success(
            request,
            _("Applied: %(people)d people invited, %(memberships)d school memberships added.")
            % {"people": batch.people_created, "memberships": batch.memberships_added},
        )
    else:
        messages.error(request, _("The register changed meanwhile: see the errors below."))
    return redirect("people:import-detail", pk=batch.pk)
