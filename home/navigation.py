"""Which sections the navigation shows to a user: each app's own rule (`may_use_<app>` in the
app's permissions), read from the top floor, the only one that may import every app. Changing
who may use an app changes its menu entry with it."""

from functools import cached_property

from django.db import connection
from django.http import HttpRequest

from activities.permissions import can_see_coverage, may_use_activities
from forum.permissions import may_use_forum
from monitoring.permissions import answers_observations, may_use_monitoring
from peksos.notifications.models import Notification
from people.permissions import may_use_people
from reports.permissions import may_use_reports
from schools.permissions import may_use_schools
from sosdesk.permissions import may_use_sosdesk
from visits.permissions import (
    answers_for_school,
    can_see_compliance,
    has_calendar_feed,
    may_list_visits,
    may_see_agreements,
    may_use_visits,
)

from . import inbox
from .office import may_change_office_settings

# The header's badges count up to this and then say "99+": a Koordinator moderating a national
# forum has thousands of questions waiting, and every page would count them all (issue 22).
BADGE_CAP = 100


class Counts:
    """The bell's unread notifications and the inbox's waiting decisions, read together in one
    query when a template first shows either, once per request (kept on the request). Each is
    counted up to BADGE_CAP (a LIMIT inside the count: bounded at any size)."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def _both(self) -> tuple[int, int]:
        unread = Notification.objects.filter(recipient=self.user).unread().order_by().values("id")
        waiting = inbox.waiting_for(self.user)
        parts = [unread] if waiting is None else [unread, waiting]
        sql, params = [], []
        for qs in parts:
            text, values = qs.query.get_compiler(using=qs.db).as_sql()
            # The ORM's own SQL; the cap is our constant.
            sql.append(f"(SELECT COUNT(*) FROM ({text} LIMIT {BADGE_CAP}) AS part)")  # noqa: S608
            params += list(values)
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(sql), params)
            row = cursor.fetchone()
        return row[0], row[1] if waiting is not None else 0

    @property
    def unread(self) -> int:
        return self._both[0]

    @property
    def inbox(self) -> int:
        return self._both[1]

    @staticmethod
    def _badge(n: int) -> str:
        return f"{BADGE_CAP - 1}+" if n >= BADGE_CAP else str(n)

    @property
    def unread_badge(self) -> str:
        return self._badge(self.unread)

    @property
    def unread_capped(self) -> bool:
        """More unread than the badge counts: its spoken text says "99+" too."""
        return self.unread >= BADGE_CAP

    @property
    def inbox_badge(self) -> str:
        return self._badge(self.inbox)


def counts_for(request: HttpRequest) -> Counts:
    if not hasattr(request, "_peksos_counts"):
        request._peksos_counts = Counts(request.user)
    return request._peksos_counts


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "counts": counts_for(request),
        "nav": {
            "inbox": inbox.has_inbox(user),
            "schools": may_use_schools(user),
            "visits": may_use_visits(user),
            "visits_agreement": answers_for_school(user),
            # the tabs of the visit pages
            "visits_list": may_list_visits(user),
            "visits_agreement_tab": may_see_agreements(user),
            "visits_compliance": can_see_compliance(user),
            "visits_feed": has_calendar_feed(user),
            "activities": may_use_activities(user),
            "activities_coverage": can_see_coverage(user),  # a tab of visits and activities
            "forum": may_use_forum(user),
            "cases": may_use_sosdesk(user),
            "monitoring": may_use_monitoring(user),
            "observations": answers_observations(user),
            "reports": may_use_reports(user),
            "people": may_use_people(user),
            "office_settings": may_change_office_settings(user),
        },
    }
