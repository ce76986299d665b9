"""A child's record and its code, the guardian's consent per purpose, the guardians linked to
the record, and the record of a destroyed record."""

import secrets
import unicodedata
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from peksos.core.crypto import EncryptedTextField
from peksos.core.idempotency import idempotency_key_column
from peksos.core.tallies import TallyOnSave
from schools.models import School
from sosdesk.models import CODE_ALPHABET, Case

CHILD_CODE_PREFIX = "ANK-"
CHILD_CODE_LENGTH = 6
# Tier-2/3 support is monitored 1-2 times a month (docs/domain.md §6): an open record with no
# progress note for longer than this is overdue for a follow-up.
FOLLOW_UP_DAYS = 30
# The outcome indicator used by child-protection systems (docs/domain.md §6).
WELLBEING_IMPROVEMENT_POINTS = 3


def new_child_code() -> str:
    return CHILD_CODE_PREFIX + "".join(
        secrets.choice(CODE_ALPHABET) for _ in range(CHILD_CODE_LENGTH)
    )


def initials_of(name: str) -> str:
    """ "Siti Nur Aisyah" -> "SNA": the first letter of each word, accents dropped, at most 4."""
    letters = []
    for word in name.split():
        plain = unicodedata.normalize("NFKD", word)
        first = next((c for c in plain if c.isalpha()), "")
        if first:
            letters.append(first.upper())
    return "".join(letters)[:4]


CLASS_LEVELS = [
    ("TK-A", _("kindergarten, group A")),
    ("TK-B", _("kindergarten, group B")),
    *[(str(n), format_lazy(_("grade {n}"), n=n)) for n in range(1, 13)],
]


class ChildRecordQuerySet(models.QuerySet):
    def open(self) -> "ChildRecordQuerySet":
        return self.filter(status=ChildRecord.Status.OPEN)

    def overdue(self, now=None) -> "ChildRecordQuerySet":
        """Open records with no progress note for more than FOLLOW_UP_DAYS."""
        now = now or timezone.now()
        return self.open().filter(last_contact_at__lt=now - timedelta(days=FOLLOW_UP_DAYS))

    def without_identity(self) -> "ChildRecordQuerySet":
        """Rows without the encrypted columns: lists never load (or decrypt) a name."""
        return self.defer("name", "guardian_contact")


class ChildRecord(TallyOnSave, models.Model):
    # The register's children in support (monitoring/figures.py) are counted from these.
    tally_domains = ("children",)
    tally_fields = frozenset({"school", "status", "tier", "last_contact_at"})

    class Sex(models.TextChoices):
        MALE = "L", _("boy")
        FEMALE = "P", _("girl")

    class Tier(models.IntegerChoices):
        GROUP = 2, _("Tier 2: group support")
        INDIVIDUAL = 3, _("Tier 3: individual support")

    class Status(models.TextChoices):
        OPEN = "aktif", _("open")
        CLOSED = "selesai", _("closed")

    class Source(models.TextChoices):
        CASE = "kasus", _("an SOS Desk case")
        REFERRAL = "rujukan", _("a referral")
        DIRECT = "langsung", _("directly (e.g. a teacher's concern during a visit)")

    class Outcome(models.TextChoices):
        GOALS_MET = "tujuan_tercapai", _("goals met")
        REFERRED_ON = "dirujuk", _("referred on to a partner")
        MOVED = "pindah", _("moved away")
        NO_LONGER_NEEDED = "tidak_perlu", _("support no longer needed")
        WITHDRAWN = "dicabut", _("consent withdrawn")
        OTHER = "lainnya", _("other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(_("code"), max_length=12, unique=True, default=new_child_code)
    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="child_records"
    )
    class_level = models.CharField(_("class"), max_length=4, choices=CLASS_LEVELS)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    # Identifying fields: encrypted at rest, shown only on purpose (reveal, audited).
    name = EncryptedTextField(_("child's name"))
    guardian_contact = EncryptedTextField(_("guardian's contact"), blank=True)
    # Derived from the name on save, kept in clear for lists and the duplicate warning.
    initials = models.CharField(_("initials"), max_length=4, editable=False)
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier, default=Tier.INDIVIDUAL)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.OPEN)
    source = models.CharField(_("opened from"), max_length=8, choices=Source, default=Source.DIRECT)
    case = models.ForeignKey(
        Case,
        verbose_name=_("SOS Desk case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="child_records",
    )
    peksos = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned PEKSOS"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    psikolog = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referred to psychologist"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    referred_at = models.DateTimeField(_("referred"), null=True, blank=True)
    created_at = models.DateTimeField(_("opened"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # The last progress note (or the opening): the follow-up clock. Written by the services.
    last_contact_at = models.DateTimeField(_("last follow-up"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome, blank=True)
    closing_note = models.TextField(_("closing note"), max_length=2000, blank=True)
    # Closure is asked for (outcome and reason above) and approved by a Koordinator who is
    # not the one who asked (four eyes); the record stays open until then.
    closure_requested_at = models.DateTimeField(_("closure requested"), null=True, blank=True)
    closure_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = idempotency_key_column()

    objects = ChildRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("child record")
        verbose_name_plural = _("child records")
        ordering = ["-created_at", "code"]
        indexes = [
            models.Index(fields=["-created_at", "code"], name="child_created_code"),
            models.Index(fields=["school", "status", "-created_at"], name="child_school_status"),
            # The dashboards' counts of open records read from the index alone.
            models.Index(
                fields=["status", "last_contact_at"], include=["tier"], name="child_open_contact"
            ),
            models.Index(
                fields=["school", "class_level", "birth_year"], name="child_duplicate_check"
            ),
            # The approvals inbox (home/inbox.py): the few closures waiting, counted in the
            # header of every page, without reading every record (issue 22).
            models.Index(
                fields=["closure_requested_at"],
                condition=Q(closure_requested_at__isnull=False),
                name="child_closure_waiting",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(tier__in=[2, 3]), name="child_tier_2_or_3"),
        ]

    def __str__(self) -> str:
        return self.code  # never the name: __str__ ends up in logs, admin and audit views

    def save(self, *args, **kwargs):
        if "name" not in self.get_deferred_fields():
            self.initials = initials_of(self.name)
        # Six random characters collide about once in 9,000 new records at 100,000 children
        # (bench/national.py): draw again rather than lose what the worker typed.
        if self._state.adding:
            while ChildRecord.objects.filter(code=self.code).exists():
                self.code = new_child_code()
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def closure_requested(self) -> bool:
        return self.is_open and self.closure_requested_at is not None

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return self.is_open and self.last_contact_at < now - timedelta(days=FOLLOW_UP_DAYS)

    def active_consent(self, purpose: str) -> "Consent | None":
        return self.consents.active().filter(purpose=purpose).order_by("-given_on").first()

    def may_be_referred(self) -> bool:
        """Referral to partners needs the guardian's referral consent, or a Koordinator's
        best-interest override for referral (UU PDP Pasal 25; docs/domain.md §5)."""
        return self.active_consent(Consent.Purpose.REFERRAL) is not None


class ConsentQuerySet(models.QuerySet):
    def active(self) -> "ConsentQuerySet":
        return self.filter(withdrawn_at__isnull=True)


def consent_form_path(instance: "Consent", filename: str) -> str:
    # A generated name: the uploaded name never reaches the disk (docs/quality.md S9).
    return f"monitoring/consent/{uuid.uuid4().hex}.bin"


class Consent(models.Model):
    """A guardian's consent for one purpose, or a Koordinator's best-interest override of it
    (when the guardian is the alleged abuser)."""

    class Purpose(models.TextChoices):
        SUPPORT = "dukungan", _("support")
        REFERRAL = "rujukan", _("referral to partners")
        AGGREGATE = "laporan", _("aggregate reporting")
        PHOTOS = "foto", _("photos")

    class Relation(models.TextChoices):
        MOTHER = "ibu", _("mother")
        FATHER = "ayah", _("father")
        GUARDIAN = "wali", _("legal guardian")
        GRANDPARENT = "kakek_nenek", _("grandparent")
        OTHER = "lainnya", _("other family member")

    class Method(models.TextChoices):
        PAPER = "formulir", _("signed paper form (uploaded)")
        VERBAL = "lisan", _("given verbally, with a witness")
        OVERRIDE = "pengecualian", _("best-interest override (Koordinator)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    record = models.ForeignKey(ChildRecord, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose)
    given_by = models.CharField(_("given by"), max_length=12, choices=Relation, blank=True)
    given_on = models.DateField(_("given on"))
    method = models.CharField(_("how"), max_length=12, choices=Method)
    # The signed form, encrypted like the name (it carries names and signatures).
    form_file = models.FileField(
        _("signed form"), upload_to=consent_form_path, max_length=200, blank=True
    )
    form_content_type = models.CharField(max_length=40, blank=True)
    witness = models.CharField(_("witness"), max_length=150, blank=True)
    scope = models.TextField(_("scope"), max_length=2000, blank=True)
    # Best-interest override: only a Koordinator records it, with a reason and legal basis.
    override_reason = models.TextField(_("reason"), max_length=2000, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["purpose", "-given_on", "-recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(method="pengecualian")
                | (Q(approved_by__isnull=False) & ~Q(override_reason="") & ~Q(legal_basis="")),
                name="consent_override_is_approved_with_reason",
            ),
            models.CheckConstraint(
                condition=~Q(method="lisan") | ~Q(witness=""),
                name="consent_verbal_has_witness",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record} {self.purpose}"

    @property
    def is_override(self) -> bool:
        return self.method == self.Method.OVERRIDE

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class DestructionRecord(models.Model):
    """What is left of a child's record destroyed after its retention period: what (the
    record's UUID, the key of its audit rows), when, by which rule, and the few coarse
    fields the impact reports count (school, tier, sex, months opened and closed, outcome,
    whether wellbeing improved). Never the name, the contact, class, year of birth, notes or
    scores."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    record_uuid = models.UUIDField(_("destroyed record"), unique=True)
    destroyed_at = models.DateTimeField(_("destroyed"), default=timezone.now)
    rule = models.CharField(_("rule"), max_length=200)
    school = models.ForeignKey(School, null=True, on_delete=models.SET_NULL, related_name="+")
    tier = models.PositiveSmallIntegerField(_("tier"), choices=ChildRecord.Tier)
    sex = models.CharField(_("sex"), max_length=1, choices=ChildRecord.Sex)
    opened_month = models.DateField(_("opened (month)"))
    closed_month = models.DateField(_("closed (month)"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=ChildRecord.Outcome)
    wellbeing_improved = models.BooleanField(_("wellbeing improved"), null=True)

    class Meta:
        verbose_name = _("destruction record")
        verbose_name_plural = _("destruction records")
        ordering = ["-destroyed_at", "id"]

    def __str__(self) -> str:
        return f"destroyed {self.record_uuid}"


# --- Guardians linked to a record ------------------------------------------------------------


class GuardianLinkQuerySet(models.QuerySet):
    def active(self) -> "GuardianLinkQuerySet":
        return self.filter(ended_at__isnull=True)


class GuardianLink(models.Model):
    """A parent's or guardian's account (role `orang_tua`) tied to one child's record: the
    only parents who may be asked for an observation of that child (issue #17). Made and
    ended by the record's PEKSOS or a Koordinator, each time with a reason; an ended link is
    kept (who, when, why), a new link is a new row."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    record = models.ForeignKey(ChildRecord, on_delete=models.CASCADE, related_name="guardian_links")
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("parent or guardian"),
        on_delete=models.PROTECT,
        related_name="guardian_links",
    )
    reason = models.TextField(_("reason for the link"))
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.TextField(_("reason for ending"), blank=True)

    objects = GuardianLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("linked guardian")
        verbose_name_plural = _("linked guardians")
        ordering = ["-linked_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "guardian"],
                condition=Q(ended_at__isnull=True),
                name="guardian_link_one_active",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, ended_by__isnull=True)
                | Q(ended_at__isnull=False, ended_by__isnull=False),
                name="guardian_link_ended_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record} guardian link {self.linked_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None
