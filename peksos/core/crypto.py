"""Encryption at rest of personal data (UU PDP): the fields that identify a child (monitoring),
the parties of an SOS Desk case, and the text of SOS Desk cases (the report's narrative, the
reporter's identity, the conversation with the reporter, the desk's notes).

A database dump or backup alone does not reveal a child's name or what a report says: those
columns hold Fernet tokens (AES-128-CBC with HMAC-SHA256, a random IV per value), and the keys
live in the environment (`MONITORING_ENCRYPTION_KEYS`, one key ring for both apps), never in
the database.

Rotation: `MONITORING_ENCRYPTION_KEYS` is a list. The first key encrypts every new value;
every key in the list decrypts. To rotate, put a new key first and keep the old ones after
it, restart, run `manage.py rotate_monitoring_keys` (re-encrypts every value of both apps
with the first key), then drop the old keys. docs/monitoring.md has the procedure.

Because each token has its own IV, equal texts give different tokens: encrypted columns
cannot be searched or compared in SQL (the field allows only `isnull` lookups).
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class UndecryptableValue(Exception):
    """A stored token that none of the configured keys opens: a key was dropped too early."""


@cache
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("MONITORING_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "MONITORING_ENCRYPTION_KEYS holds a value that is not a Fernet key "
            "(32 url-safe base64-encoded bytes)."
        ) from exc


def keys() -> MultiFernet:
    """The keys in force (read from settings each call, so tests may override them)."""
    return _multi_fernet(tuple(settings.MONITORING_ENCRYPTION_KEYS))


def new_key() -> str:
    return Fernet.generate_key().decode()


def encrypt(text: str) -> str:
    return keys().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return keys().decrypt(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableValue(
            "A value cannot be decrypted with MONITORING_ENCRYPTION_KEYS."
        ) from None


def rotate(token: str) -> str:
    """The same value, encrypted again with the first key."""
    try:
        return keys().rotate(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableValue(
            "A value cannot be decrypted with MONITORING_ENCRYPTION_KEYS."
        ) from None


def encrypt_bytes(data: bytes) -> bytes:
    return keys().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return keys().decrypt(token)
    except InvalidToken:
        raise UndecryptableValue("A file cannot be decrypted.") from None


class EncryptedTextField(models.TextField):
    """Plain text in Python, a Fernet token in the database.

    The empty string is encrypted too, so a dump does not even tell which records lack a
    value. Only `isnull` lookups are allowed: a token never equals another one.
    """

    description = "Text encrypted at rest (Fernet)"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt(str(value))

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            return None  # Django answers "Unsupported lookup" (a FieldError)
        return super().get_lookup(lookup_name)
