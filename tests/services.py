"""The services some tests need (PostgreSQL, Redis, Chromium): skip without them, or fail in CI
(REQUIRE_SERVICES=1); and the Celery broker's pooled connections."""

import os

import pytest
from django.conf import settings

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str) -> None:
    """Skip a test whose service is missing; in CI (REQUIRE_SERVICES=1) fail it instead."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


def on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def reset_broker_pool() -> None:
    """Forget pooled broker connections, so the next publish uses the current broker URL."""
    from peksos.celery import app

    app._pool = None  # kombu keeps one pool per broker URL: drop our references only
    app.amqp._producer_pool = None
