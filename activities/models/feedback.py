"""Participants' feedback on an activity: a short anonymous satisfaction form.

Nothing identifying is stored: no user, no address, no time of day (only the date). One
answer per device: the device is known only by a keyed hash of a random cookie, which cannot
be linked to the device's answers in other activities (the hash includes the activity)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .sessions import Activity, ParticipantGroup

SCALE = [MinValueValidator(1), MaxValueValidator(5)]


def today():
    return timezone.localdate()


class Feedback(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="feedback")
    satisfaction = models.PositiveSmallIntegerField(_("overall satisfaction"), validators=SCALE)
    usefulness = models.PositiveSmallIntegerField(_("usefulness"), validators=SCALE)
    clarity = models.PositiveSmallIntegerField(_("clarity of the facilitators"), validators=SCALE)
    comment = models.TextField(_("comment"), blank=True, max_length=1000)
    group = models.CharField(
        _("participant group"), max_length=12, choices=ParticipantGroup, blank=True
    )
    device_hash = models.CharField(max_length=64)
    submitted_on = models.DateField(_("date"), default=today)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["activity", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "device_hash"], name="feedback_one_per_device"
            ),
            models.CheckConstraint(
                condition=models.Q(satisfaction__range=(1, 5))
                & models.Q(usefulness__range=(1, 5))
                & models.Q(clarity__range=(1, 5)),
                name="feedback_scores_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.satisfaction}/{self.usefulness}/{self.clarity}"
