"""Which sections the navigation shows to a user: each app's own role rule, read from the top
floor (the only one that may import every app)."""

from django.http import HttpRequest

from peksos.accounts.models import Role
from schools.permissions import REGISTER_OWN_SCHOOL_ROLES, REGISTER_WIDE_ROLES

SCHOOL_SIDE_VISIT_ROLES = frozenset({Role.SOSDESK, Role.KEPALA_SEKOLAH})
VISITING_ROLES = frozenset({Role.PEKSOS, Role.PSIKOLOG, Role.PENDAMPING})
CASE_ROLES = frozenset({Role.KOORDINATOR, Role.PEKSOS, Role.PSIKOLOG, Role.SOSDESK})
MONITORING_ROLES = frozenset({Role.KOORDINATOR, Role.PEKSOS, Role.PSIKOLOG})
OBSERVER_ROLES = frozenset({Role.GURU, Role.ORANG_TUA})  # observations asked of them
REPORT_ROLES = frozenset({Role.KOORDINATOR, Role.PEKSOS, Role.SOSDESK, Role.KEPALA_SEKOLAH})


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    role = user.role
    register = role in REGISTER_WIDE_ROLES | REGISTER_OWN_SCHOOL_ROLES
    return {
        "nav": {
            "schools": register,
            "visits": register,
            "visits_agreement": role in SCHOOL_SIDE_VISIT_ROLES,
            # the tabs of the visit pages
            "visits_list": role in VISITING_ROLES | {Role.KOORDINATOR},
            "visits_agreement_tab": role
            in SCHOOL_SIDE_VISIT_ROLES | {Role.KOORDINATOR, Role.PEKSOS},
            "visits_compliance": role in {Role.KOORDINATOR, Role.PEKSOS},
            "visits_feed": role in VISITING_ROLES,
            "activities": role in VISITING_ROLES | SCHOOL_SIDE_VISIT_ROLES | {Role.KOORDINATOR},
            "forum": True,
            "cases": role in CASE_ROLES,
            "monitoring": role in MONITORING_ROLES,
            "observations": role in OBSERVER_ROLES,
            "reports": role in REPORT_ROLES,
        }
    }
