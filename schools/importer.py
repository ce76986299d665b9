"""Reading, checking and applying a school register file (CSV or XLSX), without HTTP.

Two steps, so that nothing changes until every row is valid:

1. `check_file(filename, data)` reads the file and checks every row. A file that cannot be
   read at all (too big, empty, binary, a corrupt workbook, required columns missing) raises
   `ImportFileError`; otherwise an `ImportResult` lists the normalised rows and, per line of
   the file, what is wrong. Nothing is written.
2. `apply_batch(batch_id)` (a Celery task or the management command) writes all rows of a
   valid `ImportBatch` in one transaction, or none.

What applying does, in plain words:
- Schools are matched by NPSN: a new NPSN adds a school, a known one updates it.
- Nothing is ever deleted or deactivated: a school absent from the file is left as it is.
- Name, level, status and kecamatan are always taken from the file.
- An empty optional cell (kelurahan, address, pupils, PIP/KIP share, coordinates) keeps the
  value the register already has: a file without those columns never erases known facts.
  Only when the kecamatan changes and no kelurahan is given is the old kelurahan cleared,
  because it cannot belong to the new kecamatan.
- The priority of every school added or changed is recomputed in the same transaction.

Line numbers are those a spreadsheet shows: the header is line 1 and empty lines count.
"""

import csv
import io
import logging
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peksos.core import audit, tallies

from . import priority
from .geo import KOTA_METRO_CODE, validate_in_area
from .models import ImportBatch, Kecamatan, Kelurahan, School

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 10_000
EXTENSIONS = ("csv", "xlsx")
MAX_COLUMNS = 60
# A workbook is a zip file: refuse one that unpacks to far more than any register would.
MAX_XLSX_UNPACKED = 100 * 1024 * 1024
PROGRESS_EVERY = 200
PROGRESS_TIMEOUT = 60 * 60
MAX_STUDENTS = 100_000
MAX_NAME = 200
MAX_ADDRESS = 300
SHOWN_VALUE = 40  # characters of a bad value quoted back in an error message

# Canonical field → the header spellings accepted (after `header_key`).
ALIASES: dict[str, tuple[str, ...]] = {
    "npsn": ("npsn",),
    "name": ("name", "nama", "nama_sekolah"),
    "level": ("level", "jenjang", "bentuk_pendidikan"),
    "status": ("status", "status_sekolah"),
    "kecamatan": ("kecamatan",),
    "kelurahan": ("kelurahan", "desa_kelurahan", "kelurahan_desa"),
    "address": ("address", "alamat"),
    "students": ("students", "jumlah_siswa", "siswa", "peserta_didik"),
    "socioeconomic_share": ("socioeconomic_share", "pip_kip_persen", "pip_kip"),
    "latitude": ("latitude", "lintang", "lat"),
    "longitude": ("longitude", "bujur", "lon", "lng"),
}
REQUIRED = ("npsn", "name", "level", "status", "kecamatan")
HEADER_TO_FIELD = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
LEVELS = {value.casefold(): value for value in School.Level.values}
STATUSES = {value.casefold(): value for value in School.Status.values}
# Cells the register's own export protected against spreadsheet formulas ("'=..."): undo it.
FORMULA_STARTS = ("=", "+", "-", "@")
# Magic numbers of files people rename to .csv by mistake.
BINARY_SIGNATURES = {
    b"PK\x03\x04": gettext_lazy("an Excel workbook or another zip file"),
    b"\xd0\xcf\x11\xe0": gettext_lazy("an old Excel (.xls) or Word file"),
    b"%PDF": gettext_lazy("a PDF document"),
    b"\x89PNG": gettext_lazy("a PNG image"),
    b"\xff\xd8\xff": gettext_lazy("a JPEG image"),
    b"GIF8": gettext_lazy("a GIF image"),
}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
REGION_PREFIX = re.compile(r"^(kec\.|kecamatan|kel\.|kelurahan|desa)\s*", re.IGNORECASE)


class ImportFileError(Exception):
    """The file as a whole cannot be read; `message` is translated and safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ImportResult:
    rows: list[dict[str, Any]] = field(default_factory=list)  # normalised, JSON-serialisable
    errors: list[dict[str, Any]] = field(default_factory=list)  # {"line": n, "messages": [...]}
    total: int = 0  # non-empty data lines
    notes: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and self.total > 0


@dataclass(frozen=True)
class Regions:
    """Kecamatan and kelurahan by their case-folded names, loaded once per file."""

    kecamatan: dict[str, Kecamatan]
    kelurahan: dict[tuple[int, str], Kelurahan]

    @classmethod
    def load(cls) -> "Regions":
        kecamatan = {region_key(k.name): k for k in Kecamatan.objects.all()}
        kelurahan = {(k.kecamatan_id, region_key(k.name)): k for k in Kelurahan.objects.all()}
        return cls(kecamatan, kelurahan)

    def kelurahan_names(self, kecamatan: Kecamatan) -> str:
        names = sorted(k.name for k in self.kelurahan.values() if k.kecamatan_id == kecamatan.pk)
        return ", ".join(names)


# --- limits --------------------------------------------------------------------------------


def max_bytes() -> int:
    return getattr(settings, "SCHOOL_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_rows() -> int:
    return getattr(settings, "SCHOOL_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)


def extension_of(filename: str) -> str:
    return PurePath(filename).suffix.lower().lstrip(".")


def too_big_message(size: int) -> str:
    return _("The file is %(size)s MB; at most %(limit)s MB can be imported at once.") % {
        "size": f"{size / 1024 / 1024:.1f}",
        "limit": f"{max_bytes() / 1024 / 1024:.0f}",
    }


# --- reading -------------------------------------------------------------------------------


def check_file(filename: str, data: bytes) -> ImportResult:
    """Read and check the whole file; raises ImportFileError when it cannot be read at all."""
    return check_lines(read_lines(filename, data))


def read_lines(filename: str, data: bytes) -> list[tuple[int, list[str]]]:
    """The file's non-empty lines as (line, cleaned cells), CSV (any delimiter, with or
    without a BOM) or XLSX; raises ImportFileError when it cannot be read at all. Other
    imports (the people import) read their files with it."""
    if not data:
        raise ImportFileError(_("The file is empty."))
    if len(data) > max_bytes():
        raise ImportFileError(too_big_message(len(data)))
    extension = extension_of(filename)
    if extension == "csv":
        return _csv_lines(data)
    if extension == "xlsx":
        return _xlsx_lines(data)
    raise ImportFileError(_("Only .csv and .xlsx files can be imported."))


def _csv_lines(data: bytes) -> list[tuple[int, list[str]]]:
    """The file's records as (line, cells). Refuses binary content before decoding it."""
    for signature, kind in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ImportFileError(
                _(
                    "This is not a CSV text file: it looks like %(kind)s. Upload a spreadsheet "
                    "saved as CSV, or an Excel workbook under its .xlsx name."
                )
                % {"kind": kind}
            )
    text = _decode(data)
    if CONTROL_CHARACTERS.search(text):
        raise ImportFileError(
            _("This is not a CSV text file: it contains binary data. Save it as CSV again.")
        )
    first = next((line for line in text.splitlines() if line.strip()), "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    try:
        # Each record is one spreadsheet row, so its position is the line people look up.
        return _limited(enumerate(reader, start=1))
    except csv.Error as exc:
        raise ImportFileError(
            _("The CSV file is malformed near line %(line)d (%(problem)s).")
            % {"line": reader.line_num, "problem": exc}
        ) from None


def _decode(data: bytes) -> str:
    """UTF-8 (with or without a BOM), UTF-16 with a BOM (Excel's "Unicode text"), else
    Windows-1252 as older Excel versions save."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file's characters cannot be read. Save it as CSV (UTF-8) and try again.")
        ) from None


def _delimiter(header: str) -> str:
    """Spreadsheets in Indonesian locales export with `;`, others with `,` or tabs: the
    header line, which has no commas inside names, tells which."""
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _xlsx_lines(data: bytes) -> list[tuple[int, list[str]]]:
    """The first sheet's rows as (line, cells), values only (formulas as last computed)."""
    import openpyxl  # only uploads of workbooks pay for importing it

    if not data.startswith(b"PK\x03\x04"):
        raise ImportFileError(_("This is not an Excel workbook (.xlsx). Check the file."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_XLSX_UNPACKED:
            raise ImportFileError(_("The workbook is too large once unpacked."))
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception:
        log.info("school import: unreadable workbook", exc_info=True)
        raise ImportFileError(
            _("The workbook cannot be read; it may be damaged. Open and save it again.")
        ) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The workbook has no sheet."))
        rows = workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True)
        return _limited(
            (line, [_cell_text(value) for value in values])
            for line, values in enumerate(rows, start=1)
        )
    except ImportFileError:
        raise
    except Exception:
        log.info("school import: unreadable worksheet", exc_info=True)
        raise ImportFileError(
            _("The workbook cannot be read; it may be damaged. Open and save it again.")
        ) from None
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """A workbook cell as the text a person typed: 10807637.0 is NPSN 10807637."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _limited(lines: Iterator[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """The non-empty lines, cleaned. Reading stops past the row limit instead of holding a
    huge file in memory; empty lines (spreadsheets keep formatted ones) are not counted."""
    limit = max_rows() + 1  # the header
    result = []
    for line, cells in lines:
        cleaned = [_clean(cell) for cell in cells]
        if not any(cleaned):
            continue
        if len(result) == limit:
            raise ImportFileError(
                _("The file has more than %(limit)d rows. Split it into smaller files.")
                % {"limit": max_rows()}
            )
        result.append((line, cleaned))
    return result


# --- checking ------------------------------------------------------------------------------


def check_lines(lines: list[tuple[int, list[str]]]) -> ImportResult:
    """Check every data row after the header (the first non-empty line); file-level problems
    raise ImportFileError. `lines` are the file's non-empty lines, cleaned, with numbers."""
    if not lines:
        raise ImportFileError(_("The file is empty."))
    (_header_line, header), rows = lines[0], lines[1:]
    columns, notes = _columns(header)
    if not rows:
        raise ImportFileError(_("The file has column names but no school rows."))
    result = ImportResult(total=len(rows), notes=notes)
    regions = Regions.load()
    first_line_of: dict[str, int] = {}
    for line, cells in rows:
        values = dict.fromkeys(ALIASES, "")
        values.update({name: cells[i] for name, i in columns.items() if i < len(cells)})
        row, messages = check_row(values, regions)
        npsn = values["npsn"]
        if npsn in first_line_of:
            messages.append(
                _("NPSN %(npsn)s already appears on line %(line)d.")
                % {"npsn": npsn, "line": first_line_of[npsn]}
            )
        elif npsn:
            first_line_of[npsn] = line
        if messages:
            result.errors.append({"line": line, "messages": messages})
        else:
            result.rows.append({"line": line, **row})
    return result


def _clean(cell: str) -> str:
    cell = " ".join(cell.split())  # also drops non-breaking spaces spreadsheets leave
    if cell.startswith("'") and cell[1:2] in FORMULA_STARTS:
        return cell[1:]
    return cell


def header_key(name: str) -> str:
    """A column name as compared: "E-mail " and "e_mail" are the same column."""
    return re.sub(r"[^0-9a-z]+", "_", name.casefold()).strip("_")


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Map canonical fields to column positions; unknown columns become a note."""
    return map_columns(
        header, HEADER_TO_FIELD, REQUIRED, example="npsn, nama, jenjang, status, kecamatan"
    )


def map_columns(
    header: list[str],
    header_to_field: dict[str, str],
    required: tuple[str, ...],
    *,
    example: str,
    one_of: dict[str, tuple[str, ...]] | None = None,
) -> tuple[dict[str, int], list[str]]:
    """{field: column position} from a header line and the notes for the user (unknown
    columns, ignored); raises ImportFileError for a column given twice or a required one
    missing. `one_of` names groups of which at least one column is needed ({label shown when
    none is there: fields}). Other imports (regions, people) name their own columns with it."""
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for position, name in enumerate(header):
        field_name = header_to_field.get(header_key(name))
        if field_name is None:
            if name:
                ignored.append(name)
            continue
        if field_name in columns:
            raise ImportFileError(
                _("Two columns mean the same thing (%(field)s): keep only one.")
                % {"field": field_name}
            )
        columns[field_name] = position
    missing = [name for name in required if name not in columns]
    for label, fields in (one_of or {}).items():
        if not any(name in columns for name in fields):
            missing.append(label)
    if missing:
        raise ImportFileError(
            _(
                "Required columns are missing: %(columns)s. The first line of the file must "
                "name the columns, e.g. %(example)s."
            )
            % {"columns": ", ".join(missing), "example": example}
        )
    notes = []
    if ignored:
        notes.append(
            _("These columns are not imported and were ignored: %(columns)s.")
            % {"columns": ", ".join(ignored)}
        )
    return columns, notes


def shown(value: str) -> str:
    """A bad value quoted back in an error message, shortened."""
    return value if len(value) <= SHOWN_VALUE else value[: SHOWN_VALUE - 1] + "…"


def region_key(name: str) -> str:
    """A region's name as compared: "Kec. Metro Pusat" is "metro pusat"."""
    return REGION_PREFIX.sub("", " ".join(name.split())).casefold()


def check_row(values: dict[str, str], regions: Regions) -> tuple[dict[str, Any], list[str]]:
    """One row's normalised values and the problems found (empty when the row is valid)."""
    messages: list[str] = []
    row: dict[str, Any] = {}
    for check in (_check_identity, _check_region, _check_numbers, _check_coordinates):
        row.update(check(values, regions, messages))
    return row, messages


def _check_identity(values: dict[str, str], regions: Regions, messages: list[str]) -> dict:
    npsn, name = values["npsn"], values["name"]
    if not re.fullmatch(r"[0-9]{8}", npsn):
        messages.append(
            _("NPSN must be exactly 8 digits (found “%(value)s”).") % {"value": shown(npsn)}
        )
    if not name:
        messages.append(_("The school name is empty."))
    elif len(name) > MAX_NAME:
        messages.append(_("The school name is longer than %(max)d characters.") % {"max": MAX_NAME})
    level = LEVELS.get(values["level"].casefold())
    if level is None:
        messages.append(
            _("Unknown level (jenjang) “%(value)s”. Use one of: %(choices)s.")
            % {"value": shown(values["level"]), "choices": ", ".join(School.Level.values)}
        )
    status = STATUSES.get(values["status"].casefold())
    if status is None:
        messages.append(
            _("Status must be “negeri” or “swasta” (found “%(value)s”).")
            % {"value": shown(values["status"])}
        )
    address = values["address"]
    if len(address) > MAX_ADDRESS:
        messages.append(_("The address is longer than %(max)d characters.") % {"max": MAX_ADDRESS})
    return {"npsn": npsn, "name": name, "level": level, "status": status, "address": address}


def _check_region(values: dict[str, str], regions: Regions, messages: list[str]) -> dict:
    kecamatan = regions.kecamatan.get(region_key(values["kecamatan"]))
    if kecamatan is None:
        messages.append(
            _(
                "Unknown kecamatan “%(value)s”. The register has: %(choices)s. A new "
                "kecamatan is added on the Regions page first."
            )
            % {
                "value": shown(values["kecamatan"]),
                "choices": ", ".join(sorted(k.name for k in regions.kecamatan.values())),
            }
        )
        return {"kecamatan": None, "kecamatan_code": None, "kelurahan": "", "kelurahan_code": ""}
    kelurahan = None
    if values["kelurahan"]:
        kelurahan = regions.kelurahan.get((kecamatan.pk, region_key(values["kelurahan"])))
        if kelurahan is None:
            messages.append(
                _(
                    "Kelurahan “%(value)s” is not in kecamatan %(kecamatan)s, which has: "
                    "%(choices)s."
                )
                % {
                    "value": shown(values["kelurahan"]),
                    "kecamatan": kecamatan.name,
                    "choices": regions.kelurahan_names(kecamatan),
                }
            )
    return {
        "kecamatan": kecamatan.name,
        "kecamatan_code": kecamatan.code,
        "kelurahan": kelurahan.name if kelurahan else "",
        "kelurahan_code": kelurahan.code if kelurahan else "",
    }


def _whole_number(value: str, maximum: int) -> int | None:
    """Digits only: "1.234" could be 1234 or 1,234 depending on the locale, so it is refused."""
    if re.fullmatch(r"[0-9]{1,9}", value) and int(value) <= maximum:
        return int(value)
    return None


def _check_numbers(values: dict[str, str], regions: Regions, messages: list[str]) -> dict:
    students = share = None
    if values["students"]:
        students = _whole_number(values["students"], MAX_STUDENTS)
        if students is None:
            messages.append(
                _(
                    "Number of pupils must be a whole number from 0 to 100000, without dots "
                    "or commas (found “%(value)s”)."
                )
                % {"value": shown(values["students"])}
            )
    if values["socioeconomic_share"]:
        share = _whole_number(values["socioeconomic_share"], 100)
        if share is None:
            messages.append(
                _(
                    "The share of pupils receiving PIP/KIP must be a whole number from 0 to "
                    "100, without decimals or a percent sign (found “%(value)s”)."
                )
                % {"value": shown(values["socioeconomic_share"])}
            )
    return {"students": students, "socioeconomic_share": share}


def _decimal(value: str) -> Decimal | None:
    """A coordinate with a decimal point or, as Indonesian spreadsheets write it, a comma."""
    try:
        number = Decimal(value.replace(",", "."))
        if not number.is_finite() or abs(number) > 180:
            return None
        return number.quantize(Decimal("0.0000001"))
    except InvalidOperation:
        return None


def _check_coordinates(values: dict[str, str], regions: Regions, messages: list[str]) -> dict:
    raw_lat, raw_lon = values["latitude"], values["longitude"]
    empty = {"latitude": None, "longitude": None}
    if not raw_lat and not raw_lon:
        return empty
    if not raw_lat or not raw_lon:
        messages.append(_("Fill in both latitude and longitude, or leave both empty."))
        return empty
    latitude, longitude = _decimal(raw_lat), _decimal(raw_lon)
    for raw, number, label in (
        (raw_lat, latitude, _("Latitude")),
        (raw_lon, longitude, _("Longitude")),
    ):
        if number is None:
            messages.append(
                _("%(label)s must be a decimal number such as -5.1135 (found “%(value)s”).")
                % {"label": label, "value": shown(raw)}
            )
    if latitude is None or longitude is None:
        return empty
    kecamatan = regions.kecamatan.get(region_key(values["kecamatan"]))
    try:
        validate_in_area(latitude, longitude, kecamatan.code if kecamatan else KOTA_METRO_CODE)
    except ValidationError as exc:
        messages.extend(exc.messages)
        return empty
    return {"latitude": str(latitude), "longitude": str(longitude)}


# --- applying ------------------------------------------------------------------------------


def progress_key(batch_id: UUID | str) -> str:
    return f"school-import-progress:{batch_id}"


def progress_of(batch: ImportBatch) -> int:
    """Rows applied so far. While applying it comes from the cache: the batch row written
    inside the still-open transaction would be invisible to the page asking."""
    if batch.state == ImportBatch.State.APPLYING:
        try:
            return cache.get(progress_key(batch.pk), 0)
        except Exception:  # the cache is a nicety: without it the bar just waits
            return 0
    return batch.progress


def _report_progress(key: str, done: int) -> None:
    try:
        cache.set(key, done, PROGRESS_TIMEOUT)
    except Exception:  # never fail an import because the cache (Redis) is away
        log.warning("import progress not cached")


def create_batch(filename: str, result: ImportResult, *, by=None) -> ImportBatch:
    """Keep the checked rows and errors, not the file: the preview and the apply need only
    these, and an uploaded file lying around is one more thing to protect."""
    state = ImportBatch.State.VALID if result.is_valid else ImportBatch.State.INVALID
    return ImportBatch.objects.create(
        filename=PurePath(filename).name[:200],
        uploaded_by=by,
        state=state,
        rows=result.rows,
        errors=result.errors,
        total=result.total,
    )


def apply_batch(batch_id: UUID | str, *, by=None) -> ImportBatch | None:
    """Apply a valid (or earlier failed) batch once. The conditional UPDATE makes a message
    delivered twice, or a second click, do nothing; returns None when it was not ours."""
    state = ImportBatch.State
    claimed = ImportBatch.objects.filter(pk=batch_id, state__in=[state.VALID, state.FAILED]).update(
        state=state.APPLYING, progress=0
    )
    if not claimed:
        return None
    batch = ImportBatch.objects.get(pk=batch_id)
    key = progress_key(batch.pk)
    _report_progress(key, 0)
    try:
        with transaction.atomic():
            created, updated = apply_rows(
                batch.rows,
                source=f"import: {batch.filename} ({timezone.localdate():%Y-%m-%d})",
                on_progress=lambda done: _report_progress(key, done),
            )
            audit.record("school_import.applied", actor=by, obj=batch)
    except Exception:
        # Nothing was written (one transaction); the details go to the log, not the page.
        log.exception("school import %s failed", batch.pk)
        ImportBatch.objects.filter(pk=batch.pk).update(state=state.FAILED, progress=0)
    else:
        ImportBatch.objects.filter(pk=batch.pk).update(
            state=state.APPLIED,
            progress=len(batch.rows),
            created=created,
            updated=updated,
            applied_at=timezone.now(),
        )
    _report_progress(key, len(batch.rows))
    batch.refresh_from_db()
    return batch


def apply_rows(
    rows: list[dict[str, Any]],
    *,
    source: str = "",
    on_progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Upsert all rows by NPSN in one transaction and recompute the priority of the schools
    added or changed; returns (created, updated). A known school whose values do not change
    is neither written nor counted, so applying the same file again costs little."""
    kecamatan_ids = dict(Kecamatan.objects.values_list("code", "pk"))
    kelurahan_ids = dict(Kelurahan.objects.values_list("code", "pk"))
    npsns = [row["npsn"] for row in rows]
    created = updated = 0
    touched: list[str] = []
    with transaction.atomic():
        existing = {
            school.npsn: school
            for school in School.objects.select_for_update().filter(npsn__in=npsns)
        }
        for start in range(0, len(rows), PROGRESS_EVERY):
            new, changed = [], []
            now = timezone.now()
            for row in rows[start : start + PROGRESS_EVERY]:
                values = _model_values(row, kecamatan_ids, kelurahan_ids)
                school = existing.get(row["npsn"])
                if school is None:
                    new.append(
                        School(npsn=row["npsn"], source=source[:300], updated_at=now, **values)
                    )
                elif changes := _changes(school, values):
                    # One small UPDATE per changed school: far cheaper than bulk_update's
                    # CASE over every field, and unchanged schools cost nothing.
                    School.objects.filter(pk=school.pk).update(**changes, updated_at=now)
                    changed.append(row["npsn"])
            School.objects.bulk_create(new)
            ids = [school.pk for school in new] + [existing[npsn].pk for npsn in changed]
            # Every domain: a school's level or kecamatan groups its visits and cases too.
            tallies.changed(School.tally_domains, ids)
            touched += [school.npsn for school in new] + changed
            created, updated = created + len(new), updated + len(changed)
            if on_progress is not None:
                on_progress(min(start + PROGRESS_EVERY, len(rows)))
        if touched:
            priority.recompute(School.objects.filter(npsn__in=touched))
    return created, updated


def _model_values(
    row: dict[str, Any], kecamatan_ids: dict[str, int], kelurahan_ids: dict[str, int]
) -> dict[str, Any]:
    """The model values a row sets; optional cells left empty are omitted (kept as known).
    Foreign keys by id, so comparing them with a known school costs no query."""
    values: dict[str, Any] = {
        "name": row["name"],
        "level": row["level"],
        "status": row["status"],
        "kecamatan_id": kecamatan_ids[row["kecamatan_code"]],
    }
    if row["kelurahan_code"]:
        values["kelurahan_id"] = kelurahan_ids[row["kelurahan_code"]]
    if row["address"]:
        values["address"] = row["address"]
    for name in ("students", "socioeconomic_share"):
        if row[name] is not None:
            values[name] = row[name]
    if row["latitude"] is not None:
        values["latitude"] = Decimal(row["latitude"])
        values["longitude"] = Decimal(row["longitude"])
    return values


def _changes(school: School, values: dict[str, Any]) -> dict[str, Any]:
    """The values that differ from what a known school has."""
    if values["kecamatan_id"] != school.kecamatan_id and "kelurahan_id" not in values:
        values = {**values, "kelurahan_id": None}  # the old kelurahan is in another kecamatan
    return {name: value for name, value in values.items() if getattr(school, name) != value}
