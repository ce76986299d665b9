"""Kept for the monitoring migrations 0001 and 0002, which name `monitoring.crypto`: the
encryption at rest now lives in `peksos.core.crypto` (SOS Desk case text uses it too)."""

from peksos.core.crypto import EncryptedTextField

__all__ = ["EncryptedTextField"]
