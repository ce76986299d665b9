"""Kept so that monitoring's migrations (which name `monitoring.crypto.EncryptedTextField`) and
older imports still resolve: the helper lives in `peksos.core.crypto` (floor 1), where the
SOS Desk (floor 4) can use it too."""

from peksos.core.crypto import (  # noqa: F401
    EncryptedTextField,
    UndecryptableValue,
    _multi_fernet,
    decrypt,
    decrypt_bytes,
    encrypt,
    encrypt_bytes,
    keys,
    new_key,
    rotate,
)
