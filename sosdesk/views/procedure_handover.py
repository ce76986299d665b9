"""Moving a case to another school's desk, giving it to another PEKSOS (Koordinators only),
and the case's documents (asked for here, rendered by a worker, downloaded here)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from peksos.accounts.models import Role
from peksos.core import audit
from peksos.core.uploads import attachment_response

from ..permissions import cases_visible_to
from ..procedure import documents, handover
from ..procedure.forms import AssignPeksosForm, DocumentForm, MoveSchoolForm
from ..procedure.models import CaseDocument
from .cases import _denied, _get_case
from .procedure_steps import PAGE, row_of, submit


@require_POST
@login_required
def move_school(request: HttpRequest, code: str) -> HttpResponse:
    """After the move the old school's desk no longer sees the case: it lands on the list."""
    case = _get_case(request, code, write=True)
    form = MoveSchoolForm(request.POST)
    response = submit(
        request,
        case,
        form,
        "move_form",
        lambda data: handover.case_move_school(
            case=case,
            to_school=data["npsn"],
            reason=data["reason"],
            by=request.user,
            request=request,
        ),
        _("The case was moved to the other school's desk."),
    )
    if (
        response.status_code == 302
        and not cases_visible_to(request.user).filter(pk=case.pk).exists()
    ):
        return redirect("sosdesk:case-list")
    return response


@require_POST
@login_required
def assign_peksos(request: HttpRequest, code: str) -> HttpResponse:
    case = _get_case(request, code, write=True)
    if request.user.role != Role.KOORDINATOR:
        raise _denied(request, case.code, PermissionDenied())
    form = AssignPeksosForm(request.POST, school=None)
    return submit(
        request,
        case,
        form,
        "assign_form",
        lambda data: handover.case_assign_peksos(
            case=case,
            peksos=data["peksos"],
            reason=data["reason"],
            by=request.user,
            request=request,
        ),
        _("The case was given to the PEKSOS."),
    )


@require_POST
@login_required
def document_request(request: HttpRequest, code: str) -> HttpResponse:
    case = _get_case(request, code, write=True)
    form = DocumentForm(request.POST)
    return submit(
        request,
        case,
        form,
        "document_form",
        lambda data: documents.document_request(
            case=case, kind=data["kind"], by=request.user, request=request
        ),
        _("The document is being prepared: download it below in a moment."),
    )


@require_safe
@login_required
def document_download(request: HttpRequest, code: str, pk) -> HttpResponse:
    case = _get_case(request, code, write=True)
    document = row_of(request, case, case.documents.all(), pk)
    if document.state != CaseDocument.State.DONE or not document.file:
        messages.info(request, _("This document is not ready."))
        return redirect(PAGE, code=case.code)
    try:
        data = documents.document_bytes(document)
    except FileNotFoundError:
        raise Http404 from None
    audit.record("case_document_downloaded", request=request, obj=case)
    return attachment_response(data, document.filename, "application/pdf")
