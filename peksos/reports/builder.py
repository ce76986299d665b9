"""Building an impact report: the figures of each section, the HTML, the PDF, the file.

`run(report_id)` is what the worker calls. It claims the report with a conditional UPDATE
(queued -> running, or a running report whose worker died: older than the time limit), then
computes the sections one by one, each finished section recorded on the row by its own small
UPDATE (committed at once: the worker holds no transaction, so the progress bar moves). The
PDF is written to a temporary name and moved into place, so there is never a partial file.
Only the run holding the row's current `run_token` may record progress or the end; a run that
lost its claim (its worker was taken for dead and the report claimed again) stops.

Sections read the apps below (floor 5 reads every floor): a section whose app is not installed
is left out cleanly. Only aggregates leave this module: no child, reporter or narrative is
ever read. In a report that leaves the office, every count of cases, children or people under
5 is shown as "<5" (`sosdesk.figures.suppress`); counts of schools and visits are facts about
the programme, not about people, and are shown as they are (the methodology note says so).
"""

import logging
import os
import tempfile
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from schools.models import PriorityBand, School

from . import charts
from .models import Report, report_file_days

log = logging.getLogger(__name__)

THRESHOLD = 5  # docs/domain.md §5; the same as sosdesk.figures.SUPPRESSION_THRESHOLD
BELOW_TWO_SHOWN = 30
BAND_ORDER = {"tinggi": 0, "sedang": 1, "rendah": 2, "unknown": 3}


# --- What a section is made of ------------------------------------------------------------


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""
    compact: bool = False  # long lists: smaller type, for the appendix and the school lists

    @property
    def pair(self) -> bool:
        """A short label/number table: two of them share a line in the PDF."""
        return len(self.columns) == 2 and len(self.rows) <= 14 and not self.compact


@dataclass
class Section:
    key: str
    title: str
    intro: str = ""
    headlines: list[tuple[str, object]] = field(default_factory=list)
    charts: list[SafeString] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    new_page: bool = False

    @property
    def table_rows(self) -> list[list[Table]]:
        """The tables laid out in lines: two short tables side by side, long ones alone."""
        lines: list[list[Table]] = []
        for table in self.tables:
            if table.pair and lines and len(lines[-1]) == 1 and lines[-1][0].pair:
                lines[-1].append(table)
            else:
                lines.append([table])
        return lines


@dataclass
class Scope:
    """Whose figures, for which period, and whether they leave the office."""

    report: Report
    start: date
    end: date
    outside: bool
    now: datetime

    @property
    def kind(self) -> str:
        return self.report.kind

    def of(self, queryset: QuerySet, field_name: str = "school") -> QuerySet:
        """Narrow a queryset of rows linked to a school to the report's scope."""
        if self.kind == Report.Kind.SCHOOL:
            return queryset.filter(**{field_name: self.report.school_id})
        if self.kind == Report.Kind.KECAMATAN:
            return queryset.filter(**{f"{field_name}__kecamatan": self.report.kecamatan_id})
        return queryset

    def schools(self) -> QuerySet[School]:
        if self.kind == Report.Kind.SCHOOL:
            return School.objects.filter(pk=self.report.school_id)
        schools = School.objects.active()
        if self.kind == Report.Kind.KECAMATAN:
            schools = schools.filter(kecamatan=self.report.kecamatan_id)
        return schools

    def count(self, n: int) -> int | str:
        """A count of people or cases, suppressed under 5 when the report leaves the office."""
        if self.outside and isinstance(n, int) and 0 < n < THRESHOLD:
            return f"<{THRESHOLD}"
        return n

    def parts(self, counts: dict) -> dict:
        """Counts that add up to a total shown elsewhere: suppressed, and when only one is
        hidden, a second one too, so the total cannot give the hidden one back."""
        if not self.outside:
            return counts
        from sosdesk.figures import suppress_parts

        return suppress_parts(counts, THRESHOLD)

    def moment(self, day: date, *, end: bool = False) -> datetime:
        zone = timezone.get_current_timezone()
        if end:
            return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
        return datetime.combine(day, time.min, tzinfo=zone)


def _installed(app: str, model: str | None = None) -> bool:
    if not apps.is_installed(app):
        return False
    if model is None:
        return True
    try:
        apps.get_model(app, model)
    except LookupError:
        return False
    return True


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} %".replace(".", ",")


# --- Sections -----------------------------------------------------------------------------


def schools_section(scope: Scope) -> Section:
    schools = scope.schools()
    row = schools.aggregate(
        total=Count("pk"),
        desk=Count("pk", filter=Q(has_sos_desk=True)),
        no_desk=Count("pk", filter=Q(has_sos_desk=False)),
        **{f"band_{b}": Count("pk", filter=Q(priority_band=b)) for b in PriorityBand.values},
    )
    bands = [(b, label, row[f"band_{b}"]) for b, label in PriorityBand.choices]
    section = Section(
        "schools",
        _("Schools and priority"),
        intro=_(
            "Schools in the register and their priority band (the priority index weighs "
            "pupils, socio-economic condition, reported cases, time since the last visit "
            "and whether the school has a working SOS Desk)."
        ),
        headlines=[
            (_("Schools"), row["total"]),
            (_("High priority"), row["band_tinggi"]),
            (_("With a working SOS Desk"), row["desk"]),
        ],
        new_page=True,  # page 1 holds the cover, the contents and the key figures
    )
    if scope.kind == Report.Kind.SCHOOL:
        school = scope.report.school
        desk = {True: _("working"), False: _("not working")}.get(
            school.has_sos_desk, _("not known")
        )
        section.headlines = [
            (_("Priority"), str(school.get_priority_band_display())),
            (_("SOS Desk"), desk),
        ]
    section.charts.append(
        charts.hbar(
            [
                charts.Bar(str(label), n, charts.BAND_COLOURS.get(b, charts.MUTED))
                for b, label, n in bands
            ],
            title=_("Schools by priority band"),
        )
    )
    section.tables.append(
        Table(
            _("Schools by priority band"),
            [_("Priority"), _("Schools")],
            [[str(lbl), n] for _b, lbl, n in bands],
        )
    )
    unknown = row["total"] - row["desk"] - row["no_desk"]
    section.tables.append(
        Table(
            _("SOS Desk (TPPK)"),
            [_("SOS Desk"), _("Schools")],
            [
                [_("working"), row["desk"]],
                [_("not working"), row["no_desk"]],
                [_("not known"), unknown],
            ],
        )
    )
    if scope.kind != Report.Kind.SCHOOL:
        levels = dict(
            schools.order_by()
            .values_list("level")
            .annotate(n=Count("pk"))
            .values_list("level", "n")
        )
        section.tables.append(
            Table(
                _("Schools by level (jenjang)"),
                [_("Level"), _("Schools")],
                [[lvl, levels[lvl]] for lvl in School.Level.values if levels.get(lvl)],
            )
        )
    return section


def _per_school(rows: QuerySet) -> Coalesce:
    """How many of `rows` (visits, cases) belong to the outer school: a subquery, so that two
    counts on one school never multiply each other as two joins would."""
    counted = rows.filter(school=OuterRef("pk")).order_by().values("school")
    return Coalesce(
        Subquery(counted.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
        Value(0),
    )


def schools_with_visits(scope: Scope) -> QuerySet[School]:
    """Each school in scope with `done` (visits done in the period) and `planned` (visits
    proposed or agreed from today to the period's end)."""
    from visits.models import Visit

    today = timezone.localdate(scope.now)
    in_period = Visit.objects.between(scope.start, scope.end)
    return scope.schools().annotate(
        done=_per_school(in_period.done()),
        planned=_per_school(in_period.planned().filter(date__gte=today)),
    )


def visits_section(scope: Scope) -> Section:
    from visits.models import Visit

    visits = scope.of(Visit.objects.between(scope.start, scope.end))
    states = dict(visits.order_by().values_list("state").annotate(n=Count("pk")))
    kinds = dict(visits.done().order_by().values_list("kind").annotate(n=Count("pk")))
    rows = list(
        schools_with_visits(scope)
        .select_related("kecamatan")
        .order_by("done", "-priority_rank", "name", "id")
        .values_list("name", "npsn", "kecamatan__name", "level", "priority_band", "done", "planned")
    )
    buckets = Counter(min(r[5], 2) for r in rows)
    by_group: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    group_index = 3 if scope.kind == Report.Kind.KECAMATAN else 2
    for r in rows:
        by_group[r[group_index]][min(r[5], 2)] += 1
    done = states.get(Visit.State.DONE, 0)
    scheduled = sum(states.get(s, 0) for s in Visit.ACTIVE_STATES)
    below = [r for r in rows if r[5] < 2]
    section = Section(
        "visits",
        _("Visits"),
        intro=_(
            "Visits dated in the period. Every school should receive two visits each school "
            "year; the compliance figures count the visits done in the period."
        ),
        headlines=[
            (_("Visits done"), done),
            (_("Visits scheduled"), scheduled),
            (_("Schools with two or more visits"), buckets.get(2, 0)),
        ],
    )
    if scope.kind == Report.Kind.SCHOOL:
        section.headlines[2] = (_("Still planned"), sum(r[6] for r in rows))
    series = [_("0 visits"), _("1 visit"), _("2 or more")]
    if scope.kind == Report.Kind.SCHOOL:
        stacks = []
    else:
        stacks = [charts.Stack(name, values) for name, values in sorted(by_group.items())]
        stacks.append(charts.Stack(_("Total"), [buckets.get(i, 0) for i in range(3)]))
        section.charts.append(
            charts.stacked(stacks, title=_("Schools by visits done"), series=series)
        )
    bands = dict(PriorityBand.choices)
    section.tables.append(
        Table(
            _("Visits by state"),
            [_("State"), _("Visits")],
            [[str(label), states.get(key, 0)] for key, label in Visit.State.choices],
        )
    )
    section.tables.append(
        Table(
            _("Visits done by kind"),
            [_("Kind"), _("Visits")],
            [[str(label), kinds.get(key, 0)] for key, label in Visit.Kind.choices],
        )
    )
    section.tables.append(
        Table(
            _("Schools by visits done"),
            [_("Visits done"), _("Schools"), _("Share")],
            [
                [name, buckets.get(i, 0), _percent(_share(buckets.get(i, 0), len(rows)))]
                for i, name in enumerate(series)
            ],
        )
    )
    # Highest priority first; a city's long tail belongs in the per-school appendix.
    below.sort(key=lambda r: (r[5], BAND_ORDER.get(r[4], 9), r[0]))
    shown = below[:BELOW_TWO_SHOWN]
    if len(shown) < len(below):
        counts = {"shown": len(shown), "total": len(below)}
        if scope.report.with_appendix:
            note = _(
                "%(shown)s of %(total)s schools below two visits, highest priority first; "
                "the appendix lists every school."
            )
        else:
            note = _(
                "%(shown)s of %(total)s schools below two visits, highest priority first; ask "
                "for the report with per-school tables to see every school."
            )
        note %= counts
    else:
        note = "" if below else _("Every school received two visits or more.")
    section.tables.append(
        Table(
            _("Schools below two visits"),
            [_("School"), "NPSN", _("Kecamatan"), _("Priority"), _("Done"), _("Still planned")],
            [[r[0], r[1], r[2], str(bands.get(r[4], r[4])), r[5], r[6]] for r in shown],
            note=note,
            compact=True,
        )
    )
    if scope.kind == Report.Kind.SCHOOL:
        section.tables.append(
            Table(
                _("Visits of the school"),
                [_("Date"), _("Kind"), _("State")],
                [
                    [v.date, v.get_kind_display(), v.get_state_display()]
                    for v in visits.order_by("date", "id")
                ],
            )
        )
    return section


def cases_section(scope: Scope) -> Section:
    from sosdesk import figures
    from sosdesk.models import Case

    cases = scope.of(Case.objects.all())
    summary = figures.summary(
        cases, start=scope.start, end=scope.end, outside=scope.outside, now=scope.now
    )
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
                [str(table.title), _("Cases")],
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


def children_section(scope: Scope) -> Section:
    from monitoring.models import ChildRecord

    records = scope.of(ChildRecord.objects.without_identity())
    supported = records.filter(created_at__lt=scope.moment(scope.end, end=True)).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=scope.moment(scope.start))
    )
    tiers = dict(supported.order_by().values_list("tier").annotate(n=Count("pk")))
    sexes = dict(supported.order_by().values_list("sex").annotate(n=Count("pk")))
    closed_in_period = records.filter(
        closed_at__range=(scope.moment(scope.start), scope.moment(scope.end, end=True))
    )
    outcomes = dict(closed_in_period.order_by().values_list("outcome").annotate(n=Count("pk")))
    overdue = records.overdue(scope.now).count()
    total = sum(tiers.values())
    shown_tiers = scope.parts({key: tiers.get(key, 0) for key in ChildRecord.Tier.values})
    shown_sexes = scope.parts({key: sexes.get(key, 0) for key in ChildRecord.Sex.values})
    section = Section(
        "children",
        _("Children receiving support"),
        intro=_("Children with a support record open at some time in the period (Tier 2 and 3)."),
        headlines=[
            (_("Children supported"), scope.count(total)),
            (_("Follow-ups overdue now"), scope.count(overdue)),
        ],
    )
    section.tables.append(
        Table(
            _("Children by tier"),
            [_("Tier"), _("Children")],
            [[str(label), shown_tiers[key]] for key, label in ChildRecord.Tier.choices],
        )
    )
    section.tables.append(
        Table(
            _("Children by sex"),
            [_("Sex"), _("Children")],
            [[str(label), shown_sexes[key]] for key, label in ChildRecord.Sex.choices],
        )
    )
    section.tables.append(
        Table(
            _("Support closed in the period, by outcome"),
            [_("Outcome"), _("Children")],
            [
                [str(label), scope.count(outcomes.get(key, 0))]
                for key, label in ChildRecord.Outcome.choices
            ],
        )
    )
    return section


def forum_section(scope: Scope) -> Section:
    from forum.models import Answer, Question

    questions = Question.objects.filter(
        created_at__gte=scope.moment(scope.start), created_at__lt=scope.moment(scope.end, end=True)
    )
    if scope.kind != Report.Kind.CITY:
        questions = scope.of(questions)
    published = questions.filter(status=Question.Status.PUBLISHED)
    row = questions.order_by().aggregate(
        asked=Count("pk"),
        published=Count("pk", filter=Q(status=Question.Status.PUBLISHED)),
        answered=Count("pk", filter=Q(status=Question.Status.PUBLISHED, answer_count__gt=0)),
        waiting=Count("pk", filter=Q(status=Question.Status.PUBLISHED, answer_count=0)),
        pending=Count("pk", filter=Q(status=Question.Status.PENDING)),
    )
    answers = Answer.objects.filter(
        question__in=questions.values("pk"), status=Answer.Status.PUBLISHED
    ).count()
    categories = list(
        published.order_by()
        .values_list("category__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "category__name")
    )
    section = Section(
        "forum",
        _("Consultation forum"),
        intro=_("Questions asked in the forum in the period and their answers."),
        headlines=[(_("Questions published"), scope.count(row["published"]))],
    )
    section.tables.append(
        Table(
            _("Questions"),
            [_("Questions"), _("Number")],
            [
                [_("asked"), scope.count(row["asked"])],
                [_("published"), scope.count(row["published"])],
                [_("answered"), scope.count(row["answered"])],
                [_("waiting for an answer"), scope.count(row["waiting"])],
                [_("waiting for review"), scope.count(row["pending"])],
                [_("answers published"), scope.count(answers)],
            ],
        )
    )
    if categories:
        section.tables.append(
            Table(
                _("Published questions by category"),
                [_("Category"), _("Questions")],
                [[name, scope.count(n)] for name, n in categories],
            )
        )
    return section


def appendix_section(scope: Scope) -> Section:
    """One table, one row per school: a single long table renders in linear time, where a
    table per school would not (docs/stack.md, WeasyPrint)."""
    order = ("kecamatan__name", "name", "id")
    columns = ["NPSN", _("School"), _("Kecamatan"), _("Level"), _("Priority")]
    with_visits = _installed("activities", "Visit")
    with_cases = _installed("sosdesk", "Case")
    schools = schools_with_visits(scope) if with_visits else scope.schools()
    if with_visits:
        columns += [_("Visits done"), _("Still planned")]
    if with_cases:
        from sosdesk.models import Case

        received = Case.objects.filter(received_at__gte=scope.moment(scope.start)).filter(
            received_at__lt=scope.moment(scope.end, end=True)
        )
        schools = schools.annotate(cases_received=_per_school(received))
        columns.append(_("Cases"))
    bands = dict(PriorityBand.choices)
    rows = []
    for school in schools.select_related("kecamatan").order_by(*order):
        row = [
            school.npsn,
            school.name,
            school.kecamatan.name,
            school.level,
            str(bands.get(school.priority_band, "")),
        ]
        if with_visits:
            row += [school.done, school.planned]
        if with_cases:
            row.append(scope.count(school.cases_received))
        rows.append(row)
    return Section(
        "appendix",
        _("Appendix: schools one by one"),
        tables=[Table(_("Schools"), columns, rows, compact=True)],
        new_page=True,
    )


def _activities_section(scope: Scope) -> Section:
    from .activities_section import activities_section  # it builds on this module

    return activities_section(scope)


@dataclass(frozen=True)
class Step:
    key: str
    title: object  # a lazy translation
    build: Callable[[Scope], Section | None]
    available: Callable[[Report], bool]


STEPS = [
    Step("schools", gettext_lazy("Schools and priority"), schools_section, lambda r: True),
    Step(
        "visits",
        gettext_lazy("Visits"),
        visits_section,
        lambda r: _installed("activities", "Visit"),
    ),
    Step(
        "activities",
        gettext_lazy("Activities"),
        _activities_section,
        lambda r: _installed("activities", "Activity"),
    ),
    Step(
        "cases",
        gettext_lazy("SOS Desk cases"),
        cases_section,
        lambda r: _installed("sosdesk", "Case"),
    ),
    Step(
        "children",
        gettext_lazy("Children receiving support"),
        children_section,
        lambda r: _installed("monitoring", "ChildRecord"),
    ),
    Step(
        "forum",
        gettext_lazy("Consultation forum"),
        forum_section,
        lambda r: _installed("forum", "Question"),
    ),
    Step(
        "appendix",
        gettext_lazy("Appendix: schools one by one"),
        appendix_section,
        lambda r: r.with_appendix and r.kind != Report.Kind.SCHOOL,
    ),
]


def plan(report: Report) -> list[Step]:
    return [step for step in STEPS if step.available(report)]


# --- HTML, PDF, file ----------------------------------------------------------------------


def render_html(report: Report, sections: list[Section], scope: Scope) -> str:
    """The report's HTML (to be called inside `translation.override("id")`)."""
    from .pdf import static_uri

    headlines = [h for s in sections for h in s.headlines]
    context = {
        "report": report,
        "sections": sections,
        "headlines": headlines,
        "generated_at": timezone.localtime(scope.now),
        "threshold": THRESHOLD,
        "stylesheet": static_uri("reports/report.css"),
    }
    return render_to_string("reports/pdf/report.html", context)


def figures_json(sections: list[Section]) -> dict:
    """The tables as plain data, kept on the row for the CSV/XLSX downloads."""

    def plain(value):
        if isinstance(value, date):
            return value.isoformat()
        return value if isinstance(value, int | float | str) or value is None else str(value)

    tables = []
    for section in sections:
        tables.append(
            {
                "section": section.title,
                "title": _("Key figures"),
                "columns": [_("Figure"), _("Value")],
                "rows": [[str(label), plain(value)] for label, value in section.headlines],
            }
        )
        for table in section.tables:
            data = asdict(table)
            data["rows"] = [[plain(cell) for cell in row] for row in table.rows]
            tables.append(
                {"section": section.title, **{k: data[k] for k in ("title", "columns", "rows")}}
            )
    return {"tables": tables}


def write_file(report: Report, pdf: bytes) -> str:
    """Write under a temporary name in the same directory, then move into place: the final
    name only ever holds a whole PDF, and a failure (disk full) leaves nothing behind."""
    name = f"reports/{report.pk}.pdf"
    final = Path(settings.MEDIA_ROOT) / name
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{report.pk}.", suffix=".part", dir=final.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(pdf)
            out.flush()
            os.fsync(out.fileno())
        # mkstemp makes the file 0600: readable by the web process when it runs as another
        # user of the same group (a shared media volume), by nobody else.
        os.chmod(temporary, 0o640)
        os.replace(temporary, final)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return name


class SectionFailed(Exception):
    pass


def _fail(mine: QuerySet, message: str) -> None:
    mine.update(
        state=Report.State.FAILED,
        error=message[:300],
        finished_at=timezone.now(),
        current_section="",
        run_token=None,
    )


def claim(report_id, now: datetime | None = None) -> uuid.UUID | None:
    """queued -> running (or a dead run's report taken over). Returns the run's token, or
    None when the report is done, failed, or being built by a live worker."""
    now = now or timezone.now()
    token = uuid.uuid4()
    claimed = (
        Report.objects.claimable(now)
        .filter(pk=report_id)
        .update(
            state=Report.State.RUNNING,
            run_token=token,
            started_at=now,
            sections_done=0,
            current_section="",
            error="",
            attempts=F("attempts") + 1,
        )
    )
    return token if claimed else None


def run(report_id) -> bool:
    """Build the report if it can be claimed. True when this run finished it."""
    token = claim(report_id)
    if token is None:
        log.info("report %s not claimed (done, failed or running elsewhere)", report_id)
        return False
    report = Report.objects.select_related("school__kecamatan", "kecamatan", "requested_by").get(
        pk=report_id
    )
    mine = Report.objects.filter(pk=report.pk, run_token=token, state=Report.State.RUNNING)
    with translation.override("id"):
        try:
            return _build(report, mine)
        except Exception:
            log.exception("report %s failed", report.pk)
            _fail(
                mine,
                _(
                    "The report could not be prepared. Try again; if it fails again, tell the "
                    "technical staff."
                ),
            )
            return False


def _build(report: Report, mine: QuerySet) -> bool:
    steps = plan(report)
    if not mine.update(sections_total=len(steps) + 1):
        return False
    scope = Scope(
        report,
        report.period_start,
        report.period_end,
        report.outside_office,
        timezone.now(),
    )
    sections = []
    for done, step in enumerate(steps):
        if not mine.update(current_section=str(step.title)[:100]):
            return False  # another run holds the report now
        try:
            section = step.build(scope)
        except Exception:
            log.exception("report %s: section %s failed", report.pk, step.key)
            _fail(
                mine,
                _(
                    "The section “%(section)s” could not be prepared. Try again; if it fails "
                    "again, tell the technical staff."
                )
                % {"section": step.title},
            )
            return False
        if section is not None:
            sections.append(section)
        mine.update(sections_done=done + 1)
    if not mine.update(current_section=_("Writing the PDF")):
        return False
    from .pdf import render_pdf  # WeasyPrint is loaded in workers only

    pdf = render_pdf(render_html(report, sections, scope))
    try:
        name = write_file(report, pdf)
    except OSError:
        log.exception("report %s: file not written", report.pk)
        _fail(
            mine, _("The PDF could not be saved (the server's disk may be full). Try again later.")
        )
        return False
    now = timezone.now()
    finished = mine.update(
        state=Report.State.DONE,
        file=name,
        figures=figures_json(sections),
        sections_done=F("sections_total"),
        current_section="",
        finished_at=now,
        expires_at=now + timedelta(days=report_file_days()),
        run_token=None,
    )
    return bool(finished)
