"""Reading, checking and applying a file of kecamatan and kelurahan (CSV or XLSX), without HTTP.

The file is read by the school register's reader (`schools.importer.read_lines` and
`map_columns`: CSV with commas, semicolons or tabs, with or without a BOM, or a workbook), and
works the same way: checking names every bad line and changes nothing; applying writes every
row or none; applying the same file again changes nothing.

Columns (Indonesian or English): `kode`/`code`, `nama`/`name`, `induk`/`parent` (or
`kecamatan`). A row without a parent is a kecamatan; a row with one is a kelurahan of that
kecamatan, named by its code or its name, known already or on another row of the file.

What applying does, in plain words:
- Regions are matched by code (Kemendagri: kecamatan 18.72.01, kelurahan 18.72.01.1001): a
  new code adds a region, a known one takes the name (and the kecamatan) of the file.
- Nothing is deleted: a region absent from the file is left as it is.
- A kelurahan that has schools keeps its kecamatan: moving it would leave its schools in
  two kecamatan at once (change the schools first).
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peksos.core import audit

from .importer import ImportFileError, map_columns, read_lines, region_key, shown
from .models import Kecamatan, Kelurahan, RegionImport

ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("kode", "code", "kode_wilayah", "kode_kemendagri"),
    "name": ("nama", "name", "nama_wilayah"),
    "parent": ("induk", "parent", "kecamatan", "kode_induk", "kecamatan_induk"),
}
HEADER_TO_FIELD = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
REQUIRED = ("code", "name")
EXAMPLE_HEADER = "kode, nama, induk"
MAX_NAME = 100
KECAMATAN_CODE = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}")
KELURAHAN_SUFFIX = re.compile(r"\.[0-9]{4}")

__all__ = ["ImportFileError", "apply_import", "check_file", "check_rows", "create_import"]


@dataclass
class RegionResult:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and self.total > 0


def check_file(filename: str, data: bytes) -> RegionResult:
    """Read and check the whole file; raises ImportFileError when it cannot be read at all."""
    lines = read_lines(filename, data)
    if not lines:
        raise ImportFileError(_("The file is empty."))
    (_line, header), rows = lines[0], lines[1:]
    columns, notes = map_columns(header, HEADER_TO_FIELD, REQUIRED, example=EXAMPLE_HEADER)
    if not rows:
        raise ImportFileError(_("The file has column names but no rows of regions."))
    values = []
    for line, cells in rows:
        row = dict.fromkeys(ALIASES, "")
        row.update({name: cells[i] for name, i in columns.items() if i < len(cells)})
        values.append({"line": line, **row})
    result = check_rows(values)
    result.notes = notes
    return result


@dataclass
class _Known:
    """The regions as the database has them, and those the file adds, by code and name."""

    kecamatan: dict[str, dict] = field(default_factory=dict)  # code → {"name", "pk"}
    kelurahan: dict[str, dict] = field(default_factory=dict)  # code → {"name", "parent", ...}

    @classmethod
    def load(cls) -> "_Known":
        known = cls()
        for pk, code, name in Kecamatan.objects.values_list("pk", "code", "name"):
            known.kecamatan[code] = {"pk": pk, "name": name}
        for code, name, parent, schools in Kelurahan.objects.values_list(
            "code", "name", "kecamatan__code", "schools"
        ).distinct():
            entry = known.kelurahan.setdefault(
                code, {"name": name, "parent": parent, "has_schools": False}
            )
            entry["has_schools"] = entry["has_schools"] or schools is not None
        return known

    def kecamatan_by_name(self) -> dict[str, str]:
        return {region_key(v["name"]): code for code, v in self.kecamatan.items()}


def check_rows(values: list[dict[str, Any]]) -> RegionResult:
    """Check rows ({"line", "code", "name", "parent"}); kecamatan first, so a kelurahan may
    name a kecamatan that a later line of the same file adds."""
    result = RegionResult(total=len(values))
    known = _Known.load()
    errors: dict[int, list[str]] = {}
    seen_code: dict[str, int] = {}
    checked: list[dict[str, Any]] = []
    # The file's kecamatan, as they will be after applying (codes and names).
    kecamatan_names = {code: v["name"] for code, v in known.kecamatan.items()}
    for value in values:
        code, name, parent = (" ".join(value.get(k, "").split()) for k in ALIASES)
        messages = errors.setdefault(value["line"], [])
        if code in seen_code:
            messages.append(
                _("Code %(code)s already appears on line %(line)d.")
                % {"code": code, "line": seen_code[code]}
            )
        elif code:
            seen_code[code] = value["line"]
        if not name:
            messages.append(_("The name is empty."))
        elif len(name) > MAX_NAME:
            messages.append(_("The name is longer than %(max)d characters.") % {"max": MAX_NAME})
        row = {"line": value["line"], "code": code, "name": name, "parent": parent}
        if not parent:
            if not KECAMATAN_CODE.fullmatch(code):
                messages.append(
                    _(
                        "A kecamatan code has the form 18.72.01 (found “%(value)s”); a "
                        "kelurahan needs its kecamatan in the parent column."
                    )
                    % {"value": shown(code)}
                )
            elif code in known.kelurahan:
                messages.append(_("Code %(code)s is a kelurahan already.") % {"code": code})
            elif name:
                kecamatan_names[code] = name
        checked.append(row)
    by_name = {region_key(name): code for code, name in kecamatan_names.items()}
    _check_names(checked, known, kecamatan_names, errors)
    kelurahan_names: dict[tuple[str, str], str] = {
        (v["parent"], region_key(v["name"])): code for code, v in known.kelurahan.items()
    }
    file_names: dict[tuple[str, str], int] = {}
    for row in checked:
        messages = errors[row["line"]]
        if not row["parent"]:
            row["kind"] = "kecamatan"
            continue
        row["kind"] = "kelurahan"
        parent_code = row["parent"] if row["parent"] in kecamatan_names else None
        parent_code = parent_code or by_name.get(region_key(row["parent"]))
        if parent_code is None:
            messages.append(
                _("Unknown kecamatan “%(value)s” in the parent column: give its code or name.")
                % {"value": shown(row["parent"])}
            )
            continue
        row["parent"] = parent_code
        code = row["code"]
        if not (
            code.startswith(parent_code) and KELURAHAN_SUFFIX.fullmatch(code[len(parent_code) :])
        ):
            messages.append(
                _("A kelurahan code is its kecamatan's code and four digits, e.g. %(example)s.")
                % {"example": f"{parent_code}.1001"}
            )
            continue
        if code in known.kecamatan:
            messages.append(_("Code %(code)s is a kecamatan already.") % {"code": code})
        before = known.kelurahan.get(code)
        if before and before["parent"] != parent_code and before["has_schools"]:
            messages.append(
                _(
                    "Kelurahan %(name)s has schools and stays in kecamatan %(kecamatan)s: "
                    "move its schools first."
                )
                % {"name": before["name"], "kecamatan": kecamatan_names.get(before["parent"])}
            )
        key = (parent_code, region_key(row["name"]))
        other = kelurahan_names.get(key)
        if other is not None and other != code:
            messages.append(
                _("Kecamatan %(kecamatan)s already has a kelurahan named %(name)s (code %(code)s).")
                % {"kecamatan": kecamatan_names[parent_code], "name": row["name"], "code": other}
            )
        elif key in file_names:
            messages.append(
                _("The same kelurahan name is on line %(line)d.") % {"line": file_names[key]}
            )
        else:
            file_names[key] = row["line"]
    for row in checked:
        if errors[row["line"]]:
            result.errors.append({"line": row["line"], "messages": errors[row["line"]]})
        else:
            result.rows.append(row)
    return result


def _check_names(checked, known: _Known, kecamatan_names: dict[str, str], errors) -> None:
    """Two kecamatan may not share a name: the school register import finds them by name."""
    owner: dict[str, str] = {}
    for code, name in kecamatan_names.items():
        key = region_key(name)
        if key in owner and owner[key] != code:
            for row in checked:
                if row["code"] in (code, owner[key]) and not row["parent"]:
                    errors[row["line"]].append(
                        _("Another kecamatan is named %(name)s already.") % {"name": name}
                    )
        owner.setdefault(key, code)


def create_import(filename: str, result: RegionResult, *, by) -> RegionImport:
    state = RegionImport.State.VALID if result.is_valid else RegionImport.State.INVALID
    return RegionImport.objects.create(
        filename=filename.rsplit("/", 1)[-1][:200],
        uploaded_by=by,
        state=state,
        rows=result.rows,
        errors=result.errors,
        total=result.total,
    )


def apply_import(batch: RegionImport, *, by, request=None) -> RegionImport:
    """Apply a valid import once, all or nothing. The rows are checked again first; a row
    that became wrong meanwhile makes the import invalid, with its errors, and changes
    nothing."""
    with transaction.atomic():
        batch = RegionImport.objects.select_for_update().get(pk=batch.pk)
        if batch.state != RegionImport.State.VALID:
            return batch
        again = check_rows([{k: row[k] for k in ("line", *ALIASES)} for row in batch.rows])
        if again.errors:
            batch.state, batch.errors = RegionImport.State.INVALID, again.errors
            batch.save(update_fields=["state", "errors"])
            return batch
        batch.created, batch.updated = apply_rows(again.rows)
        batch.state = RegionImport.State.APPLIED
        batch.applied_at = timezone.now()
        batch.save()
        audit.record("region_import_applied", actor=by, obj=batch, request=request)
    return batch


def apply_rows(rows: list[dict[str, Any]]) -> tuple[int, int]:
    """(created, updated) for checked rows; call inside a transaction. Unchanged regions are
    neither written nor counted."""
    created = updated = 0
    kecamatan = {k.code: k for k in Kecamatan.objects.select_for_update()}
    for row in rows:
        if row["kind"] != "kecamatan":
            continue
        found = kecamatan.get(row["code"])
        if found is None:
            kecamatan[row["code"]] = Kecamatan.objects.create(code=row["code"], name=row["name"])
            created += 1
        elif found.name != row["name"]:
            found.name = row["name"]
            found.save(update_fields=["name"])
            updated += 1
    codes = [row["code"] for row in rows if row["kind"] == "kelurahan"]
    kelurahan = {k.code: k for k in Kelurahan.objects.select_for_update().filter(code__in=codes)}
    for row in rows:
        if row["kind"] != "kelurahan":
            continue
        parent = kecamatan[row["parent"]]
        found = kelurahan.get(row["code"])
        if found is None:
            Kelurahan.objects.create(code=row["code"], name=row["name"], kecamatan=parent)
            created += 1
        elif (found.name, found.kecamatan_id) != (row["name"], parent.pk):
            found.name, found.kecamatan = row["name"], parent
            found.save(update_fields=["name", "kecamatan"])
            updated += 1
    return created, updated
