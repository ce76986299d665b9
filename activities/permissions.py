"""Who may see and change the activities held during visits, and the participant side
(knowledge tests, feedback, door-prize draws). This is what an auditor reads.

Activities (docs/design.md §4, row "activities"):
- The Koordinator sees and changes every activity.
- A PEKSOS sees the activities of the schools they serve, of the visits they are in the team
  of, and those they facilitate; they plan and record them (the visit's editors).
- A psychologist sees the sessions they lead (facilitator) and those of the visits they are
  in the team of; they record the outputs of the sessions they facilitate.
- A pendamping sosial sees the activities of their own schools, of their visits and those
  they facilitate; like every facilitator, they record the activities they facilitate.
- Anyone listed as facilitator of an activity (PEKSOS, psychologist, pendamping sosial)
  records it: attendance, outputs, tests, photos (the field work of docs/domain.md).
- The principal sees the activities of their own school (read), the named list included.
- An SOS Desk officer sees the activities of their own school as counts only: no attendee
  names, no photos of children.
- Teachers and parents have no staff activity pages (403).
- Plan coverage (which school got which activity type this school year) is for the
  Koordinator (every school) and the PEKSOS (the schools they serve), like visit compliance;
  other roles get 403.
- A photo of children without the parents' consent is seen by programme staff only.

The participant side:

- Question sets are kept by the Koordinator, PEKSOS and psychologists (they teach the
  sessions); the pendamping reads them; school-side roles have no question-set pages.
- Individual answers (each attempt's score, each comment with its date) are for programme
  staff (Koordinator, PEKSOS, psikolog, pendamping) of the activities they see.
- The principal and the SOS Desk officers of a school see aggregate figures of its activities
  only, and nothing at all when fewer than 5 people answered (the suppression rule of
  docs/domain.md §5): with so few answers a mean or a comment points at a person.
- Teachers, parents and the public use only the participant forms, through the activity's
  link (/ikut/<code>/...), which accept answers only while the activity's forms are open.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from peksos.accounts.models import Role, User
from schools.permissions import schools_served_by
from visits.models import Visit
from visits.permissions import (
    SCHOOL_OFFICE_ROLES,
    STAFF_ROLES,
    VISIT_ROLES,
    can_edit_visit,
)

from .models import Activity, ActivityPhoto


def _active(user: User) -> bool:
    return user.is_authenticated and user.is_active


ACTIVITY_ROLES = VISIT_ROLES
PROGRAMME_STAFF = frozenset({Role.KOORDINATOR}) | STAFF_ROLES


def may_use_activities(user: User) -> bool:
    """Whether the user has the staff pages of activities (the navigation shows them)."""
    return _active(user) and user.role in ACTIVITY_ROLES


def can_see_coverage(user: User) -> bool:
    """The plan-coverage board; its schools are `schools_served_by(user)`."""
    return _active(user) and user.role in {Role.KOORDINATOR, Role.PEKSOS}


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
    if user.role in SCHOOL_OFFICE_ROLES:
        return Activity.objects.filter(school__in=schools_served_by(user).values("pk"))
    return Activity.objects.none()


def can_plan_activity(user: User, visit: Visit) -> bool:
    """Plan an activity on a visit: whoever may edit the visit."""
    return can_edit_visit(user, visit)


def can_edit_activity(user: User, activity: Activity) -> bool:
    """Change the plan, record the outputs, open the participant forms, add photos."""
    if can_edit_visit(user, activity.visit):
        return True
    if not _active(user) or user.role not in STAFF_ROLES:
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


# --- The participant side ---
QUESTION_SET_EDITORS = frozenset({Role.KOORDINATOR, Role.PEKSOS, Role.PSIKOLOG})
QUESTION_SET_READERS = PROGRAMME_STAFF
SMALL_SAMPLE = 5


def can_edit_question_sets(user: User) -> bool:
    return _active(user) and user.role in QUESTION_SET_EDITORS


def require_question_set_reader(user: User) -> None:
    if not _active(user) or user.role not in QUESTION_SET_READERS:
        raise PermissionDenied


def sees_individual_answers(user: User) -> bool:
    return _active(user) and user.role in PROGRAMME_STAFF


def hidden_for(user: User, n: int) -> bool:
    """Whether figures from `n` answers are withheld from this user (small sample)."""
    return not sees_individual_answers(user) and n < SMALL_SAMPLE


def knowledge_stats_for(user: User, stats: dict) -> dict | None:
    """The knowledge-test figures this user may read: all of them for programme staff; for
    school-side roles None when fewer than 5 people took either test, else the figures with
    each part resting on fewer than 5 answers withheld (shown as "<5")."""
    if sees_individual_answers(user):
        return stats
    if max(stats["pre_n"], stats["post_n"]) < SMALL_SAMPLE:
        return None
    shown = dict(stats)
    for phase in ("pre", "post"):
        if stats[f"{phase}_n"] < SMALL_SAMPLE:
            shown[f"{phase}_n"] = f"<{SMALL_SAMPLE}"
            shown[f"{phase}_mean"] = None
            shown["gain"] = None
    if stats["pairs"] < SMALL_SAMPLE:
        shown["pairs_hidden"] = bool(stats["pairs"])  # the count is shown as "<5"
        shown["paired_gain"] = None
    return shown
