from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from .models import User


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
