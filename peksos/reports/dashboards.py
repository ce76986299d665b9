"""What each role's home page shows: a few numbers that link to the lists behind them, and
small charts (the same SVG code as the PDFs).

Each panel is one aggregate query, whatever the number of schools, visits or cases: the home
page costs a fixed number of queries (tests/test_dashboard.py pins them). A panel whose app
is not installed is left out. Every number comes from the same permission helper as the list
it links to, so a number never shows more than its list would.
"""

from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.apps import apps
from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from peksos.accounts.models import Role, User
from peksos.core import partials
from schools.models import PriorityBand, School
from schools.permissions import schools_served_by

from . import charts

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
    preparing: bool = False  # the register-wide numbers are being computed (partials.NotReady)


def _url(name: str, query: str = "", **kwargs) -> str:
    try:
        url = reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:  # an app whose pages are not wired yet: the number, no link
        return ""
    return f"{url}?{query}" if query else url


def _on(app: str) -> bool:
    return apps.is_installed(app)


def school_year_start(today: date) -> date:
    return date(today.year if today.month >= 7 else today.year - 1, 7, 1)


def _warn(n: int, tone: str = "danger") -> str:
    return tone if n else ""


# --- Panels (one query each) ----------------------------------------------------------------


def register_sum(
    name: str,
    domains: tuple[str, ...],
    rows: Callable[[int, int], QuerySet],
    aggregates: dict,
    params: tuple,
    last_id: int | None,
) -> dict:
    """`rows(lo, hi).aggregate(**aggregates)` summed over the whole register's partitions,
    each part cached until its data changes (`peksos.core.partials`): for the Koordinator's
    city-wide (or country-wide) numbers, flat at national size. Aggregates must add up."""

    def part(lo: int, hi: int) -> Counter:
        row = rows(lo, hi).order_by().aggregate(**aggregates)
        return Counter({key: value or 0 for key, value in row.items()})

    total = partials.combined(name, domains, last_id, part, params)
    return {key: total[key] for key in aggregates}


def _in(queryset: QuerySet, field: str = "school_id") -> Callable[[int, int], QuerySet]:
    return lambda lo, hi: queryset.filter(**{f"{field}__gte": lo, f"{field}__lt": hi})


def _with_visits(schools: QuerySet[School], today: date) -> QuerySet[School]:
    if not _on("activities"):
        return schools
    from visits.compliance import schools_with_counts

    return schools_with_counts(schools, school_year_start(today).year, today)


def _band_tiles(counts: dict, total: int) -> list[Tile]:
    tones = {PriorityBand.HIGH: "danger", PriorityBand.MEDIUM: "warning"}
    return [
        Tile(
            _("Priority: %(band)s") % {"band": label},
            counts.get(band, 0),
            _url("schools:school-list", f"band={band}"),
            tones.get(band, ""),
            key=f"band_{band}",
        )
        for band, label in PriorityBand.choices
    ]


def koordinator_schools(today: date, last_id: int | None) -> tuple[Panel, Panel | None]:
    """Priority bands (one aggregate over the schools) and visit compliance (0 / 1 / 2+ visits
    this school year) per kecamatan (`visits.compliance`: one query)."""
    schools = School.objects.active()
    has_visits = _on("activities")
    aggregates = {f"band_{b}": Count("pk", filter=Q(priority_band=b)) for b in PriorityBand.values}
    aggregates["total"] = Count("pk")
    aggregates["not_visited"] = Count(
        "pk", filter=Q(last_visit_on__isnull=True) | Q(last_visit_on__lt=school_year_start(today))
    )
    total = register_sum(
        "dashboard-schools", ("schools",), _in(schools, "pk"), aggregates, (today,), last_id
    )
    bands = {b: total[f"band_{b}"] for b in PriorityBand.values}
    panel = Panel(
        "schools",
        _("Schools"),
        [
            Tile(_("Schools"), total["total"], _url("schools:school-list"), key="schools"),
            *_band_tiles(bands, total["total"])[:2],
            Tile(
                _("Not visited this school year"),
                total["not_visited"],
                _url("schools:school-list", "visited=no"),
                _warn(total["not_visited"], "warning"),
                key="not_visited",
            ),
        ],
        chart=charts.hbar(
            [
                charts.Bar(
                    str(label),
                    bands[b],
                    charts.BAND_COLOURS[b],
                    _url("schools:school-list", f"band={b}"),
                )
                for b, label in PriorityBand.choices
            ],
            title=_("Schools by priority band"),
            width=460,
            label_width=150,
        ),
        link=(_("School register"), _url("schools:school-list")),
    )
    if not has_visits:
        return panel, None
    from visits.compliance import register_rows
    from visits.compliance import totals as compliance_totals

    year = school_year_start(today).year
    rows, _at_risk = register_rows(year, today, "kecamatan__name", last_id)
    total |= compliance_totals(rows)
    compliance = Panel(
        "compliance",
        _("Visit compliance this school year"),
        [
            Tile(
                _("0 visits done"),
                total["done_0"],
                _url("visits:compliance-board"),
                _warn(total["done_0"]),
                key="done_0",
            ),
            Tile(
                _("1 visit done"),
                total["done_1"],
                _url("visits:compliance-board"),
                _warn(total["done_1"], "warning"),
                key="done_1",
            ),
            Tile(
                _("2 or more"),
                total["done_2"],
                _url("visits:compliance-board"),
                "success",
                key="done_2",
            ),
            Tile(
                _("At risk of missing the second visit"),
                total["at_risk"],
                _url("visits:compliance-board"),
                _warn(total["at_risk"]),
                key="at_risk",
            ),
        ],
        chart=charts.stacked(
            [
                charts.Stack(r["kecamatan__name"], [r["done_0"], r["done_1"], r["done_2"]])
                for r in rows
            ],
            title=_("Schools by visits done this school year, per kecamatan"),
            series=[_("0 visits"), _("1 visit"), _("2 or more")],
            width=460,
        ),
        link=(_("Compliance board"), _url("visits:compliance-board")),
    )
    return panel, compliance


def visits_panel(
    visits: QuerySet, today: date, *, school_side: bool = False, last_id: int | None = None
) -> Panel:
    """`last_id` (the register's highest school id) for the whole register's visits: summed
    from cached parts (`register_sum`)."""
    from visits.models import Visit

    year = today.year if today.month >= 7 else today.year - 1
    soon = today + timedelta(days=UPCOMING_DAYS)
    aggregates = {
        "done": Count("pk", filter=Q(state=Visit.State.DONE, school_year=year)),
        "upcoming": Count(
            "pk", filter=Q(state__in=Visit.PLANNED_STATES, date__gte=today, date__lte=soon)
        ),
        "proposed": Count("pk", filter=Q(state=Visit.State.PROPOSED, date__gte=today)),
    }
    if last_id is not None:
        parts = ("dashboard-visits", ("visits",), _in(visits), aggregates, (today,), last_id)
        row = register_sum(*parts)
    else:
        row = visits.order_by().aggregate(**aggregates)
    list_url = _url("visits:visit-agreement" if school_side else "visits:visit-list")
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
                _warn(row["proposed"], "warning"),
                key="proposed",
            ),
        ],
        link=(_("Visits"), list_url),
    )


def activities_panel(activities: QuerySet, today: date, *, last_id: int | None = None) -> Panel:
    """Activities this school year: held, coming in the next 14 days, and the participants
    they reached (two queries; with `last_id`, from cached parts as in `visits_panel`)."""
    from django.db.models import Sum

    from activities.models import Activity, AttendanceCount

    start = school_year_start(today)
    held = Q(state=Activity.State.HELD, date__gte=start)
    aggregates = {
        "held": Count("pk", filter=held),
        "upcoming": Count(
            "pk",
            filter=Q(
                state=Activity.State.PLANNED,
                date__gte=today,
                date__lte=today + timedelta(days=UPCOMING_DAYS),
            ),
        ),
    }
    # A second small query: joining the attendance into the first one would need DISTINCT
    # counts (0.3 s at 45,000 schools, bench/national.py).
    attendance = AttendanceCount.objects.filter(activity__in=activities.filter(held).values("pk"))
    reach = {"n": Sum("count")}
    if last_id is not None:
        domains, key = ("activities",), (today,)
        in_range = _in(attendance, "activity__school_id")
        in_activities = _in(activities)
        row = register_sum("dashboard-activities", domains, in_activities, aggregates, key, last_id)
        reached = register_sum("dashboard-reach", domains, in_range, reach, key, last_id)["n"]
    else:
        row = activities.order_by().aggregate(**aggregates)
        reached = attendance.aggregate(**reach)["n"]
    list_url = _url("activities:activity-list")
    return Panel(
        "activities",
        _("Activities"),
        [
            Tile(_("Held this school year"), row["held"], list_url, "success", key="held"),
            Tile(_("In the next 14 days"), row["upcoming"], list_url, key="upcoming"),
            Tile(_("Participants reached"), reached or 0, list_url, key="reached"),
        ],
        link=(_("Activities"), list_url),
    )


def cases_panel(cases: QuerySet, now) -> Panel:
    running = Q(police_due_at__isnull=False, police_clock_closed_at__isnull=True)
    late = Q(stage_due_at__lt=now) | (running & Q(police_due_at__lt=now))
    # Open cases and running police clocks, each counted from an index of its own (two small
    # queries; at national size a bitmap over both read 16,000 pages of cases).
    counted = "status"  # a column of the index: the table itself is not read
    row = (
        cases.open().order_by().aggregate(open=Count(counted), overdue=Count(counted, filter=late))
    )
    row |= (
        cases.filter(running)
        .order_by()
        .aggregate(
            clocks=Count(counted), clocks_late=Count(counted, filter=Q(police_due_at__lt=now))
        )
    )
    return Panel(
        "cases",
        _("SOS Desk cases"),
        [
            Tile(
                _("Open cases"),
                row["open"],
                _url("sosdesk:case-list", "status=terbuka"),
                key="open",
            ),
            Tile(
                _("Past a deadline"),
                row["overdue"],
                _url("sosdesk:case-overdue"),
                _warn(row["overdue"]),
                key="overdue",
            ),
            Tile(
                _("72-hour police clocks running"),
                row["clocks"],
                _url("sosdesk:case-list", "status=terbuka"),
                _warn(row["clocks"], "warning"),
                key="clocks",
            ),
            Tile(
                _("Police clocks past 72 hours"),
                row["clocks_late"],
                _url("sosdesk:case-overdue"),
                _warn(row["clocks_late"]),
                key="clocks_late",
            ),
        ],
        link=(_("All cases"), _url("sosdesk:case-list")),
    )


def children_panel(user: User, now) -> Panel:
    from monitoring.models import FOLLOW_UP_DAYS, ChildRecord
    from monitoring.permissions import children_visible_to

    # Open records only, counted from the (status, last contact) index with the tier in it
    # (COUNT of an indexed column: the table itself is not read).
    records = children_visible_to(user).filter(status=ChildRecord.Status.OPEN)
    row = records.order_by().aggregate(
        open=Count("status"),
        overdue=Count("status", filter=Q(last_contact_at__lt=now - timedelta(days=FOLLOW_UP_DAYS))),
        tier3=Count("status", filter=Q(tier=3)),
    )
    url = _url("monitoring:record-list")
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
                _warn(row["overdue"]),
                key="follow_ups",
            ),
        ],
        link=(_("Children"), url),
    )


def forum_panel(*, moderator: bool, user: User | None = None) -> Panel:
    from forum.models import Question

    questions = Question.objects.all()
    pending = Q(status=Question.Status.PENDING)
    unanswered = Q(status=Question.Status.PUBLISHED, answer_count=0)
    if user is not None:
        questions = questions.filter(author=user)
    else:  # the moderator's two numbers: only those rows, through the q_unanswered index
        questions = questions.filter(pending | unanswered)
    row = questions.order_by().aggregate(
        pending=Count("status", filter=pending),
        unanswered=Count("status", filter=unanswered),
        answered=Count("status", filter=Q(status=Question.Status.PUBLISHED, answer_count__gt=0)),
    )
    if moderator:
        tiles = [
            Tile(
                _("Waiting for review"),
                row["pending"],
                _url("forum:moderation-queue"),
                _warn(row["pending"], "warning"),
                key="pending",
            ),
            Tile(
                _("Published, not answered yet"),
                row["unanswered"],
                _url("forum:question-list"),
                _warn(row["unanswered"], "warning"),
                key="unanswered",
            ),
        ]
    else:
        tiles = [
            Tile(
                _("Your questions answered"),
                row["answered"],
                _url("forum:question-list"),
                "success",
                key="answered",
            ),
            Tile(
                _("Waiting for an answer"),
                row["unanswered"],
                _url("forum:question-list"),
                key="waiting",
            ),
            Tile(
                _("Waiting for review"), row["pending"], _url("forum:question-list"), key="pending"
            ),
        ]
    return Panel(
        "forum", _("Consultation forum"), tiles, link=(_("Forum"), _url("forum:question-list"))
    )


def _week(visits: QuerySet, today: date) -> list:
    """This week's visits (Monday to Sunday), with their schools: one query."""
    monday = today - timedelta(days=today.weekday())
    return list(
        visits.active()
        .between(monday, monday + timedelta(days=6))
        .select_related("school")
        .order_by("date", "id")[:WEEK_VISITS_SHOWN]
    )


def _schools_panel_for(schools: list[School], today: date) -> Panel:
    """The user's own schools (already fetched with their visit counts): no extra query."""
    bands = {b: 0 for b in PriorityBand.values}
    done = [0, 0, 0]
    for school in schools:
        bands[school.priority_band] = bands.get(school.priority_band, 0) + 1
        if hasattr(school, "done"):
            done[min(school.done, 2)] += 1
    tiles = [
        Tile(_("Your schools"), len(schools), _url("schools:school-list"), key="schools"),
        *_band_tiles(bands, len(schools))[:1],
    ]
    chart = None
    if _on("activities") and schools:
        tiles.append(
            Tile(
                _("Below two visits this school year"),
                done[0] + done[1],
                _url("visits:compliance-board"),
                _warn(done[0] + done[1], "warning"),
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


def refresh_register_aggregates(
    *,
    everything: bool = False,
    year: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> int | None:
    """Compute the cached parts of the whole register's figures that are missing (or, with
    `everything`, all of them again): the Koordinator's home page, the compliance board (both
    groupings) and the SOS Desk figures. Celery beat runs it every 30 minutes, so that after
    midnight (a new day's parts) or a restart nobody waits for a full count, and everything
    nightly (a write that bypassed `partials.changed` is then counted). A page asks for its
    own: the compliance board of another school `year`, the figures of a period (`start`,
    `end`). Returns the register's last school id."""
    today = timezone.localdate()
    last_id = School.objects.last_id()
    with partials.refreshing() if everything else nullcontext(), partials.uncapped():
        register_panels(today, last_id)  # the compliance by kecamatan with them
        if _on("activities"):
            from visits.compliance import register_rows

            board_year = year or school_year_start(today).year
            for group in ("kecamatan__name", "level"):
                register_rows(board_year, today, group, last_id)
        if _on("sosdesk"):
            from sosdesk import figures
            from sosdesk.models import Case

            figures.summary(Case.objects.all(), start=start, end=end, last_id=last_id)
    return last_id


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
        _with_visits(schools_served_by(user), today).select_related("kecamatan").order_by("name")
    )


def register_panels(today: date, last_id: int | None) -> list[Panel]:
    """The panels summed over the whole register from cached parts: schools, compliance,
    visits and activities (partials.NotReady while too many parts are missing)."""
    schools, compliance = koordinator_schools(today, last_id)
    panels = [schools, *([compliance] if compliance else [])]
    if _on("activities"):
        from activities.models import Activity
        from visits.models import Visit

        panels.append(visits_panel(Visit.objects.all(), today, last_id=last_id))
        panels.append(activities_panel(Activity.objects.all(), today, last_id=last_id))
    return panels


def koordinator(user: User) -> Dashboard:
    today, now = timezone.localdate(), timezone.now()
    dashboard = Dashboard()
    try:
        dashboard.panels += register_panels(today, School.objects.last_id())
        dashboard.school_count = dashboard.panels[0].tiles[0].value
    except partials.NotReady:  # after a restart at national size: a worker fills them
        dashboard.preparing = True
        partials.request_refresh()
    if _on("sosdesk"):
        from sosdesk.models import Case

        dashboard.panels.append(cases_panel(Case.objects.all(), now))
    if _on("monitoring"):
        dashboard.panels.append(children_panel(user, now))
    if _on("forum"):
        dashboard.panels.append(forum_panel(moderator=True))
    dashboard.reports = _latest_reports(user)
    return dashboard


def _latest_reports(user: User) -> list:
    from .permissions import reports_visible_to

    return list(reports_visible_to(user).for_list()[:3])


def peksos(user: User) -> Dashboard:
    today, now = timezone.localdate(), timezone.now()
    schools = own_schools(user, today)
    dashboard = Dashboard(schools=schools[:20])
    dashboard.panels.append(_schools_panel_for(schools, today))
    if _on("activities"):
        from visits.permissions import visits_visible_to

        dashboard.week = _week(visits_visible_to(user), today)
        dashboard.week_title = _("Your week")
    if _on("sosdesk"):
        from sosdesk.permissions import cases_visible_to

        dashboard.panels.append(cases_panel(cases_visible_to(user), now))
    if _on("monitoring"):
        dashboard.panels.append(children_panel(user, now))
    return dashboard


def school_staff(user: User) -> Dashboard:
    """SOS Desk officers and principals: their school's visits and its cases (officers: the
    desk's caseload; principals: figures only, as on the figures page)."""
    today, now = timezone.localdate(), timezone.now()
    schools = list(schools_served_by(user).select_related("kecamatan").order_by("name"))
    dashboard = Dashboard(schools=schools[:20])
    if _on("activities"):
        from visits.permissions import visits_visible_to

        visits = visits_visible_to(user)
        dashboard.panels.append(visits_panel(visits, today, school_side=True))
    if _on("sosdesk"):
        from sosdesk.models import Case

        cases = Case.objects.filter(school__in=[s.pk for s in schools])
        panel = cases_panel(cases, now)
        if user.role == Role.KEPALA_SEKOLAH:
            # Figures only: the principal's numbers lead to the figures page, not to cases.
            for tile in panel.tiles:
                tile.href = _url("sosdesk:case-figures")
            panel.link = (_("Your school's figures"), _url("sosdesk:case-figures"))
        dashboard.panels.append(panel)
    return dashboard


def psikolog(user: User) -> Dashboard:
    today, now = timezone.localdate(), timezone.now()
    dashboard = Dashboard()
    if _on("activities"):
        from visits.permissions import visits_visible_to

        dashboard.week = _week(visits_visible_to(user), today)
        dashboard.week_title = _("Your sessions this week")
    if _on("sosdesk"):
        from sosdesk.models import Referral

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
                        _url("sosdesk:case-list"),
                        _warn(row["waiting"], "warning"),
                        key="referrals_waiting",
                    ),
                    Tile(
                        _("Accepted, in progress"),
                        row["active"],
                        _url("sosdesk:case-list"),
                        key="referrals_active",
                    ),
                ],
            )
        )
    if _on("monitoring"):
        dashboard.panels.append(children_panel(user, now))
    return dashboard


def pendamping(user: User) -> Dashboard:
    today = timezone.localdate()
    dashboard = Dashboard()
    if _on("activities"):
        from visits.permissions import visits_visible_to

        visits = visits_visible_to(user)
        dashboard.week = _week(visits, today)
        dashboard.week_title = _("Your visits this week")
    return dashboard


def community(user: User) -> Dashboard:
    dashboard = Dashboard()
    if _on("forum"):
        dashboard.panels.append(forum_panel(moderator=False, user=user))
    return dashboard
