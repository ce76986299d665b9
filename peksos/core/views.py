"""Views of the core: health check and error pages."""

import logging

from celery import current_app as app
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import dbrouter

log = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        log.exception("health check: database unavailable")
        return False


def _broker_status() -> str:
    if app.conf.task_always_eager:
        return "eager"
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception:
        log.exception("health check: broker unavailable")
        return "down"


@require_safe
@never_cache
def ping(request: HttpRequest) -> HttpResponse:
    """Liveness for a load balancer: the process answers, nothing is checked (`healthz` checks
    the database). Also the trivial view the page benchmarks compare against (bench/)."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker status, nothing more (no versions, hosts or error texts)."""
    database = "ok" if _database_ok() else "down"
    broker = _broker_status()
    body = {"database": database, "broker": broker}
    if dbrouter.configured():
        # The read replica: "ok", or "lagging"/"down" and its reads served by the primary.
        # Not a reason for a 503: every page still works from the primary.
        replica, _behind = dbrouter.replica_status()
        body["replica"] = replica
        body["replica_reads"] = "replica" if replica == dbrouter.OK else "primary"
    # 503 when the database or a configured broker is down (README, Dockerfile): a load
    # balancer or monitor must know that e-mails and reports are waiting in the outbox. Pages
    # still work then; liveness without these checks is `/ping`.
    healthy = database == "ok" and broker != "down"
    return JsonResponse(body, status=200 if healthy else 503)
