"""Thin Celery tasks of the school register: applying an approved import."""

from celery import shared_task

from peksos.accounts.models import User
from peksos.core import outbox

from . import importer

APPLY_IMPORT = "schools.tasks.apply_school_import"


@shared_task(name=APPLY_IMPORT)
def apply_school_import(message_id: str) -> None:
    """Apply the batch named in the outbox message (payload {"batch": id, "by": user id}).

    The message and then the batch are claimed with conditional UPDATEs, so a message
    delivered twice, or two messages for the same batch, apply it once. The user is only
    for the audit row of the apply."""
    with outbox.claim(message_id) as message:
        if message is None:
            return
        by = User.objects.filter(pk=message.payload.get("by")).first()
        importer.apply_batch(message.payload["batch"], by=by)


@shared_task(name="schools.tasks.check_tallies")
def check_tallies() -> list[str]:
    """Nightly: the register-wide figures derived again from the source rows, drift repaired
    and reported (schools/tallies_check.py)."""
    from . import tallies_check

    return tallies_check.check().lines()
