from celery import shared_task

from . import services


@shared_task(name="sosdesk.tasks.escalate_overdue_cases")
def escalate_overdue_cases() -> int:
    return services.escalate_overdue()


@shared_task(name="sosdesk.tasks.refresh_desks_working")
def refresh_desks_working() -> int:
    """Daily: a desk whose term ended stops counting as working (School.has_sos_desk)."""
    return services.desks_refresh_working()
