"""The actions of the procedure page, each a POST to its own URL: parties (and the audited
reveal of a name), interviews, evidence (and its download), the conclusion and its approval,
the follow-up decision and its execution, recovery tasks.

Every case is fetched through `sosdesk.permissions` for handling (hidden 404, not a handler
403); a row of another case is 404. A form error or a refusal re-renders the page with what
was typed and the reason (status 400); success adds a message and redirects to the page."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from peksos.core import audit
from peksos.core.uploads import attachment_response

from ..models import Case
from ..procedure import conclusion as conclusion_steps
from ..procedure import examination, followup, parties, recovery
from ..procedure.forms import (
    ConclusionForm,
    DecisionForm,
    EvidenceForm,
    ExecutionForm,
    InterviewHeldForm,
    InterviewPlanForm,
    PartyForm,
    RecoveryTaskForm,
    RevealForm,
    TaskDoneForm,
)
from .cases import _denied, _get_case
from .procedure_page import render_procedure

PAGE = "sosdesk:case-procedure"


def submit(
    request: HttpRequest,
    case: Case,
    form,
    form_key: str,
    step: Callable[[dict], object],
    done: str,
) -> HttpResponse:
    """Validate, run the service, message and redirect; or re-render with the errors (400)."""
    if form.is_valid():
        try:
            step(form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, done)
            return redirect(PAGE, code=case.code)
    messages.error(request, _("Nothing was saved: see the form below."))
    return render_procedure(request, case, status=400, **{form_key: form})


def row_of(request: HttpRequest, case: Case, rows, pk):
    """A row of this case (404 for anything else, recorded as a denied attempt)."""
    row = rows.filter(case=case, pk=pk).first()
    if row is None:
        raise _denied(request, case.code, Http404())
    return row


def _common(request) -> dict:
    return {"by": request.user, "request": request}


# --- Parties ----------------------------------------------------------------------------------


@require_POST
@login_required
def party_add(request: HttpRequest, code: str) -> HttpResponse:
    case = _get_case(request, code, write=True)
    form = PartyForm(request.POST)

    def step(data):
        return parties.party_add(case=case, **data, **_common(request))

    return submit(request, case, form, "party_form", step, _("Party recorded."))


@require_POST
@login_required
def party_reveal(request: HttpRequest, code: str, pk) -> HttpResponse:
    """The name and contact, shown once in this response (never stored in the session)."""
    case = _get_case(request, code, write=True)
    party = row_of(request, case, case.parties.defer("name", "contact"), pk)
    form = RevealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason why you need the name."))
        return render_procedure(request, case, status=400, reveal_form=form)
    identity = parties.party_reveal(
        party=party, reason=form.cleaned_data["reason"], **_common(request)
    )
    label = next(p.label for p in parties.parties_masked(case) if p.pk == party.pk)
    context = {"case": case, "party": party, "label": label, **identity._asdict()}
    return render(request, "sosdesk/procedure/party_reveal.html", context)


# --- Examination ------------------------------------------------------------------------------


@require_POST
@login_required
def interview_plan(request: HttpRequest, code: str) -> HttpResponse:
    case = _get_case(request, code, write=True)
    form = InterviewPlanForm(request.POST, parties=parties.parties_masked(case))

    def step(data):
        return examination.interview_plan(case=case, **data, **_common(request))

    return submit(request, case, form, "interview_form", step, _("Interview planned."))


@require_POST
@login_required
def interview_held(request: HttpRequest, code: str, pk) -> HttpResponse:
    case = _get_case(request, code, write=True)
    interview = row_of(request, case, case.interviews.defer("summary"), pk)
    form = InterviewHeldForm(request.POST)

    def step(data):
        return examination.interview_record(interview=interview, **data, **_common(request))

    return submit(request, case, form, "held_form", step, _("Interview recorded."))


@require_POST
@login_required
def evidence_add(request: HttpRequest, code: str) -> HttpResponse:
    case = _get_case(request, code, write=True)
    form = EvidenceForm(request.POST, request.FILES)

    def step(data):
        upload = data.pop("file")
        return examination.evidence_add(case=case, upload=upload, **data, **_common(request))

    return submit(request, case, form, "evidence_form", step, _("Evidence recorded."))


@require_safe
@login_required
def evidence_file(request: HttpRequest, code: str, pk) -> HttpResponse:
    """Always a download, each one an audit row on the case."""
    case = _get_case(request, code, write=True)
    evidence = row_of(request, case, case.evidence.all(), pk)
    if not evidence.file:
        raise Http404
    try:
        response = attachment_response(evidence.file, evidence.display_name, evidence.content_type)
    except FileNotFoundError:
        raise Http404 from None
    audit.record("case_evidence_downloaded", request=request, obj=case)
    return response


# --- Conclusion -------------------------------------------------------------------------------


@require_POST
@login_required
def conclusion_save(request: HttpRequest, code: str) -> HttpResponse:
    case = _get_case(request, code, write=True)
    form = ConclusionForm(request.POST)

    def step(data):
        return conclusion_steps.conclusion_save(case=case, **data, **_common(request))

    return submit(request, case, form, "conclusion_form", step, _("Conclusion saved."))


@require_POST
@login_required
def conclusion_approve(request: HttpRequest, code: str) -> HttpResponse:
    case = _get_case(request, code, write=True)
    if not conclusion_steps.can_approve_conclusion(request.user, case):
        raise _denied(request, case.code, PermissionDenied())
    try:
        conclusion_steps.conclusion_approve(case=case, **_common(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Conclusion approved: the follow-up can be recorded."))
    return redirect(PAGE, code=case.code)


# --- Follow-up --------------------------------------------------------------------------------


@require_POST
@login_required
def decision_add(request: HttpRequest, code: str) -> HttpResponse:
    case = _get_case(request, code, write=True)
    form = DecisionForm(request.POST)

    def step(data):
        return followup.decision_record(case=case, **data, **_common(request))

    return submit(request, case, form, "decision_form", step, _("Decision recorded."))


@require_POST
@login_required
def decision_executed(request: HttpRequest, code: str, pk) -> HttpResponse:
    case = _get_case(request, code, write=True)
    decision = row_of(request, case, case.decisions.all(), pk)
    form = ExecutionForm(request.POST)

    def step(data):
        return followup.decision_executed(
            decision=decision,
            executed_on=data["executed_on"],
            note=data["note"],
            **_common(request),
        )

    return submit(request, case, form, "execution_form", step, _("Execution recorded."))


# --- Recovery ---------------------------------------------------------------------------------


@require_POST
@login_required
def task_add(request: HttpRequest, code: str) -> HttpResponse:
    case = _get_case(request, code, write=True)
    form = RecoveryTaskForm(request.POST)

    def step(data):
        return recovery.task_add(case=case, **data, **_common(request))

    return submit(request, case, form, "task_form", step, _("Recovery task added."))


@require_POST
@login_required
def task_done(request: HttpRequest, code: str, pk) -> HttpResponse:
    case = _get_case(request, code, write=True)
    task = row_of(request, case, case.recovery_tasks.all(), pk)
    form = TaskDoneForm(request.POST)

    def step(data):
        return recovery.task_done(
            task=task, done_on=data["done_on"], note=data["note"], **_common(request)
        )

    return submit(request, case, form, "done_form", step, _("Recovery task done."))
