"""Invitations to a new account, and the schools a person no longer serves.

An invitation's token is given to the person once (e-mail, WhatsApp text) and kept here only
as its SHA-256 hash: a copy of the database opens no account. A token works once, until it
expires (`INVITATION_DAYS`), and dies when the invitation is withdrawn or sent again.

`schools.SchoolMembership` is what a person serves *now*: every scope helper reads it, so an
ended membership is moved here (`PastMembership`) instead of getting an end date on the row
that grants access; who served which school when is the union of both.
"""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def hash_token(token: str) -> str:
    # The token is 256 random bits: a plain hash cannot be reversed by guessing.
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(used_at=None, withdrawn_at=None, expires_at__gt=timezone.now())


class Invitation(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("waiting")
        USED = "used", _("accepted")
        WITHDRAWN = "withdrawn", _("withdrawn")
        EXPIRED = "expired", _("expired")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    emailed = models.BooleanField(_("sent by e-mail"), default=False)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"

    @property
    def state(self) -> str:
        if self.used_at:
            return self.State.USED
        if self.withdrawn_at:
            return self.State.WITHDRAWN
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING


class PastMembership(models.Model):
    """A school a person served from `started_on` to `ended_on` (the row of
    `schools.SchoolMembership` it replaces is deleted, so the access ends with it)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="past_memberships"
    )
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="past_memberships"
    )
    started_on = models.DateField(_("since"))
    ended_on = models.DateField(_("until"))
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("past school membership")
        verbose_name_plural = _("past school memberships")
        ordering = ["-ended_on", "id"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.school} ({self.started_on} – {self.ended_on})"


class UserImport(models.Model):
    """A checked people file: its normalised rows and per-line errors (never the file)."""

    class State(models.TextChoices):
        VALID = "valid", _("ready to apply")
        INVALID = "invalid", _("has errors")
        APPLIED = "applied", _("applied")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    filename = models.CharField(_("file"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    state = models.CharField(_("state"), max_length=16, choices=State)
    rows = models.JSONField(default=list)
    errors = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    people_created = models.PositiveIntegerField(default=0)
    memberships_added = models.PositiveIntegerField(default=0)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("people import")
        verbose_name_plural = _("people imports")

    def __str__(self) -> str:
        return self.filename


class SecondFactorReset(models.Model):
    """A person's second factor removed by a Koordinator, and why (the audit row points here:
    the audit log holds no free text)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="second_factor_resets"
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), max_length=1000)

    class Meta:
        verbose_name = _("second factor reset")
        verbose_name_plural = _("second factor resets")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.at:%Y-%m-%d}"
