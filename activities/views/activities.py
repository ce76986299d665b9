"""Staff pages of the activities held during visits (manual Bab 2): the list with filters, the
calendar of upcoming activities, planning an activity on a visit, its page, changing the plan,
recording what happened and opening the participant forms.

Every activity is fetched through `activities.permissions` (hidden: 404; visible but not
allowed: 403); every write calls one service in activity_services."""

import calendar as pycalendar
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peksos.core.pagination import page_for, page_links
from peksos.core.refusals import Refusal
from visits.permissions import get_visit_for_user
from visits.views.common import month_param, month_weeks

from ..forms import ActivityFilterForm, ActivityForm, AttendeeForm, RecordForm
from ..models import Activity
from ..permissions import (
    PROGRAMME_STAFF,
    activities_visible_to,
    can_edit_activity,
    can_plan_activity,
    can_see_attendee_names,
    get_activity_for_user,
    photos_visible_to,
    require_activity_role,
)
from ..services import sessions as services

LIST_ORDER = ("date", "id")
MONTH_LIMIT = 600


def for_list(activities):
    return activities.select_related("school__kecamatan", "visit").prefetch_related("facilitators")


def _filtered(request: HttpRequest):
    form = ActivityFilterForm(
        request.GET or None, staff_filter=request.user.role in PROGRAMME_STAFF
    )
    return form, for_list(form.filter(activities_visible_to(request.user)))


@require_safe
@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    require_activity_role(request.user)
    form, activities = _filtered(request)
    page = page_for(request, activities, LIST_ORDER)
    context = {"form": form, "page": page, **page_links(request, page)}
    return render(request, "activities/activity_list.html", context)


@require_safe
@login_required
def activity_calendar(request: HttpRequest) -> HttpResponse:
    """The month's activities as a grid, and the upcoming ones as an agenda."""
    require_activity_role(request.user)
    first = month_param(request)
    last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
    form, activities = _filtered(request)
    shown = list(
        activities.filter(date__gte=first, date__lte=last)
        .exclude(state=Activity.State.CANCELLED)
        .order_by("date", "start_time", "id")[: MONTH_LIMIT + 1]
    )
    upcoming = list(activities.upcoming().order_by("date", "start_time", "id")[:20])
    query = request.GET.copy()
    query.pop("bulan", None)
    context = {
        "form": form,
        "month": first,
        "weeks": month_weeks(first, shown[:MONTH_LIMIT], "activities"),
        "upcoming": upcoming,
        "truncated": len(shown) > MONTH_LIMIT,
        "previous_month": (first - timedelta(days=1)).strftime("%Y-%m"),
        "next_month": (last + timedelta(days=1)).strftime("%Y-%m"),
        "filter_query": query.urlencode(),
        "keep": [("bulan", first.strftime("%Y-%m"))],
        "weekday_names": [WEEKDAYS_ABBR[i] for i in range(7)],
    }
    return render(request, "activities/activity_calendar.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def activity_create(request: HttpRequest, visit_pk: int) -> HttpResponse:
    require_activity_role(request.user)
    visit = get_visit_for_user(request.user, visit_pk, check=can_plan_activity)
    form = ActivityForm(request.POST or None, visit=visit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity, created = services.activity_create(
                visit=visit,
                kind=data["kind"],
                title=data["title"],
                sub_activities=data["sub_activities"],
                audiences=data["audiences"],
                facilitators=list(data["facilitators"]),
                materials=data["materials"],
                date=data["date"],
                start_time=data["start_time"],
                idempotency_key=data["idempotency_key"],
                by=request.user,
                request=request,
            )
        except Refusal as exc:
            form.add_error(None, exc)
        else:
            if created:
                messages.success(request, _("The activity is planned."))
            return redirect("activities:activity-detail", pk=activity.pk)
    context = {"visit": visit, "form": form, "activity": None}
    return render(request, "activities/activity_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk, check=can_edit_activity)
    form = ActivityForm(
        request.POST or None, visit=activity.visit, initial=ActivityForm.initial_for(activity)
    )
    if request.method == "POST" and form.is_valid():
        services.activity_update(
            activity=activity, data=form.cleaned_data, by=request.user, request=request
        )
        messages.success(request, _("The activity was changed."))
        return redirect("activities:activity-detail", pk=activity.pk)
    context = {"visit": activity.visit, "form": form, "activity": activity}
    return render(request, "activities/activity_form.html", context)


@require_safe
@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk)
    can_edit = can_edit_activity(request.user, activity)
    names = can_see_attendee_names(request.user)
    attendees = list(activity.attendees.all()) if names else []
    photos = list(photos_visible_to(request.user, activity))
    checkin_url = request.build_absolute_uri(activity_checkin_path(activity))
    context = {
        "activity": activity,
        "facilitators": activity.facilitators.all(),
        "grid": services.attendance_grid(activity),
        "can_edit": can_edit,
        "can_see_names": names,
        "attendees": attendees,
        "attendee_count": len(attendees) if names else activity.attendees.count(),
        "attendee_form": AttendeeForm() if can_edit else None,
        "photos": photos,
        "checkin_url": checkin_url,
        "is_past": activity.date <= timezone.localdate(),
    }
    return render(request, "activities/activity_detail.html", context)


def activity_checkin_path(activity: Activity) -> str:
    return reverse("participant:checkin", args=[activity.public_code])


@require_http_methods(["GET", "POST"])
@login_required
def activity_record(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk, check=can_edit_activity)
    form = RecordForm(
        request.POST or None, activity=activity, initial=RecordForm.initial_for(activity)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.activity_record(
                activity=activity,
                state=data["state"],
                counts=form.counts(),
                duration_minutes=data.get("duration_minutes"),
                notes=data.get("notes", ""),
                cancel_reason=data.get("cancel_reason", ""),
                by=request.user,
                request=request,
            )
        except Refusal as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("What happened at the activity is recorded."))
            return redirect("activities:activity-detail", pk=activity.pk)
    context = {"activity": activity, "form": form}
    return render(request, "activities/activity_record.html", context)


@require_POST
@login_required
def activity_forms_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk, check=can_edit_activity)
    open_ = request.POST.get("buka") == "1"
    try:
        services.set_participant_forms(
            activity=activity, open_=open_, by=request.user, request=request
        )
    except Refusal as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if open_:
            messages.success(request, _("Check-in and the participant forms are open."))
        else:
            messages.success(request, _("Check-in and the participant forms are closed."))
    return redirect("activities:activity-detail", pk=activity.pk)


def visit_activities(visit, user) -> dict:
    """The visit page's "Activities" section: the visit's activities and whether the user may
    plan one (a section of the visit page, registered in apps.py)."""
    shown = activities_visible_to(user).filter(visit=visit).order_by("date", "start_time", "id")
    return {
        "visit_activities": list(shown),
        "can_plan_activity": can_plan_activity(user, visit),
    }
