"""The report's section on visits: done, planned, and schools below two visits a year."""

from collections import Counter, defaultdict

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import PriorityBand, School
from visits.models import Visit

from .. import charts
from ..models import Report
from .base import BAND_ORDER, BELOW_TWO_SHOWN, Scope, Section, Table, _percent, _share


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

    today = timezone.localdate(scope.now)
    in_period = Visit.objects.between(scope.start, scope.end)
    return scope.schools().annotate(
        done=_per_school(in_period.done()),
        planned=_per_school(in_period.planned().filter(date__gte=today)),
    )


def visits_section(scope: Scope) -> Section:

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
