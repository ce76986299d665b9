"""Destroy closed children's records whose retention period has ended.

    manage.py destroy_expired_child_records --dry-run   # list what would be destroyed
    manage.py destroy_expired_child_records             # destroy it

The same job runs daily from beat (`monitoring.tasks.destroy_expired_records`). Each record
leaves a destruction record and a `child_record_destroyed` audit row, never its data. The
output lists record codes only (random, no name). See monitoring/retention.py.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from monitoring import retention


class Command(BaseCommand):
    help = "Destroy closed children's records past MONITORING_RETENTION_DAYS."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Change nothing; list the records that would be destroyed.",
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        outcome = retention.destroy_expired(dry_run=dry_run)
        days = settings.MONITORING_RETENTION_DAYS
        for code in outcome.codes:
            self.stdout.write(code)
        if dry_run:
            self.stdout.write(
                f"Dry run: {outcome.count} record(s) closed more than {days} day(s) ago "
                "would be destroyed."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Destroyed {outcome.count} record(s) (closed + {days} days).")
            )
