"""Reading, checking and applying a file of people (CSV or XLSX), without HTTP.

The file is read by the school register's reader (`schools.importer.read_lines`: CSV with
commas or semicolons, with or without a BOM, or a workbook). One row per (person, school): a
person serving three schools has three rows with the same name, role and e-mail or phone.

Checking names every bad line and changes nothing; applying writes everything or nothing:
- a person is recognised by e-mail (any case), else by phone; a new one gets an account
  without a password and an invitation (e-mailed when there is an address);
- a known person keeps their account; a row with another role than theirs is an error
  (roles change on the person's page, on purpose);
- a school a person already serves is left alone, so applying the same file twice changes
  nothing the second time.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from peksos.accounts.models import SCHOOL_ROLES, Role, User
from peksos.core import audit
from schools.importer import ImportFileError, map_columns, max_bytes, read_lines, shown
from schools.models import School, SchoolMembership

from . import services
from .forms import normalise_phone, phone_is_valid
from .models import UserImport

ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("nama", "name", "nama_lengkap", "full_name"),
    "email": ("email", "e_mail", "surel", "alamat_email"),
    "phone": ("telepon", "phone", "telp", "hp", "no_hp", "nomor_hp", "whatsapp", "wa"),
    "role": ("peran", "role", "jabatan"),
    "npsn": ("npsn",),
}
HEADER_TO_FIELD = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
REQUIRED = ("name", "role")
MAX_NAME = 150
# Roles that serve schools need a school on every row.
SCHOOL_SERVING_ROLES = SCHOOL_ROLES | {Role.PEKSOS}

__all__ = ["ImportFileError", "apply_rows", "check_file", "check_rows", "max_bytes", "role_names"]


def role_names() -> dict[str, str]:
    """Every spelling of a role a file may use, case-folded → role: the code, the label as
    the interface shows it ("Kepala Sekolah", "Pekerja Sosial (PEKSOS)"), and its parts
    ("PEKSOS", "Orang tua", "Wali")."""
    names: dict[str, str] = {}
    for role in Role:
        label = str(role.label)
        spellings = {role.value, role.value.replace("_", " "), label}
        outside, _sep, inside = label.partition("(")
        spellings |= {outside, inside.rstrip(")")}
        spellings |= set(outside.split("/"))
        for spelling in spellings:
            if spelling.strip():
                names[" ".join(spelling.split()).casefold()] = role.value
    names["koordinator"] = Role.KOORDINATOR
    return names


@dataclass
class PeopleResult:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and self.total > 0


def check_file(filename: str, data: bytes) -> PeopleResult:
    lines = read_lines(filename, data)
    if not lines:
        raise ImportFileError(_("The file is empty."))
    (_line, header), rows = lines[0], lines[1:]
    columns, notes = _columns(header)
    if not rows:
        raise ImportFileError(_("The file has column names but no rows of people."))
    values = []
    for line, cells in rows:
        row = dict.fromkeys(ALIASES, "")
        row.update({name: cells[i] for name, i in columns.items() if i < len(cells)})
        values.append({"line": line, **row})
    result = check_rows(values)
    result.notes = notes
    return result


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    return map_columns(
        header,
        HEADER_TO_FIELD,
        REQUIRED,
        example="nama, peran, email, telepon, npsn",
        one_of={"email / telepon": ("email", "phone")},
    )


def check_rows(values: list[dict[str, str]]) -> PeopleResult:
    """Check rows ({"line", "name", "email", "phone", "role", "npsn"}); the normalised rows
    are checked again the same way when applied, as the database may have changed."""
    result = PeopleResult(total=len(values))
    roles = role_names()
    npsns = {v["npsn"] for v in values if v.get("npsn")}
    schools = set(School.objects.filter(npsn__in=npsns).values_list("npsn", flat=True))
    emails = {v["email"].casefold() for v in values if v.get("email")}
    phones = {normalise_phone(v["phone"]) for v in values if v.get("phone")}
    by_email = {
        u.email.casefold(): u
        for u in User.objects.annotate(email_key=Lower("email")).filter(email_key__in=emails)
    }
    by_phone: dict[str, list[User]] = {}
    for user in User.objects.filter(phone__in=phones):
        by_phone.setdefault(user.phone, []).append(user)
    person_line: dict[str, tuple[int, str, str]] = {}  # key → (line, name, role)
    seen_pairs: dict[tuple[str, str], int] = {}
    for value in values:
        row, messages = _check_row(value, roles, schools, by_email, by_phone)
        key = row["email"].casefold() or row["phone"]
        if key and not messages:
            if key in person_line:
                line, name, role = person_line[key]
                if (name, role) != (row["name"], row["role"]):
                    messages.append(
                        _(
                            "The same person is on line %(line)d with another name or role: "
                            "write them the same way on every line."
                        )
                        % {"line": line}
                    )
            else:
                person_line[key] = (value["line"], row["name"], row["role"])
            pair = (key, row["npsn"])
            if pair in seen_pairs:
                messages.append(
                    _("This person and school are already on line %(line)d.")
                    % {"line": seen_pairs[pair]}
                )
            else:
                seen_pairs[pair] = value["line"]
        if messages:
            result.errors.append({"line": value["line"], "messages": messages})
        else:
            result.rows.append({"line": value["line"], **row})
    return result


def _check_row(value, roles, schools, by_email, by_phone) -> tuple[dict, list[str]]:
    messages: list[str] = []
    name = " ".join(value.get("name", "").split())
    email = value.get("email", "").strip()
    phone = normalise_phone(value.get("phone", ""))
    npsn = value.get("npsn", "").strip()
    role = roles.get(" ".join(value.get("role", "").split()).casefold())
    if not name:
        messages.append(_("The name is empty."))
    elif len(name) > MAX_NAME:
        messages.append(_("The name is longer than %(max)d characters.") % {"max": MAX_NAME})
    if role is None:
        messages.append(
            _("Unknown role “%(value)s”. Use one of: %(choices)s.")
            % {
                "value": shown(value.get("role", "")),
                "choices": ", ".join(str(label) for label in Role.labels),
            }
        )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            messages.append(_("“%(value)s” is not an e-mail address.") % {"value": shown(email)})
    if phone and not phone_is_valid(phone):
        messages.append(
            _("The phone number must have 8 to 15 digits (found “%(value)s”).")
            % {"value": shown(value.get("phone", ""))}
        )
    if not email and not phone:
        messages.append(_("Give an e-mail address or a phone number."))
    if npsn and npsn not in schools:
        messages.append(_("NPSN %(npsn)s is not in the school register.") % {"npsn": shown(npsn)})
    elif not npsn and role in SCHOOL_SERVING_ROLES:
        messages.append(
            _("A %(role)s needs the NPSN of their school.") % {"role": Role(role).label}
        )
    existing = by_email.get(email.casefold()) if email else None
    if existing is None and phone and not email:
        matches = by_phone.get(phone, [])
        if len(matches) > 1:
            messages.append(
                _("Several accounts have this phone number: add the person's e-mail address.")
            )
        existing = matches[0] if len(matches) == 1 else None
    if existing is not None and role is not None and existing.role != role:
        messages.append(
            _(
                "%(person)s already has an account as %(role)s. Change a role on the person's "
                "page, not by import."
            )
            % {"person": existing.username, "role": existing.get_role_display()}
        )
    if existing is not None and not existing.is_active:
        messages.append(
            _("The account of %(person)s is deactivated: reactivate it on the person's page.")
            % {"person": existing.username}
        )
    row = {
        "name": name,
        "email": email,
        "phone": phone,
        "role": role or "",
        "npsn": npsn,
        "existing": existing.pk if existing is not None else None,
    }
    return row, messages


def create_import(filename: str, result: PeopleResult, *, by: User | None) -> UserImport:
    state = UserImport.State.VALID if result.is_valid else UserImport.State.INVALID
    return UserImport.objects.create(
        filename=filename.rsplit("/", 1)[-1][:200],
        uploaded_by=by,
        state=state,
        rows=result.rows,
        errors=result.errors,
        total=result.total,
    )


def apply_import(batch: UserImport, *, by: User | None, request=None) -> UserImport:
    """Apply a valid import once, all or nothing. The rows are checked again first; a row
    that became wrong meanwhile makes the import invalid, with its errors, and changes
    nothing."""
    with transaction.atomic():
        batch = UserImport.objects.select_for_update().get(pk=batch.pk)
        if batch.state != UserImport.State.VALID:
            return batch
        stored = [
            {**{k: str(v or "") for k, v in row.items()}, "line": row["line"]} for row in batch.rows
        ]
        again = check_rows(stored)
        if again.errors:
            batch.state, batch.errors = UserImport.State.INVALID, again.errors
            batch.save(update_fields=["state", "errors"])
            return batch
        created, added = apply_rows(again.rows, by=by, request=request)
        batch.state = UserImport.State.APPLIED
        batch.people_created, batch.memberships_added = created, added
        batch.applied_at = timezone.now()
        batch.save()
        audit.record("people_import_applied", actor=by, obj=batch, request=request)
    return batch


def apply_rows(rows: list[dict[str, Any]], *, by: User | None, request=None) -> tuple[int, int]:
    """(people created, memberships added); call inside a transaction with checked rows."""
    schools = {s.npsn: s for s in School.objects.filter(npsn__in={r["npsn"] for r in rows})}
    people: dict[str, User] = {}
    created = added = 0
    for row in rows:
        key = row["email"].casefold() or row["phone"]
        user = people.get(key)
        if user is None and row["existing"]:
            user = User.objects.get(pk=int(row["existing"]))
        if user is None:
            user = services._create_user(
                name=row["name"], role=row["role"], email=row["email"], phone=row["phone"]
            )
            audit.record("person_created", actor=by, obj=user, request=request)
            services._invite(user, by=by, request=request)
            created += 1
        people[key] = user
        if row["npsn"]:
            _membership, new = SchoolMembership.objects.get_or_create(
                user=user, school=schools[row["npsn"]]
            )
            added += int(new)
    return created, added
