import time

from django.core.management.base import BaseCommand

from home.dashboards import refresh_register_aggregates


class Command(BaseCommand):
    help = (
        "Compute the missing cached parts of the register-wide figures (dashboard, compliance "
        "board, SOS Desk figures); --all computes every part again. Celery beat does this "
        "every 30 minutes; run it after a deployment at national size."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="every part, not only missing")

    def handle(self, *args, all: bool, **options):  # the option's name
        started = time.perf_counter()
        last_id = refresh_register_aggregates(everything=all)
        self.stdout.write(
            f"register-wide figures ready up to school id {last_id} "
            f"in {time.perf_counter() - started:.1f} s"
        )
