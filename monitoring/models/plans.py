"""The support plan, its goals with their attainment scores, interventions and progress notes."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .records import ChildRecord


class SupportPlan(models.Model):
    """The record's plan: needs, goals (with target dates), interventions. A Koordinator
    approves it (supervision); a change after approval asks for approval again."""

    record = models.OneToOneField(ChildRecord, on_delete=models.CASCADE, related_name="plan")
    needs = models.TextField(_("needs"), max_length=4000)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("support plan")
        verbose_name_plural = _("support plans")

    def __str__(self) -> str:
        return f"{self.record} plan"


class Goal(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    record = models.ForeignKey(ChildRecord, on_delete=models.CASCADE, related_name="goals")
    description = models.CharField(_("goal"), max_length=300)
    target_date = models.DateField(_("target date"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["target_date", "created_at"]

    def __str__(self) -> str:
        return f"{self.record} goal"


GAS_MIN, GAS_MAX = -2, 2


class GoalScore(models.Model):
    """Goal attainment scaling: -2 much less than expected, 0 the expected outcome, +2 much
    more than expected."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="scores")
    score = models.SmallIntegerField(
        _("attainment (-2..+2)"),
        validators=[MinValueValidator(GAS_MIN), MaxValueValidator(GAS_MAX)],
    )
    scored_on = models.DateField(_("scored on"))
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("goal attainment score")
        verbose_name_plural = _("goal attainment scores")
        ordering = ["scored_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=GAS_MIN, score__lte=GAS_MAX), name="gas_score_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.goal} {self.score:+d}"


class Intervention(models.Model):
    class Kind(models.TextChoices):
        COUNSELLING = "konseling", _("counselling")
        PLAY_THERAPY = "terapi_bermain", _("play therapy")
        FAMILY_VISIT = "kunjungan_keluarga", _("family visit")
        GROUP = "kelompok", _("group session")
        REFERRAL = "rujukan", _("referral to a partner")

    class Frequency(models.TextChoices):
        WEEKLY = "mingguan", _("weekly")
        FORTNIGHTLY = "dua_minggu", _("every two weeks")
        MONTHLY = "bulanan", _("monthly")
        ONCE = "sekali", _("once")

    record = models.ForeignKey(ChildRecord, on_delete=models.CASCADE, related_name="interventions")
    kind = models.CharField(_("what"), max_length=20, choices=Kind)
    provider = models.CharField(_("who provides it"), max_length=150)
    frequency = models.CharField(_("how often"), max_length=12, choices=Frequency)
    starts_on = models.DateField(_("starts on"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        ordering = ["starts_on", "created_at"]

    def __str__(self) -> str:
        return f"{self.record} {self.kind}"


class ProgressNote(models.Model):
    class Source(models.TextChoices):
        OBSERVATION = "observasi", _("observation")
        TEACHER = "guru", _("interview with the teacher")
        PARENT = "orang_tua", _("interview with the parent or guardian")
        SESSION = "sesi", _("session with the child")

    record = models.ForeignKey(ChildRecord, on_delete=models.CASCADE, related_name="notes")
    noted_on = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=10, choices=Source)
    text = models.TextField(_("observation"), max_length=4000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["-noted_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.record} note {self.noted_on}"
