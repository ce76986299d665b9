from celery import shared_task

from . import retention, services


@shared_task(name="sosdesk.tasks.escalate_overdue_cases")
def escalate_overdue_cases() -> int:
    return services.escalate_overdue()


@shared_task(name="sosdesk.tasks.refresh_desks_working")
def refresh_desks_working() -> int:
    """Daily: a desk whose term ended stops counting as working (School.has_sos_desk)."""
    return services.desks_refresh_working()


@shared_task(name="sosdesk.tasks.destroy_expired_cases")
def destroy_expired_cases() -> int:
    """Daily: destroy closed cases past their retention period (idempotent)."""
    return retention.destroy_expired().count


@shared_task(name="sosdesk.tasks.render_case_document")
def render_case_document(message_id: str) -> None:
    """A case's examination report or recommendation letter (sosdesk/procedure/documents.py)."""
    from peksos.core import outbox

    from .procedure import documents

    with outbox.claim(message_id) as message:
        if message is None:
            return
        documents.render_document(message.payload["document"])
