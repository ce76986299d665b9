"""Who may see and handle SOS Desk cases. This is what an auditor reads.

- A school's cases are visible to: the school's SOS Desk officers (role Petugas SOS Desk,
  member of the school), the PEKSOS assigned to the school (member of it), and every
  Koordinator. A psychologist sees only the cases referred to them (any referral state).
- Everyone else — other schools' officers and PEKSOS, principals, teachers, parents,
  pendamping — gets 404 for a case: its existence is not confirmed.
- Handling (triage, status, notes, referrals, messages to the reporter): the school's
  officers, its PEKSOS and Koordinators. A referred psychologist may read the case and
  answer their referral, nothing else (403 for other actions). They read the report, its
  classification, timeline and police clock and their own referrals; not the desk's internal
  notes, not the conversation with the reporter, not other partners' referrals.
- Attachments (files on internal notes): the notes' readers only, i.e. whoever may handle
  the case; a referred psychologist gets 403. The public tracking page never shows them.
- Who looked at or changed a case (its access log, from the audit log): Koordinators only.
- The reporter's identity (identified reports) is shown to the desk officers and
  Koordinators only; the PEKSOS and psychologists see it masked.
- Approving a reason not to report sexual violence to the police: Koordinators only.
- The public (no account) reaches a case only through its tracking code and PIN.

Protection of the case (issue 19; sosdesk/protection/):
- A case the reporter sent to the Dinas Sosial only (`dinas_only`), or one staff marked
  `restricted`, is visible to Koordinators and its named handlers (`CaseHandler`) only:
  every account of the school (officers, its PEKSOS, principal, desk members) gets 404, and
  the school's figures, home page and e-mails leave it out. Only Koordinators name handlers
  and lift a restriction; a handler of the case may restrict it.
- A person recused from a case (`CaseRecusal`) gets 404 for it at once, whatever else
  they are (member, named handler); it is left out of their lists, figures and e-mails.
- A principal who is not a desk member sees only suppressed figures (counts under 5 as
  "<5"), never the police clock or any case-level fact.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from peksos.accounts.models import Role, User

from .models import Case

HANDLER_ROLES = frozenset({Role.SOSDESK, Role.PEKSOS})
# Roles with a case list at all; everyone else has no SOS Desk work (403 on the lists).
CASE_ROLES = frozenset({Role.KOORDINATOR, Role.PEKSOS, Role.PSIKOLOG, Role.SOSDESK})


def may_use_sosdesk(user: User) -> bool:
    """Whether the user has the SOS Desk's case pages (the navigation shows them)."""
    return user.is_authenticated and user.is_active and user.role in CASE_ROLES


# A case the school's own accounts may not see: sent to the Dinas only, or restricted.
SHIELDED = Q(dinas_only=True) | Q(restricted=True)


def school_side(user: User) -> Q:
    """The cases of the user's schools that the school's side may see: not shielded, not
    recused. For the school's lists, figures and home page (never alone: combine it with
    the role check of the caller)."""
    from .protection.models import CaseHandler, CaseRecusal

    recused = CaseRecusal.objects.filter(user=user).values("case_id")
    named = CaseHandler.objects.filter(user=user).values("case_id")
    return (
        (Q(school__in=user.school_memberships.values("school_id")) & ~SHIELDED) | Q(pk__in=named)
    ) & ~Q(pk__in=recused)


def cases_visible_to(user: User) -> QuerySet[Case]:
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    if user.role == Role.KOORDINATOR:
        return Case.objects.all()
    if user.role in HANDLER_ROLES:
        return Case.objects.filter(school_side(user))
    if user.role == Role.PSIKOLOG:
        return Case.objects.filter(referrals__psikolog=user).distinct()
    return Case.objects.none()


def is_shielded_from_school(case: Case) -> bool:
    return case.dinas_only or case.restricted


def get_case_for_user(user: User, code: str, *, write: bool = False) -> Case:
    """The case with this tracking code if the user may see it (404 otherwise). With
    `write=True`, a user who may see but not handle it gets PermissionDenied (403)."""
    from django.core.exceptions import PermissionDenied

    try:
        case = cases_visible_to(user).select_related("school").get(code=code)
    except Case.DoesNotExist:
        raise Http404 from None
    if write and not can_handle(user, case):
        raise PermissionDenied
    return case


def can_handle(user: User, case: Case) -> bool:
    if user.role == Role.KOORDINATOR:
        return True
    return user.role in HANDLER_ROLES and cases_visible_to(user).filter(pk=case.pk).exists()


def can_see_reporter(user: User, case: Case) -> bool:
    if user.role == Role.KOORDINATOR:
        return True
    return user.role == Role.SOSDESK and cases_visible_to(user).filter(pk=case.pk).exists()


def can_restrict(user: User, case: Case) -> bool:
    """Mark a case restricted: whoever handles it. Lifting it: Koordinators only."""
    return user.is_active and can_handle(user, case)


def can_manage_protection(user: User) -> bool:
    """Name handlers, recuse, lift a restriction: Koordinators."""
    return user.is_active and user.role == Role.KOORDINATOR


def can_approve_police_exemption(user: User) -> bool:
    return user.is_active and user.role == Role.KOORDINATOR


def can_file_for_school(user: User, school) -> bool:
    """Officers (and the school's PEKSOS, Koordinators) record reports received in person."""
    if user.role == Role.KOORDINATOR:
        return True
    return user.role in HANDLER_ROLES and school.memberships.filter(user=user).exists()


def principal_on_desk(user: User) -> bool:
    """A principal who sits on their school's desk (a DeskMember linked to their account)
    sees the office's figures; any other principal only suppressed ones."""
    from .models import DeskMember

    return DeskMember.objects.filter(
        user=user, desk__school__memberships__user=user, user__is_active=True
    ).exists()


def desks_visible_to(user: User):
    """Schools whose desk (team, poster) the user may see: Koordinator all; officers, PEKSOS
    and the principal their own schools."""
    from schools.models import School

    if user.role == Role.KOORDINATOR:
        return School.objects.all()
    if user.role in HANDLER_ROLES | {Role.KEPALA_SEKOLAH}:
        return School.objects.filter(memberships__user=user)
    return School.objects.none()


def can_manage_desk(user: User, school) -> bool:
    """Record the TPPK's members and SK: the Koordinator, or the school (principal, officers)."""
    if user.role == Role.KOORDINATOR:
        return True
    return (
        user.role in {Role.KEPALA_SEKOLAH, Role.SOSDESK}
        and school.memberships.filter(user=user).exists()
    )


def referral_filter(user: User) -> Q:
    return Q(psikolog=user) if user.role == Role.PSIKOLOG else Q()
