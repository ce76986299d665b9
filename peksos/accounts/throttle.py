"""The per-address login limit (docs/quality.md S3), kept in the database so it works with Redis
down. django-axes locks one account after 5 failures; a guesser who tries many accounts from
one address is stopped here after LOGIN_ADDRESS_LIMIT failures in LOGIN_ADDRESS_WINDOW.

The limit is higher than the per-account one because a whole school or family can share one
(NAT) address. The answer does not depend on the account typed, so it reveals nothing about
which accounts exist.

Password-reset e-mails are limited the same way (issue #21): per typed e-mail address and per
client address, in the database. A request over either limit sends nothing, and the page says
exactly what it says when an e-mail is sent.
"""

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from peksos.core.audit import client_ip

from .models import LoginFailure, PasswordResetRequest


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


def _reset_window() -> timedelta:
    return getattr(settings, "PASSWORD_RESET_WINDOW", timedelta(hours=1))


def reset_email_allowed(request: HttpRequest | None, email: str) -> bool:
    """Count this password-reset request; False when its e-mail address or its client address
    has asked too often in the window (then no e-mail is sent)."""
    now = timezone.now()
    since = now - _reset_window()
    email_hash = salted_hmac(
        "password-reset-throttle", email.strip().lower(), algorithm="sha256"
    ).hexdigest()
    address = (client_ip(request) or "")[:64]
    PasswordResetRequest.objects.filter(at__lte=since).delete()  # keep the table small
    recent = PasswordResetRequest.objects.filter(at__gt=since)
    allowed = recent.filter(email_hash=email_hash).count() < settings.PASSWORD_RESET_EMAIL_LIMIT
    if address:
        by_address = recent.filter(address=address).count()
        allowed = allowed and by_address < settings.PASSWORD_RESET_ADDRESS_LIMIT
    PasswordResetRequest.objects.create(email_hash=email_hash, address=address, at=now)
    return allowed
