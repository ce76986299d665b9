"""Knowledge tests of campaigns and trainings (manual Bab 2.1.2 and 2.2.2: teachers and parents
gain basic knowledge and psychosocial skills): a pre-test before the session, a post-test after.

Staff keep question sets (multiple choice, in Indonesian). A set that has been answered is
frozen: editing it makes a new version, so that every recorded attempt keeps pointing at the
exact questions it was scored on and results stay comparable. An activity picks one set
(`ActivityTest`); its participants answer on a phone through the activity's link (one attempt
per device and phase, the device known only by a hash of a random cookie) or staff type in
the paper tests (per participant the chosen answers, or just the score).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .sessions import Activity, ParticipantGroup

MAX_CHOICES = 5
MAX_QUESTIONS = 30


class QuestionSet(models.Model):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=1000)
    # Versions of one set share their first version as `root` (null on the first itself).
    root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="later_versions"
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    # The version offered when an activity picks a set; earlier versions stay for their results.
    is_current = models.BooleanField(_("current version"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("question set")
        verbose_name_plural = _("question sets")
        ordering = ["title", "-version", "id"]
        indexes = [models.Index(fields=["is_current", "title"], name="qset_current_title")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def family_id(self) -> int:
        return self.root_id or self.pk

    @property
    def is_frozen(self) -> bool:
        """Answered at least once: its questions may no longer change."""
        return self.attempts.exists()


class Question(models.Model):
    question_set = models.ForeignKey(
        QuestionSet, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("question"), max_length=1000)
    # The answer options in order (2 to MAX_CHOICES), and the index of the correct one.
    choices = models.JSONField(_("choices"), default=list)
    correct = models.PositiveSmallIntegerField(_("correct choice"))

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["question_set", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["question_set", "position"], name="question_one_per_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text[:60]}"


class ActivityTest(models.Model):
    """The question set an activity's participants answer (the same for pre and post)."""

    activity = models.OneToOneField(
        Activity, on_delete=models.CASCADE, related_name="knowledge_test"
    )
    question_set = models.ForeignKey(
        QuestionSet, verbose_name=_("question set"), on_delete=models.PROTECT, related_name="+"
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("activity knowledge test")
        verbose_name_plural = _("activity knowledge tests")

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.question_set}"


class KnowledgeAttempt(models.Model):
    """One participant's answers in one phase. Nothing identifies a person: a phone attempt
    carries a hash of a random cookie (to refuse a second attempt and to pair pre and post),
    a paper attempt the participant's number on the sheet (e.g. "12"), if staff typed one."""

    class Phase(models.TextChoices):
        PRE = "awal", _("pre-test")
        POST = "akhir", _("post-test")

    class Source(models.TextChoices):
        PHONE = "ponsel", _("phone")
        PAPER = "kertas", _("paper")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="test_attempts")
    question_set = models.ForeignKey(QuestionSet, on_delete=models.PROTECT, related_name="attempts")
    phase = models.CharField(_("phase"), max_length=5, choices=Phase)
    source = models.CharField(_("source"), max_length=6, choices=Source)
    group = models.CharField(
        _("participant group"), max_length=12, choices=ParticipantGroup, blank=True
    )
    device_hash = models.CharField(max_length=64, blank=True)
    paper_ref = models.CharField(_("participant number"), max_length=20, blank=True)
    # The chosen option per question (null: not answered); null when staff typed a score only.
    answers = models.JSONField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score"))
    max_score = models.PositiveSmallIntegerField(_("maximum score"))
    # The paper form's idempotency key: the same sheet sent twice is stored once.
    batch_key = models.CharField(max_length=64, blank=True, db_index=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("test attempt")
        verbose_name_plural = _("test attempts")
        ordering = ["activity", "phase", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "phase", "device_hash"],
                condition=~models.Q(device_hash=""),
                name="attempt_one_per_device_phase",
            ),
            models.UniqueConstraint(
                fields=["activity", "phase", "paper_ref"],
                condition=~models.Q(paper_ref=""),
                name="attempt_one_per_paper_ref_phase",
            ),
            models.CheckConstraint(
                condition=models.Q(score__lte=models.F("max_score")),
                name="attempt_score_within_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.phase}: {self.score}/{self.max_score}"

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0
