"""`manage.py import_schools FILE [--apply]`: the web import, for scripts.

Without --apply it only checks the file and prints the report. The exit status is non-zero
when the file cannot be read or has errors, so a script can stop there; nothing is changed
in that case, with or without --apply.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from peksos.core import audit
from schools import importer
from schools.models import ImportBatch


class Command(BaseCommand):
    help = "Check a CSV or XLSX file of schools and, with --apply, upsert them by NPSN."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a .csv or .xlsx file")
        parser.add_argument(
            "--apply", action="store_true", help="apply the file when every row is valid"
        )

    def handle(self, *args, file: Path, apply: bool, **options) -> None:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        try:
            result = importer.check_file(file.name, data)
        except importer.ImportFileError as exc:
            raise CommandError(f"{file}: {exc.message}") from None
        self._report(result)
        if not result.is_valid:
            raise CommandError(
                _("%(file)s: %(lines)d line(s) with errors; nothing was changed.")
                % {"file": file, "lines": len(result.errors)}
            )
        if not apply:
            self.stdout.write(_("The file is valid. Run again with --apply to import it."))
            return
        with transaction.atomic():
            batch = importer.create_batch(file.name, result)
            audit.record("school_import.upload", obj=batch)
        batch = importer.apply_batch(batch.pk)
        if batch is None or batch.state != ImportBatch.State.APPLIED:
            raise CommandError(_("Applying the file failed; nothing was changed (see the log)."))
        self.stdout.write(
            self.style.SUCCESS(
                _("Applied: %(created)d added, %(updated)d updated, %(unchanged)d unchanged.")
                % {
                    "created": batch.created,
                    "updated": batch.updated,
                    "unchanged": batch.total - batch.created - batch.updated,
                }
            )
        )

    def _report(self, result: importer.ImportResult) -> None:
        for note in result.notes:
            self.stdout.write(note)
        for error in result.errors:
            for message in error["messages"]:
                self.stdout.write(
                    _("line %(line)d: %(message)s") % {"line": error["line"], "message": message}
                )
        self.stdout.write(
            _("%(total)d rows: %(valid)d valid, %(invalid)d with errors.")
            % {"total": result.total, "valid": len(result.rows), "invalid": len(result.errors)}
        )
