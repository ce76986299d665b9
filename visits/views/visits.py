"""The plan's visits: list, month calendar, a visit's page, and the programme's actions on it
(move, lock, unlock, done, cancel). Every visit is fetched through `activities.permissions`
(hidden: 404; visible but not allowed: 403); every action is a POST that calls one service,
adds a message and redirects to the visit."""

import calendar as pycalendar
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peksos.core.pagination import page_for, page_links
from peksos.core.refusals import Refusal
from schools.calendar import national_holidays

from .. import services
from ..checks import check_visit
from ..forms import CancelForm, MoveForm, VisitFilterForm
from ..models import DateChange, Visit, VisitAgreement
from ..permissions import (
    can_answer_for_school,
    can_download_agreement_letter,
    can_edit_visit,
    can_override_rules,
    can_plan,
    can_record_agreement,
    get_visit_for_user,
    may_create_visits,
    require_visit_role,
    staff_filter_allowed,
    visits_visible_to,
)
from ..sections import sections_for
from .common import LIST_ORDER, month_param, month_weeks, week_param, year_param
from .create import may_go_ahead

MONTH_LIMIT = 600  # visits drawn in one month view; narrow the filters beyond that


def _filtered(request: HttpRequest) -> tuple[VisitFilterForm, "object"]:
    form = VisitFilterForm(request.GET or None, staff_filter=staff_filter_allowed(request.user))
    return form, form.filter(visits_visible_to(request.user)).for_list()


@require_safe
@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    require_visit_role(request.user)
    year = year_param(request)
    form, visits = _filtered(request)
    page = page_for(request, visits.in_school_year(year), LIST_ORDER)
    context = {
        "form": form,
        "page": page,
        "year": year,
        "can_plan": can_plan(request.user),
        "can_create": may_create_visits(request.user),
        "keep": [("tahun", year)],
        **page_links(request, page),
    }
    return render(request, "visits/visit_list.html", context)


@require_safe
@login_required
def visit_month(request: HttpRequest) -> HttpResponse:
    require_visit_role(request.user)
    first = month_param(request)
    last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
    form, visits = _filtered(request)
    shown = list(visits.between(first, last).order_by(*LIST_ORDER)[: MONTH_LIMIT + 1])
    query = request.GET.copy()
    query.pop("bulan", None)
    context = {
        "form": form,
        "month": first,
        "weeks": month_weeks(first, shown[:MONTH_LIMIT], "visits"),
        "truncated": len(shown) > MONTH_LIMIT,
        "previous_month": (first - timedelta(days=1)).strftime("%Y-%m"),
        "next_month": (last + timedelta(days=1)).strftime("%Y-%m"),
        "filter_query": query.urlencode(),
        "keep": [("bulan", first.strftime("%Y-%m"))],
        "weekday_names": [WEEKDAYS_ABBR[i] for i in range(7)],
    }
    return render(request, "visits/visit_month.html", context)


@require_safe
@login_required
def visit_week(request: HttpRequest) -> HttpResponse:
    require_visit_role(request.user)
    monday = week_param(request)
    sunday = monday + timedelta(days=6)
    form, visits = _filtered(request)
    shown = list(visits.between(monday, sunday).order_by(*LIST_ORDER)[: MONTH_LIMIT + 1])
    by_day: dict[date, list[Visit]] = {}
    for visit in shown[:MONTH_LIMIT]:
        by_day.setdefault(visit.date, []).append(visit)
    holidays = national_holidays(monday, sunday)
    days = [
        {
            "day": day,
            "weekend": day.weekday() >= 5,
            "holiday": holidays.get(day, ""),
            "visits": by_day.get(day, []),
        }
        for day in (monday + timedelta(days=i) for i in range(7))
    ]
    query = request.GET.copy()
    query.pop("minggu", None)
    context = {
        "form": form,
        "monday": monday,
        "sunday": sunday,
        "days": days,
        "truncated": len(shown) > MONTH_LIMIT,
        "previous_week": (monday - timedelta(days=7)).isoformat(),
        "next_week": (monday + timedelta(days=7)).isoformat(),
        "filter_query": query.urlencode(),
        "keep": [("minggu", monday.isoformat())],
    }
    return render(request, "visits/visit_week.html", context)


@require_safe
@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit_for_user(request.user, pk)
    changes = visit.changes.select_related("proposed_by", "answered_by")
    pending = next((c for c in changes if c.state == DateChange.State.PENDING), None)
    section_templates, section_context = sections_for(visit, request.user)
    context = {
        "visit": visit,
        "members": visit.members.select_related("user"),
        "changes": changes,
        "pending": pending,
        "rescheduled_to": visit.rescheduled_to.first(),
        "can_edit": can_edit_visit(request.user, visit),
        "can_answer": can_answer_for_school(request.user, visit),
        "can_record_agreement": can_record_agreement(request.user, visit),
        "can_download_letter": can_download_agreement_letter(request.user, visit),
        "agreement": VisitAgreement.objects.filter(visit=visit)
        .select_related("recorded_by")
        .first(),
        "cancel_form": CancelForm(),
        "section_templates": section_templates,
        **section_context,
    }
    return render(request, "visits/visit_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def visit_move(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit_for_user(request.user, pk, check=can_edit_visit)
    form = MoveForm(
        request.POST or None,
        initial=MoveForm.initial_for(visit),
        can_override=can_override_rules(request.user),
    )
    check = None
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"] or visit.kind
        checked = Visit(
            pk=visit.pk,
            school=visit.school,
            kind=kind,
            needs_pendamping=visit.needs_pendamping or kind in Visit.PENDAMPING_KINDS,
        )
        checked.set_date(visit.date)
        check = check_visit(checked, form.cleaned_data["date"], form.team())
        if may_go_ahead(check, form):
            try:
                target = services.visit_move(
                    visit=visit,
                    day=form.cleaned_data["date"],
                    team=form.team(),
                    reason=form.cleaned_data["reason"],
                    kind=kind,
                    override_reason=form.override_text,
                    by=request.user,
                    request=request,
                )
            except Refusal as exc:
                check.errors = exc.messages
            else:
                messages.success(request, _("The visit was changed."))
                return redirect("visits:visit-detail", pk=target.pk)
    context = {"visit": visit, "form": form, "check": check}
    return render(request, "visits/visit_move.html", context, status=200)


def _act(request: HttpRequest, pk: int, action, done_message: str, **kwargs) -> HttpResponse:
    visit = get_visit_for_user(request.user, pk, check=can_edit_visit)
    try:
        visit = action(visit=visit, by=request.user, request=request, **kwargs)
    except Refusal as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(request, done_message)
    return redirect("visits:visit-detail", pk=visit.pk)


@require_POST
@login_required
def visit_lock(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        services.visit_set_lock,
        _("The visit is locked: re-planning keeps it."),
        locked=True,
    )


@require_POST
@login_required
def visit_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.visit_set_lock, _("The visit is unlocked."), locked=False)


@require_POST
@login_required
def visit_done(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.visit_done, _("The visit is recorded as done."))


@require_POST
@login_required
def visit_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit_for_user(request.user, pk, check=can_edit_visit)
    form = CancelForm(request.POST)
    if not form.is_valid():
        context = {"visit": visit, "cancel_form": form, "members": visit.members.all()}
        return render(request, "visits/visit_cancel.html", context, status=200)
    return _act(
        request,
        pk,
        services.visit_cancel,
        _("The visit was cancelled."),
        reason=form.cleaned_data["reason"],
    )
