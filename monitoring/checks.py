"""System checks: the encryption keys must be usable before any child's record is written."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from peksos.core import crypto


@register("monitoring")
def encryption_keys(app_configs, **kwargs) -> list[Error]:
    try:
        crypto._multi_fernet(tuple(settings.MONITORING_ENCRYPTION_KEYS))
    except ImproperlyConfigured as exc:
        return [
            Error(
                str(exc),
                hint='Make a key with: python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"',
                id="monitoring.E001",
            )
        ]
    return []
