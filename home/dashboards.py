"""What each role's home page shows (`for_user`), made of the panels of `home.panels`."""

from datetime import date

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity
from peksos.accounts.models import Role, User
from peksos.core.dbrouter import replica_reads
from reports.permissions import reports_visible_to
from schools.models import School
from schools.permissions import schools_served_by
from sosdesk.models import Case, Referral
from sosdesk.permissions import cases_visible_to, principal_on_desk, school_side
from visits.permissions import visits_visible_to

from .panels import (
    Dashboard,
    Panel,
    Tile,
    activities_panel,
    cases_panel,
    children_panel,
    forum_panel,
    koordinator_schools,
    own_schools_panel,
    suppressed_cases_panel,
    url_or_blank,
    visits_panel,
    warn_tone,
    week_visits,
    with_visit_counts,
)

# --- Per role ---------------------------------------------------------------------------------


def for_user(user: User) -> Dashboard:
    builders = {
        Role.KOORDINATOR: koordinator,
        Role.PEKSOS: peksos,
        Role.PSIKOLOG: psikolog,
        Role.PENDAMPING: pendamping,
        Role.SOSDESK: school_staff,
        Role.KEPALA_SEKOLAH: school_staff,
        Role.GURU: community,
        Role.ORANG_TUA: community,
    }
    return builders.get(user.role, community)(user)


def own_schools(user: User, today: date) -> list[School]:
    return list(
        with_visit_counts(schools_served_by(user), today)
        .select_related("kecamatan")
        .order_by("name")
    )


def register_panels(today: date) -> list[Panel]:
    """The panels of the whole register's figures: schools, compliance, visits and
    activities, each a maintained sum (peksos/core/tallies.py): a few small queries at any
    register size."""
    schools, compliance = koordinator_schools(today)
    panels = [schools, *([compliance] if compliance else [])]

    panels.append(visits_panel(None, today))
    panels.append(activities_panel(None, today))
    return panels


def koordinator(user: User) -> Dashboard:
    today, now = timezone.localdate(), timezone.now()
    dashboard = Dashboard()
    with replica_reads():  # the whole register's figures (peksos/core/dbrouter.py)
        dashboard.panels += register_panels(today)
    dashboard.school_count = dashboard.panels[0].tiles[0].value

    dashboard.panels.append(cases_panel(None, now))  # the whole register's: maintained
    dashboard.panels.append(children_panel(user, now))
    dashboard.panels.append(forum_panel(moderator=True))
    dashboard.reports = _latest_reports(user)
    return dashboard


def _latest_reports(user: User) -> list:

    return list(reports_visible_to(user).for_list()[:3])


def peksos(user: User) -> Dashboard:
    today, now = timezone.localdate(), timezone.now()
    schools = own_schools(user, today)
    dashboard = Dashboard(schools=schools[:20])
    dashboard.panels.append(own_schools_panel(schools, today))

    dashboard.week = week_visits(visits_visible_to(user), today)
    dashboard.week_title = _("Your week")

    dashboard.panels.append(cases_panel(cases_visible_to(user), now))
    dashboard.panels.append(children_panel(user, now))
    return dashboard


def school_staff(user: User) -> Dashboard:
    """SOS Desk officers and principals: their school's visits and its cases (officers: the
    desk's caseload; principals: figures only, as on the figures page)."""
    today, now = timezone.localdate(), timezone.now()
    schools = list(schools_served_by(user).select_related("kecamatan").order_by("name"))
    dashboard = Dashboard(schools=schools[:20])

    visits = visits_visible_to(user)
    dashboard.panels.append(visits_panel(visits, today, school_side=True))

    if user.role != Role.KEPALA_SEKOLAH:
        dashboard.panels.append(cases_panel(cases_visible_to(user), now))
    elif principal_on_desk(user):
        # Figures only: the principal's numbers lead to the figures page, not to cases.
        panel = cases_panel(Case.objects.filter(school_side(user)), now)
        for tile in panel.tiles:
            tile.href = url_or_blank("sosdesk:case-figures")
        panel.link = (_("Your school's figures"), url_or_blank("sosdesk:case-figures"))
        dashboard.panels.append(panel)
    else:
        # Not on the desk: counts under 5 hidden, no deadline or police clock (issue 19).
        dashboard.panels.append(suppressed_cases_panel(Case.objects.filter(school_side(user))))
    return dashboard


def psikolog(user: User) -> Dashboard:
    today, now = timezone.localdate(), timezone.now()
    dashboard = Dashboard()

    dashboard.week = week_visits(visits_visible_to(user), today)
    dashboard.week_title = _("Your sessions this week")

    row = (
        Referral.objects.filter(psikolog=user)
        .order_by()
        .aggregate(
            waiting=Count("pk", filter=Q(state=Referral.State.SENT)),
            active=Count("pk", filter=Q(state=Referral.State.ACCEPTED)),
        )
    )
    dashboard.panels.append(
        Panel(
            "referrals",
            _("Cases referred to you"),
            [
                Tile(
                    _("Waiting for your answer"),
                    row["waiting"],
                    url_or_blank("sosdesk:case-list"),
                    warn_tone(row["waiting"], "warning"),
                    key="referrals_waiting",
                ),
                Tile(
                    _("Accepted, in progress"),
                    row["active"],
                    url_or_blank("sosdesk:case-list"),
                    key="referrals_active",
                ),
            ],
        )
    )
    dashboard.panels.append(children_panel(user, now))
    return dashboard


def pendamping(user: User) -> Dashboard:
    today = timezone.localdate()
    dashboard = Dashboard()

    visits = visits_visible_to(user)
    dashboard.week = week_visits(visits, today)
    dashboard.week_title = _("Your visits this week")
    return dashboard


# The activities a teacher or parent may give feedback on, newest first: at most this many.
FEEDBACK_SHOWN = 5


def community(user: User) -> Dashboard:
    dashboard = Dashboard()
    dashboard.panels.append(forum_panel(moderator=False, user=user))
    # What the home page promises ("give feedback on activities"): the open feedback forms
    # of the user's schools' activities (the same public form the activity's QR code opens).
    dashboard.feedback = list(
        Activity.objects.filter(school__in=schools_served_by(user), participant_forms_open=True)
        .select_related("school")
        .order_by("-date", "-pk")[:FEEDBACK_SHOWN]
    )
    return dashboard
