"""What happened that a user should know: one row per recipient, shown in the app (the bell,
`/notifikasi/`) and, by the user's choice per kind, e-mailed at once or in a daily summary.

A notification holds only what happened and a link: never a child's name, the text of a
report or of a forum post (docs/design.md §5; tests/notifications/test_notification_canaries.py).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    NEW_CASE = "kasus_baru", _("A new case at my school")
    REPORTER_MESSAGE = "pesan_pelapor", _("A message from a reporter")
    REFERRAL = "rujukan", _("A referral to me")
    APPROVAL_NEEDED = "perlu_persetujuan", _("An approval is needed")
    APPROVAL_DECIDED = "persetujuan_diputus", _("An approval was decided")
    OBSERVATION_ANSWERED = "observasi_dijawab", _("An observation was answered")
    FOLLOW_UP_OVERDUE = "tindak_lanjut_lewat", _("A follow-up is overdue")
    VISIT = "kunjungan", _("A visit proposed, moved or answered with another date")
    FORUM_ANSWER = "jawaban_forum", _("An answer to my forum question")


class Delivery(models.TextChoices):
    APP = "aplikasi", _("In the app only")
    EMAIL = "email", _("In the app and by e-mail at once")
    DAILY = "harian", _("In the app and in one e-mail a day")


# Until a user chooses, every kind is e-mailed at once (what PEKSOS did before the centre).
DEFAULT_DELIVERY = Delivery.EMAIL


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)

    def for_daily_summary(self) -> "NotificationQuerySet":
        return self.filter(daily_pending=True)


class Notification(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind)
    message = models.CharField(_("message"), max_length=300)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Waiting for the recipient's daily e-mail (their choice for this kind); cleared when sent.
    daily_pending = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "id"], name="notification_list"),
            # The bell: the unread count reads this small partial index only.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(daily_pending=True),
                name="notification_daily",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class Preference(models.Model):
    """How one user wants one kind of notification; no row means DEFAULT_DELIVERY."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind)
    delivery = models.CharField(_("delivery"), max_length=12, choices=Delivery)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.delivery}"
