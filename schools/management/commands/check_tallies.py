"""`manage.py check_tallies`: what Celery beat runs nightly (schools/tallies_check.py), by
hand: after restoring a backup, or to see whether the register-wide figures drifted."""

from django.core.management.base import BaseCommand

from schools import tallies_check


class Command(BaseCommand):
    help = "Derive the register-wide figures again from the source rows; repair and report drift."

    def add_arguments(self, parser):
        parser.add_argument("--figure", action="append", help="only this figure (repeatable)")

    def handle(self, *args, **options):
        drift = tallies_check.check(options["figure"])
        for line in drift.lines():
            self.stdout.write(f"repaired {line}")
        self.stdout.write("no drift" if not drift else "drift repaired")
