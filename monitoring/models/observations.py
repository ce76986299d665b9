"""Observations asked of a teacher or parent about a child in support."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peksos.core.crypto import EncryptedTextField
from peksos.core.idempotency import idempotency_key_column

from .measures import WellbeingRating
from .records import ChildRecord

OBSERVATION_DAYS = 14
OBSERVATION_MAX_DAYS = 30
OBSERVATION_REMIND_AFTER_DAYS = 3


class ObservationQuerySet(models.QuerySet):
    def pending(self, now=None) -> "ObservationQuerySet":
        """Still to be answered: asked, not answered or cancelled, not expired."""
        now = now or timezone.now()
        return self.filter(status=ObservationRequest.Status.PENDING, expires_at__gt=now)


class ObservationRequest(models.Model):
    """A short structured observation asked of the child's teacher or parent: three
    frequency ratings, a wellbeing rating (0-10, it joins the record's wellbeing ratings) and
    a comment. The addressee sees only the form and the name the PEKSOS gave them for the
    child (`child_label`, e.g. the first name they know; encrypted like the name)."""

    class Status(models.TextChoices):
        PENDING = "menunggu", _("waiting for the answer")
        ANSWERED = "terjawab", _("answered")
        CANCELLED = "dibatalkan", _("cancelled")

    class Frequency(models.IntegerChoices):
        RARELY = 1, _("rarely or never")
        SOMETIMES = 2, _("sometimes")
        OFTEN = 3, _("often")
        ALMOST_ALWAYS = 4, _("almost always")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    record = models.ForeignKey(ChildRecord, on_delete=models.CASCADE, related_name="observations")
    addressee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked of"),
        on_delete=models.PROTECT,
        related_name="observation_requests",
    )
    rater = models.CharField(_("rater"), max_length=10, choices=WellbeingRating.Rater)
    child_label = EncryptedTextField(_("the child, as the addressee knows them"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField(_("open until"))
    reminded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    cheerful = models.PositiveSmallIntegerField(
        _("seemed cheerful and at ease"), choices=Frequency, null=True, blank=True
    )
    gets_along = models.PositiveSmallIntegerField(
        _("got along with other children"), choices=Frequency, null=True, blank=True
    )
    calm = models.PositiveSmallIntegerField(
        _("was calm and could concentrate"), choices=Frequency, null=True, blank=True
    )
    rating = models.OneToOneField(
        WellbeingRating,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="observation",
    )
    comment = EncryptedTextField(_("comment"), blank=True)
    idempotency_key = idempotency_key_column()

    objects = ObservationQuerySet.as_manager()

    class Meta:
        verbose_name = _("observation request")
        verbose_name_plural = _("observation requests")
        ordering = ["-requested_at", "id"]
        indexes = [
            models.Index(
                fields=["addressee", "status", "-requested_at"], name="observation_addressee"
            ),
            models.Index(fields=["status", "reminded_at", "requested_at"], name="observation_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="terjawab")
                | Q(answered_at__isnull=False, cheerful__isnull=False),
                name="observation_answered_has_answers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record} observation {self.requested_at:%Y-%m-%d}"

    def is_pending(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.PENDING and self.expires_at > now

    def is_expired(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.PENDING and self.expires_at <= now
