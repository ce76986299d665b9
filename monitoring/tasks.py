"""Thin Celery tasks of monitoring (scheduled by beat, settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import observations, retention


@shared_task(name="monitoring.tasks.remind_observations")
def remind_observations() -> int:
    """Remind teachers and parents, once, of an observation still unanswered."""
    return observations.remind_observations()


@shared_task(name="monitoring.tasks.destroy_expired_records")
def destroy_expired_records() -> int:
    """Destroy closed records past their retention period (idempotent)."""
    return retention.destroy_expired().count
