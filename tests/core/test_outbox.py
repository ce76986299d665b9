"""The outbox relay: sent once after commit, retried while the broker is down, never twice."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from peksos.core import outbox
from peksos.core.models import OutboxMessage
from peksos.core.tasks import send_email

State = OutboxMessage.State


def queue_email(**kwargs) -> OutboxMessage:
    return outbox.enqueue_email(to=["kepsek@example.org"], subject="Jadwal", body="Halo", **kwargs)


def test_sent_once_after_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = queue_email()
        assert mail.outbox == []  # nothing leaves before the commit
    message.refresh_from_db()
    assert message.state == State.DONE
    assert message.attempts == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Jadwal"


def test_rolled_back_transaction_sends_nothing(db, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue_email()
        raise RuntimeError
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_broker_down_keeps_the_message_and_retries_later(
    db, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_email()  # the after-commit nudge fails quietly
    assert outbox.relay_due() == 0
    message.refresh_from_db()
    assert message.state == State.PENDING
    assert message.attempts == 1
    assert message.available_at > timezone.now()
    assert message.last_error, message.last_error  # the broker error, never the payload
    assert mail.outbox == []

    # The broker is back (tasks run in-process here) and the back-off has passed.
    broker_down.update(task_always_eager=True)
    assert outbox.relay_due() == 0  # still backing off
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        assert outbox.relay_due() == 1
    message.refresh_from_db()
    assert message.state == State.DONE
    assert len(mail.outbox) == 1


def test_a_message_published_twice_is_sent_once(db):
    message = queue_email()
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=State.DISPATCHED, dispatched_at=timezone.now()
    )
    send_email.apply(args=[str(message.pk)])
    send_email.apply(args=[str(message.pk)])
    assert len(mail.outbox) == 1
    assert outbox.relay_due() == 0  # done messages are not relayed again
    assert len(mail.outbox) == 1


def test_a_failing_send_goes_back_to_pending_then_fails_for_good(db, settings, monkeypatch):
    settings.OUTBOX_MAX_ATTEMPTS = 2

    def smtp_down(self, *args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", smtp_down)
    message = queue_email()
    outbox.relay_due()
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.PENDING, 1)
    assert message.payload["subject"] == "Jadwal"  # kept for the retry
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        outbox.relay_due()
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.FAILED, 2)


def test_stale_dispatched_messages_are_relayed_again(db):
    message = queue_email()
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=State.DISPATCHED, dispatched_at=timezone.now() - timedelta(hours=1)
    )
    assert outbox.relay_due() == 1
    message.refresh_from_db()
    assert message.state == State.DONE
    assert len(mail.outbox) == 1


def test_relay_command_runs_once(db):
    from io import StringIO

    from django.core.management import call_command

    queue_email()
    out = StringIO()
    call_command("outbox_relay", stdout=out)
    assert "relayed 1" in out.getvalue()
    assert len(mail.outbox) == 1


def test_after_a_failed_nudge_requests_stop_waiting_for_the_broker(
    db, broker_down, django_capture_on_commit_callbacks, monkeypatch
):
    from peksos.core.outbox import task_for

    calls = []
    task = task_for("peksos.core.tasks.relay_outbox")
    original = task.apply_async
    monkeypatch.setattr(task, "apply_async", lambda *a, **k: calls.append(1) or original(*a, **k))
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            queue_email()
    assert len(calls) == 1  # one failed publish, then the relay is left to beat
    assert OutboxMessage.objects.filter(state=State.PENDING).count() == 3
