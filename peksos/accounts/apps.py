from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "peksos.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from . import reauth, throttle
        from .middleware import start_session_clock

        user_logged_in.connect(start_session_clock, dispatch_uid="peksos_session_clock")
        user_logged_in.connect(reauth.on_login, dispatch_uid="peksos_password_typed")
        user_login_failed.connect(throttle.record_failure, dispatch_uid="peksos_address_limit")
