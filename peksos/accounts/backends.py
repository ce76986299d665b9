from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from . import throttle
from .models import User

ADDRESS_BLOCKED = "peksos_address_blocked"  # request attribute the login view looks for


def lockout_key(request: HttpRequest | None, credentials: dict | None) -> str:
    """The key django-axes counts failures under: one per account, however it is typed.
    Unknown logins count under their lower-cased text, so they lock the same way."""
    login = ((credentials or {}).get("username") or "").strip()
    user = User.objects.filter(
        **{"email__iexact" if "@" in login else "username__iexact": login}
    ).first()
    return f"account:{user.pk}" if user else f"login:{login.lower()}"


class UsernameOrEmailBackend(ModelBackend):
    """Log in with a username or an e-mail address (case-insensitive)."""

    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        try:
            user = User.objects.get_by_login(username.strip())
        except User.DoesNotExist:
            # Spend the same hashing time as for a real account: no user enumeration by timing.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


class AddressLimitBackend(BaseBackend):
    """First in AUTHENTICATION_BACKENDS: refuses every login, right password or not, from an
    address with too many recent failures (throttle.py). Raising PermissionDenied stops Django
    trying the other backends and still sends `user_login_failed`."""

    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):
        if throttle.address_blocked(request):
            setattr(request, ADDRESS_BLOCKED, True)
            raise PermissionDenied
        return None
