"""The planner's rules for one visit that a person moves: hard rules refuse the change,
soft rules warn (the person may go ahead after reading the warning).

The planner (`visits.planner`) applies the same hard rules to a whole year; this module
reads the few facts one visit needs from the database.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from peksos.accounts.models import Role, User
from schools.calendar import non_visit_days
from schools.models import PriorityBand

from .models import (
    DEFAULT_PER_DAY,
    DEFAULT_PER_WEEK,
    PlanRun,
    StaffCapacity,
    StaffLeave,
    Visit,
    VisitMember,
    school_year_of,
    semester_bounds,
    semester_of,
)

DEFAULT_MIN_GAP_WEEKS = 8


@dataclass
class Check:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _day(d: date) -> str:
    return formats.date_format(d, "j F Y")


def min_gap_days(year: int) -> int:
    """The gap of the latest plan of that school year (the Koordinator's choice), or 8 weeks."""
    run = PlanRun.objects.filter(school_year=year).order_by("-created_at", "-id").first()
    weeks = (run.options or {}).get("min_gap_weeks") if run else None
    return int(weeks or DEFAULT_MIN_GAP_WEEKS) * 7


def check_calendar(visit: Visit, day: date) -> list[str]:
    """The school's side: the date is in the visit's school year and a visit day."""
    errors = []
    if school_year_of(day) != visit.school_year:
        errors.append(
            _("The date must be in the school year %(year)s.") % {"year": visit.school_year_label}
        )
        return errors
    if day < timezone.localdate():
        errors.append(_("The date has already passed."))
    closed = non_visit_days(visit.school, day, day)
    if day in closed:
        errors.append(
            _("No visit is possible on %(date)s: %(reason)s.")
            % {"date": _day(day), "reason": closed[day]}
        )
    return errors


def _team_errors(visit: Visit, team: list[tuple[User, str]]) -> list[str]:
    roles = [role for _user, role in team]
    errors = []
    if Role.PEKSOS not in roles:
        errors.append(_("A visit needs at least one PEKSOS in its team."))
    if visit.needs_psikolog and Role.PSIKOLOG not in roles:
        errors.append(_("A psychosocial training needs a psychologist in the team."))
    if visit.needs_pendamping and Role.PENDAMPING not in roles:
        errors.append(_("This visit needs a pendamping sosial in the team."))
    for user, role in team:
        if user.role != role or not user.is_active:
            errors.append(
                _("%(name)s cannot join the team as %(role)s.") % {"name": user, "role": role}
            )
    return errors


def _capacity_errors(visit: Visit, day: date, users: list[User]) -> list[str]:
    errors = []
    ids = [u.pk for u in users]
    capacities = {c.user_id: c for c in StaffCapacity.objects.filter(user_id__in=ids)}
    monday = day - timedelta(days=day.weekday())
    others = (
        VisitMember.objects.filter(
            user_id__in=ids,
            visit__state__in=Visit.ACTIVE_STATES,
            visit__date__gte=monday,
            visit__date__lte=monday + timedelta(days=6),
        )
        .exclude(visit_id=visit.pk)
        .values_list("user_id", "visit__date")
    )
    per_day: dict[int, int] = {}
    per_week: dict[int, int] = {}
    for user_id, other_day in others:
        per_week[user_id] = per_week.get(user_id, 0) + 1
        if other_day == day:
            per_day[user_id] = per_day.get(user_id, 0) + 1
    on_leave = set(
        StaffLeave.objects.filter(
            user_id__in=ids, starts_on__lte=day, ends_on__gte=day
        ).values_list("user_id", flat=True)
    )
    for user in users:
        capacity = capacities.get(user.pk)
        day_limit = capacity.per_day if capacity else DEFAULT_PER_DAY
        week_limit = capacity.per_week if capacity else DEFAULT_PER_WEEK
        name = {"name": user, "date": _day(day)}
        if per_day.get(user.pk, 0) >= day_limit:
            errors.append(_("%(name)s already has a full day of visits on %(date)s.") % name)
        if per_week.get(user.pk, 0) >= week_limit:
            errors.append(_("%(name)s already has a full week of visits around %(date)s.") % name)
        if capacity and day.weekday() in (capacity.weekdays_off or []):
            errors.append(_("%(name)s does not make visits on that weekday.") % name)
        if user.pk in on_leave:
            errors.append(_("%(name)s is on leave on %(date)s.") % name)
    return errors


def _school_errors(visit: Visit, day: date) -> list[str]:
    errors = []
    others = list(
        Visit.objects.active()
        .in_school_year(visit.school_year)
        .filter(school_id=visit.school_id)
        .exclude(pk=visit.pk)
        .values_list("date", flat=True)
    )
    gap = min_gap_days(visit.school_year)
    for other in others:
        if abs((other - day).days) < gap:
            errors.append(
                _("The school has another visit on %(date)s: visits must be %(weeks)d weeks apart.")
                % {"date": _day(other), "weeks": gap // 7}
            )
    left = semester_of(visit.date)
    if semester_of(day) != left and not any(semester_of(o) == left for o in others):
        errors.append(
            _("Semester %(semester)d would be left without a visit to this school.")
            % {"semester": left}
        )
    return errors


def _warnings(visit: Visit, day: date, users: list[User]) -> list[str]:
    warnings = []
    elsewhere = (
        Visit.objects.active()
        .exclude(pk=visit.pk)
        .filter(date=day, members__user__in=users)
        .exclude(school__kecamatan_id=visit.school.kecamatan_id)
        .select_related("school__kecamatan")
        .distinct()
    )
    for other in elsewhere[:3]:
        warnings.append(
            _("The team also visits %(school)s in Kecamatan %(kecamatan)s that day.")
            % {"school": other.school.name, "kecamatan": other.school.kecamatan.name}
        )
    if visit.school.priority_band == PriorityBand.HIGH:
        start, end = semester_bounds(visit.school_year, semester_of(day))
        if day > start + (end - start) / 2:
            warnings.append(
                _("This is a high-priority school: a visit early in the semester is better.")
            )
    return warnings


def check_visit(visit: Visit, day: date, team: list[tuple[User, str]]) -> Check:
    """Every hard rule for `visit` held on `day` by `team`, and the soft ones as warnings."""
    errors = check_calendar(visit, day)
    if errors and school_year_of(day) != visit.school_year:
        return Check(errors=errors)
    users = [user for user, _role in team]
    errors += _team_errors(visit, team)
    errors += _capacity_errors(visit, day, users)
    errors += _school_errors(visit, day)
    warnings = _warnings(visit, day, users) if not errors else []
    return Check(errors=errors, warnings=warnings)


def current_team(visit: Visit) -> list[tuple[User, str]]:
    return [(m.user, m.role) for m in visit.members.select_related("user")]


def staff_choices(role: str):
    return User.objects.filter(is_active=True, role=role).order_by("first_name", "username")


def staff_q() -> Q:
    return Q(is_active=True, role__in=[Role.PEKSOS, Role.PSIKOLOG, Role.PENDAMPING])
