"""Thin Celery tasks of the visit plan.

`send_visit_reminders` runs once a day (Celery beat: `visits.tasks.send_visit_reminders`,
e.g. at 07:00 WIB): every agreed visit of tomorrow gets one reminder e-mail to its team.
"""

from celery import shared_task

from . import services


@shared_task(name="visits.tasks.send_visit_reminders")
def send_visit_reminders() -> int:
    return services.remind_tomorrows_visits()
