"""Importing the school register from a file: upload, preview, apply, progress.

Only the Koordinator imports (`can_edit_school`); other users get 403. Nothing changes until
the Koordinator approves a preview in which every row is valid; the apply runs in a worker.
"""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peksos.core import audit, outbox
from peksos.core.models import OutboxMessage

from .. import importer
from ..forms import SchoolImportForm
from ..models import ImportBatch, School
from ..permissions import can_edit_school
from ..tasks import APPLY_IMPORT

PREVIEW_ROWS = 50
State = ImportBatch.State


def require_importer(user) -> None:
    """The import pages exist for every signed-in user; only the Koordinator may use them."""
    if not can_edit_school(user):
        raise PermissionDenied


def apply_requested(batch: ImportBatch) -> bool:
    """An apply already waiting in the outbox: the relay or the broker may be slow, and the
    page should say so instead of offering the button again."""
    if batch.state not in (State.VALID, State.FAILED):
        return False
    return (
        OutboxMessage.objects.filter(kind=APPLY_IMPORT, payload__batch=str(batch.pk))
        .exclude(state__in=[OutboxMessage.State.DONE, OutboxMessage.State.FAILED])
        .exists()
    )


def progress_context(batch: ImportBatch) -> dict:
    queued = apply_requested(batch)
    return {
        "batch": batch,
        "queued": queued,
        "polling": queued or batch.state == State.APPLYING,
        "done": importer.progress_of(batch),
        "unchanged": max(batch.total - batch.created - batch.updated, 0),
    }


@require_http_methods(["GET", "POST"])
@login_required
def import_create(request: HttpRequest) -> HttpResponse:
    require_importer(request.user)
    if request.method == "GET":
        return render(request, "schools/import_form.html", {"form": SchoolImportForm()})
    form = SchoolImportForm(request.POST, request.FILES)
    if form.is_valid():
        with transaction.atomic():
            batch = importer.create_batch(
                form.cleaned_data["file"].name, form.result, by=request.user
            )
            audit.record("school_import.upload", request=request, obj=batch)
        for note in form.result.notes:
            messages.info(request, note)
        return redirect("schools:import-detail", pk=batch.pk)
    return render(request, "schools/import_form.html", {"form": form})


@require_safe
@login_required
def import_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    require_importer(request.user)
    batch = get_object_or_404(ImportBatch.objects.select_related("uploaded_by"), pk=pk)
    preview = batch.rows[:PREVIEW_ROWS]
    known: set[str] = set()
    if batch.state in (State.VALID, State.FAILED):
        npsns = [row["npsn"] for row in batch.rows]
        known = set(School.objects.filter(npsn__in=npsns).values_list("npsn", flat=True))
    context = {
        **progress_context(batch),
        "preview": [{**row, "known": row["npsn"] in known} for row in preview],
        "known_count": len(known),
        "new_count": len(batch.rows) - len(known),
        "error_lines": len(batch.errors),
    }
    return render(request, "schools/import_detail.html", context)


@require_POST
@login_required
def import_apply(request: HttpRequest, pk: UUID) -> HttpResponse:
    require_importer(request.user)
    with transaction.atomic():
        batch = get_object_or_404(ImportBatch.objects.select_for_update(), pk=pk)
        if batch.state == State.INVALID:
            messages.error(request, _("This file has errors: correct them and upload it again."))
            return redirect("schools:import-detail", pk=batch.pk)
        # Already applying, applied or waiting in the outbox: a second click does nothing.
        if batch.state in (State.VALID, State.FAILED) and not apply_requested(batch):
            outbox.enqueue(APPLY_IMPORT, {"batch": str(batch.pk), "by": request.user.pk})
            audit.record("school_import.apply", request=request, obj=batch)
            messages.success(request, _("The import has started."))
    return redirect("schools:import-detail", pk=batch.pk)


@require_safe
@login_required
def import_progress(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The progress element that the detail page polls, or the summary once done."""
    require_importer(request.user)
    batch = get_object_or_404(ImportBatch.objects.defer("rows", "errors"), pk=pk)
    return render(request, "schools/import_detail.html#progress", progress_context(batch))
