"""The report's section on SOS Desk cases (counts only, suppressed outside the office) and
the police clock."""

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from sosdesk import figure_tallies, figures
from sosdesk.models import Case

from .. import charts
from ..models import Report
from .base import Scope, Section, Table, _percent


def cases_section(scope: Scope) -> Section:

    cases = scope.of(Case.objects.all())
    school_report = scope.kind == Report.Kind.SCHOOL
    if school_report:
        # The school's own people read its report: a case sent to the Dinas only or
        # restricted is not counted there (sosdesk/permissions.py, issue 19).
        cases = cases.exclude(dinas_only=True).exclude(restricted=True)
    period = {"start": scope.start, "end": scope.end, "outside": scope.outside, "now": scope.now}
    if scope.kind == Report.Kind.CITY:  # all the register's cases: summed from the tallies
        summary = figure_tallies.register_summary(**period)
    else:
        summary = figures.summary(cases, **period)
    period_cases = figures.in_period(cases, scope.start, scope.end)
    section = Section(
        "cases",
        _("SOS Desk cases"),
        intro=_(
            "Reports of violence received by the schools' SOS Desks in the period, by form of "
            "violence (Permendikbudristek 46/2023) and by SIMFONI PPA category. A case with "
            "several forms counts under each of them."
        ),
        headlines=[
            (_("Cases received"), summary.total),
            (_("Open cases past a deadline"), summary.overdue.overdue),
            (_("Share of open cases overdue"), _percent(summary.overdue_share)),
        ],
    )
    forms = next(t for t in summary.tables if t.key == "forms")
    section.charts.append(
        charts.hbar([charts.Bar(label, n) for _k, label, n in forms.rows], title=str(forms.title))
    )
    for table in summary.tables:
        if table.key == "kecamatan" and scope.kind == Report.Kind.SCHOOL:
            continue
        section.tables.append(
            Table(
                str(table.title),
                [
                    str(table.title),
                    pgettext("counted", "People") if table.counts_people else _("Cases"),
                ],
                [[lbl, n] for _k, lbl, n in table.rows],
            )
        )
    section.tables.append(
        Table(
            _("Time from receipt to each stage"),
            [_("Stage"), _("Cases"), _("Median hours")],
            [
                [str(t.label), t.cases, "–" if t.median_hours is None else t.median_hours]
                for t in summary.stage_times
            ],
            note=_("Medians resting on fewer than 5 cases are withheld.") if scope.outside else "",
        )
    )
    section.tables.append(
        Table(
            _("Open cases now"),
            [_("Cases"), _("Number")],
            [[_("open"), summary.overdue.open], [_("past a deadline"), summary.overdue.overdue]],
        )
    )
    if not (school_report and scope.outside):  # never the police clock to the school's side
        section.tables.append(police_clock_table(scope, period_cases))
    return section


def police_clock_table(scope: Scope, cases: QuerySet) -> Table:
    """The 72-hour record (UU TPKS Pasal 41) of the sexual-violence cases received in the
    period: reported to the police in time, late, with an approved exemption, still running."""
    closed = Q(police_clock_closed_at__isnull=False)
    row = (
        cases.filter(police_due_at__isnull=False)
        .order_by()
        .aggregate(
            total=Count("pk"),
            in_time=Count(
                "pk",
                filter=closed
                & ~Q(police_report_ref="")
                & Q(police_clock_closed_at__lte=F("police_due_at")),
            ),
            exempt=Count("pk", filter=closed & Q(police_exemption_approved_by__isnull=False)),
            late=Count("pk", filter=closed & Q(police_clock_closed_at__gt=F("police_due_at"))),
            running=Count("pk", filter=~closed & Q(police_due_at__gte=scope.now)),
            running_late=Count("pk", filter=~closed & Q(police_due_at__lt=scope.now)),
        )
    )
    labels = [
        ("total", _("cases with a 72-hour clock")),
        ("in_time", _("reported to the police within 72 hours")),
        ("exempt", _("not reported, reason approved")),
        ("late", _("closed after 72 hours")),
        ("running", _("clock still running, in time")),
        ("running_late", _("clock still running, past 72 hours")),
    ]
    return Table(
        _("The 72-hour police clock (sexual violence)"),
        [_("Clock"), _("Cases")],
        [[label, scope.count(row[key])] for key, label in labels],
    )
