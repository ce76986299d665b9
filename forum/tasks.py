from celery import shared_task

from . import services


@shared_task(name="forum.tasks.remind_unanswered")
def remind_unanswered() -> int:
    """Questions without an answer after N days (FORUM_UNANSWERED_DAYS, default 2): e-mail
    the staff once per question. Idempotent: questions are claimed with a conditional UPDATE."""
    return services.remind_unanswered()
