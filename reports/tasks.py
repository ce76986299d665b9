"""Thin Celery tasks of the reports: render a requested report, and the monthly city report.

A report's task is started by the outbox relay (the request wrote the report row and its
outbox message in one transaction). The task claims the message, then the report
(`builder.run` claims the row with a conditional UPDATE), so a message delivered twice, or a
retry after a killed worker, renders one PDF.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from peksos.core import outbox

from . import builder
from .models import PeriodKind, Report, month_bounds

log = logging.getLogger(__name__)

RENDER_TASK = "reports.tasks.render_report"
# A running report this old has outlived every redelivery of its message: it is failed so
# that nothing stays "running" for ever (the person can retry it).
ABANDONED_AFTER = timedelta(hours=2)


def enqueue_render(report: Report) -> None:
    """Inside the caller's transaction: the task is sent by the relay after commit."""
    outbox.enqueue(RENDER_TASK, {"report": str(report.pk)})


@shared_task(name=RENDER_TASK)
def render_report(message_id: str) -> None:
    with outbox.claim(message_id) as message:
        if message is None:
            return
        builder.run(message.payload["report"])


@shared_task(name="reports.tasks.monthly_city_report")
def monthly_city_report() -> str | None:
    """Last month's city report for the Koordinators (one report, visible to all of them).

    Beat runs this daily: creating the report is idempotent (one monthly report per period,
    a unique constraint), so a day missed by beat is caught up the next day. The same run
    deletes expired report files and fails reports abandoned in "running".
    """
    purge_expired_files()
    fail_abandoned()
    start, end = month_bounds(timezone.localdate().replace(day=1) - timedelta(days=1))
    if Report.objects.filter(monthly=True, kind=Report.Kind.CITY, period_start=start).exists():
        return None
    try:
        with transaction.atomic():
            report = Report.objects.create(
                kind=Report.Kind.CITY,
                period_kind=PeriodKind.MONTH,
                period_start=start,
                period_end=end,
                monthly=True,
            )
            enqueue_render(report)
    except IntegrityError:  # another beat run created it a moment ago
        return None
    log.info("monthly city report %s queued for %s", report.pk, start)
    return str(report.pk)


def purge_expired_files(now=None) -> int:
    """Delete the files of reports past their keeping date; the rows stay as history."""
    count = 0
    for report in Report.objects.expired(now).only("pk", "file"):
        report.file.storage.delete(report.file.name)  # a disk or the bucket; gone is fine
        count += Report.objects.filter(pk=report.pk, file=report.file.name).update(file="")
    return count


def fail_abandoned(now=None) -> int:
    now = now or timezone.now()
    with override("id"):
        message = _("The report was interrupted. Ask for it again.")
    return Report.objects.filter(
        state=Report.State.RUNNING, started_at__lt=now - ABANDONED_AFTER
    ).update(state=Report.State.FAILED, error=message, finished_at=now, run_token=None)
