"""Case handling at the SOS Desk: the list, the overdue board, the stage deadlines, a case's
page, the actions on it (each a POST to its own URL), referral answers and the access log.

Every case is fetched through `sosdesk.permissions` (hidden: 404; visible but not allowed: 403),
every look at a case is one `case_viewed` audit row, and every denied attempt one
`case_access_denied` row. Actions validate a form, call one service, add a message and
redirect to the case; a step the service refuses comes back as a message, a form error
re-renders the case page with the error.
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case as SqlCase
from django.db.models import F, When
from django.db.models.functions import Coalesce, Least
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peksos.accounts.models import Role
from peksos.core import audit
from peksos.core.actions import run_step
from peksos.core.models import AuditEvent
from peksos.core.pagination import page_for, page_links
from peksos.core.uploads import attachment_response
from visits.permissions import schools_for_new_visit, visits_visible_to

from .. import services
from ..forms import (
    CaseFilterForm,
    DeskMessageForm,
    NoteForm,
    PoliceForm,
    ReferralForm,
    ReferralResponseForm,
    StageDeadlinesForm,
    StatusForm,
    TriageForm,
)
from ..models import Case, CaseEvent, Referral, StageDeadlines, ViolenceForm
from ..permissions import (
    can_approve_police_exemption,
    can_handle,
    can_see_reporter,
    cases_visible_to,
    get_case_for_user,
    may_use_sosdesk,
    referral_filter,
)
from ..procedure.audit_labels import PROCEDURE_ACTION_LABELS
from ..procedure.clocks import overdue_steps
from ..procedure.overview import summary_context
from ..protection.audit_labels import PROTECTION_ACTION_LABELS

LIST_ORDER = ("-received_at", "code")  # newest first; the unique code breaks ties
OVERDUE_ORDER = ("overdue_since", "code")  # most overdue first
LOG_ORDER = ("-at", "-id")
# Tracking codes are short upper-case letters and digits: anything else cannot be a case, and
# must not reach the database (PostgreSQL refuses NUL characters with an error).
CODE_SHAPE = re.compile(r"[0-9A-Z]{1,12}")


# --- Helpers ----------------------------------------------------------------------------------


def require_case_role(user) -> None:
    if not may_use_sosdesk(user):
        raise PermissionDenied


def _denied(request: HttpRequest, code: str, exc: Exception) -> Exception:
    """Record a denied attempt on a case (docs/quality.md S10); hand back the exception to raise."""
    pk = Case.objects.filter(code=code).values_list("pk", flat=True).first() if code else None
    audit.record(
        "case_access_denied",
        request=request,
        object_type=Case._meta.label_lower,
        object_id=str(pk) if pk else "",
    )
    return exc


def _get_case(request: HttpRequest, code: str, *, write: bool = False) -> Case:
    if not CODE_SHAPE.fullmatch(code):
        raise _denied(request, "", Http404())
    try:
        return get_case_for_user(request.user, code, write=write)
    except (Http404, PermissionDenied) as exc:
        raise _denied(request, code, exc) from None


@dataclass(frozen=True)
class Clocks:
    """The badges of a case: its stage deadline and the UU TPKS police clock."""

    stage_overdue: bool
    police_running: bool
    police_hours_left: int | None  # while the clock runs and time is left
    police_hours_overdue: int | None  # while the clock runs past its deadline


def clocks(case: Case, now: datetime) -> Clocks:
    stage_overdue = bool(case.is_open and case.stage_due_at and case.stage_due_at < now)
    running = bool(case.police_due_at and not case.police_clock_closed_at)
    left = overdue = None
    if running:
        seconds = (case.police_due_at - now).total_seconds()
        if seconds > 0:
            left = math.ceil(seconds / 3600)
        else:
            overdue = math.floor(-seconds / 3600)
    return Clocks(stage_overdue, running, left, overdue)


def _police_state(case: Case) -> str:
    if not case.police_due_at:
        return "none"
    if case.police_clock_closed_at:
        return "reported" if case.police_report_ref else "exempted"
    return "pending" if case.police_exemption_reason else "running"


def _answer_states(referral: Referral) -> list[tuple[str, str]]:
    """The answers a referral can still take (the service checks again)."""
    states = {
        Referral.State.SENT: [Referral.State.ACCEPTED, Referral.State.DECLINED],
        Referral.State.ACCEPTED: [Referral.State.DONE],
    }.get(referral.state, [])
    labels = {
        Referral.State.ACCEPTED: _("Accept"),
        Referral.State.DECLINED: _("Decline"),
        Referral.State.DONE: _("Mark as done"),
    }
    return [(s, labels[s]) for s in states]


def _event_detail(event: CaseEvent) -> str:
    """The event's detail in words (the timeline stores codes)."""
    if event.kind == CaseEvent.Kind.RECEIVED:
        return dict(Case.Channel.choices).get(event.detail, event.detail)
    if event.kind == CaseEvent.Kind.STATUS and event.detail:
        return dict(Case.Outcome.choices).get(event.detail, event.detail)
    if event.kind == CaseEvent.Kind.TRIAGE:
        urgency, _sep, forms = event.detail.partition("; ")
        labels = dict(ViolenceForm.choices)
        words = [str(labels.get(f, f)) for f in forms.split(", ") if f]
        return "; ".join([str(dict(Case.Urgency.choices).get(urgency, urgency)), *words])
    return event.detail


def _render_detail(
    request: HttpRequest, case: Case, *, status: int = 200, **bound_forms
) -> HttpResponse:
    """The case page (also re-rendered with a form's errors): one `case_viewed` row each."""
    user = request.user
    handler = can_handle(user, case)
    audit.record("case_viewed", request=request, obj=case)
    referrals = list(
        case.referrals.filter(referral_filter(user)).select_related("psikolog", "created_by")
    )
    for referral in referrals:
        may_answer = handler or referral.psikolog_id == user.pk
        referral.answers = _answer_states(referral) if may_answer else []
    allowed = services.TRANSITIONS[case.status]
    police_state = _police_state(case)
    events = list(case.events.select_related("actor"))
    for event in events:
        event.detail_display = _event_detail(event)
    case.clocks = clocks(case, timezone.now())
    context = {
        "case": case,
        "clocks": case.clocks,
        "can_handle": handler,
        "show_reporter": can_see_reporter(user, case),
        "can_approve": can_approve_police_exemption(user) and police_state == "pending",
        "police_state": police_state,
        "events": events,
        "referrals": referrals,
        # A referred psychologist reads the report and their referral, not the desk's notes
        # or its conversation with the reporter (sosdesk/permissions.py).
        "thread": case.messages.select_related("author").prefetch_related("attachments")
        if handler
        else None,
        # The reporter's photos sent with the report: the notes' readers only.
        "report_files": case.attachments.filter(from_reporter=True, message=None)
        if handler
        else None,
        "notes": case.notes.select_related("author").prefetch_related("attachments")
        if handler
        else None,
        "is_koordinator": user.role == Role.KOORDINATOR,
    }
    if handler:
        # Follow-up visits name the case in their origin (visits cannot import sosdesk).
        context["follow_up_visits"] = list(
            visits_visible_to(user).filter(origin=f"kasus:{case.code}").order_by("date", "id")
        )
        context["can_add_visit"] = schools_for_new_visit(user).filter(pk=case.school_id).exists()
        context.update(summary_context(case))  # the PPKSP procedure (sosdesk/procedure/)
        context.update(
            triage_form=TriageForm.for_case(case),
            status_form=StatusForm(allowed=allowed) if allowed else None,
            note_form=NoteForm(),
            message_form=DeskMessageForm(),
            referral_form=ReferralForm() if case.is_open else None,
            police_form=PoliceForm() if police_state in {"running", "pending"} else None,
        )
        context.update(bound_forms)
    return render(request, "sosdesk/case_detail.html", context, status=status)


def _act(request: HttpRequest, case: Case, step: Callable[[], object], done: str) -> HttpResponse:
    return run_step(request, step, done, "sosdesk:case-detail", code=case.code)


# --- Lists ------------------------------------------------------------------------------------


@require_safe
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    require_case_role(request.user)
    form = CaseFilterForm(request.GET or None)
    cases = form.filter(cases_visible_to(request.user)).select_related("school")
    page = page_for(request, cases, LIST_ORDER)
    now = timezone.now()
    for case in page.items:
        case.clocks = clocks(case, now)
    context = {"form": form, "page": page, **page_links(request, page)}
    return render(request, "sosdesk/case_list.html", context)


@require_safe
@login_required
def overdue_board(request: HttpRequest) -> HttpResponse:
    """Open cases past their stage deadline or the police deadline, most overdue first."""
    require_case_role(request.user)
    now = timezone.now()
    police_open = SqlCase(When(police_clock_closed_at__isnull=True, then=F("police_due_at")))
    # SQLite's MIN() is NULL when any argument is: coalesce so both sides are set.
    cases = (
        cases_visible_to(request.user)
        .overdue(now)
        .annotate(
            overdue_since=Least(
                Coalesce("stage_due_at", police_open), Coalesce(police_open, "stage_due_at")
            )
        )
        .select_related("school")
    )
    page = page_for(request, cases, OVERDUE_ORDER)
    for case in page.items:
        case.clocks = clocks(case, now)
        case.overdue_hours = math.floor((now - case.overdue_since).total_seconds() / 3600)
        case.overdue_days = case.overdue_hours // 24
    context = {"page": page, **page_links(request, page)}
    context["procedure_overdue"] = overdue_steps(cases_visible_to(request.user), now)
    return render(request, "sosdesk/case_overdue.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def deadlines_edit(request: HttpRequest) -> HttpResponse:
    if request.user.role != Role.KOORDINATOR:
        raise PermissionDenied
    form = StageDeadlinesForm(request.POST or None, instance=StageDeadlines.current())
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            deadlines = form.save(commit=False)
            deadlines.updated_by = request.user
            deadlines.save()
            audit.record("stage_deadlines_updated", request=request, obj=deadlines)
        messages.success(request, _("The stage deadlines were saved."))
        return redirect("sosdesk:deadlines-edit")
    return render(request, "sosdesk/deadlines_form.html", {"form": form})


# --- A case -----------------------------------------------------------------------------------


@require_safe
@login_required
def case_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _render_detail(request, _get_case(request, code))


@require_POST
@login_required
def case_triage(request: HttpRequest, code: str) -> HttpResponse:
    case = _get_case(request, code, write=True)
    form = TriageForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, case, status=400, triage_form=form)
    data = form.cleaned_data
    step = partial(
        services.case_triage,
        case=case,
        urgency=data["urgency"],
        forms=data["violence"],
        modalities=data["modalities"],
        by=request.user,
        request=request,
    )
    return _act(request, case, step, _("Urgency and classification saved."))


@require_POST
@login_required
def case_status(request: HttpRequest, code: str) -> HttpResponse:
    case = _get_case(request, code, write=True)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, case, status=400, status_form=form)
    data = form.cleaned_data
    step = partial(
        services.case_transition,
        case=case,
        to=data["to"],
        outcome=data["outcome"],
        by=request.user,
        request=request,
    )
    return _act(request, case, step, _("Status changed."))


@require_POST
@login_required
def case_note_add(request: HttpRequest, code: str) -> HttpResponse:
    """An internal note, with up to 5 attachments. A refused file re-renders the page with the
    note's text kept and the reason under the file field; nothing is saved then."""
    case = _get_case(request, code, write=True)
    form = NoteForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_detail(request, case, status=400, note_form=form)
    try:
        services.case_note(
            case=case,
            body=form.cleaned_data["body"],
            attachments=form.cleaned_data["attachments"],
            idempotency_key=form.cleaned_data["idempotency_key"],
            by=request.user,
            request=request,
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _render_detail(request, case, status=400, note_form=form)
    messages.success(request, _("Note added."))
    return redirect("sosdesk:case-detail", code=case.code)


@require_safe
@login_required
def case_attachment(request: HttpRequest, code: str, pk) -> HttpResponse:
    """Download one attachment of an internal note: whoever handles the case (the notes'
    readers). Another school's case is 404, a referred psychologist 403. Always a download
    (Content-Disposition: attachment, nosniff, sandbox), each one an audit row on the case."""
    case = _get_case(request, code)
    if not can_handle(request.user, case):
        raise _denied(request, code, PermissionDenied())
    attachment = case.attachments.filter(pk=pk).first()
    if attachment is None:
        raise _denied(request, code, Http404())
    try:
        response = attachment_response(
            attachment.file, attachment.display_name, attachment.content_type
        )
    except FileNotFoundError:
        raise Http404 from None
    audit.record("case_attachment_downloaded", request=request, obj=case)
    return response


@require_POST
@login_required
def case_message_add(request: HttpRequest, code: str) -> HttpResponse:
    case = _get_case(request, code, write=True)
    form = DeskMessageForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, case, status=400, message_form=form)
    step = partial(
        services.case_message_from_desk,
        case=case,
        body=form.cleaned_data["body"],
        idempotency_key=form.cleaned_data["idempotency_key"],
        by=request.user,
        request=request,
    )
    return _act(request, case, step, _("Message sent: the reporter sees it on the tracking page."))


@require_POST
@login_required
def case_refer(request: HttpRequest, code: str) -> HttpResponse:
    case = _get_case(request, code, write=True)
    form = ReferralForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, case, status=400, referral_form=form)
    data = form.cleaned_data
    step = partial(
        services.case_refer,
        case=case,
        partner=data["partner"],
        reason=data["reason"],
        psikolog=data["psikolog"],
        by=request.user,
        request=request,
    )
    return _act(request, case, step, _("Referral sent."))


@require_POST
@login_required
def case_police(request: HttpRequest, code: str) -> HttpResponse:
    """A police report reference, or a reason not to report. A Koordinator's reason is approved
    at once (their approve button posts the officer's reason here); an officer's waits."""
    case = _get_case(request, code, write=True)
    form = PoliceForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, case, status=400, police_form=form)
    data, user = form.cleaned_data, request.user
    if data["reference"]:
        step = partial(
            services.case_police_report,
            case=case,
            reference=data["reference"],
            by=user,
            request=request,
        )
        done = _("Police report reference recorded: the police clock is closed.")
    else:
        step = partial(
            services.case_police_exemption,
            case=case,
            reason=data["reason"],
            by=user,
            request=request,
        )
        if can_approve_police_exemption(user):
            done = _("Reason approved: the police clock is closed.")
        else:
            done = _("Reason recorded. The clock keeps running until a Koordinator approves it.")
    return _act(request, case, step, done)


@require_POST
@login_required
def referral_respond(request: HttpRequest, pk) -> HttpResponse:
    """The referred psychologist answers; a handler or Koordinator records a partner's answer.
    The referral is found only through the cases the user may see (404 otherwise)."""
    user = request.user
    referral = (
        Referral.objects.filter(referral_filter(user), case__in=cases_visible_to(user), pk=pk)
        .select_related("case__school")
        .first()
    )
    if referral is None:
        audit.record(
            "case_access_denied", request=request, object_type="sosdesk.referral", object_id=str(pk)
        )
        raise Http404
    case = referral.case
    if referral.psikolog_id != user.pk and not can_handle(user, case):
        raise _denied(request, case.code, PermissionDenied())
    form = ReferralResponseForm(request.POST)
    if not form.is_valid():
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, " ".join(errors))
        return redirect("sosdesk:case-detail", code=case.code)
    data = form.cleaned_data
    step = partial(
        services.referral_respond,
        referral=referral,
        state=data["state"],
        note=data["note"],
        by=user,
        request=request,
    )
    return _act(request, case, step, _("The referral's answer was recorded."))


# --- Access log -------------------------------------------------------------------------------

ACTION_LABELS = {
    "case_filed": gettext_lazy("report filed"),
    "case_viewed": gettext_lazy("opened the case"),
    "case_access_denied": gettext_lazy("tried to open the case (refused)"),
    "case_access_log_viewed": gettext_lazy("read this access log"),
    "case_triaged": gettext_lazy("set urgency and classification"),
    "case_referred": gettext_lazy("referred the case"),
    "case_police_reported": gettext_lazy("recorded the police report"),
    "case_police_exemption": gettext_lazy("recorded a reason not to report to the police"),
    "case_message_sent": gettext_lazy("wrote to the reporter"),
    "case_message_received": gettext_lazy("the reporter wrote"),
    "case_note_added": gettext_lazy("added an internal note"),
    "case_attachment_downloaded": gettext_lazy("downloaded an attachment"),
}
ACTION_LABELS.update(PROCEDURE_ACTION_LABELS)  # sosdesk/procedure/
ACTION_LABELS.update(PROTECTION_ACTION_LABELS)  # sosdesk/protection/


def action_label(action: str) -> str:
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    prefix, _sep, value = action.rpartition("_")
    if prefix == "case_status" and value in Case.Status.values:
        return _("changed the status to %(status)s") % {"status": Case.Status(value).label}
    if prefix == "referral" and value in Referral.State.values:
        return _("referral answer: %(state)s") % {"state": Referral.State(value).label}
    return action


@require_safe
@login_required
def case_access_log(request: HttpRequest, code: str) -> HttpResponse:
    """Who looked at or changed this case, newest first (Koordinators only)."""
    case = _get_case(request, code)
    if request.user.role != Role.KOORDINATOR:
        raise _denied(request, code, PermissionDenied())
    audit.record("case_access_log_viewed", request=request, obj=case)
    events = AuditEvent.objects.for_object(case).select_related("actor")
    page = page_for(request, events, LOG_ORDER)
    roles = dict(Role.choices)
    for event in page.items:
        event.label = action_label(event.action)
        event.role_label = roles.get(event.actor_role, event.actor_role)
    context = {"case": case, "page": page, **page_links(request, page)}
    return render(request, "sosdesk/case_access_log.html", context)
