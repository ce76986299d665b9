"""Thin Celery tasks of the core: e-mail delivery from the outbox, and the relay itself."""

from celery import shared_task
from django.core.mail import EmailMultiAlternatives

from . import outbox


@shared_task(name="peksos.core.tasks.send_email")
def send_email(message_id: str) -> None:
    with outbox.claim(message_id, clear_payload=True) as message:
        if message is None:
            return
        data = message.payload
        email = EmailMultiAlternatives(subject=data["subject"], body=data["body"], to=data["to"])
        if data.get("html"):
            email.attach_alternative(data["html"], "text/html")
        email.send()


@shared_task(name="peksos.core.tasks.relay_outbox")
def relay_outbox() -> int:
    return outbox.relay_due()


@shared_task(name="peksos.core.tasks.compact_tallies")
def compact_tallies() -> int:
    """Every minute: the register-wide figures' delta rows folded into one per key."""
    from . import tally_compaction

    return tally_compaction.compact()
