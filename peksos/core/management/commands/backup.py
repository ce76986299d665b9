"""`manage.py backup [--output FILE]`: a full copy of the database (`make backup`)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from peksos.core import backup


class Command(BaseCommand):
    help = "Back up the database: pg_dump -Fc on PostgreSQL, the backup API on SQLite."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="file to write (default: var/backups/...)")

    def handle(self, *args, output=None, **options):
        path = Path(output) if output else backup.default_path()
        try:
            written = backup.backup(path)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        tables = backup.fingerprints()
        rows = sum(f.rows for name, f in tables.items() if not name.startswith("sequence:"))
        self.stdout.write(f"{written} ({written.stat().st_size} bytes, {rows} rows)")
