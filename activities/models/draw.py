"""The door-prize draw of a One Day for Children (manual Bab 2.3.1: prizes "distributed
fairly and evenly").

Who may win: the adults on the activity's named attendance list (`Attendee`) and numbered
tickets 1..N handed to the children on the day. Children are never named: the draw, its
record and the projector know a child only as a ticket number.

A draw records everything needed to check it later: the inputs as they were (snapshot of the
eligible entries and the prizes), the random seed (from `secrets`), the algorithm's version,
the result, and a SHA-256 digest of all of it. A recorded draw is never changed: running it
again needs a reason and makes a new draw; the old one stays visible as superseded.
The algorithm is in `activities.services.draw`.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .sessions import Activity

MAX_PRIZE_UNITS = 500


class Prize(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="prizes")
    name = models.CharField(_("prize"), max_length=120)
    quantity = models.PositiveSmallIntegerField(
        _("quantity"), validators=[MinValueValidator(1), MaxValueValidator(MAX_PRIZE_UNITS)]
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("prize")
        verbose_name_plural = _("prizes")
        ordering = ["activity", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="prize_quantity_min_1")
        ]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"


class Draw(models.Model):
    class State(models.TextChoices):
        CURRENT = "berlaku", _("current")
        SUPERSEDED = "diganti", _("superseded")

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="draws")
    number = models.PositiveSmallIntegerField(_("draw number"))
    algorithm = models.CharField(max_length=32)
    seed = models.CharField(_("seed"), max_length=64)
    snapshot = models.JSONField(_("inputs"))
    result = models.JSONField(_("result"))
    digest = models.CharField(_("SHA-256 digest"), max_length=64)
    state = models.CharField(_("state"), max_length=8, choices=State, default=State.CURRENT)
    reason = models.CharField(_("reason for drawing again"), max_length=300, blank=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("drawn"), default=timezone.now)

    class Meta:
        verbose_name = _("door-prize draw")
        verbose_name_plural = _("door-prize draws")
        ordering = ["activity", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "number"], name="draw_number_per_activity"),
            models.UniqueConstraint(
                fields=["activity"],
                condition=models.Q(state="berlaku"),
                name="draw_one_current_per_activity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} #{self.number}"
