"""Drill F1: Redis (the Celery broker) is down while the public files SOS Desk reports.

    .venv/bin/python bench/drill_redis_down.py [--reports 50]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peksos_drill_f1 \\
        .venv/bin/python bench/drill_redis_down.py          # on PostgreSQL

The broker points at 127.0.0.1:1, where nothing listens. A scratch test database is created
(Django's test database for DATABASE_URL: test_<name>, or an in-memory SQLite one) and
dropped afterwards. N reports are posted to the real public form view (`lapor:form`) with
Django's test client, each with its own idempotency key, then one repeated POST with an
already used key. The drill prints requests tried, errors (any answer but the redirect to the
receipt), cases and outbox rows written, and rows lost (success answers without a committed
case). Then the broker "comes back" (tasks run in-process) and the outbox relay runs: every
alert must be sent exactly once. tests/sosdesk/test_sosdesk_public.py runs the same scenario in CI
(test_f1_redis_down_fifty_reports_then_each_alert_sent_once).
"""

import argparse
import os
import secrets
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peksos.settings")
os.environ.setdefault("STATIC_MANIFEST", "0")  # no collectstatic needed
DEAD_BROKER = "redis://127.0.0.1:1/0"
os.environ["CELERY_BROKER_URL"] = DEAD_BROKER  # Celery reads it before the settings

import django  # noqa: E402

django.setup()

import time_machine  # noqa: E402
from django.core import mail  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    setup_databases,
    setup_test_environment,
    teardown_databases,
)
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402


def report(n: int, key: str) -> dict:
    return {
        "narrative": f"Laporan latihan ke-{n}: seorang murid dipukul di kantin.",
        "violence": ["fisik"],
        "modalities": ["fisik"],
        "scope": "dalam",
        "occurred_on": "",
        "occurred_text": "Senin lalu",
        "affected": ["murid"],
        "ongoing_danger": "tidak",
        "identity": "anonim",
        "idempotency_key": key,
    }


def drill(count: int) -> int:
    from peksos.accounts.models import Role, User
    from peksos.celery import app
    from peksos.core import outbox
    from peksos.core.models import OutboxMessage
    from schools.models import School, SchoolMembership
    from schools.seed import load_kota_metro
    from sosdesk.models import Case, Desk

    load_kota_metro()
    school = School.objects.get(npsn="10807637")
    for username, role in (("drill_sosdesk", Role.SOSDESK), ("drill_peksos", Role.PEKSOS)):
        user = User.objects.create_user(username, f"{username}@example.org", role=role)
        SchoolMembership.objects.create(user=user, school=school)
    desk = Desk.objects.create(school=school, sk_number="421/01/SK/2025")
    url = reverse("lapor:form", args=[desk.public_code])
    app.conf.update(task_always_eager=False, broker_url=DEAD_BROKER)
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "interval_start": 0,
        "interval_step": 0,
    }

    client = Client()
    tried = errors = 0
    codes: list[str] = []
    keys = [secrets.token_urlsafe(24) for _ in range(count)]
    started = time.monotonic()
    for n, key in enumerate(keys):
        tried += 1
        response = client.post(url, report(n, key))
        if response.status_code != 302 or response["Location"] != reverse("lapor:receipt"):
            errors += 1
            continue
        receipt = client.get(reverse("lapor:receipt"))
        code = client.session.get("sosdesk_receipt", {}).get("code") or ""
        if receipt.status_code != 200:
            errors += 1
        codes.append(code)
    elapsed = time.monotonic() - started
    tried += 1
    repeat = client.post(url, report(0, keys[0]))
    if repeat.status_code != 302:
        errors += 1
    cases = Case.objects.count()
    committed = set(Case.objects.values_list("code", flat=True))
    lost = sum(1 for code in codes if code and code not in committed) + (
        len(codes) - sum(1 for c in codes if c)
    )
    pending = OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).count()
    print(f"broker: {DEAD_BROKER} (closed port), database: {django.db.connection.vendor}")
    print(
        f"requests tried: {tried} ({count} reports + 1 repeated key), errors: {errors}, "
        f"{elapsed / count * 1000:.0f} ms per report"
    )
    print(f"cases written: {cases}, outbox rows pending: {pending}, rows lost: {lost}")

    # The broker is back: tasks run in-process, the relay (beat, every few seconds) catches up.
    app.conf.task_always_eager = True
    now = timezone.now()
    for minute in range(1, 60):
        with time_machine.travel(now + timedelta(minutes=minute)):
            outbox.relay_due()
        if not OutboxMessage.objects.exclude(state=OutboxMessage.State.DONE).exists():
            break
    left = OutboxMessage.objects.exclude(state=OutboxMessage.State.DONE).count()
    sent = Counter((m.to[0], m.body) for m in mail.outbox)
    twice = sum(1 for n in sent.values() if n > 1)
    print(
        f"after the broker is back: alerts sent {len(mail.outbox)} of {pending}, "
        f"not delivered {left}, sent twice {twice}"
    )
    ok = errors == 0 and lost == 0 and cases == count and left == 0 and twice == 0
    print("F1:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=50)
    args = parser.parse_args()
    setup_test_environment()  # locmem e-mail (mail.outbox), 'testserver' allowed
    old = setup_databases(verbosity=0, interactive=False)
    try:
        code = drill(args.reports)
    finally:
        teardown_databases(old, verbosity=0)
    sys.exit(code)


if __name__ == "__main__":
    main()
