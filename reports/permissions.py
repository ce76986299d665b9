"""Who may ask for, see and download impact reports. This is what an auditor reads.

- The Koordinator asks for any report (city, kecamatan, school) and sees every report,
  including the automatic monthly city reports.
- A PEKSOS asks for school reports of the schools they serve, and sees the reports they asked
  for and the school reports of the schools they serve.
- A school's SOS Desk officers and its principal (Kepala Sekolah) ask for their own school's
  report, which always leaves the office (aggregates, counts under 5 suppressed). They see
  those reports of their school: never an internal one, never another school's.
- Psychologists, pendamping, teachers and parents have no report pages (403).
- A report someone may not see answers 404: its existence is not confirmed. Asking for
  something a role may not (a kecamatan report as a PEKSOS) is a form error.
- Running a failed or expired report again: whoever asked for it, or a Koordinator; others
  who see it get 403.
- Every download (PDF, CSV, XLSX) is written to the audit log.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from peksos.accounts.models import Role, User
from schools.models import School
from schools.permissions import schools_served_by

from .models import Report

REPORT_ROLES = frozenset({Role.KOORDINATOR, Role.PEKSOS, Role.SOSDESK, Role.KEPALA_SEKOLAH})
# Roles whose reports always leave the office: they see aggregates only.
SUPPRESSED_ROLES = frozenset({Role.SOSDESK, Role.KEPALA_SEKOLAH})


def _active(user: User) -> bool:
    return user.is_authenticated and user.is_active


def may_use_reports(user: User) -> bool:
    """Whether the user has the impact-report pages (the navigation shows them)."""
    return _active(user) and user.role in REPORT_ROLES


def require_report_role(user: User) -> None:
    if not may_use_reports(user):
        raise PermissionDenied


def reports_visible_to(user: User) -> QuerySet[Report]:
    if not _active(user) or user.role not in REPORT_ROLES:
        return Report.objects.none()
    if user.role == Role.KOORDINATOR:
        return Report.objects.all()
    served = schools_served_by(user).values("pk")
    theirs = Q(kind=Report.Kind.SCHOOL, school__in=served)
    if user.role == Role.PEKSOS:
        return Report.objects.filter(Q(requested_by=user) | theirs)
    return Report.objects.filter(theirs, outside_office=True)


def get_report_for_user(user: User, pk) -> Report:
    try:
        return (
            reports_visible_to(user)
            .select_related("school__kecamatan", "kecamatan", "requested_by")
            .get(pk=pk)
        )
    except Report.DoesNotExist:
        raise Http404 from None


def allowed_kinds(user: User) -> list[str]:
    if user.role == Role.KOORDINATOR:
        return list(Report.Kind.values)
    if user.role in REPORT_ROLES:
        return [Report.Kind.SCHOOL]
    return []


def reportable_schools(user: User) -> QuerySet[School]:
    """Schools this user may ask a school report for."""
    if not _active(user) or user.role not in REPORT_ROLES:
        return School.objects.none()
    return schools_served_by(user)


def must_leave_office(user: User) -> bool:
    """The school's own staff get the suppressed version only."""
    return user.role in SUPPRESSED_ROLES


def can_run_again(user: User, report: Report) -> bool:
    if user.role == Role.KOORDINATOR:
        return True
    return report.requested_by_id == user.pk
