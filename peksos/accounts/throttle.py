"""The per-address login limit (docs/quality.md S3), kept in the database so it works with Redis
down. django-axes locks one account after 5 failures; a guesser who tries many accounts from
one address is stopped here after LOGIN_ADDRESS_LIMIT failures in LOGIN_ADDRESS_WINDOW.

The limit is higher than the per-account one because a whole school or family can share one
(NAT) address. The answer does not depend on the account typed, so it reveals nothing about
which accounts exist.
"""

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from peksos.core.audit import client_ip

from .models import LoginFailure


def limit() -> int:
    return getattr(settings, "LOGIN_ADDRESS_LIMIT", 20)


def window() -> timedelta:
    return getattr(settings, "LOGIN_ADDRESS_WINDOW", timedelta(hours=1))


def address_blocked(request: HttpRequest | None) -> bool:
    address = client_ip(request)
    if not address:
        return False
    since = timezone.now() - window()
    return LoginFailure.objects.filter(address=address[:64], at__gt=since).count() >= limit()


def record_failure(sender=None, credentials=None, request=None, **kwargs) -> None:
    """`user_login_failed` receiver: count the failure against the client's address."""
    address = client_ip(request)
    if not address:
        return
    now = timezone.now()
    LoginFailure.objects.filter(at__lte=now - window()).delete()  # keep the table small
    LoginFailure.objects.create(address=address[:64], at=now)
