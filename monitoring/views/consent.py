"""Consent of the child and the guardian: added, overridden, withdrawn, and its signed form."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from peksos.core import audit, crypto
from peksos.core.uploads import attachment_response

from .. import services
from ..forms import (
    CONSENT_FORM_TYPES,
    ConsentForm,
    OverrideForm,
)
from ..models import ChildRecord, Consent
from ..permissions import (
    can_manage,
    is_supervisor,
)
from .common import _act, _denied, _get_record, _render_detail

# --- Consent ----------------------------------------------------------------------------------


@require_POST
@login_required
def consent_add(request: HttpRequest, code: str) -> HttpResponse:
    record = _get_record(request, code, check=can_manage)
    form = ConsentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_detail(request, record, status=400, consent_form=form)
    data = form.cleaned_data
    upload = data["form_file"]  # a CleanUpload from peksos.core.uploads, or None
    step = partial(
        services.consent_record,
        record=record,
        purpose=data["purpose"],
        given_by=data["given_by"],
        given_on=data["given_on"],
        method=data["method"],
        witness=data["witness"],
        scope=data["scope"],
        form_bytes=upload.content if upload else None,
        form_content_type=upload.content_type if upload else "",
        by=request.user,
        request=request,
    )
    return _act(request, record, step, _("Consent recorded."))


@require_POST
@login_required
def consent_override(request: HttpRequest, code: str) -> HttpResponse:
    """A best-interest override: Koordinators only (403 for the school's PEKSOS)."""
    record = _get_record(request, code, check=lambda user, _record: is_supervisor(user))
    form = OverrideForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, record, status=400, override_form=form)
    data = form.cleaned_data
    step = partial(
        services.consent_override,
        record=record,
        purpose=data["purpose"],
        reason=data["reason"],
        legal_basis=data["legal_basis"],
        by=request.user,
        request=request,
    )
    return _act(request, record, step, _("Best-interest override recorded."))


def _get_consent(request: HttpRequest, record: ChildRecord, pk) -> Consent:
    consent = record.consents.filter(pk=pk).first()
    if consent is None:
        raise _denied(request, record.code, Http404())
    consent.record = record
    return consent


@require_POST
@login_required
def consent_withdraw(request: HttpRequest, code: str, pk) -> HttpResponse:
    record = _get_record(request, code, check=can_manage)
    consent = _get_consent(request, record, pk)
    if consent.is_override and not is_supervisor(request.user):
        raise _denied(request, code, PermissionDenied())
    step = partial(services.consent_withdraw, consent=consent, by=request.user, request=request)
    return _act(request, record, step, _("Consent withdrawn."))


@require_safe
@login_required
def consent_form_file(request: HttpRequest, code: str, pk) -> HttpResponse:
    """The signed form, decrypted, as a download (never shown inline); audited."""
    record = _get_record(request, code, check=can_manage)
    consent = _get_consent(request, record, pk)
    if not consent.form_file:
        raise Http404
    with consent.form_file.open("rb") as handle:
        data = crypto.decrypt_bytes(handle.read())
    audit.record("child_consent_form_downloaded", request=request, obj=record)
    extension = CONSENT_FORM_TYPES.get(consent.form_content_type, "bin")
    name = f"persetujuan-{record.code}-{consent.purpose}.{extension}"
    return attachment_response(data, name, consent.form_content_type)
