"""The people list as CSV or XLSX, safe against spreadsheet formulas (the register's
`safe_cell`). No passwords, tokens or second-factor details: who, role, contact, schools,
state."""

import csv
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook

from peksos.accounts.models import User
from schools.exports import safe_cell

CHUNK = 500


def headers() -> list[str]:
    return [
        _("user name"),
        _("name"),
        _("role"),
        _("e-mail"),
        _("phone"),
        "npsn",
        _("state"),
        _("last login"),
    ]


def state_of(user: User) -> str:
    if not user.is_active:
        return _("deactivated")
    if getattr(user, "is_locked", False):
        return _("locked out")
    if not user.has_usable_password():
        return _("invited, not yet accepted")
    return _("active")


def rows(users: QuerySet[User]) -> Iterator[list]:
    users = users.prefetch_related("school_memberships__school")
    for user in users.iterator(chunk_size=CHUNK):
        npsns = " ".join(sorted(m.school.npsn for m in user.school_memberships.all()))
        values = [
            user.username,
            user.get_full_name(),
            user.get_role_display(),
            user.email,
            user.phone,
            npsns,
            state_of(user),
            user.last_login.strftime("%Y-%m-%d %H:%M") if user.last_login else "",
        ]
        yield [safe_cell(str(v)) for v in values]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(users: QuerySet[User]) -> Iterable[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow(headers())
    for row in rows(users):
        yield writer.writerow(row)


def xlsx_workbook(users: QuerySet[User]) -> Workbook:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("People"))
    sheet.append(headers())
    for row in rows(users):
        sheet.append(row)
    return workbook
