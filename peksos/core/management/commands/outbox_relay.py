import time

from django.core.management.base import BaseCommand

from peksos.core.outbox import relay_due


class Command(BaseCommand):
    help = "Publish due outbox messages to Celery (once, or in a loop with --loop)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep relaying")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between passes")

    def handle(self, *args, loop: bool, interval: float, **options):
        while True:
            published = relay_due()
            if published or not loop:
                self.stdout.write(f"relayed {published} message(s)")
            if not loop:
                return
            time.sleep(interval)
