"""Destroy closed SOS Desk cases whose retention period has ended.

    manage.py destroy_expired_cases --dry-run   # list what would be destroyed
    manage.py destroy_expired_cases             # destroy it

The same job runs daily from beat (`sosdesk.tasks.destroy_expired_cases`). Each case leaves
a destruction record and a `case_destroyed` audit row, never its text. The output lists
tracking codes only. See sosdesk/retention.py.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from sosdesk import retention


class Command(BaseCommand):
    help = "Destroy closed SOS Desk cases past SOSDESK_RETENTION_DAYS."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Change nothing; list the cases that would be destroyed.",
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        outcome = retention.destroy_expired(dry_run=dry_run)
        days = settings.SOSDESK_RETENTION_DAYS
        for code in outcome.codes:
            self.stdout.write(code)
        if dry_run:
            self.stdout.write(
                f"Dry run: {outcome.count} case(s) closed more than {days} day(s) ago "
                "would be destroyed."
            )
            return
        for code in outcome.held:
            self.stdout.write(f"{code} kept: a child's monitoring record still refers to it.")
        self.stdout.write(
            self.style.SUCCESS(f"Destroyed {outcome.count} case(s) (closed + {days} days).")
        )
