"""`manage.py import_users FILE [--apply]`: the web import of people, for scripts.

Without --apply it only checks the file. The exit status is non-zero when the file cannot be
read or has errors (every bad line is printed); nothing changes then, with or without --apply.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from peksos.core import audit
from people import importer
from people.models import UserImport


class Command(BaseCommand):
    help = "Check a CSV or XLSX file of people and, with --apply, create and invite them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a .csv or .xlsx file")
        parser.add_argument("--apply", action="store_true", help="apply when every line is valid")

    def handle(self, *args, file: Path, apply: bool, **options) -> None:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        try:
            result = importer.check_file(file.name, data)
        except importer.ImportFileError as exc:
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
                % {"file": file, "lines": len(result.errors)}
            )
        if not apply:
            self.stdout.write(_("The file is valid. Run again with --apply to import it."))
            return
        with transaction.atomic():
            batch = importer.create_import(file.name, result, by=None)
            audit.record("people_import_upload", obj=batch)
        batch = importer.apply_import(batch, by=None)
        if batch.state != UserImport.State.APPLIED:
            raise CommandError(_("The register changed meanwhile; nothing was changed."))
        self.stdout.write(
            self.style.SUCCESS(
                _("Applied: %(people)d people invited, %(memberships)d school memberships added.")
                % {"people": batch.people_created, "memberships": batch.memberships_added}
            )
        )
