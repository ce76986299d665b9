"""The measures typed in from paper: SDQ scores and wellbeing ratings (docs/domain.md §6)."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .records import ChildRecord

SUBSCALE_MAX = 10
SDQ_TOTAL_MAX = 40


class SdqScore(models.Model):
    """SDQ scores copied from a paper form. The total difficulties score is the sum of the
    four difficulty subscales (0-40); prosocial is not part of it."""

    class Informant(models.TextChoices):
        PARENT = "orang_tua", _("parent")
        TEACHER = "guru", _("teacher")
        SELF = "anak", _("self-report (11-17 years)")

    record = models.ForeignKey(ChildRecord, on_delete=models.CASCADE, related_name="sdq_scores")
    taken_on = models.DateField(_("date of the form"))
    informant = models.CharField(_("informant"), max_length=10, choices=Informant)
    emotional = models.PositiveSmallIntegerField(
        _("emotional symptoms"), validators=[MaxValueValidator(SUBSCALE_MAX)]
    )
    conduct = models.PositiveSmallIntegerField(
        _("conduct problems"), validators=[MaxValueValidator(SUBSCALE_MAX)]
    )
    hyperactivity = models.PositiveSmallIntegerField(
        _("hyperactivity/inattention"), validators=[MaxValueValidator(SUBSCALE_MAX)]
    )
    peer = models.PositiveSmallIntegerField(
        _("peer relationship problems"), validators=[MaxValueValidator(SUBSCALE_MAX)]
    )
    prosocial = models.PositiveSmallIntegerField(
        _("prosocial behaviour"), validators=[MaxValueValidator(SUBSCALE_MAX)]
    )
    total = models.PositiveSmallIntegerField(
        _("total difficulties"), validators=[MaxValueValidator(SDQ_TOTAL_MAX)], editable=False
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("SDQ score")
        verbose_name_plural = _("SDQ scores")
        ordering = ["taken_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(emotional__lte=10, conduct__lte=10, hyperactivity__lte=10)
                & Q(peer__lte=10, prosocial__lte=10, total__lte=40),
                name="sdq_score_ranges",
            )
        ]

    def __str__(self) -> str:
        return f"{self.record} SDQ {self.taken_on}"

    def save(self, *args, **kwargs):
        self.total = self.emotional + self.conduct + self.hyperactivity + self.peer
        super().save(*args, **kwargs)

    @property
    def peer_scale_is_weak(self) -> bool:
        """The peer-problems subscale is weak in Indonesian parent reports (docs/domain.md §6)."""
        return self.informant == self.Informant.PARENT


WELLBEING_MAX = 10


class WellbeingRating(models.Model):
    """A teacher's or parent's rating of the child's wellbeing, 0 (very poor) to 10."""

    class Rater(models.TextChoices):
        TEACHER = "guru", _("teacher")
        PARENT = "orang_tua", _("parent or guardian")

    record = models.ForeignKey(
        ChildRecord, on_delete=models.CASCADE, related_name="wellbeing_ratings"
    )
    rated_on = models.DateField(_("date"))
    rater = models.CharField(_("rated by"), max_length=10, choices=Rater)
    score = models.PositiveSmallIntegerField(
        _("wellbeing (0-10)"), validators=[MaxValueValidator(WELLBEING_MAX)]
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("wellbeing rating")
        verbose_name_plural = _("wellbeing ratings")
        ordering = ["rated_on", "created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=10), name="wellbeing_score_range")
        ]

    def __str__(self) -> str:
        return f"{self.record} wellbeing {self.rated_on}"


# An observation asked of a teacher or parent can be answered for this many days (default),
# and the addressee is reminded once when it is still unanswered after REMIND_AFTER_DAYS.
