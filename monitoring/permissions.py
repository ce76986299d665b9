"""Who may see and work on the records of children in monitoring. This is what an auditor reads.

Children's data is specific personal data (UU PDP Pasal 4): access follows the caseload.

- A Koordinator sees every record and may do everything, including the two supervisor acts:
  a best-interest override of the guardian's consent (when the guardian is the alleged
  abuser) and the approval of a support plan.
- A PEKSOS sees the records of the schools they serve (their caseload: their school
  memberships), may open records for those schools and do everything on them except the two
  supervisor acts.
- A psychologist sees only the records referred to them (the record's referred psychologist).
  They read the record and add progress notes and measures (SDQ scores, wellbeing ratings,
  goal attainment scores); nothing else (403).
- Closing a record is asked for by the school's PEKSOS or a Koordinator (outcome and
  reason) and approved or turned down by a Koordinator who did not ask (four eyes). A closed
  record is read-only, except that a consent can still be withdrawn.
- A parent's account (role `orang_tua`) is tied to a child's record only through a guardian
  link, made and ended (each with a reason, each audited) by the record's school's PEKSOS or
  a Koordinator. Only the teachers of the child's school and the parents linked to the
  record may be asked for an observation: never another family of the school.
- Teachers and parents see only the observation requests addressed to them (the list, the
  form), and of the record only the name the PEKSOS wrote for them (e.g. a first name); they
  answer until the request expires. Anyone else opening a request gets 404, or 403 if they
  may see its record.
- Everyone else — SOS Desk officers, principals, teachers, parents, pendamping, other
  schools' PEKSOS, psychologists without the referral — gets 404 on records: a record's
  existence is not confirmed.
- The child's name and the guardian's contact are encrypted at rest and never shown in lists.
  Revealing them is a deliberate POST by the record's school's PEKSOS or a Koordinator, and
  every reveal is one `child_name_revealed` audit row.
- Every look at a record is one `child_record_viewed` audit row; every refused attempt on an
  existing record one `child_record_access_denied` row; every change its own row.
- Inactive accounts see nothing.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from peksos.accounts.models import Role, User
from schools.models import School
from schools.permissions import schools_served_by

from .models import ChildRecord, GuardianLink, ObservationRequest

MONITORING_ROLES = frozenset({Role.KOORDINATOR, Role.PEKSOS, Role.PSIKOLOG})
OBSERVER_ROLES = frozenset({Role.GURU, Role.ORANG_TUA})


def may_use_monitoring(user: User) -> bool:
    """Whether the user has the monitoring pages (the navigation shows them)."""
    return user.is_authenticated and user.is_active and user.role in MONITORING_ROLES


def answers_observations(user: User) -> bool:
    """Teachers and parents, whom a PEKSOS may ask for an observation of a child."""
    return user.is_authenticated and user.is_active and user.role in OBSERVER_ROLES


def sees_every_record(user: User) -> bool:
    """Whether `children_visible_to` is the whole register (a Koordinator): its figures are
    then the register's maintained ones (monitoring/figures.py)."""
    return user.is_authenticated and user.is_active and user.role == Role.KOORDINATOR


def children_visible_to(user: User) -> QuerySet[ChildRecord]:
    """The records this user may see, without the encrypted columns (never decrypted in bulk)."""
    if not user.is_authenticated or not user.is_active:
        return ChildRecord.objects.none()
    records = ChildRecord.objects.without_identity()
    if sees_every_record(user):
        return records
    if user.role == Role.PEKSOS:
        return records.filter(school__in=schools_served_by(user))
    if user.role == Role.PSIKOLOG:
        return records.filter(psikolog=user)
    return ChildRecord.objects.none()


def get_child_for_user(user: User, code: str, *, write: bool = False) -> ChildRecord:
    """The record with this code if the user may see it (404 otherwise). With `write=True`, a
    user who may see but not change it gets PermissionDenied (403)."""
    try:
        record = children_visible_to(user).select_related("school").get(code=code)
    except ChildRecord.DoesNotExist:
        raise Http404 from None
    if write and not can_manage(user, record):
        raise PermissionDenied
    return record


def can_open_for_school(user: User, school: School) -> bool:
    """Open a record: a Koordinator, or a PEKSOS serving the school."""
    if not user.is_active:
        return False
    if user.role == Role.KOORDINATOR:
        return True
    return user.role == Role.PEKSOS and schools_served_by(user).filter(pk=school.pk).exists()


def can_manage(user: User, record: ChildRecord) -> bool:
    """Consent, plan, goals, interventions, referral, closure: the school's PEKSOS and
    Koordinators."""
    return can_open_for_school(user, record.school)


def can_add_progress(user: User, record: ChildRecord) -> bool:
    """Progress notes and measures: those who manage it, and the referred psychologist."""
    if can_manage(user, record):
        return True
    return user.is_active and user.role == Role.PSIKOLOG and record.psikolog_id == user.pk


def can_reveal_identity(user: User, record: ChildRecord) -> bool:
    """The name and guardian's contact: the record's school's PEKSOS, or a Koordinator."""
    return can_manage(user, record)


def is_supervisor(user: User) -> bool:
    """Best-interest overrides and plan approval: Koordinators only."""
    return user.is_active and user.role == Role.KOORDINATOR


def can_approve_closure(user: User, record: ChildRecord) -> bool:
    """A Koordinator who did not ask for the closure (four eyes)."""
    return is_supervisor(user) and record.closure_requested_by_id != user.pk


def is_observer(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role in OBSERVER_ROLES


def observations_for(user: User) -> QuerySet[ObservationRequest]:
    """The observation requests addressed to this teacher or parent; nothing for others."""
    if not is_observer(user):
        return ObservationRequest.objects.none()
    return ObservationRequest.objects.filter(addressee=user)


def observers_of(record: ChildRecord) -> QuerySet[User]:
    """Who may be asked for an observation of this child: the active teachers of the
    record's school and the parents with an active guardian link to this record. Never any
    other parent of the school (issue #17: a wrong pick would ask another family)."""
    linked = GuardianLink.objects.active().filter(record=record).values("guardian")
    teachers = Q(role=Role.GURU, school_memberships__school=record.school_id)
    guardians = Q(role=Role.ORANG_TUA, pk__in=linked)
    return (
        User.objects.filter(is_active=True)
        .filter(teachers | guardians)
        .distinct()
        .order_by("role", "first_name", "username")
    )


def linkable_guardians(record: ChildRecord) -> QuerySet[User]:
    """Parents' accounts that may be linked to the record: active, of the child's school, not
    linked to it already."""
    linked = GuardianLink.objects.active().filter(record=record).values("guardian")
    return (
        User.objects.filter(
            role=Role.ORANG_TUA, is_active=True, school_memberships__school=record.school_id
        )
        .exclude(pk__in=linked)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
