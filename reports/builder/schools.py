"""The report's section on the schools in scope and their priority."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from schools.models import PriorityBand, School

from .. import charts
from ..models import Report
from .base import Scope, Section, Table


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
