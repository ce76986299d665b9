"""The case's documents: the examination report (laporan hasil pemeriksaan) and the
recommendation letter, as PDFs with the office's letterhead, in Indonesian.

A request writes the `CaseDocument` row and its outbox message in one transaction; a worker
renders it (`sosdesk.tasks.render_case_document`, WeasyPrint through the fenced
`peksos.core.pdf`), encrypts the PDF with the key ring of `peksos.core.crypto` and stores it
in the private media folder. Only the checked view serves it.

What the documents leave out (their reader is the principal or the competent authority, not
the desk): the parties' names and contacts (each party is "Victim 1", "Alleged party 1"...),
the reporter's identity, the report's own words, the evidence files and the desk's notes and
messages. The recommendation letter also leaves out the interview summaries.
"""

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from peksos.accounts.models import User
from peksos.core import audit, crypto, outbox
from peksos.core.models import OfficeSettings
from peksos.core.refusals import Refusal

from ..models import Case
from .common import conclusion_approved, timeline
from .conclusion import chair_member
from .models import CaseDocument
from .parties import parties_masked

log = logging.getLogger(__name__)

RENDER_TASK = "sosdesk.tasks.render_case_document"


def document_request(*, case: Case, kind: str, by: User, request=None) -> CaseDocument:
    if kind == CaseDocument.Kind.RECOMMENDATION and not conclusion_approved(case):
        raise Refusal(_("The recommendation letter needs an approved conclusion."))
    if kind == CaseDocument.Kind.EXAMINATION and not case.interviews.exists():
        raise Refusal(_("The examination report needs at least one interview."))
    with transaction.atomic():
        document = CaseDocument.objects.create(case=case, kind=kind, requested_by=by)
        outbox.enqueue(RENDER_TASK, {"document": str(document.pk)})
        timeline(
            case, by, _("document requested: %(kind)s") % {"kind": document.get_kind_display()}
        )
        audit.record("case_document_requested", request=request, actor=by, obj=case)
    return document


def document_context(case: Case, kind: str) -> dict:
    """What the template may show (nothing identifying: see the module's docstring)."""
    from ..models import Conclusion

    office = OfficeSettings.from_database()
    parties = parties_masked(case)
    labels = {p.pk: p.label for p in parties}
    interviews = list(case.interviews.filter(held_at__isnull=False).order_by("held_at", "id"))
    for interview in interviews:
        interview.party_label = labels.get(interview.party_id, "")
    return {
        "case": case,
        "kind": kind,
        "is_examination": kind == CaseDocument.Kind.EXAMINATION,
        "office": office,
        "logo_uri": office.logo_data_uri(),
        "parties": parties,
        "interviews": interviews if kind == CaseDocument.Kind.EXAMINATION else [],
        "interview_count": len(interviews),
        "evidence": list(case.evidence.only("description", "received_on", "received_from")),
        "conclusion": Conclusion.objects.filter(case=case).first(),
        "decisions": list(case.decisions.all()),
        "tasks": list(case.recovery_tasks.all()),
        "chair": chair_member(case),
        "generated_at": timezone.localtime(),
        "demo": getattr(settings, "DEMO", False),
    }


def render_document(document_id: str) -> None:
    """Render one requested document (called by the task, in a worker)."""
    from peksos.core.pdf import render_pdf, static_uri  # WeasyPrint is loaded in workers only

    document = CaseDocument.objects.select_related("case__school").filter(pk=document_id).first()
    if document is None or document.state == CaseDocument.State.DONE:
        return
    try:
        with override("id"):
            context = document_context(document.case, document.kind)
            context["stylesheet"] = static_uri("sosdesk/case_document.css")
            html = render_to_string("sosdesk/pdf/case_document.html", context)
        pdf = render_pdf(html)
        document.file.save(
            f"sosdesk/documents/{document.pk}.pdf",
            ContentFile(crypto.encrypt_bytes(pdf)),
            save=False,
        )
    except Exception as exc:  # a failed document is shown as failed; the person asks again
        log.exception("case document %s failed", document.pk)
        with override("id"):
            error = _("The document could not be prepared. Ask for it again.")
        CaseDocument.objects.filter(pk=document.pk).update(
            state=CaseDocument.State.FAILED,
            error=f"{error} ({type(exc).__name__})"[:300],
            finished_at=timezone.now(),
        )
        return
    CaseDocument.objects.filter(pk=document.pk).update(
        state=CaseDocument.State.DONE, file=document.file.name, finished_at=timezone.now()
    )


def document_bytes(document: CaseDocument) -> bytes:
    with document.file.open("rb") as handle:
        return crypto.decrypt_bytes(handle.read())
