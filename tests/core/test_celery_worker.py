"""A real Celery worker against Redis: the outbox round trip, and a task delivered twice.

The worker runs in this process (solo pool, in a thread), on its own Redis database and its
own queue, so a dev worker on the same Redis cannot steal the test's tasks (docs/stack.md). Under
pytest-xdist the queue is named after the xdist worker too, and every key kombu writes (the
queue, its bindings, the unacked messages) carries the queue as a prefix: two xdist workers,
or two developers' runs, share Redis database 13 without meeting.
Django's locmem mail backend keeps `mail.outbox` in this process, so the test sees what the
worker thread sent.
"""

import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import kombu.pools
import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction
from django.utils import timezone

from peksos.accounts.models import Role
from peksos.celery import app
from peksos.core import outbox
from peksos.core.models import OutboxMessage
from tests.factories import make_user

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TEST_REDIS_DB = 13
WAIT_SECONDS = 20
SEND_EMAIL = "peksos.core.tasks.send_email"
RELAY_OUTBOX = "peksos.core.tasks.relay_outbox"
State = OutboxMessage.State
MAIN_THREAD = threading.get_ident()

# Celery settings the fixture changes, restored afterwards.
SAVED_CONF = (
    "broker_url",
    "broker_transport_options",
    "task_always_eager",
    "task_default_queue",
    "worker_enable_remote_control",
)


@dataclass
class Worker:
    app: object
    queue: str
    runs: list["Run"]
    lock: threading.Lock

    def finished(self, task_name: str) -> list["Run"]:
        with self.lock:
            return [run for run in self.runs if run.task == task_name]

    def ran_on_worker(self, run: "Run") -> bool:
        """Delivered by the broker on the test's queue and run in the worker's thread."""
        return not run.eager and run.routing_key == self.queue and run.thread != MAIN_THREAD


@dataclass(frozen=True)
class Run:
    task: str
    routing_key: str | None
    eager: bool
    thread: int


def own_database(url: str) -> str:
    """The Redis URL on the test's own database, unless TEST_REDIS_URL names one explicitly."""
    if os.environ.get("TEST_REDIS_URL"):
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{TEST_REDIS_DB}"))


def reset_broker_state() -> None:
    """Forget connections, producers and queue declarations built from the old settings."""
    kombu.pools.reset()  # kombu's global connection and producer pools, keyed by broker URL
    app._pool = None
    app.__dict__.pop("amqp", None)  # cached: holds the default queue and the router


def wait_until(condition: Callable[[], bool], what: str, timeout: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def celery_worker(redis_url, settings) -> Iterator[Worker]:
    broker = own_database(redis_url)
    xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    queue = f"peksos-test-{xdist_worker}-{uuid.uuid4().hex[:12]}"
    saved = {key: app.conf[key] for key in SAVED_CONF}
    runs: list[Run] = []
    lock = threading.Lock()

    def on_postrun(sender=None, **kwargs):
        request = sender.request
        run = Run(
            task=sender.name,
            routing_key=(request.delivery_info or {}).get("routing_key"),
            eager=bool(request.is_eager),
            thread=threading.get_ident(),
        )
        with lock:
            runs.append(run)

    def keep_logging(**kwargs):
        """A receiver here stops the embedded worker from hijacking the root logger."""

    settings.CELERY_TASK_ALWAYS_EAGER = False  # for code that reads the setting, not app.conf
    signals.task_postrun.connect(on_postrun, weak=False)
    signals.setup_logging.connect(keep_logging, weak=False)
    try:
        app.conf.update(
            broker_url=broker,
            broker_transport_options={
                **saved["broker_transport_options"],
                "global_keyprefix": f"{queue}:",
            },
            task_always_eager=False,
            task_default_queue=queue,
            worker_enable_remote_control=False,  # no pidbox queues in the shared Redis
        )
        reset_broker_state()
        with start_worker(
            app,
            pool="solo",
            perform_ping_check=False,
            queues=[queue],
            shutdown_timeout=10,
        ) as worker:
            assert worker.pool_cls.__module__.endswith("solo")
            yield Worker(app=app, queue=queue, runs=runs, lock=lock)
    finally:
        signals.task_postrun.disconnect(on_postrun)
        signals.setup_logging.disconnect(keep_logging)
        app.conf.update(saved)
        reset_broker_state()
        _drop_queue_keys(broker, queue)


def _drop_queue_keys(broker: str, queue: str) -> None:
    import redis

    client = redis.Redis.from_url(broker, socket_connect_timeout=1)
    try:
        keys = list(client.scan_iter(match=f"*{queue}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


# The tests wait on the worker's task_postrun records, not by polling the database: on
# SQLite (shared-cache in-memory test database) a read from this thread while the worker
# thread writes fails at once with "database table is locked". Once a task has finished the
# worker is idle and the database can be read safely.


# --- The tests ----------------------------------------------------------------------------


def test_outbox_email_goes_through_a_real_worker(celery_worker):
    user = make_user("koordinator_ani", Role.KOORDINATOR)
    with transaction.atomic():
        message = outbox.enqueue_email(
            to=[user.email], subject="Uji pengiriman", body="Pesan uji dari outbox."
        )
    # The commit's on_commit nudge publishes relay_outbox to the worker, whose relay_due
    # publishes send_email, which the worker runs.
    wait_until(lambda: celery_worker.finished(SEND_EMAIL), "send_email to run on the worker")

    message.refresh_from_db()
    assert message.state == State.DONE, message.last_error
    assert message.payload == {}  # e-mails may hold reset links: cleared once sent
    assert message.attempts == 1
    assert message.done_at is not None
    assert message.last_error == ""

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [user.email]
    assert sent.subject == "Uji pengiriman"
    assert sent.body == "Pesan uji dari outbox."

    # Both steps really went through Redis and ran on the worker, not eagerly here.
    ran = celery_worker.finished(RELAY_OUTBOX) + celery_worker.finished(SEND_EMAIL)
    assert [run.task for run in ran] == [RELAY_OUTBOX, SEND_EMAIL]
    assert all(celery_worker.ran_on_worker(run) for run in ran), ran


def test_a_message_published_twice_is_sent_once(celery_worker):
    with transaction.atomic():
        # Not due for an hour, so the relay nudged by this commit leaves it alone.
        message = outbox.enqueue(
            SEND_EMAIL,
            {"to": ["ani@example.org"], "subject": "Sekali saja", "body": "Isi", "html": ""},
            delay=timedelta(hours=1),
        )
    wait_until(lambda: celery_worker.finished(RELAY_OUTBOX), "the nudged relay to run")
    message.refresh_from_db()
    assert message.state == State.PENDING  # not due: the relay did not publish it

    # As the relay would have, then a broker redelivery (or a second relay) publishes it again.
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=State.DISPATCHED, dispatched_at=timezone.now(), attempts=1
    )
    task = celery_worker.app.tasks[SEND_EMAIL]
    task.apply_async(args=[str(message.pk)], retry=False)
    task.apply_async(args=[str(message.pk)], retry=False)

    wait_until(lambda: len(celery_worker.finished(SEND_EMAIL)) == 2, "both deliveries to run")
    runs = celery_worker.finished(SEND_EMAIL)
    assert all(celery_worker.ran_on_worker(run) for run in runs), runs
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Sekali saja"
    message.refresh_from_db()
    assert message.state == State.DONE
    assert message.payload == {}
