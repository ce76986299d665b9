"""CSV and XLSX exports of the register, safe against spreadsheet formula injection."""

import csv
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook

from .models import School

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_FIELDS = [
    "npsn",
    "name",
    "level",
    "status",
    "kecamatan__name",
    "kelurahan__name",
    "address",
    "students",
    "socioeconomic_share",
    "latitude",
    "longitude",
    "priority_score",
    "priority_band",
    "last_visit_on",
    "has_sos_desk",
]
CHUNK = 2000


def headers() -> list[str]:
    return [
        "npsn",
        _("name"),
        _("level"),
        _("status"),
        "kecamatan",
        "kelurahan",
        _("address"),
        _("students"),
        _("PIP/KIP (%)"),
        "latitude",
        "longitude",
        _("priority score"),
        _("priority"),
        _("last visit"),
        _("SOS Desk"),
    ]


def safe_cell(value) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def rows(schools: QuerySet[School]) -> Iterator[list]:
    for values in schools.values_list(*EXPORT_FIELDS).iterator(chunk_size=CHUNK):
        yield [safe_cell(v) for v in values]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(schools: QuerySet[School]) -> Iterable[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a BOM, so spreadsheet programs read UTF-8 names correctly
    yield writer.writerow(headers())
    for row in rows(schools):
        yield writer.writerow([str(v) for v in row])


def xlsx_workbook(schools: QuerySet[School]) -> Workbook:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Schools"))
    sheet.append(headers())
    for row in rows(schools):
        sheet.append([str(v) if not isinstance(v, (int, float, str)) else v for v in row])
    return workbook
