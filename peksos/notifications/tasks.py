"""Thin Celery task of the notifications: the daily e-mail (Celery beat:
`peksos.notifications.tasks.send_daily_summaries`, once a day in the afternoon, WIB)."""

from celery import shared_task

from . import services


@shared_task(name="peksos.notifications.tasks.send_daily_summaries")
def send_daily_summaries() -> int:
    return services.send_daily_summaries()
