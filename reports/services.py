"""Asking for a report and running it again: the row, its outbox message and the audit row
in one transaction (docs/design.md §3.3, §5). The PDF itself is made by a worker, never here."""

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from peksos.accounts.models import User
from peksos.core import audit

from .models import Report
from .tasks import enqueue_render


def report_request(*, fields: dict, by: User, request: HttpRequest | None = None) -> Report:
    """Create the report and queue its rendering. A repeated submit of the same form (same
    idempotency key) returns the report it created the first time."""
    key = fields.get("idempotency_key")
    with transaction.atomic():
        if key and (existing := Report.objects.filter(idempotency_key=key).first()):
            return existing
        report = Report.objects.create(requested_by=by, **fields)
        enqueue_render(report)
        audit.record("report_requested", request=request, actor=by, obj=report)
    return report


def report_run_again(*, report: Report, by: User, request: HttpRequest | None = None) -> bool:
    """A failed report, or a finished one whose file has expired, goes back to the queue.
    False when it is not in such a state (a double click, or another person was quicker)."""
    now = timezone.now()
    again = Q(state=Report.State.FAILED) | Q(state=Report.State.DONE) & (
        Q(file="") | Q(expires_at__lt=now)
    )
    with transaction.atomic():
        moved = (
            Report.objects.filter(pk=report.pk)
            .filter(again)
            .update(
                state=Report.State.QUEUED,
                error="",
                sections_done=0,
                current_section="",
                started_at=None,
                finished_at=None,
                run_token=None,
            )
        )
        if not moved:
            return False
        enqueue_render(report)
        audit.record("report_run_again", request=request, actor=by, obj=report)
    return True
