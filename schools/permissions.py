"""Which schools a user may see, and whether they may change them.

The rules, in plain words (DESIGN.md §4):
- The Koordinator, PEKSOS, psychologists and pendamping see the whole school register.
- Only the Koordinator edits the register (school details, imports).
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


def schools_served_by(user: User) -> QuerySet[School]:
    if not user.is_authenticated or not user.is_active:
        return School.objects.none()
    if user.role == Role.KOORDINATOR:
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
    return user.is_authenticated and user.is_active and user.role == Role.KOORDINATOR


def serves_school(user: User, school: School) -> bool:
    return schools_served_by(user).filter(pk=school.pk).exists()
