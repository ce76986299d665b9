"""`manage.py media_bucket`: set up the private media bucket (settings.MEDIA_S3): created if
missing, every public access blocked, report files expired after REPORT_FILE_DAYS by a
lifecycle rule. Idempotent: run it with each release (docs/deployment.md)."""

from django.core.management.base import BaseCommand, CommandError

from peksos.core import objectstore


class Command(BaseCommand):
    help = "Create the private media bucket, block public access, expire report files."

    def add_arguments(self, parser):
        parser.add_argument("--report-days", type=int, help="default: REPORT_FILE_DAYS")

    def handle(self, *args, report_days=None, **options):
        if not objectstore.enabled():
            raise CommandError("MEDIA_S3_BUCKET is not set: media are on the disk.")
        done = objectstore.set_up_bucket(report_days)
        self.stdout.write(
            f"bucket {done['bucket']} ({'created' if done['created'] else 'existing'}): "
            f"private, report files expire after {done['report_days']} days"
        )
