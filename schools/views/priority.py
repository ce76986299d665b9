"""The priority index's weights: see the current version and its history; the Koordinator
makes a new version with a reason, and every school is re-scored."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peksos.core import audit

from .. import priority
from ..forms import PriorityWeightsForm
from ..models import PriorityWeights
from ..permissions import REGISTER_WIDE_ROLES, can_edit_school

HISTORY = 20


@require_http_methods(["GET", "POST"])
@login_required
def priority_weights(request: HttpRequest) -> HttpResponse:
    if request.user.role not in REGISTER_WIDE_ROLES:
        raise PermissionDenied
    current = PriorityWeights.current()
    can_edit = can_edit_school(request.user)
    initial = model_to_dict(current, exclude=["id", "reason", "created_by", "created_at"])
    form = PriorityWeightsForm(request.POST or None, initial=initial) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            with transaction.atomic():
                weights = form.save(commit=False)
                weights.created_by = request.user
                weights.save()
                count = priority.recompute(weights=weights)
                audit.record("priority_weights_created", request=request, obj=weights)
            messages.success(
                request,
                _("New weights saved (version %(version)s); %(count)d schools re-scored.")
                % {"version": weights.pk, "count": count},
            )
            return redirect("schools:priority-weights")
    history = PriorityWeights.objects.select_related("created_by")[:HISTORY]
    context = {"current": current, "form": form, "history": history}
    return render(request, "schools/priority_weights.html", context)
