"""TOTP enrolment and recovery codes (django-otp)."""

import base64

import segno
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

RECOVERY_CODE_COUNT = 10


def has_confirmed_device(user: User) -> bool:
    return any(devices_for_user(user, confirmed=True))


def pending_totp_device(user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created on first call (one per user)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code in a data URI (allowed by the CSP's img-src)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5)


def secret_base32(device: TOTPDevice) -> str:
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with fresh ones; returns them to show once."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes
