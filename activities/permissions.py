"""Who may see and change visits. This is what an auditor reads.

- The Koordinator sees every visit, plans the year, edits, locks, moves, cancels and marks
  any visit done, and sets the staff's capacity.
- A PEKSOS sees the visits of the schools they serve and the visits they are in the team of;
  they edit (move, lock, answer the school's date, mark done, cancel) the visits of the
  schools they serve and those they lead as the team's PEKSOS.
- A psychologist or pendamping sosial sees the visits they are in the team of (read only).
- The principal (Kepala Sekolah) and the SOS Desk officers of a school see its visits and
  answer the proposed ones: accept, or propose another date with a reason. They change
  nothing else.
- Teachers, parents and the public have no visit pages (403 on the lists); a visit a user may
  not see answers 404 (its existence is not confirmed), one they see but may not change 403.
- Inactive accounts see nothing.
- A staff member's calendar feed is reached by its secret token alone (no login): it holds
  only that member's own visits, and stops working when the token is replaced or revoked.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from peksos.accounts.models import Role, User
from schools.permissions import schools_served_by

from .models import Activity, ActivityPhoto, Visit, VisitMember

STAFF_ROLES = frozenset({Role.PEKSOS, Role.PSIKOLOG, Role.PENDAMPING})
SCHOOL_ROLES = frozenset({Role.KEPALA_SEKOLAH, Role.SOSDESK})
VISIT_ROLES = frozenset({Role.KOORDINATOR}) | STAFF_ROLES | SCHOOL_ROLES


def _active(user: User) -> bool:
    return user.is_authenticated and user.is_active


def require_visit_role(user: User) -> None:
    """Roles without any visit page get 403 (the page exists, their role has none)."""
    if not _active(user) or user.role not in VISIT_ROLES:
        raise PermissionDenied


def visits_visible_to(user: User) -> QuerySet[Visit]:
    if not _active(user):
        return Visit.objects.none()
    if user.role == Role.KOORDINATOR:
        return Visit.objects.all()
    if user.role == Role.PEKSOS:
        # One set of ids, a UNION: an OR of the two subqueries made PostgreSQL walk every
        # visit of the year (1.5 s for a PEKSOS of 16 schools at national size,
        # bench/national.py); the union is read through two indexes (7 ms).
        served = Visit.objects.filter(school__in=schools_served_by(user).values("pk"))
        mine = VisitMember.objects.filter(user=user).values("visit_id")
        return Visit.objects.filter(pk__in=served.values("pk").union(mine))
    if user.role in STAFF_ROLES:
        return Visit.objects.filter(pk__in=Visit.objects.filter(members__user=user).values("pk"))
    if user.role in SCHOOL_ROLES:
        return Visit.objects.filter(school__in=schools_served_by(user).values("pk"))
    return Visit.objects.none()


def can_plan(user: User) -> bool:
    return _active(user) and user.role == Role.KOORDINATOR


def can_edit_visit(user: User, visit: Visit) -> bool:
    """Move, lock, answer the school's date, mark done, cancel."""
    if can_plan(user):
        return True
    if not _active(user) or user.role != Role.PEKSOS:
        return False
    if schools_served_by(user).filter(pk=visit.school_id).exists():
        return True
    return visit.members.filter(user=user, role=Role.PEKSOS).exists()


def can_answer_for_school(user: User, visit: Visit) -> bool:
    """Accept a proposed date or propose another: the school's principal and officers."""
    if not _active(user) or user.role not in SCHOOL_ROLES:
        return False
    return schools_served_by(user).filter(pk=visit.school_id).exists()


def get_visit_for_user(user: User, pk: int, *, check=None) -> Visit:
    """The visit if the user may see it (404 otherwise); with `check` (a predicate such as
    `can_edit_visit`), a visible visit the user may not act on gives 403."""
    try:
        visit = visits_visible_to(user).select_related("school__kecamatan").get(pk=pk)
    except Visit.DoesNotExist:
        raise Http404 from None
    if check is not None and not check(user, visit):
        raise PermissionDenied
    return visit


def staff_filter_allowed(user: User) -> bool:
    """Whether the user may filter lists by any staff member (others see their own)."""
    return _active(user) and user.role in {Role.KOORDINATOR, Role.PEKSOS}


def can_see_compliance(user: User) -> bool:
    return _active(user) and user.role in {Role.KOORDINATOR, Role.PEKSOS}


def has_calendar_feed(user: User) -> bool:
    return _active(user) and user.role in STAFF_ROLES


# --- Activities held during visits (DESIGN.md §4, row "activities") ---------------------------
#
# - The Koordinator sees and changes every activity.
# - A PEKSOS sees the activities of the schools they serve, of the visits they are in the team
#   of, and those they facilitate; they plan and record them (the visit's editors).
# - A psychologist sees the sessions they lead (facilitator) and those of the visits they are
#   in the team of; they record the outputs of the sessions they facilitate.
# - A pendamping sosial sees the activities of their own schools, of their visits and those
#   they facilitate (read only).
# - The principal sees the activities of their own school (read), the named list included.
# - An SOS Desk officer sees the activities of their own school as counts only: no attendee
#   names, no photos of children.
# - Teachers and parents have no staff activity pages (403).
# - A photo of children without the parents' consent is seen by programme staff only.

ACTIVITY_ROLES = VISIT_ROLES
PROGRAMME_STAFF = frozenset({Role.KOORDINATOR}) | STAFF_ROLES


def require_activity_role(user: User) -> None:
    if not _active(user) or user.role not in ACTIVITY_ROLES:
        raise PermissionDenied


def activities_visible_to(user: User) -> QuerySet[Activity]:
    if not _active(user):
        return Activity.objects.none()
    if user.role == Role.KOORDINATOR:
        return Activity.objects.all()
    if user.role in STAFF_ROLES:
        # A UNION of id sets, not an OR of subqueries (see `visits_visible_to`).
        facilitated = Activity.facilitators.through.objects.filter(user=user)
        mine = facilitated.values("activity_id").union(
            Activity.objects.filter(visit__members__user=user).values("pk")
        )
        if user.role != Role.PSIKOLOG:
            served = Activity.objects.filter(school__in=schools_served_by(user).values("pk"))
            mine = mine.union(served.values("pk"))
        return Activity.objects.filter(pk__in=mine)
    if user.role in SCHOOL_ROLES:
        return Activity.objects.filter(school__in=schools_served_by(user).values("pk"))
    return Activity.objects.none()


def can_plan_activity(user: User, visit: Visit) -> bool:
    """Plan an activity on a visit: whoever may edit the visit."""
    return can_edit_visit(user, visit)


def can_edit_activity(user: User, activity: Activity) -> bool:
    """Change the plan, record the outputs, open the participant forms, add photos."""
    if can_edit_visit(user, activity.visit):
        return True
    if not _active(user) or user.role not in {Role.PEKSOS, Role.PSIKOLOG}:
        return False
    return activity.facilitators.filter(pk=user.pk).exists()


def can_see_attendee_names(user: User) -> bool:
    return _active(user) and user.role != Role.SOSDESK


def photos_visible_to(user: User, activity: Activity) -> QuerySet[ActivityPhoto]:
    photos = activity.photos.all()
    if not _active(user):
        return photos.none()
    if user.role in PROGRAMME_STAFF:
        return photos
    if user.role == Role.SOSDESK:
        return photos.without_children()
    if user.role == Role.KEPALA_SEKOLAH:
        return photos.publishable()
    return photos.none()


def get_activity_for_user(user: User, pk: int, *, check=None) -> Activity:
    """The activity if the user may see it (404 otherwise); with `check` (such as
    `can_edit_activity`), a visible activity the user may not change gives 403."""
    require_activity_role(user)
    try:
        activity = (
            activities_visible_to(user).select_related("visit", "school__kecamatan").get(pk=pk)
        )
    except Activity.DoesNotExist:
        raise Http404 from None
    if check is not None and not check(user, activity):
        raise PermissionDenied
    return activity
