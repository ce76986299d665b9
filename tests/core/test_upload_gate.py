"""Every upload through one gate, every stored upload out through one response (issue #21,
finding 2; peksos/core/uploads.py).

The upload fields are found, not listed: every FileField of every form of the project and every
FileField of every model. Each form's file field is run with hostile files (a photo with its GPS
position, a JPEG with a script appended, a PDF that runs JavaScript when opened): the position
must be gone and the others refused, which only `validate_image`/`validate_document` do. Each
stored file is served by a view that uses `attachment_response`, and no other module builds a
file download except for files the server generates itself.
"""

import importlib
import inspect
import io
import pkgutil
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from PIL import Image

from peksos.core.uploads import CleanUpload
from tests.factories import gps_jpeg

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ("peksos", "schools", "visits", "activities", "sosdesk", "forum", "monitoring")
PROJECT += ("reports", "home", "demo", "people")

# Upload fields that are not files kept for people: read by the server, never stored or served.
NOT_STORED = {
    "schools.forms.SchoolImportForm.file": "a register spreadsheet read row by row, then dropped",
    "schools.region_forms.RegionImportForm.file": "a regions spreadsheet, read, then dropped",
    "people.forms.PeopleImportForm.file": "a people spreadsheet read row by row, then dropped",
}
# Each stored upload and the view that serves it.
SERVED_BY = {
    "activities.ActivityPhoto.file": "activities.views.photos.photo_file",
    "core.OfficeSettings.logo": "home.office_views.office_logo",
    "forum.PostImage.file": "forum.views.images.post_image",
    "monitoring.Consent.form_file": "monitoring.views.consent.consent_form_file",
    "sosdesk.CaseAttachment.file": "sosdesk.views.cases.case_attachment",
    "sosdesk.Evidence.file": "sosdesk.views.procedure_steps.evidence_file",
    "visits.VisitAgreement.letter": "visits.views.recorded.agreement_letter",
}
# Files the server makes itself (not uploads): served by their own views.
GENERATED = {
    "reports.Report.file": "the PDF report rendered by reports.pdf",
    "sosdesk.CaseDocument.file": "a case's PDF document rendered by sosdesk.procedure.documents",
}
# Modules that build downloads of files the server generates (exports, calendars, QR codes).
GENERATED_DOWNLOADS = {
    "peksos/core/uploads.py",
    "reports/views.py",
    "schools/views/register.py",
    "people/views/people.py",  # the people list's CSV/XLSX export (formula-safe)
    "visits/views/feeds.py",
    "activities/views/participant.py",
}

ACTIVE_PDF = (
    b"%PDF-1.7\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"
    b" endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


def project_modules():
    for package in PROJECT:
        root = importlib.import_module(package)
        yield root
        for info in pkgutil.walk_packages(root.__path__, package + "."):
            if ".migrations" in info.name or ".management" in info.name:
                continue
            yield importlib.import_module(info.name)


def upload_fields() -> dict[str, tuple[type, str]]:
    found = {}
    for module in project_modules():
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or not cls.__module__.startswith(PROJECT):
                continue
            for name, field in cls.base_fields.items():
                if isinstance(field, forms.FileField):
                    found[f"{cls.__module__}.{cls.__name__}.{name}"] = (cls, name)
    return found


def stored_files() -> set[str]:
    return {
        f"{model._meta.app_label}.{model.__name__}.{field.name}"
        for model in apps.get_models()
        if model.__module__.startswith(PROJECT)
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }


UPLOADS = upload_fields()
GATED = sorted(key for key in UPLOADS if key not in NOT_STORED)


def test_every_upload_field_is_found():
    assert {
        "activities.forms.PhotoForm.file",
        "home.office.OfficeSettingsForm.logo_upload",
        "forum.forms.QuestionForm.image",
        "forum.forms.AnswerForm.image",
        "monitoring.forms.ConsentForm.form_file",
        "sosdesk.forms.NoteForm.attachments",
    } <= set(GATED)
    assert set(NOT_STORED) <= set(UPLOADS)


def clean_field(key: str, upload):
    """Run one form's file field and its clean_<field>() alone (no other fields needed)."""
    cls, name = UPLOADS[key]
    form = cls.__new__(cls)
    forms.BaseForm.__init__(form)  # the fields, without the form's own constructor arguments
    field = form.fields[name]
    value = field.clean([upload] if getattr(field.widget, "allow_multiple_selected", 0) else upload)
    form.cleaned_data = {name: value}
    cleaner = getattr(form, f"clean_{name}", None)
    assert cleaner is not None, f"{key}: no clean_{name}() calling peksos.core.uploads"
    return cleaner()


@pytest.mark.parametrize("key", GATED)
def test_every_upload_goes_through_the_gate(key):
    cleaned = clean_field(key, gps_jpeg("foto.jpg"))
    cleaned = cleaned if isinstance(cleaned, list) else [cleaned]
    assert cleaned and all(isinstance(clean, CleanUpload) for clean in cleaned), key
    for clean in cleaned:
        assert not Image.open(io.BytesIO(clean.content)).getexif(), f"{key} keeps EXIF/GPS"
    hostile = [
        gps_jpeg("foto.jpg", appended=b"<script>alert(1)</script>"),
        SimpleUploadedFile("surat.pdf", ACTIVE_PDF, "application/pdf"),
    ]
    for upload in hostile:
        with pytest.raises(ValidationError):
            clean_field(key, upload)


def test_every_stored_file_is_known_and_served_through_attachment_response():
    assert stored_files() == set(SERVED_BY) | set(GENERATED)
    for key, view_path in SERVED_BY.items():
        module, name = view_path.rsplit(".", 1)
        view = inspect.unwrap(getattr(importlib.import_module(module), name))
        assert "attachment_response(" in inspect.getsource(view), key


def test_no_other_module_builds_a_file_download():
    builders = ("FileResponse(", "Content-Disposition")
    found = set()
    for package in PROJECT:
        for path in (ROOT / package.replace(".", "/")).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or "/tests/" in relative:
                continue
            text = path.read_text(encoding="utf-8")
            if any(builder in text for builder in builders):
                found.add(relative)
    found -= {"sosdesk/views/cases.py"}  # only mentions the header in a docstring
    assert found <= GENERATED_DOWNLOADS, found - GENERATED_DOWNLOADS
