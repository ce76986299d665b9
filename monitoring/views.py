"""Monitoring of children: the caseload list, opening a record, a record's page, revealing the
name, and the actions on a record (each a POST to its own URL).

Every record is fetched through `monitoring.permissions` (hidden: 404; visible but not
allowed: 403); every look at a record is one `child_record_viewed` audit row, every reveal of
the name one `child_name_revealed` row, every refused attempt one
`child_record_access_denied` row. Actions validate a form, call one service, add a message and
redirect to the record; a step the service refuses comes back as a message, a form error
re-renders the record's page with the error and what was typed.
"""

import re
from collections.abc import Callable
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peksos.accounts.models import Role
from peksos.core import audit, crypto
from peksos.core.actions import run_step
from peksos.core.pagination import page_for, page_links
from peksos.core.uploads import attachment_response
from schools.permissions import schools_served_by
from sosdesk.permissions import get_case_for_user

from . import observations, services
from .charts import line_chart
from .forms import (
    CONSENT_FORM_TYPES,
    CloseForm,
    ConsentForm,
    GoalForm,
    GoalScoreForm,
    GuardianEndForm,
    GuardianLinkForm,
    InterventionForm,
    NoteForm,
    ObservationAnswerForm,
    ObservationRequestForm,
    OverrideForm,
    PlanForm,
    RecordFilterForm,
    RecordOpenForm,
    ReferForm,
    SdqForm,
    WellbeingForm,
)
from .measures import sdq_series, wellbeing_changes, wellbeing_improved, wellbeing_series
from .models import ChildRecord, Consent, ObservationRequest, SupportPlan
from .permissions import (
    can_add_progress,
    can_approve_closure,
    can_manage,
    can_open_for_school,
    can_reveal_identity,
    children_visible_to,
    get_child_for_user,
    is_observer,
    is_supervisor,
    may_use_monitoring,
    observations_for,
)

LIST_ORDER = ("-created_at", "code")  # newest first; the unique code breaks ties
# Record codes are "ANK-" and six letters or digits: anything else is no record and must not
# reach the database (PostgreSQL refuses NUL characters with an error).
CODE_SHAPE = re.compile(r"ANK-[0-9A-Z]{6}")
CASE_CODE_SHAPE = re.compile(r"[0-9A-Z]{1,12}")


# --- Helpers ----------------------------------------------------------------------------------


def _require_access(request: HttpRequest) -> None:
    """Roles without monitoring work get 404: the feature is not confirmed to them."""
    if not may_use_monitoring(request.user):
        raise Http404


def _denied(request: HttpRequest, code: str, exc: Exception) -> Exception:
    """Record a refused attempt on a record (docs/quality.md S10) and hand back the exception."""
    pk = (
        ChildRecord.objects.filter(code=code).values_list("pk", flat=True).first() if code else None
    )
    audit.record(
        "child_record_access_denied",
        request=request,
        object_type=ChildRecord._meta.label_lower,
        object_id=str(pk) if pk else "",
    )
    return exc


def _get_record(request: HttpRequest, code: str, *, check: Callable | None = None) -> ChildRecord:
    """The record if the user may see it (404), and if given, passes `check` (403)."""
    if not CODE_SHAPE.fullmatch(code):
        raise _denied(request, "", Http404())
    try:
        record = get_child_for_user(request.user, code)
    except Http404 as exc:
        raise _denied(request, code, exc) from None
    if check is not None and not check(request.user, record):
        raise _denied(request, code, PermissionDenied())
    return record


def _act(request: HttpRequest, record: ChildRecord, step: Callable, done: str) -> HttpResponse:
    return run_step(request, step, done, "monitoring:record-detail", code=record.code)


def _charts(record: ChildRecord, sdq: list, wellbeing: list) -> dict:
    return {
        "sdq_chart": line_chart(
            sdq_series(sdq),
            low=0,
            high=40,
            step=10,
            title=_("SDQ total difficulties over time"),
            description=_("Lower is better. One line per informant."),
        ),
        "wellbeing_chart": line_chart(
            wellbeing_series(wellbeing),
            low=0,
            high=10,
            step=2,
            title=_("Wellbeing ratings over time"),
            description=_("Higher is better. One line per rater."),
        ),
    }


def _guardian_rows(record: ChildRecord, ending: tuple | None) -> list[tuple]:
    """The record's active guardian links, each with its "end link" form (the bound one with
    its errors for the link whose ending was refused)."""
    links = record.guardian_links.active().select_related("guardian", "linked_by")
    bound_pk, bound_form = ending or (None, None)
    return [
        (link, bound_form if link.pk == bound_pk else GuardianEndForm(prefix=f"end-{link.pk}"))
        for link in links
    ]


def _render_detail(
    request: HttpRequest,
    record: ChildRecord,
    *,
    status: int = 200,
    ending: tuple | None = None,
    **bound_forms,
) -> HttpResponse:
    """The record's page (also re-rendered with a form's errors): one `child_record_viewed`
    row each time. The name is not loaded: it is shown only through the reveal. `ending` is
    (link pk, bound GuardianEndForm) when ending a guardian link was refused."""
    user = request.user
    audit.record("child_record_viewed", request=request, obj=record)
    manage = can_manage(user, record) and record.is_open
    progress = can_add_progress(user, record) and record.is_open
    goals = list(record.goals.prefetch_related("scores"))
    sdq = list(record.sdq_scores.all())
    wellbeing = list(record.wellbeing_ratings.all())
    context = {
        "record": record,
        "is_overdue": record.is_overdue(),
        "can_manage": manage,
        "can_progress": progress,
        "can_reveal": can_reveal_identity(user, record),
        # Consent may be withdrawn after closure too (a guardian's right).
        "can_consent": can_manage(user, record),
        "is_supervisor": is_supervisor(user),
        "consents": list(record.consents.select_related("approved_by", "recorded_by")),
        "plan": SupportPlan.objects.filter(record=record).select_related("approved_by").first(),
        "goals": goals,
        "interventions": list(record.interventions.all()),
        "notes": list(record.notes.select_related("author")),
        "sdq_scores": sdq,
        "wellbeing_ratings": wellbeing,
        "wellbeing_changes": wellbeing_changes(wellbeing),
        "wellbeing_improved": wellbeing_improved(wellbeing),
        # The name the addressee knows the child by is theirs to see, not the record's readers'.
        "observations": list(
            record.observations.defer("child_label").select_related("addressee", "rating")
        ),
        "can_approve_closure": record.closure_requested and can_approve_closure(user, record),
        # Linked guardians: those who manage the record (ending a link stays possible after
        # closure: it only takes access away).
        "guardian_rows": _guardian_rows(record, ending) if can_manage(user, record) else None,
        "now": timezone.now(),
        **_charts(record, sdq, wellbeing),
    }
    if manage:
        context.update(
            consent_form=ConsentForm(initial={"given_on": timezone.localdate()}),
            override_form=OverrideForm() if is_supervisor(user) else None,
            plan_form=PlanForm(
                initial={"tier": record.tier, "needs": getattr(context["plan"], "needs", "")}
            ),
            goal_form=GoalForm(),
            intervention_form=InterventionForm(initial={"starts_on": timezone.localdate()}),
            refer_form=ReferForm(initial={"psikolog": record.psikolog_id}),
            close_form=CloseForm(),
            observation_form=ObservationRequestForm(record=record),
            guardian_form=GuardianLinkForm(record=record),
        )
    if progress:
        today = {"initial": {"noted_on": timezone.localdate()}}
        context.update(
            note_form=NoteForm(**today),
            score_form=GoalScoreForm(
                goals=record.goals.all(), initial={"scored_on": timezone.localdate()}
            )
            if goals
            else None,
            sdq_form=SdqForm(initial={"taken_on": timezone.localdate()}),
            wellbeing_form=WellbeingForm(initial={"rated_on": timezone.localdate()}),
        )
    context.update(bound_forms)
    return render(request, "monitoring/record_detail.html", context, status=status)


# --- The caseload list and opening a record ---------------------------------------------------


@require_safe
@login_required
def record_list(request: HttpRequest) -> HttpResponse:
    """Records the user may see, by code and initials only (no name is loaded)."""
    _require_access(request)
    form = RecordFilterForm(request.GET or None)
    records = form.filter(children_visible_to(request.user)).select_related("school", "peksos")
    page = page_for(request, records, LIST_ORDER)
    now = timezone.now()
    for record in page.items:
        record.overdue = record.is_overdue(now)
    context = {
        "form": form,
        "page": page,
        "may_open": request.user.role != Role.PSIKOLOG,
        **page_links(request, page),
    }
    return render(request, "monitoring/record_list.html", context)


def _case_from_query(request: HttpRequest):
    code = request.GET.get("kasus", "")
    if not code:
        return None
    if not CASE_CODE_SHAPE.fullmatch(code):
        raise Http404
    return get_case_for_user(request.user, code)  # 404 for a case the user may not see


@require_http_methods(["GET", "POST"])
@login_required
def record_create(request: HttpRequest) -> HttpResponse:
    """Open a record: directly, or from an SOS Desk case (`?kasus=<code>`: its school)."""
    _require_access(request)
    user = request.user
    if user.role == Role.PSIKOLOG:  # sees referred records, opens none
        raise PermissionDenied
    case = _case_from_query(request)
    if case is not None and not can_open_for_school(user, case.school):
        raise PermissionDenied
    initial = {"peksos": user.pk if user.role == Role.PEKSOS else None}
    form = RecordOpenForm(
        request.POST or None,
        schools=schools_served_by(user),
        fixed_school=case.school if case else None,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not can_open_for_school(user, data["school"]):
            raise PermissionDenied
        try:
            record = services.record_open(
                school=data["school"],
                class_level=data["class_level"],
                sex=data["sex"],
                birth_year=data["birth_year"],
                name=data["name"],
                guardian_contact=data["guardian_contact"],
                tier=data["tier"],
                case=case,
                # A PEKSOS who opens a record follows it unless they name someone else.
                peksos=data["peksos"] or (user if user.role == Role.PEKSOS else None),
                idempotency_key=data["idempotency_key"],
                by=user,
                request=request,
            )
        except ValidationError as exc:  # a refusal, e.g. a key of someone else's form
            form.add_error(None, exc)
        else:
            messages.success(request, _("Record %(code)s opened.") % {"code": record.code})
            return redirect("monitoring:record-detail", code=record.code)
    status = 400 if form.is_bound else 200
    context = {"form": form, "case": case, "duplicates": form.duplicates}
    return render(request, "monitoring/record_form.html", context, status=status)


# --- A record ---------------------------------------------------------------------------------


@require_safe
@login_required
def record_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _render_detail(request, _get_record(request, code))


@require_POST
@login_required
def record_reveal(request: HttpRequest, code: str) -> HttpResponse:
    """The name and guardian's contact, shown once in this response (never redirected to, never
    stored in the session): one `child_name_revealed` audit row every time."""
    record = _get_record(request, code, check=can_reveal_identity)
    identity = services.identity_reveal(record=record, by=request.user, request=request)
    return render(
        request, "monitoring/record_reveal.html", {"record": record, **identity._asdict()}
    )


@require_POST
@login_required
def record_close(request: HttpRequest, code: str) -> HttpResponse:
    """Ask for the closure (outcome and reason); a Koordinator who did not ask approves it."""
    record = _get_record(request, code, check=can_manage)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, record, status=400, close_form=form)
    step = partial(
        services.record_close_request,
        record=record,
        outcome=form.cleaned_data["outcome"],
        note=form.cleaned_data["note"],
        by=request.user,
        request=request,
    )
    return _act(request, record, step, _("Closure requested: a Koordinator will approve it."))


def _may_decide_closure(user, record: ChildRecord) -> bool:
    return is_supervisor(user)


@require_POST
@login_required
def record_close_approve(request: HttpRequest, code: str) -> HttpResponse:
    """Koordinators only (403 for the school's PEKSOS); not the one who asked (a message)."""
    record = _get_record(request, code, check=_may_decide_closure)
    step = partial(services.record_close_approve, record=record, by=request.user, request=request)
    return _act(request, record, step, _("The record was closed."))


@require_POST
@login_required
def record_close_reject(request: HttpRequest, code: str) -> HttpResponse:
    record = _get_record(request, code, check=_may_decide_closure)
    step = partial(services.record_close_reject, record=record, by=request.user, request=request)
    return _act(request, record, step, _("Closure turned down: the record stays open."))


@require_POST
@login_required
def record_refer(request: HttpRequest, code: str) -> HttpResponse:
    record = _get_record(request, code, check=can_manage)
    form = ReferForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, record, status=400, refer_form=form)
    step = partial(
        services.record_refer,
        record=record,
        psikolog=form.cleaned_data["psikolog"],
        by=request.user,
        request=request,
    )
    return _act(request, record, step, _("Referred: the psychologist now sees this record."))


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


# --- Plan, goals, interventions ---------------------------------------------------------------


@require_POST
@login_required
def plan_save(request: HttpRequest, code: str) -> HttpResponse:
    record = _get_record(request, code, check=can_manage)
    form = PlanForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, record, status=400, plan_form=form)
    step = partial(
        services.plan_save,
        record=record,
        tier=form.cleaned_data["tier"],
        needs=form.cleaned_data["needs"],
        by=request.user,
        request=request,
    )
    return _act(request, record, step, _("Support plan saved."))


@require_POST
@login_required
def plan_approve(request: HttpRequest, code: str) -> HttpResponse:
    record = _get_record(request, code, check=lambda user, _record: is_supervisor(user))
    step = partial(services.plan_approve, record=record, by=request.user, request=request)
    return _act(request, record, step, _("Support plan approved."))


@require_POST
@login_required
def goal_add(request: HttpRequest, code: str) -> HttpResponse:
    record = _get_record(request, code, check=can_manage)
    form = GoalForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, record, status=400, goal_form=form)
    step = partial(
        services.goal_add,
        record=record,
        description=form.cleaned_data["description"],
        target_date=form.cleaned_data["target_date"],
        by=request.user,
        request=request,
    )
    return _act(request, record, step, _("Goal added."))


@require_POST
@login_required
def goal_score(request: HttpRequest, code: str) -> HttpResponse:
    record = _get_record(request, code, check=can_add_progress)
    form = GoalScoreForm(request.POST, goals=record.goals.all())
    if not form.is_valid():
        return _render_detail(request, record, status=400, score_form=form)
    data = form.cleaned_data
    data["goal"].record = record
    step = partial(
        services.goal_score,
        goal=data["goal"],
        score=data["score"],
        scored_on=data["scored_on"],
        by=request.user,
        request=request,
    )
    return _act(request, record, step, _("Goal attainment scored."))


@require_POST
@login_required
def intervention_add(request: HttpRequest, code: str) -> HttpResponse:
    record = _get_record(request, code, check=can_manage)
    form = InterventionForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, record, status=400, intervention_form=form)
    step = partial(services.intervention_add, record=record, by=request.user, request=request)
    return _act(request, record, partial(step, **form.cleaned_data), _("Intervention added."))


# --- Progress and measures --------------------------------------------------------------------


@require_POST
@login_required
def note_add(request: HttpRequest, code: str) -> HttpResponse:
    record = _get_record(request, code, check=can_add_progress)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, record, status=400, note_form=form)
    step = partial(services.note_add, record=record, by=request.user, request=request)
    return _act(request, record, partial(step, **form.cleaned_data), _("Progress note added."))


@require_POST
@login_required
def sdq_add(request: HttpRequest, code: str) -> HttpResponse:
    record = _get_record(request, code, check=can_add_progress)
    form = SdqForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, record, status=400, sdq_form=form)
    step = partial(services.sdq_add, record=record, by=request.user, request=request)
    return _act(request, record, partial(step, **form.cleaned_data), _("SDQ scores added."))


@require_POST
@login_required
def wellbeing_add(request: HttpRequest, code: str) -> HttpResponse:
    record = _get_record(request, code, check=can_add_progress)
    form = WellbeingForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, record, status=400, wellbeing_form=form)
    step = partial(services.wellbeing_add, record=record, by=request.user, request=request)
    return _act(request, record, partial(step, **form.cleaned_data), _("Wellbeing rating added."))


# --- Observations asked of teachers and parents -----------------------------------------------


@require_POST
@login_required
def observation_request(request: HttpRequest, code: str) -> HttpResponse:
    record = _get_record(request, code, check=can_manage)
    form = ObservationRequestForm(request.POST, record=record)
    if not form.is_valid():
        return _render_detail(request, record, status=400, observation_form=form)
    step = partial(
        observations.observation_request,
        record=record,
        by=request.user,
        request=request,
        **form.cleaned_data,
    )
    return _act(request, record, step, _("Observation requested: they have been told."))


@require_POST
@login_required
def observation_cancel(request: HttpRequest, code: str, pk) -> HttpResponse:
    record = _get_record(request, code, check=can_manage)
    observation = record.observations.defer("child_label", "comment").filter(pk=pk).first()
    if observation is None:
        raise _denied(request, record.code, Http404())
    observation.record = record
    step = partial(
        observations.observation_cancel, observation=observation, by=request.user, request=request
    )
    return _act(request, record, step, _("Observation request cancelled."))


OBSERVATION_ORDER = ("-requested_at", "id")


@require_safe
@login_required
def observation_list(request: HttpRequest) -> HttpResponse:
    """A teacher's or parent's own requests: the name they know the child by, the school and
    the deadline; nothing else of the record. Other roles: 404."""
    if not is_observer(request.user):
        raise Http404
    requests = (
        observations_for(request.user)
        .exclude(status=ObservationRequest.Status.CANCELLED)
        .select_related("record__school")
        .defer("record__name", "record__guardian_contact", "comment")
    )
    page = page_for(request, requests, OBSERVATION_ORDER)
    audit.record(
        "child_observations_listed",
        request=request,
        object_type=ObservationRequest._meta.label_lower,
    )
    context = {"page": page, "now": timezone.now(), **page_links(request, page)}
    return render(request, "monitoring/observation_list.html", context)


def _get_observation(request: HttpRequest, pk) -> ObservationRequest:
    """The request if addressed to the user; 403 if they may see its record, 404 otherwise."""
    observation = (
        ObservationRequest.objects.select_related("record__school")
        .defer("record__name", "record__guardian_contact", "comment")
        .filter(pk=pk)
        .first()
    )
    if (
        observation is not None
        and observation.addressee_id == request.user.pk
        and is_observer(request.user)
    ):
        return observation
    if observation is None:
        audit.record(
            "child_observation_access_denied",
            request=request,
            object_type=ObservationRequest._meta.label_lower,
        )
        raise Http404
    audit.record("child_observation_access_denied", request=request, obj=observation.record)
    if children_visible_to(request.user).filter(pk=observation.record_id).exists():
        raise PermissionDenied
    raise Http404


@require_http_methods(["GET", "POST"])
@login_required
def observation_fill(request: HttpRequest, pk) -> HttpResponse:
    """The form a teacher or parent fills on a phone. Once answered, expired or cancelled it
    says so and takes nothing. What was typed comes back on an error."""
    observation = _get_observation(request, pk)
    form = ObservationAnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                observations.observation_answer(
                    observation=observation, by=request.user, request=request, **form.cleaned_data
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                status = 409
            else:
                messages.success(request, _("Thank you: your observation was sent."))
                return redirect("monitoring:observation-list")
        else:
            status = 400
    else:
        audit.record("child_observation_opened", request=request, obj=observation.record)
    observation.refresh_from_db(fields=["status", "answered_at"])
    context = {
        "observation": observation,
        "form": form,
        "open": observation.is_pending() and observation.record.is_open,
    }
    return render(request, "monitoring/observation_fill.html", context, status=status)
