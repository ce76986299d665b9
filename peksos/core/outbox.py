"""The outbox: side effects written in the caller's transaction, delivered after it commits.

    outbox.enqueue("peksos.core.tasks.send_email", {...})    # inside the request's transaction

Nothing is sent from inside a request: with Redis down the row waits and the relay (beat,
every few seconds, or `manage.py outbox_relay --loop`) delivers it when Redis is back.
Tasks claim their row (`claim`) so that a message published twice is carried out once.
"""

import contextlib
import importlib
import logging
from collections.abc import Iterator
from datetime import timedelta
from uuid import UUID

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxMessage

log = logging.getLogger(__name__)
State = OutboxMessage.State

# A dispatched message whose task never started (message lost with a dead broker) and a
# running one whose worker died are put back after these.
STALE_DISPATCHED = timedelta(minutes=10)
STALE_RUNNING = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def enqueue(kind: str, payload: dict, *, delay: timedelta | None = None) -> OutboxMessage:
    """Record a side effect in the current transaction; it is relayed after commit."""
    message = OutboxMessage.objects.create(
        kind=kind, payload=payload, available_at=timezone.now() + (delay or timedelta())
    )
    transaction.on_commit(nudge_relay)
    return message


def enqueue_email(*, to: list[str], subject: str, body: str, html: str = "") -> OutboxMessage:
    return enqueue(
        "peksos.core.tasks.send_email",
        {"to": to, "subject": subject, "body": body, "html": html},
    )


# After a failed nudge, this process stops nudging for a while: with the broker down every
# publish attempt would make the person waiting for the page wait for a timeout too.
NUDGE_PAUSE = timedelta(seconds=30)
_nudges_paused_until = None


def nudge_relay() -> None:
    """After a commit, try to deliver at once; if the broker is away, beat retries later."""
    global _nudges_paused_until
    if current_app.conf.task_always_eager:
        relay_due()
        return
    now = timezone.now()
    if _nudges_paused_until and now < _nudges_paused_until:
        return
    try:
        task_for("peksos.core.tasks.relay_outbox").apply_async(retry=False)
    except Exception as exc:  # broker down: the row waits, nothing is lost
        _nudges_paused_until = now + NUDGE_PAUSE
        log.warning("outbox nudge not sent (%s); beat will relay", type(exc).__name__)


def task_for(kind: str):
    """The Celery task named `kind` (a dotted path), importing its module if needed."""
    importlib.import_module(kind.rsplit(".", 1)[0])
    return current_app.tasks[kind]


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(15 * 2 ** max(attempts - 1, 0), 3600))


def requeue_stale() -> int:
    now = timezone.now()
    n = OutboxMessage.objects.filter(
        state=State.DISPATCHED, dispatched_at__lt=now - STALE_DISPATCHED
    ).update(state=State.PENDING)
    n += OutboxMessage.objects.filter(
        state=State.RUNNING, started_at__lt=now - STALE_RUNNING
    ).update(state=State.PENDING)
    return n


def relay_due(limit: int = 200) -> int:
    """Publish due messages to their tasks. Returns how many were published."""
    requeue_stale()
    now = timezone.now()
    with transaction.atomic():
        due = list(
            OutboxMessage.objects.due()
            .select_for_update(skip_locked=True)
            .values_list("id", "kind")[:limit]
        )
        OutboxMessage.objects.filter(id__in=[i for i, _ in due]).update(
            state=State.DISPATCHED, dispatched_at=now, attempts=F("attempts") + 1
        )
    published = 0
    for message_id, kind in due:
        try:
            task_for(kind).apply_async(args=[str(message_id)], retry=False)
            published += 1
        except Exception as exc:
            _give_back(message_id, exc, from_state=State.DISPATCHED)
    return published


def _give_back(message_id: UUID | str, exc: BaseException, *, from_state: str) -> None:
    message = OutboxMessage.objects.filter(id=message_id, state=from_state).first()
    if message is None:
        return
    exhausted = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    OutboxMessage.objects.filter(id=message_id, state=from_state).update(
        state=State.FAILED if exhausted else State.PENDING,
        available_at=timezone.now() + backoff(message.attempts),
        last_error=f"{type(exc).__name__}: {exc}"[:500],
    )
    log.warning("outbox message %s not delivered: %s", message_id, type(exc).__name__)


@contextlib.contextmanager
def claim(message_id: UUID | str, *, clear_payload: bool = False) -> Iterator[OutboxMessage | None]:
    """Claim a dispatched message for this task run; yields None if it was already taken.

    On success the message is done (its payload cleared if asked: e-mails may hold reset
    links); on an exception it goes back to pending with a back-off, and the exception is
    swallowed so that Celery does not retry on top of the outbox.
    """
    claimed = OutboxMessage.objects.filter(id=message_id, state=State.DISPATCHED).update(
        state=State.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        yield None
        return
    message = OutboxMessage.objects.get(id=message_id)
    try:
        yield message
    except Exception as exc:
        _give_back(message_id, exc, from_state=State.RUNNING)
        return
    done = {"state": State.DONE, "done_at": timezone.now(), "last_error": ""}
    if clear_payload:
        done["payload"] = {}
    OutboxMessage.objects.filter(id=message_id, state=State.RUNNING).update(**done)
