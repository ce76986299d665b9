"""The panels of the role home pages: a few numbers that link to the lists behind them, and
small charts (the same SVG code as the PDFs, `reports.charts`).

Each panel is one aggregate query, whatever the number of schools, visits or cases: the home
page costs a fixed number of queries (tests/reports/test_dashboard.py pins them). Every number comes
from the same permission helper as the list it links to, so a number never shows more than
its list would. The whole register's numbers are sums kept current by every write
(peksos/core/tallies.py; each app's `figures` module counts its own).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from activities.figures import panel_figures as activity_figures
from activities.models import Activity, AttendanceCount
from forum.figures import register_forum
from forum.models import Question
from monitoring.figures import register_children
from monitoring.models import FOLLOW_UP_DAYS, ChildRecord
from monitoring.permissions import children_visible_to, sees_every_record
from peksos.accounts.models import User
from peksos.core import school_year
from reports import charts
from schools import region_tree
from schools.figures import register_figures
from schools.models import PriorityBand, School
from sosdesk.deadline_tallies import register_deadlines
from sosdesk.figures import suppress_count
from sosdesk.models import Case
from visits.compliance import schools_with_counts
from visits.figures import panel_figures as visit_figures
from visits.figures import region_drill, register_totals
from visits.models import Visit

UPCOMING_DAYS = 14
WEEK_VISITS_SHOWN = 8


@dataclass
class Tile:
    label: str
    value: int | str
    href: str = ""
    tone: str = ""  # "danger" / "warning" / "success": a CSS class, never a style
    key: str = ""  # stable name for tests and templates (labels are translated)


@dataclass
class Panel:
    key: str
    title: str
    tiles: list[Tile] = field(default_factory=list)
    chart: SafeString | None = None
    link: tuple[str, str] | None = None  # (text, url) under the panel


@dataclass
class Dashboard:
    panels: list[Panel] = field(default_factory=list)
    week: list | None = None  # visits of the week (PEKSOS, pendamping, school)
    week_title: str = ""
    reports: list | None = None
    schools: list | None = None  # the user's schools, for the list under the panels
    waiting: list[str] = field(default_factory=list)
    school_count: int | None = None
    # Teachers and parents: their schools' activities whose feedback form is open now.
    feedback: list | None = None


def url_or_blank(name: str, query: str = "", **kwargs) -> str:
    try:
        url = reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:  # an app whose pages are not wired yet: the number, no link
        return ""
    return f"{url}?{query}" if query else url


def school_year_start(today: date) -> date:
    return school_year.start_of(today)


def warn_tone(n: int, tone: str = "danger") -> str:
    return tone if n else ""


# --- Panels (one query each) ----------------------------------------------------------------


def with_visit_counts(schools: QuerySet[School], today: date) -> QuerySet[School]:

    return schools_with_counts(schools, school_year_start(today).year, today)


def _band_tiles(counts: dict, total: int) -> list[Tile]:
    tones = {PriorityBand.HIGH: "danger", PriorityBand.MEDIUM: "warning"}
    return [
        Tile(
            _("Priority: %(band)s") % {"band": label},
            counts.get(band, 0),
            url_or_blank("schools:school-list", f"band={band}"),
            tones.get(band, ""),
            key=f"band_{band}",
        )
        for band, label in PriorityBand.choices
    ]


def koordinator_schools(today: date) -> tuple[Panel, Panel | None]:
    """Priority bands and not visited this school year (`schools.figures`: one query), and
    visit compliance (0 / 1 / 2+ visits this school year) for the register and per region, the
    level that has more than one (`visits.figures.region_drill`: Kota Metro's kecamatan, a
    country's provinces), all maintained sums over the whole register."""
    total = register_figures(today)
    bands = {b: total[f"band_{b}"] for b in PriorityBand.values}
    panel = Panel(
        "schools",
        _("Schools"),
        [
            Tile(_("Schools"), total["total"], url_or_blank("schools:school-list"), key="schools"),
            *_band_tiles(bands, total["total"])[:2],
            Tile(
                _("Not visited this school year"),
                total["not_visited"],
                url_or_blank("schools:school-list", "visited=no"),
                warn_tone(total["not_visited"], "warning"),
                key="not_visited",
            ),
        ],
        chart=charts.hbar(
            [
                charts.Bar(
                    str(label),
                    bands[b],
                    charts.BAND_COLOURS[b],
                    url_or_blank("schools:school-list", f"band={b}"),
                )
                for b, label in PriorityBand.choices
            ],
            title=_("Schools by priority band"),
            width=460,
            label_width=150,
        ),
        link=(_("School register"), url_or_blank("schools:school-list")),
    )

    year = school_year_start(today).year
    parent, rows = region_drill(year, today)
    total |= register_totals(year, today)
    compliance = Panel(
        "compliance",
        _("Visit compliance this school year"),
        [
            Tile(
                _("0 visits done"),
                total["done_0"],
                url_or_blank("visits:compliance-board"),
                warn_tone(total["done_0"]),
                key="done_0",
            ),
            Tile(
                _("1 visit done"),
                total["done_1"],
                url_or_blank("visits:compliance-board"),
                warn_tone(total["done_1"], "warning"),
                key="done_1",
            ),
            Tile(
                _("2 or more"),
                total["done_2"],
                url_or_blank("visits:compliance-board"),
                "success",
                key="done_2",
            ),
            Tile(
                _("At risk of missing the second visit"),
                total["at_risk"],
                url_or_blank("visits:compliance-board"),
                warn_tone(total["at_risk"]),
                key="at_risk",
            ),
        ],
        chart=charts.stacked(
            [charts.Stack(r["label"], [r["done_0"], r["done_1"], r["done_2"]]) for r in rows],
            title=_("Schools by visits done this school year, per %(level)s")
            % {"level": region_tree.LEVEL_TITLES[region_tree.level_below(parent)].lower()},
            series=[_("0 visits"), _("1 visit"), _("2 or more")],
            width=460,
        ),
        link=(_("Compliance board"), url_or_blank("visits:compliance-board")),
    )
    return panel, compliance


def visits_panel(visits: QuerySet | None, today: date, *, school_side: bool = False) -> Panel:
    """Visits done this school year, planned in the next 14 days, proposed from today on:
    of `visits` (one query), or of the whole register's (`visits=None`: maintained sums,
    `visits.figures`)."""

    if visits is None:
        row = visit_figures(today)
    else:
        year = school_year.year_of(today)
        soon = today + timedelta(days=UPCOMING_DAYS)
        row = visits.order_by().aggregate(
            done=Count("pk", filter=Q(state=Visit.State.DONE, school_year=year)),
            upcoming=Count(
                "pk", filter=Q(state__in=Visit.PLANNED_STATES, date__gte=today, date__lte=soon)
            ),
            proposed=Count("pk", filter=Q(state=Visit.State.PROPOSED, date__gte=today)),
        )
    list_url = url_or_blank("visits:visit-agreement" if school_side else "visits:visit-list")
    return Panel(
        "visits",
        _("Visits"),
        [
            Tile(_("Done this school year"), row["done"], list_url, "success", key="done"),
            Tile(_("In the next 14 days"), row["upcoming"], list_url, key="upcoming"),
            Tile(
                _("Proposed, awaiting the school's answer"),
                row["proposed"],
                list_url,
                warn_tone(row["proposed"], "warning"),
                key="proposed",
            ),
        ],
        link=(_("Visits"), list_url),
    )


def activities_panel(activities: QuerySet | None, today: date) -> Panel:
    """Activities this school year: held, coming in the next 14 days, and the participants
    they reached: of `activities` (two queries), or of the whole register's
    (`activities=None`: maintained sums, `activities.figures`)."""

    if activities is None:
        row = activity_figures(today)
    else:
        start = school_year_start(today)
        held = Q(state=Activity.State.HELD, date__gte=start)
        upcoming = Q(
            state=Activity.State.PLANNED,
            date__gte=today,
            date__lte=today + timedelta(days=UPCOMING_DAYS),
        )
        row = activities.order_by().aggregate(
            held=Count("pk", filter=held), upcoming=Count("pk", filter=upcoming)
        )
        # A second small query: joining the attendance into the first one would need
        # DISTINCT counts.
        attendance = AttendanceCount.objects.filter(
            activity__in=activities.filter(held).values("pk")
        )
        row["reached"] = attendance.aggregate(n=Sum("count"))["n"]
    list_url = url_or_blank("activities:activity-list")
    return Panel(
        "activities",
        _("Activities"),
        [
            Tile(_("Held this school year"), row["held"], list_url, "success", key="held"),
            Tile(_("In the next 14 days"), row["upcoming"], list_url, key="upcoming"),
            Tile(_("Participants reached"), row["reached"] or 0, list_url, key="reached"),
        ],
        link=(_("Activities"), list_url),
    )


def cases_panel(cases: QuerySet | None, now) -> Panel:
    """Open cases, past a deadline, police clocks running and late: of `cases`, or of the whole
    register (`cases=None`: maintained by deadline day, sosdesk/deadline_tallies.py)."""
    row = register_deadlines(now) if cases is None else _case_deadlines(cases, now)
    return Panel(
        "cases",
        _("SOS Desk cases"),
        [
            Tile(
                _("Open cases"),
                row["open"],
                url_or_blank("sosdesk:case-list", "status=terbuka"),
                key="open",
            ),
            Tile(
                _("Past a deadline"),
                row["overdue"],
                url_or_blank("sosdesk:case-overdue"),
                warn_tone(row["overdue"]),
                key="overdue",
            ),
            Tile(
                _("72-hour police clocks running"),
                row["clocks"],
                url_or_blank("sosdesk:case-list", "status=terbuka"),
                warn_tone(row["clocks"], "warning"),
                key="clocks",
            ),
            Tile(
                _("Police clocks past 72 hours"),
                row["clocks_late"],
                url_or_blank("sosdesk:case-overdue"),
                warn_tone(row["clocks_late"]),
                key="clocks_late",
            ),
        ],
        link=(_("All cases"), url_or_blank("sosdesk:case-list")),
    )


def _case_deadlines(cases: QuerySet, now) -> dict:
    running = Q(police_due_at__isnull=False, police_clock_closed_at__isnull=True)
    late = Q(stage_due_at__lt=now) | (running & Q(police_due_at__lt=now))
    # Open cases and running police clocks, each counted from an index of its own.
    counted = "status"  # a column of the index: the table itself is not read
    row = (
        cases.open().order_by().aggregate(open=Count(counted), overdue=Count(counted, filter=late))
    )
    return row | (
        cases.filter(running)
        .order_by()
        .aggregate(
            clocks=Count(counted), clocks_late=Count(counted, filter=Q(police_due_at__lt=now))
        )
    )


def suppressed_cases_panel(cases: QuerySet) -> Panel:
    """A principal who is not on the desk: how many reports, counts under 5 as "<5"; no
    deadline, no police clock, nothing of one case (sosdesk/permissions.py)."""
    start = school_year_start(timezone.localdate())
    row = cases.order_by().aggregate(
        open=Count("status", filter=Q(status__in=Case.OPEN_STATUSES)),
        year=Count("status", filter=Q(received_at__date__gte=start)),
    )
    url = url_or_blank("sosdesk:case-figures")
    return Panel(
        "cases",
        _("SOS Desk reports"),
        [
            Tile(_("Open reports"), suppress_count(row["open"]), url, key="open"),
            Tile(_("Received this school year"), suppress_count(row["year"]), url, key="year"),
        ],
        link=(_("Your school's figures"), url),
    )


def children_panel(user: User, now) -> Panel:

    # The whole register (a Koordinator): its maintained figures (monitoring/figures.py).
    # Otherwise open records only, counted from the (status, last contact) index with the
    # tier in it (COUNT of an indexed column: the table itself is not read).
    if sees_every_record(user):
        row = register_children(now)
    else:
        records = children_visible_to(user).filter(status=ChildRecord.Status.OPEN)
        row = records.order_by().aggregate(
            open=Count("status"),
            overdue=Count(
                "status", filter=Q(last_contact_at__lt=now - timedelta(days=FOLLOW_UP_DAYS))
            ),
            tier3=Count("status", filter=Q(tier=3)),
        )
    url = url_or_blank("monitoring:record-list")
    return Panel(
        "children",
        _("Children in support"),
        [
            Tile(_("Children in support"), row["open"], url, key="children"),
            Tile(_("Of them individual support (Tier 3)"), row["tier3"], url, key="tier3"),
            Tile(
                _("Follow-ups overdue"),
                row["overdue"],
                url,
                warn_tone(row["overdue"]),
                key="follow_ups",
            ),
        ],
        link=(_("Children"), url),
    )


def forum_panel(*, moderator: bool, user: User | None = None) -> Panel:

    if user is None:  # the moderator's two numbers: the whole forum's, kept (forum/figures.py)
        row = register_forum()
    else:  # a member's own questions, counted live
        pending = Q(status=Question.Status.PENDING)
        unanswered = Q(status=Question.Status.PUBLISHED, answer_count=0)
        row = (
            Question.objects.filter(author=user)
            .order_by()
            .aggregate(
                pending=Count("status", filter=pending),
                unanswered=Count("status", filter=unanswered),
                answered=Count(
                    "status", filter=Q(status=Question.Status.PUBLISHED, answer_count__gt=0)
                ),
            )
        )
    if moderator:
        tiles = [
            Tile(
                _("Waiting for review"),
                row["pending"],
                url_or_blank("forum:moderation-queue"),
                warn_tone(row["pending"], "warning"),
                key="pending",
            ),
            Tile(
                _("Published, not answered yet"),
                row["unanswered"],
                url_or_blank("forum:question-list"),
                warn_tone(row["unanswered"], "warning"),
                key="unanswered",
            ),
        ]
    else:
        tiles = [
            Tile(
                _("Your questions answered"),
                row["answered"],
                url_or_blank("forum:question-list"),
                "success",
                key="answered",
            ),
            Tile(
                _("Waiting for an answer"),
                row["unanswered"],
                url_or_blank("forum:question-list"),
                key="waiting",
            ),
            Tile(
                _("Waiting for review"),
                row["pending"],
                url_or_blank("forum:question-list"),
                key="pending",
            ),
        ]
    return Panel(
        "forum",
        _("Consultation forum"),
        tiles,
        link=(_("Forum"), url_or_blank("forum:question-list")),
    )


def week_visits(visits: QuerySet, today: date) -> list:
    """This week's visits (Monday to Sunday), with their schools: one query."""
    monday = today - timedelta(days=today.weekday())
    return list(
        visits.active()
        .between(monday, monday + timedelta(days=6))
        .select_related("school")
        .order_by("date", "id")[:WEEK_VISITS_SHOWN]
    )


def own_schools_panel(schools: list[School], today: date) -> Panel:
    """The user's own schools (already fetched with their visit counts): no extra query."""
    bands = {b: 0 for b in PriorityBand.values}
    done = [0, 0, 0]
    for school in schools:
        bands[school.priority_band] = bands.get(school.priority_band, 0) + 1
        if hasattr(school, "done"):
            done[min(school.done, 2)] += 1
    tiles = [
        Tile(_("Your schools"), len(schools), url_or_blank("schools:school-list"), key="schools"),
        *_band_tiles(bands, len(schools))[:1],
    ]
    chart = None
    if schools:
        tiles.append(
            Tile(
                _("Below two visits this school year"),
                done[0] + done[1],
                url_or_blank("visits:compliance-board"),
                warn_tone(done[0] + done[1], "warning"),
                key="below_two",
            )
        )
        chart = charts.stacked(
            [charts.Stack(_("Your schools"), done)],
            title=_("Your schools by visits done this school year"),
            series=[_("0 visits"), _("1 visit"), _("2 or more")],
            width=460,
        )
    return Panel("schools", _("Your schools"), tiles, chart=chart)
