"""Write audit rows inside the transaction of what they record; never pass sensitive values."""

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from .middleware import current_request_id
from .models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: REMOTE_ADDR, or with PROXY_COUNT trusted proxies in front, the
    address the outermost trusted proxy saw (X-Forwarded-For, counted from the right)."""
    if request is None:
        return None
    if settings.PROXY_COUNT:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= settings.PROXY_COUNT:
            return hops[-settings.PROXY_COUNT]
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    keep_address: bool = True,
) -> AuditEvent:
    """Append one audit row. The actor defaults to the request's user.

    `keep_address=False` leaves out the client's IP address: an anonymous reporter's address
    must not be tied to their report."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = str(obj.pk)
    return AuditEvent.objects.create(
        actor=actor,
        actor_role=getattr(actor, "role", "") or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        ip=client_ip(request) if keep_address else None,
        request_id=getattr(request, "request_id", "") or current_request_id(),
    )
