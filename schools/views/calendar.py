"""School calendars: the days without visits of one school (its own periods and the city-wide
ones) and of the whole city, with the national holidays of the school year. The Koordinator
and the people serving a school add and delete its periods; city-wide periods are the
Koordinator's (schools.permissions.can_edit_calendar)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peksos.core import audit

from ..calendar import (
    FIRST_YEAR,
    LAST_YEAR,
    blocked_periods,
    national_holidays,
    school_year_from_param,
    school_year_label,
)
from ..filters import school_year_start
from ..forms import BlockedPeriodForm
from ..models import BlockedPeriod, School
from ..permissions import can_edit_calendar, get_school_for_user
from .register import require_register_access


@require_http_methods(["GET", "POST"])
@login_required
def school_calendar(request: HttpRequest, npsn: str) -> HttpResponse:
    require_register_access(request.user)
    school = get_school_for_user(request.user, npsn)
    return _calendar_page(request, school)


@require_http_methods(["GET", "POST"])
@login_required
def city_calendar(request: HttpRequest) -> HttpResponse:
    require_register_access(request.user)
    return _calendar_page(request, None)


@require_POST
@login_required
def blocked_period_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_register_access(request.user)
    period = get_object_or_404(BlockedPeriod.objects.select_related("school"), pk=pk)
    school = get_school_for_user(request.user, period.school.npsn) if period.school else None
    if not can_edit_calendar(request.user, school):
        raise PermissionDenied
    with transaction.atomic():
        audit.record("blocked_period_deleted", request=request, obj=period)
        period.delete()
    messages.success(
        request, _("“%(title)s” was removed from the calendar.") % {"title": period.title}
    )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = _calendar_url(school, period.starts_on)
    return redirect(target)


def _calendar_page(request: HttpRequest, school: School | None) -> HttpResponse:
    """One school's calendar, or the city's when `school` is None: list and add form."""
    can_edit = can_edit_calendar(request.user, school)
    form = None
    if can_edit:
        form = BlockedPeriodForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            period = _add_period(request, form, school)
            # The fragment scrolls to the new period (else the browser keeps #add-period).
            return redirect(f"{_calendar_url(school, period.starts_on)}#period-{period.pk}")
    start, end = school_year_from_param(request.GET.get("tahun"), timezone.localdate())
    periods = list(blocked_periods(school, start, end).select_related("created_by"))
    context = {
        "school": school,
        "school_periods": [p for p in periods if p.school_id is not None],
        "city_periods": [p for p in periods if p.school_id is None],
        "holidays": list(national_holidays(start, end).items()),
        "form": form,
        "can_edit": can_edit,
        "can_edit_city": can_edit_calendar(request.user, None),
        "year_start": start,
        "year_end": end,
        "year_label": school_year_label(start),
        "previous_year": str(start.year - 1) if start.year > FIRST_YEAR else "",
        "next_year": str(start.year + 1) if start.year + 1 < LAST_YEAR else "",
    }
    template = "schools/school_calendar.html" if school else "schools/city_calendar.html"
    return render(request, template, context)


def _add_period(request: HttpRequest, form: BlockedPeriodForm, school: School | None):
    # A double submit finds the period it already made and adds nothing.
    same = {name: form.cleaned_data[name] for name in ("starts_on", "ends_on", "kind", "title")}
    existing = BlockedPeriod.objects.filter(school=school, **same).first()
    if existing:
        messages.info(request, _("“%(title)s” is already in the calendar.") % same)
        return existing
    with transaction.atomic():
        period = form.save(commit=False)
        period.school = school
        period.created_by = request.user
        period.save()
        audit.record("blocked_period_created", request=request, obj=period)
    messages.success(request, _("“%(title)s” was added to the calendar.") % same)
    return period


def _calendar_url(school: School | None, day: date) -> str:
    """The calendar page showing the school year of `day`."""
    if school is None:
        url = reverse("schools:calendar-city")
    else:
        url = reverse("schools:school-calendar", args=[school.npsn])
    return f"{url}?tahun={school_year_start(day).year}"
