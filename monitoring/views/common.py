"""What the monitoring views share: access checks, fetching a record, running a step, and
rendering a record's page with its charts."""

import re
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from peksos.core import audit
from peksos.core.actions import run_step

from .. import follow_up
from ..charts import line_chart
from ..forms import (
    CloseForm,
    ConsentForm,
    GoalForm,
    GoalScoreForm,
    GuardianEndForm,
    GuardianLinkForm,
    InterventionForm,
    NoteForm,
    ObservationRequestForm,
    OverrideForm,
    PlanForm,
    ReferForm,
    SdqForm,
    WellbeingForm,
)
from ..measures import sdq_series, wellbeing_changes, wellbeing_improved, wellbeing_series
from ..models import ChildRecord, SupportPlan
from ..permissions import (
    can_add_progress,
    can_approve_closure,
    can_manage,
    can_reveal_identity,
    get_child_for_user,
    is_supervisor,
    may_use_monitoring,
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
        **follow_up.record_context(record, user),
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
