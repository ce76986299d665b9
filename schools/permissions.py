"""Which schools a user may see, and whether they may change them.

The rules, in plain words (docs/design.md §4):
- The Koordinator, PEKSOS, psychologists and pendamping see the whole school register.
- Only the Koordinator edits the register (school details, imports, priority weights).
- Coordinates may also be set by a PEKSOS serving the school.
- A school's calendar (periods without visits) may be edited by the Koordinator and by the
  PEKSOS, SOS Desk officers and principal serving it; city-wide periods by the Koordinator.
- SOS Desk officers and principals see only the schools they are members of.
- Teachers and parents do not browse the register; they see their own school(s) by name
  only where a feature shows it (e.g. the forum).
- A school someone may not see answers 404, never 403: its existence is not confirmed.
- Inactive accounts see nothing.

`schools_served_by(user)` is the narrower set every later app uses for "own schools":
the schools a user is a member of (all schools for the Koordinator).
"""

from django.db.models import QuerySet
from django.http import Http404

from peksos.accounts.models import Role, User

from .models import School

REGISTER_WIDE_ROLES = frozenset({Role.KOORDINATOR, Role.PEKSOS, Role.PSIKOLOG, Role.PENDAMPING})
REGISTER_OWN_SCHOOL_ROLES = frozenset({Role.SOSDESK, Role.KEPALA_SEKOLAH})


def may_use_schools(user: User) -> bool:
    """Whether the user has register pages at all (the whole register or their own schools)."""
    return (
        user.is_authenticated
        and user.is_active
        and user.role in REGISTER_WIDE_ROLES | REGISTER_OWN_SCHOOL_ROLES
    )


def serves_whole_register(user: User) -> bool:
    """Whether `schools_served_by` is the whole register (aggregates may then come from the
    register-wide cached parts, `peksos.core.partials`)."""
    return user.is_authenticated and user.is_active and user.role == Role.KOORDINATOR


def schools_served_by(user: User) -> QuerySet[School]:
    if not user.is_authenticated or not user.is_active:
        return School.objects.none()
    if serves_whole_register(user):
        return School.objects.all()
    return School.objects.filter(memberships__user=user)


def schools_visible_to(user: User) -> QuerySet[School]:
    """The part of the school register this user may browse."""
    if not user.is_authenticated or not user.is_active:
        return School.objects.none()
    if user.role in REGISTER_WIDE_ROLES:
        return School.objects.all()
    if user.role in REGISTER_OWN_SCHOOL_ROLES:
        return School.objects.filter(memberships__user=user)
    return School.objects.none()


def get_school_for_user(user: User, npsn: str) -> School:
    try:
        return schools_visible_to(user).get(npsn=npsn)
    except School.DoesNotExist:
        raise Http404 from None


def can_edit_school(user: User, school: School | None = None) -> bool:
    """Register details, imports and the priority weights: the Koordinator only."""
    return user.is_authenticated and user.is_active and user.role == Role.KOORDINATOR


def can_set_coordinates(user: User, school: School) -> bool:
    """Field staff who know where a school is: the Koordinator, or a PEKSOS serving it."""
    if can_edit_school(user):
        return True
    return user.is_active and user.role == Role.PEKSOS and serves_school(user, school)


CALENDAR_SCHOOL_ROLES = frozenset({Role.PEKSOS, Role.SOSDESK, Role.KEPALA_SEKOLAH})


def can_edit_calendar(user: User, school: School | None) -> bool:
    """City-wide periods: the Koordinator. A school's periods: the Koordinator, or the PEKSOS,
    SOS Desk officers and principal serving that school."""
    if can_edit_school(user):
        return True
    if school is None or not user.is_authenticated or not user.is_active:
        return False
    return user.role in CALENDAR_SCHOOL_ROLES and serves_school(user, school)


def serves_school(user: User, school: School) -> bool:
    return schools_served_by(user).filter(pk=school.pk).exists()
