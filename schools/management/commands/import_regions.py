"""`manage.py import_regions FILE [--apply]` and `manage.py import_regions --kota-metro
[--apply]`: the regions import of /wilayah/impor/, for scripts and a new installation.

FILE has the columns kode, nama, induk (schools.region_import). `--kota-metro` reads Kota
Metro's five kecamatan and their kelurahan shipped in schools/fixtures/ instead. Without
--apply only the check is printed. The exit status is non-zero when the file cannot be read or
has errors; nothing is changed then. Applying the same regions again changes nothing.
"""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from peksos.core import audit
from schools import region_import
from schools.models import RegionImport
from schools.seed import REGIONS_CSV


def kota_metro_rows() -> list[dict]:
    """The shipped Kota Metro regions as rows of a regions file (line 2 onwards)."""
    with REGIONS_CSV.open(newline="", encoding="utf-8") as handle:
        return [
            {
                "line": line,
                "code": row["code"],
                "name": row["kelurahan"] or row["kecamatan"],
                "parent": row["kecamatan"] if row["kelurahan"] else "",
            }
            for line, row in enumerate(csv.DictReader(handle), start=2)
        ]


class Command(BaseCommand):
    help = "Check a CSV or XLSX file of kecamatan and kelurahan and, with --apply, add them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, nargs="?", help="a .csv or .xlsx file")
        parser.add_argument(
            "--kota-metro", action="store_true", help="Kota Metro's regions shipped with PEKSOS"
        )
        parser.add_argument("--apply", action="store_true", help="apply when every row is valid")

    def handle(self, *args, file: Path | None, kota_metro: bool, apply: bool, **options):
        if kota_metro == (file is not None):
            raise CommandError("Give a FILE or --kota-metro (one of them).")
        if kota_metro:
            name, result = REGIONS_CSV.name, region_import.check_rows(kota_metro_rows())
        else:
            try:
                data = file.read_bytes()
            except OSError as exc:
                raise CommandError(f"{file}: {exc.strerror}") from None
            try:
                name, result = file.name, region_import.check_file(file.name, data)
            except region_import.ImportFileError as exc:
                raise CommandError(f"{file}: {exc.message}") from None
        for note in result.notes:
            self.stdout.write(note)
        for error in result.errors:
            for message in error["messages"]:
                self.stdout.write(
                    _("line %(line)d: %(message)s") % {"line": error["line"], "message": message}
                )
        if not result.is_valid:
            raise CommandError(
                _("%(file)s: %(lines)d line(s) with errors; nothing was changed.")
                % {"file": name, "lines": len(result.errors)}
            )
        if not apply:
            self.stdout.write(_("The file is valid. Run again with --apply to import it."))
            return
        with transaction.atomic():
            batch = region_import.create_import(name, result, by=None)
            audit.record("region_import_upload", obj=batch)
        batch = region_import.apply_import(batch, by=None)
        if batch.state != RegionImport.State.APPLIED:
            raise CommandError(_("The regions changed meanwhile; nothing was changed."))
        self.stdout.write(
            self.style.SUCCESS(
                _("Applied: %(created)d regions added, %(updated)d changed.")
                % {"created": batch.created, "updated": batch.updated}
            )
        )
