"""The support plan, its goals and interventions, progress notes and the measures (SDQ,
well-being)."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..forms import (
    GoalForm,
    GoalScoreForm,
    InterventionForm,
    NoteForm,
    PlanForm,
    SdqForm,
    WellbeingForm,
)
from ..permissions import (
    can_add_progress,
    can_manage,
    is_supervisor,
)
from .common import _act, _get_record, _render_detail

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
