"""Staff capacity for the planner (visits per day and week, weekdays off) and leave: set by
the Koordinator."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peksos.accounts.models import User

from .. import services
from ..forms import CapacityForm, LeaveForm, staff_users
from ..models import StaffCapacity, StaffLeave
from ..permissions import can_plan


def _require_koordinator(user) -> None:
    if not can_plan(user):
        raise PermissionDenied


def _staff_member(user_id: int) -> User:
    return get_object_or_404(staff_users(), pk=user_id)


@require_safe
@login_required
def capacity_list(request: HttpRequest) -> HttpResponse:
    _require_koordinator(request.user)
    staff = staff_users().select_related("visit_capacity").order_by("role", "first_name", "pk")
    return render(request, "visits/capacity_list.html", {"staff": staff})


def _edit_context(member: User, form: CapacityForm, leave_form: LeaveForm) -> dict:
    today = timezone.localdate()
    return {
        "member": member,
        "form": form,
        "leave_form": leave_form,
        "leaves": member.visit_leaves.filter(ends_on__gte=today).order_by("starts_on"),
    }


@require_http_methods(["GET", "POST"])
@login_required
def capacity_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    _require_koordinator(request.user)
    member = _staff_member(user_id)
    capacity = StaffCapacity.objects.filter(user=member).first() or StaffCapacity(user=member)
    form = CapacityForm(request.POST or None, instance=capacity)
    if request.method == "POST" and form.is_valid():
        services.capacity_save(
            user=member,
            per_day=form.cleaned_data["per_day"],
            per_week=form.cleaned_data["per_week"],
            weekdays_off=form.cleaned_data["weekdays_off"],
            by=request.user,
            request=request,
        )
        messages.success(request, _("The capacity of %(name)s was saved.") % {"name": member})
        return redirect("visits:capacity-edit", user_id=member.pk)
    return render(request, "visits/capacity_edit.html", _edit_context(member, form, LeaveForm()))


@require_POST
@login_required
def leave_create(request: HttpRequest, user_id: int) -> HttpResponse:
    _require_koordinator(request.user)
    member = _staff_member(user_id)
    form = LeaveForm(request.POST)
    if not form.is_valid():
        capacity = StaffCapacity.objects.filter(user=member).first() or StaffCapacity(user=member)
        context = _edit_context(member, CapacityForm(instance=capacity), form)
        return render(request, "visits/capacity_edit.html", context)
    services.leave_add(user=member, by=request.user, request=request, **form.cleaned_data)
    messages.success(request, _("The leave was added."))
    return redirect("visits:capacity-edit", user_id=member.pk)


@require_POST
@login_required
def leave_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_koordinator(request.user)
    leave = get_object_or_404(StaffLeave, pk=pk)
    services.leave_delete(leave=leave, by=request.user, request=request)
    messages.success(request, _("The leave was removed."))
    return redirect("visits:capacity-edit", user_id=leave.user_id)
