"""The examination (pemeriksaan): interviews planned and held, evidence received."""

from collections.abc import Callable
from contextlib import suppress

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peksos.accounts.models import User
from peksos.core import audit
from peksos.core.idempotency import create_once
from peksos.core.refusals import Refusal
from peksos.core.uploads import CleanUpload, private_storage

from ..models import Case
from .common import conclusion_approved, locked_case, timeline
from .models import CaseParty, Evidence, Interview


def _once(model, idempotency_key, case, by, make: Callable):
    earlier = (
        model.objects.filter(idempotency_key=idempotency_key, case=case, created_by=by)
        if idempotency_key
        else None
    )
    with transaction.atomic():
        return create_once(earlier, make)[0]


def interview_plan(
    *,
    case: Case,
    party: CaseParty,
    planned_at,
    interviewers: str,
    by: User,
    idempotency_key: str | None = None,
    request=None,
) -> Interview:
    if party.case_id != case.pk:
        raise Refusal(_("Choose a party of this case."))

    def make() -> Interview:
        locked = locked_case(case)
        interview = Interview.objects.create(
            case=locked,
            party=party,
            planned_at=planned_at,
            interviewers=interviewers,
            created_by=by,
            idempotency_key=idempotency_key or None,
        )
        timeline(locked, by, _("interview planned for %(when)s") % {"when": _when(planned_at)})
        audit.record("case_interview_planned", request=request, actor=by, obj=locked)
        return interview

    return _once(Interview, idempotency_key, case, by, make)


def interview_record(
    *, interview: Interview, held_at, summary: str, by: User, request=None
) -> Interview:
    """The interview was held: when, and its summary (encrypted at rest)."""
    if held_at > timezone.now():
        raise Refusal(_("An interview cannot be recorded as held in the future."))
    with transaction.atomic():
        case = locked_case(interview.case)
        interview = Interview.objects.select_for_update().get(pk=interview.pk)
        if conclusion_approved(case):
            raise Refusal(_("The conclusion is approved: the examination is closed."))
        interview.held_at, interview.summary = held_at, summary
        interview.save(update_fields=["held_at", "summary"])
        timeline(case, by, _("interview held on %(when)s") % {"when": _when(held_at)})
        audit.record("case_interview_held", request=request, actor=by, obj=case)
    return interview


def evidence_add(
    *,
    case: Case,
    description: str,
    received_from: str,
    received_on,
    upload: CleanUpload | None,
    by: User,
    idempotency_key: str | None = None,
    request=None,
) -> Evidence:
    """Evidence with its file (already checked by `peksos.core.uploads`): the file is written
    first and removed again if anything fails, so no row points to a missing file."""
    storage = private_storage()
    name = storage.save(upload.storage_name, upload.as_file()) if upload else ""

    def make() -> Evidence:
        locked = locked_case(case)
        evidence = Evidence.objects.create(
            case=locked,
            description=description,
            received_from=received_from,
            received_on=received_on,
            file=name,
            display_name=upload.display_name[:150] if upload else "",
            content_type=upload.content_type if upload else "",
            size=upload.size if upload else 0,
            sha256=upload.sha256 if upload else "",
            created_by=by,
            idempotency_key=idempotency_key or None,
        )
        timeline(locked, by, _("evidence received"))
        audit.record("case_evidence_added", request=request, actor=by, obj=locked)
        return evidence

    try:
        evidence = _once(Evidence, idempotency_key, case, by, make)
    except BaseException as exc:
        if name:
            with suppress(OSError):
                storage.delete(name)
        if isinstance(exc, OSError):
            raise ValidationError(
                _("The server could not save the file; nothing was saved. Try again later.")
            ) from exc
        raise
    if name and evidence.file.name != name:  # the same form, saved a moment earlier
        with suppress(OSError):
            storage.delete(name)
    return evidence


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%d-%m-%Y %H:%M")
