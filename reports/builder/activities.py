"""The impact report's section on activities (manual Bab 2): activities held by type and MTSS
tier, reach by participant group and sex, the knowledge tests' pre/post gains and the
participants' feedback.

The figures come from the activities app's summary functions (`reach_summary`,
`knowledge_summary`, `feedback_summary`); this module only lays them out, with the report's
suppression: counts of people under 5 shown as "<5", and means resting on fewer than 5
answers withheld when the report leaves the office (a mean of 3 answers is nearly their
answers).
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from activities.models import Activity
from activities.services.feedback import feedback_summary
from activities.services.knowledge import knowledge_summary
from activities.services.sessions import reach_summary

from .. import charts
from .base import THRESHOLD, Scope, Section, Table


def _number(value: float | None, decimals: int = 1) -> str:
    return "–" if value is None else f"{value:.{decimals}f}".replace(".", ",")


def _points(value: float | None) -> str:
    if value is None:
        return "–"
    sign = "+" if value > 0 else ""
    return f"{sign}{_number(value)}"


def _withheld(scope: Scope, n: int) -> bool:
    return scope.outside and n < THRESHOLD


def activities_in_period(scope: Scope) -> QuerySet:

    return scope.of(Activity.objects.filter(date__range=(scope.start, scope.end)))


def activities_section(scope: Scope) -> Section:

    activities = activities_in_period(scope)
    reach = reach_summary(activities)
    section = Section(
        "activities",
        _("Activities"),
        intro=_(
            "Activities held during the visits in the period: prevention campaigns and One "
            "Day for Children (Tier 1, universal prevention) and psychosocial training for "
            "teachers and parents (Tier 2). Reach counts the participants recorded at "
            "activities held."
        ),
        headlines=[
            (_("Activities held"), reach["activities"]["held"]),
            (_("Participants reached"), scope.count(reach["total"])),
            (_("Schools reached"), reach["schools_reached"]),
        ],
    )
    section.tables.append(
        Table(
            _("Activities by type"),
            [_("Type"), _("Tier"), _("Held"), _("All")],
            [
                [row["label"], row["tier"], row["held"], row["total"]]
                for row in reach["by_kind"].values()
            ],
        )
    )
    groups = [row for row in reach["by_group"].values() if row["total"]]
    if groups:
        section.charts.append(
            charts.hbar(
                [charts.Bar(row["label"], scope.count(row["total"])) for row in groups],
                title=_("Participants by group"),
            )
        )
    rows = []
    for row in reach["by_group"].values():
        shown = scope.parts({"L": row["L"], "P": row["P"]})
        rows.append([row["label"], shown["L"], shown["P"], scope.count(row["total"])])
    sexes = scope.parts(dict(reach["by_sex"]))
    rows.append([_("Total"), sexes["L"], sexes["P"], scope.count(reach["total"])])
    section.tables.append(
        Table(
            _("Participants by group and sex"),
            [_("Group"), _("Male"), _("Female"), _("Total")],
            rows,
            note=_("Counted at activities recorded as held."),
        )
    )
    knowledge_table(scope, activities, section)
    feedback_table(scope, activities, section)
    return section


def knowledge_table(scope: Scope, activities: QuerySet, section: Section) -> None:

    summary = knowledge_summary(activities)
    overall = summary["overall"]
    if not overall["pre_n"] and not overall["post_n"]:
        return
    columns = [
        _("School"),
        _("Pre-tests"),
        _("Post-tests"),
        _("Mean before (%)"),
        _("Mean after (%)"),
        _("Gain (points)"),
    ]

    def line(label: str, stats: dict) -> list:
        hidden = _withheld(scope, min(stats["pre_n"], stats["post_n"]))
        return [
            label,
            scope.count(stats["pre_n"]),
            scope.count(stats["post_n"]),
            "–" if hidden else _number(stats["pre_mean"]),
            "–" if hidden else _number(stats["post_mean"]),
            "–" if hidden else _points(stats["gain"]),
        ]

    rows = [line(_("All activities"), overall)]
    if len(summary["by_school"]) > 1:
        rows += [line(row["school"], row) for row in summary["by_school"]]
    section.headlines.append(
        (
            _("Knowledge gain (points)"),
            "–"
            if _withheld(scope, min(overall["pre_n"], overall["post_n"]))
            else _points(overall["gain"]),
        )
    )
    note = _(
        "Knowledge tests of campaigns and training sessions: the mean score before and after, "
        "as a percentage of the maximum, and the gain in percentage points."
    )
    if overall["pairs"]:
        note += " " + _(
            "Participants who took both tests: %(pairs)s, with a mean gain of %(gain)s points."
        ) % {
            "pairs": scope.count(overall["pairs"]),
            "gain": "–" if _withheld(scope, overall["pairs"]) else _points(overall["paired_gain"]),
        }
    if scope.outside:
        note += " " + _("Means resting on fewer than 5 tests are withheld.")
    section.tables.append(
        Table(
            _("Knowledge tests before and after"), columns, rows, note=note, compact=len(rows) > 14
        )
    )


def feedback_table(scope: Scope, activities: QuerySet, section: Section) -> None:

    summary = feedback_summary(activities)
    overall = summary["overall"]
    if not overall["n"]:
        return
    columns = [_("School"), _("Answers"), _("Satisfaction"), _("Usefulness"), _("Clarity")]

    def line(label: str, stats: dict) -> list:
        hidden = _withheld(scope, stats["n"])
        return [
            label,
            scope.count(stats["n"]),
            *(
                "–" if hidden else _number(stats[key], 2)
                for key in ("satisfaction", "usefulness", "clarity")
            ),
        ]

    rows = [line(_("All activities"), overall)]
    if len(summary["by_school"]) > 1:
        rows += [line(row["school"], row) for row in summary["by_school"]]
    note = _("Anonymous answers of participants, on a scale from 1 (poor) to 5 (very good).")
    if scope.outside:
        note += " " + _("Means resting on fewer than 5 answers are withheld.")
    section.tables.append(
        Table(_("Participants' feedback"), columns, rows, note=note, compact=len(rows) > 14)
    )
