"""The consultation forum: categories, questions, answers, helpful marks, moderation notes,
and the schools' invitation codes with the registrations made through them."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peksos.accounts.models import Role
from peksos.core.idempotency import idempotency_key_column
from peksos.core.tallies import TallyOnSave
from peksos.core.uploads import private_storage

from . import child_safety

# Posts by these roles carry a verified badge, with this label.
VERIFIED_BADGES = {
    Role.KOORDINATOR: _("Dinas Sosial"),
    Role.PEKSOS: _("PEKSOS"),
    Role.PSIKOLOG: _("Psychologist"),
}


class Category(models.Model):
    """A theme (bullying, emotions and behaviour, parenting, ...), optionally for one jenjang."""

    class Jenjang(models.TextChoices):
        PAUD = "paud", _("PAUD/TK")
        SD = "sd", _("SD/MI")
        SMP = "smp", _("SMP/MTs")
        SMA = "sma", _("SMA/SMK/MA")

    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    jenjang = models.CharField(_("jenjang"), max_length=8, choices=Jenjang, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("forum category")
        verbose_name_plural = _("forum categories")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class PostQuerySet(models.QuerySet):
    def published(self) -> "PostQuerySet":
        return self.filter(status=Post.Status.PUBLISHED)

    def pending(self) -> "PostQuerySet":
        return self.filter(status=Post.Status.PENDING)

    def by(self, user) -> "PostQuerySet":
        return self.filter(author=user)

    def created_since(self, moment) -> "PostQuerySet":
        return self.filter(created_at__gte=moment)


class Post(models.Model):
    """What questions and answers share: a body in a Markdown subset, an author, a status."""

    class Status(models.TextChoices):
        PENDING = "menunggu", _("waiting for review")
        PUBLISHED = "terbit", _("published")
        HIDDEN = "disembunyikan", _("hidden by a moderator")
        REJECTED = "ditolak", _("not published")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.PENDING)
    # Shown as "Orang tua"/"Guru" to everyone but the author and the moderators.
    pseudonymous = models.BooleanField(_("under a pseudonym"), default=False)
    # Decided when the post is written: new accounts' links are shown as plain text.
    links_allowed = models.BooleanField(_("links allowed"), default=False)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    idempotency_key = idempotency_key_column()

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def verified_role(self) -> str:
        """The badge of a staff author ("PEKSOS", "Psikolog"), or "" for everyone else."""
        return "" if self.pseudonymous else str(VERIFIED_BADGES.get(self.author.role, ""))


class QuestionQuerySet(PostQuerySet):
    def public(self) -> "QuestionQuerySet":
        return self.filter(private=False)

    def unanswered(self) -> "QuestionQuerySet":
        return self.filter(answer_count=0)

    def answered(self) -> "QuestionQuerySet":
        return self.filter(answer_count__gt=0)

    def in_category(self, category: Category) -> "QuestionQuerySet":
        return self.filter(category=category)

    def due_for_reminder(self, cutoff) -> "QuestionQuerySet":
        """Published, still without a published answer since before `cutoff`, not reminded."""
        return self.published().unanswered().filter(published_at__lt=cutoff, reminded_at=None)


class Question(TallyOnSave, Post):
    # What forum/figures.py counts of a question; one without a school counts for NO_SCHOOL.
    tally_domains = ("forum",)
    tally_fields = frozenset({"school", "status", "answer_count"})
    tally_without_school = True

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="questions"
    )
    title = models.CharField(_("question"), max_length=150)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.PROTECT,
        related_name="forum_questions",
    )
    # The asker's school: shown to moderators only (school + incident can identify a child).
    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("school"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    private = models.BooleanField(_("private"), default=False)
    accepted_answer = models.ForeignKey(
        "Answer",
        verbose_name=_("accepted answer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Facts kept current by forum.services, so lists never count rows.
    answer_count = models.PositiveIntegerField(_("answers"), default=0)
    last_answer_at = models.DateTimeField(_("last answer"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("staff reminded"), null=True, blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(fields=["status", "private", "-created_at", "id"], name="q_list"),
            models.Index(fields=["status", "-created_at", "id"], name="q_list_staff"),
            models.Index(
                fields=["category", "status", "private", "-created_at", "id"], name="q_category"
            ),
            models.Index(
                fields=["category", "status", "-created_at", "id"], name="q_category_staff"
            ),
            models.Index(fields=["author", "-created_at", "id"], name="q_author"),
            models.Index(fields=["status", "answer_count", "published_at"], name="q_unanswered"),
        ]

    def __str__(self) -> str:
        return self.title


class AnswerQuerySet(PostQuerySet):
    pass


class Answer(Post):
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="answers"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        related_name="forum_answers",
    )
    helpful_count = models.PositiveIntegerField(_("marked helpful"), default=0)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["question", "status", "created_at", "id"], name="a_thread"),
            models.Index(fields=["author", "-created_at", "id"], name="a_author"),
            models.Index(fields=["status", "created_at", "id"], name="a_status"),
        ]

    def __str__(self) -> str:
        return f"{self.question} #{self.pk}"


class HelpfulMark(models.Model):
    """One user found one answer helpful (at most once)."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="helpful_marks")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_helpful_marks"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("helpful mark")
        verbose_name_plural = _("helpful marks")
        constraints = [
            models.UniqueConstraint(fields=["answer", "user"], name="unique_helpful_mark")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.answer_id}"


class ModerationNote(models.Model):
    """Why a post was held, approved, rejected or hidden. `reasons` holds the kinds found by
    forum.child_safety (and "new_account"), never the text that matched."""

    class Action(models.TextChoices):
        HELD = "ditahan", _("held for review")
        APPROVED = "disetujui", _("approved")
        REJECTED = "ditolak", _("rejected")
        HIDDEN = "disembunyikan", _("hidden")

    NEW_ACCOUNT = "new_account"
    IMAGE = "image"

    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.CASCADE, related_name="notes"
    )
    answer = models.ForeignKey(
        Answer, null=True, blank=True, on_delete=models.CASCADE, related_name="notes"
    )
    action = models.CharField(_("action"), max_length=16, choices=Action)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    text = models.CharField(_("note to the author"), max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("moderation note")
        verbose_name_plural = _("moderation notes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=False, answer__isnull=True)
                | Q(question__isnull=True, answer__isnull=False),
                name="moderation_note_one_post",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.created_at:%Y-%m-%d}"

    @property
    def held_for_new_account(self) -> bool:
        return self.NEW_ACCOUNT in self.reasons

    @property
    def held_for_image(self) -> bool:
        return self.IMAGE in self.reasons

    @property
    def child_safety_reasons(self) -> list[str]:
        return [r for r in self.reasons if r not in {self.NEW_ACCOUNT, self.IMAGE}]

    @property
    def explanations(self) -> list[str]:
        """Why the post was held, in plain words for its author."""
        return child_safety.explain(self.child_safety_reasons)


# Letters and digits that cannot be mistaken for each other on a printed poster.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


class InviteCodeQuerySet(models.QuerySet):
    def active(self) -> "InviteCodeQuerySet":
        return self.filter(is_active=True)


class InviteCode(models.Model):
    """A school's invitation code, printed on its poster and given out at activities."""

    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("school"),
        on_delete=models.CASCADE,
        related_name="forum_invite_codes",
    )
    code = models.CharField(_("code"), max_length=16, unique=True)
    label = models.CharField(_("where it is used"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    deactivated_at = models.DateTimeField(_("deactivated"), null=True, blank=True)

    objects = InviteCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation code")
        verbose_name_plural = _("invitation codes")
        ordering = ["-is_active", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.display

    @staticmethod
    def generate() -> str:
        return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))

    @staticmethod
    def normalise(typed: str) -> str:
        """What people type from a poster: any case, with spaces or a dash in the middle."""
        return "".join(ch for ch in (typed or "").upper() if ch.isalnum())[:16]

    @property
    def display(self) -> str:
        """ABCD-EFGH: easier to read aloud and to type."""
        return f"{self.code[:4]}-{self.code[4:]}" if len(self.code) == CODE_LENGTH else self.code


class Registration(models.Model):
    """A forum account made with an invitation code. The account stays inactive (it cannot
    log in) until its e-mail address is confirmed; a confirmed registration is never
    confirmed again, so a confirmation link cannot revive an account deactivated later."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_registration"
    )
    school = models.ForeignKey(
        "schools.School", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    invite_code = models.ForeignKey(
        InviteCode,
        verbose_name=_("invitation code"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("e-mail confirmed"), null=True, blank=True)
    last_sent_at = models.DateTimeField(_("confirmation last sent"), default=timezone.now)

    class Meta:
        verbose_name = _("forum registration")
        verbose_name_plural = _("forum registrations")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class Flag(models.Model):
    """A member's report that a post breaks the rules: one per user per post. A post flagged
    by `FLAG_AUTO_HIDE` different users is hidden until a moderator resolves the flags."""

    class Reason(models.TextChoices):
        IDENTIFIES_CHILD = "identitas-anak", _("It identifies a child")
        ABUSIVE = "kasar", _("Insulting, threatening or hateful")
        HARMFUL_ADVICE = "saran-berbahaya", _("Harmful advice (e.g. violence as discipline)")
        SPAM = "spam", _("Advertising or spam")
        OTHER = "lain", _("Something else")

    class Resolution(models.TextChoices):
        KEPT = "dibiarkan", _("kept")
        HIDDEN = "disembunyikan", _("hidden")

    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    answer = models.ForeignKey(
        Answer, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("flagged by"),
        on_delete=models.CASCADE,
        related_name="forum_flags",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    text = models.CharField(_("details"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    resolution = models.CharField(_("resolution"), max_length=16, choices=Resolution, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=False, answer__isnull=True)
                | Q(question__isnull=True, answer__isnull=False),
                name="flag_one_post",
            ),
            models.UniqueConstraint(fields=["question", "user"], name="unique_question_flag"),
            models.UniqueConstraint(fields=["answer", "user"], name="unique_answer_flag"),
        ]
        indexes = [models.Index(fields=["resolved_at", "created_at"], name="flag_open")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.user_id})"

    @property
    def post(self) -> Post:
        return self.question if self.question_id else self.answer


class FaqQuerySet(models.QuerySet):
    def published(self) -> "FaqQuerySet":
        return self.filter(status=FaqEntry.Status.PUBLISHED)


class FaqEntry(models.Model):
    """A question and answer for every member, written by staff from a private consultation.
    Its text is written (never copied automatically) by a staff member without anything that
    identifies the asker or a child, and a second person, a moderator, publishes it. The asker
    is never shown; the source question is kept for the staff only."""

    class Status(models.TextChoices):
        DRAFT = "draf", _("draft, waiting for review")
        PUBLISHED = "terbit", _("published")
        WITHDRAWN = "ditarik", _("withdrawn")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    category = models.ForeignKey(
        Category, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="faq_entries"
    )
    title = models.CharField(_("question"), max_length=150)
    question_text = models.TextField(_("the question, told without names"), blank=True)
    answer_text = models.TextField(_("answer"))
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.DRAFT)
    source_question = models.ForeignKey(
        Question,
        verbose_name=_("from the private question"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="faq_entries",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)
    # Who wrote the current text (the writer, or whoever changed it last): not the reviewer.
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    idempotency_key = idempotency_key_column()

    objects = FaqQuerySet.as_manager()

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "-published_at", "-id"], name="faq_list")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class PostImage(models.Model):
    """A photo with a question or an answer: checked and re-encoded without metadata by
    peksos.core.uploads, stored privately under a generated name, served only to those who
    may see the post. A post with a photo always waits for a moderator (a photo can show a
    child)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.CASCADE, related_name="images"
    )
    answer = models.ForeignKey(
        Answer, null=True, blank=True, on_delete=models.CASCADE, related_name="images"
    )
    file = models.FileField(_("photo"), storage=private_storage, max_length=200)
    display_name = models.CharField(max_length=120, blank=True)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("post photo")
        verbose_name_plural = _("post photos")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=False, answer__isnull=True)
                | Q(question__isnull=True, answer__isnull=False),
                name="post_image_one_post",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or f"foto {self.pk}"
