"""Who may see and change visits. This is what an auditor reads.

- The Koordinator sees every visit, plans the year, edits, locks, moves, cancels and marks
  any visit done, and sets the staff's capacity.
- A PEKSOS sees the visits of the schools they serve and the visits they are in the team of;
  they edit (move, lock, answer the school's date, mark done, cancel) the visits of the
  schools they serve and those they lead as the team's PEKSOS.
- A psychologist or pendamping sosial sees the visits they are in the team of (read only).
- Visits are made by hand (besides the planner) by the Koordinator for any school and by a
  PEKSOS for the schools they serve, under the planner's rules; only the Koordinator may
  override those rules, and must give a reason (kept on the visit and in the audit log).
- When a school agrees by phone, letter, message or in person, the Koordinator or a PEKSOS
  serving the school records it (who agreed, how, when, an optional scanned letter). The
  letter is downloaded by those who may edit the visit and the school's principal and
  officers.
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
from schools.models import School
from schools.permissions import schools_served_by

from .models import Visit, VisitMember

STAFF_ROLES = frozenset({Role.PEKSOS, Role.PSIKOLOG, Role.PENDAMPING})
SCHOOL_OFFICE_ROLES = frozenset({Role.KEPALA_SEKOLAH, Role.SOSDESK})
VISIT_ROLES = frozenset({Role.KOORDINATOR}) | STAFF_ROLES | SCHOOL_OFFICE_ROLES


def _active(user: User) -> bool:
    return user.is_authenticated and user.is_active


def may_use_visits(user: User) -> bool:
    """Whether the user has visit pages at all (the navigation shows them)."""
    return _active(user) and user.role in VISIT_ROLES


def may_list_visits(user: User) -> bool:
    """The list, month and week of visits: the Koordinator and the staff who go on visits."""
    return _active(user) and user.role in STAFF_ROLES | {Role.KOORDINATOR}


def answers_for_school(user: User) -> bool:
    """The principal and officers, whose visit pages start at the dates to agree."""
    return _active(user) and user.role in SCHOOL_OFFICE_ROLES


def may_see_agreements(user: User) -> bool:
    """The tab of dates waiting for the school's answer."""
    return _active(user) and user.role in SCHOOL_OFFICE_ROLES | {Role.KOORDINATOR, Role.PEKSOS}


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
    if user.role in SCHOOL_OFFICE_ROLES:
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


def schools_for_new_visit(user: User) -> QuerySet[School]:
    """The schools a user may add a visit to by hand: all for the Koordinator, their own for
    a PEKSOS, none for anyone else."""
    if can_plan(user):
        return School.objects.active()
    if _active(user) and user.role == Role.PEKSOS:
        return schools_served_by(user).active()
    return School.objects.none()


def may_create_visits(user: User) -> bool:
    return _active(user) and user.role in {Role.KOORDINATOR, Role.PEKSOS}


def can_override_rules(user: User) -> bool:
    """Place or move a visit against the planning rules, with a reason."""
    return can_plan(user)


def can_record_agreement(user: User, visit: Visit) -> bool:
    """Record a school's agreement given by phone, letter, message or in person."""
    if can_plan(user):
        return True
    if not _active(user) or user.role != Role.PEKSOS:
        return False
    return schools_served_by(user).filter(pk=visit.school_id).exists()


def can_download_agreement_letter(user: User, visit: Visit) -> bool:
    return can_edit_visit(user, visit) or can_answer_for_school(user, visit)


def can_answer_for_school(user: User, visit: Visit) -> bool:
    """Accept a proposed date or propose another: the school's principal and officers."""
    if not _active(user) or user.role not in SCHOOL_OFFICE_ROLES:
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
