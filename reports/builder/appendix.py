"""The report's appendix: one row per school in scope."""

from django.utils.translation import gettext as _

from schools.models import PriorityBand
from sosdesk.models import Case

from .base import Scope, Section, Table
from .visits import _per_school, schools_with_visits


def appendix_section(scope: Scope) -> Section:
    """One table, one row per school: a single long table renders in linear time, where a
    table per school would not (docs/stack.md, WeasyPrint)."""
    order = ("kecamatan__name", "name", "id")
    columns = [
        "NPSN",
        _("School"),
        _("Kecamatan"),
        _("Level"),
        _("Priority"),
        _("Visits done"),
        _("Still planned"),
        _("Cases"),
    ]
    received = Case.objects.filter(received_at__gte=scope.moment(scope.start)).filter(
        received_at__lt=scope.moment(scope.end, end=True)
    )
    schools = schools_with_visits(scope).annotate(cases_received=_per_school(received))
    bands = dict(PriorityBand.choices)
    rows = []
    for school in schools.select_related("kecamatan").order_by(*order):
        row = [
            school.npsn,
            school.name,
            school.kecamatan.name,
            school.level,
            str(bands.get(school.priority_band, "")),
            school.done,
            school.planned,
            scope.count(school.cases_received),
        ]
        rows.append(row)
    return Section(
        "appendix",
        _("Appendix: schools one by one"),
        tables=[Table(_("Schools"), columns, rows, compact=True)],
        new_page=True,
    )
