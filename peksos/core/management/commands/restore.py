"""`manage.py restore FILE`: replace the database's content with a backup (`make restore`)."""

from django.core.management.base import BaseCommand, CommandError

from peksos.core import backup


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup`, replacing everything in the database."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", default=True
        )

    def handle(self, *args, file, interactive=True, **options):
        name = backup.database()["NAME"]
        if interactive:
            answer = input(f"This replaces everything in the database {name}. Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("restore cancelled")
        try:
            backup.restore(file)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        tables = backup.fingerprints()
        rows = sum(f.rows for n, f in tables.items() if not n.startswith("sequence:"))
        self.stdout.write(f"restored {file} into {name}: {len(tables)} tables, {rows} rows")
