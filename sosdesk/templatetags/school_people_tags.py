"""The school page's "People" section (issue #17), for the Koordinator: who runs the school's
side of the programme in one place, with the invitations to send right there.

It lives here because the SOS Desk's TPPK members are this app's records; the school page
(floor 2) loads the tag in its template, as it does the activities' history."""

from django import template
from django.utils.translation import gettext as _

from peksos.accounts.models import Role, User
from people.filters import with_state
from people.permissions import may_use_people
from schools.models import School

from ..models import Desk, DeskMember

register = template.Library()

# The school's people, in the order the section lists them.
ROLES = (Role.KEPALA_SEKOLAH, Role.SOSDESK, Role.PEKSOS)


@register.inclusion_tag("sosdesk/_school_people.html", takes_context=True)
def school_people(context, school: School) -> dict:
    """Three queries whatever the number of people: the accounts serving the school (with
    their state), the desk, and its TPPK members."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not may_use_people(user):
        return {"shown": False}
    accounts = list(
        with_state(User.objects.filter(school_memberships__school=school, role__in=ROLES)).order_by(
            "first_name", "pk"
        )
    )
    by_role = {role: [a for a in accounts if a.role == role] for role in ROLES}
    desk = Desk.objects.filter(school=school).first()
    members = list(DeskMember.objects.filter(desk=desk)) if desk is not None else []
    groups = [
        (_("Principal"), by_role[Role.KEPALA_SEKOLAH], _("No principal yet.")),
        (_("SOS Desk officers"), by_role[Role.SOSDESK], _("No SOS Desk officer yet.")),
        (_("Assigned PEKSOS"), by_role[Role.PEKSOS], _("No PEKSOS assigned yet.")),
    ]
    return {
        "shown": True,
        "school": school,
        "groups": groups,
        "desk": desk,
        "members": members,
        "roles": Role,
    }
