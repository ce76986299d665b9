"""Observations asked of teachers and parents: requested, cancelled, listed and filled."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peksos.core import audit
from peksos.core.pagination import page_for, page_links

from .. import observations
from ..forms import (
    ObservationAnswerForm,
    ObservationRequestForm,
)
from ..models import ObservationRequest
from ..permissions import (
    can_manage,
    children_visible_to,
    is_observer,
    observations_for,
)
from .common import _act, _denied, _get_record, _render_detail

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
