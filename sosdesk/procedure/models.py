"""The records of a case's PPKSP procedure (docs/domain.md §3), beside `sosdesk.models.Case`.

Names and contacts of the parties, and interview summaries, are encrypted at rest with the
key ring of `peksos.core.crypto` (the same keys as children in monitoring, rotated by
`manage.py rotate_monitoring_keys`). Rows are addressed by UUID, never a sequential id.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peksos.core.crypto import EncryptedTextField
from peksos.core.idempotency import idempotency_key_column
from peksos.core.tallies import TallyOnSave
from peksos.core.uploads import private_storage
from schools.models import School

CASE_MODEL = "sosdesk.Case"


class Sex(models.TextChoices):
    MALE = "L", _("male")
    FEMALE = "P", _("female")
    UNKNOWN = "", _("not known")


class AgeBand(models.TextChoices):
    """SIMFONI PPA's age bands (docs/domain.md §3: 0-5, 6-12, 13-17 for children), with
    SIMFONI's adult bands for teachers, staff and outsiders."""

    AGE_0_5 = "0-5", "0–5"
    AGE_6_12 = "6-12", "6–12"
    AGE_13_17 = "13-17", "13–17"
    AGE_18_24 = "18-24", "18–24"
    AGE_25_44 = "25-44", "25–44"
    AGE_45_59 = "45-59", "45–59"
    AGE_60 = "60+", "60+"
    UNKNOWN = "", _("not known")


CHILD_AGE_BANDS = frozenset({AgeBand.AGE_0_5, AgeBand.AGE_6_12, AgeBand.AGE_13_17})


class CaseParty(TallyOnSave, models.Model):
    """A person in a case: victim, alleged party, witness or reporter. The categories are the
    regulation's (46/2023): peserta didik, pendidik, tenaga kependidikan, warga satuan
    pendidikan lain, pihak luar. SIMFONI's figures count these rows (role, category, sex, age
    band: the register-wide ones are tallied, sosdesk/figure_tallies.py); the name and
    contact never leave the encrypted columns except through the audited reveal."""

    tally_domains = ("cases",)
    # What sosdesk/party_figures.py counts of a party (never its name or contact).
    tally_fields = frozenset({"case", "role", "category", "sex", "age_band"})

    class Role(models.TextChoices):
        VICTIM = "korban", _("victim")
        ALLEGED = "terlapor", _("alleged party")
        WITNESS = "saksi", _("witness")
        REPORTER = "pelapor", _("reporter")

    class Category(models.TextChoices):
        PUPIL = "peserta_didik", _("pupil (peserta didik)")
        TEACHER = "pendidik", _("teacher (pendidik)")
        STAFF = "tendik", _("education staff (tenaga kependidikan)")
        SCHOOL_OTHER = "warga_lain", _("other member of the school community")
        OUTSIDER = "pihak_luar", _("someone from outside the school")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(CASE_MODEL, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("role in the case"), max_length=10, choices=Role)
    category = models.CharField(_("category"), max_length=14, choices=Category)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex, blank=True)
    age_band = models.CharField(_("age band"), max_length=6, choices=AgeBand, blank=True)
    relation = models.CharField(
        _("relation to the school"),
        max_length=150,
        blank=True,
        help_text=_("For example: class 8B, homeroom teacher, canteen worker, older sibling."),
    )
    name = EncryptedTextField(_("name"), max_length=150)
    contact = EncryptedTextField(_("contact"), max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = idempotency_key_column()

    class Meta:
        verbose_name = _("party of a case")
        verbose_name_plural = _("parties of cases")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "role"], name="case_party_role")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.role}"

    def tally_school_ids(self) -> set[int]:
        return {self.case.school_id}

    @property
    def is_child(self) -> bool:
        return self.category == self.Category.PUPIL or self.age_band in CHILD_AGE_BANDS


class Interview(models.Model):
    """An interview of the examination (pemeriksaan): planned, then held with a summary."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(CASE_MODEL, on_delete=models.CASCADE, related_name="interviews")
    party = models.ForeignKey(
        CaseParty, verbose_name=_("who"), on_delete=models.PROTECT, related_name="interviews"
    )
    planned_at = models.DateTimeField(_("when"))
    interviewers = models.CharField(_("by whom"), max_length=200)
    held_at = models.DateTimeField(_("held"), null=True, blank=True)
    summary = EncryptedTextField(_("summary"), max_length=8000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = idempotency_key_column()

    class Meta:
        ordering = ["planned_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} interview"


class Evidence(models.Model):
    """Evidence received by the examination: a described item, with a file that passed
    `peksos.core.uploads.validate_document` (photos re-encoded without EXIF), stored under a
    generated name in the private media folder and streamed only by the checked view."""

    MAX_BYTES = 10 * 1024 * 1024

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(CASE_MODEL, on_delete=models.CASCADE, related_name="evidence")
    description = models.CharField(_("what it is"), max_length=300)
    received_from = models.CharField(_("received from"), max_length=150, blank=True)
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    file = models.FileField(_("file"), storage=private_storage, max_length=200, blank=True)
    display_name = models.CharField(max_length=150, blank=True)
    content_type = models.CharField(max_length=50, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = idempotency_key_column()

    class Meta:
        verbose_name_plural = _("evidence")
        ordering = ["received_on", "created_at", "id"]

    def __str__(self) -> str:
        return self.description


class Finding(models.TextChoices):
    PROVEN = "terbukti", _("proven")
    NOT_PROVEN = "tidak_terbukti", _("not proven")
    INSUFFICIENT = "bukti_kurang", _("insufficient evidence")


class SanctionLevel(models.TextChoices):
    """46/2023: administrative sanctions graded light, moderate, heavy."""

    RINGAN = "ringan", _("light (ringan)")
    SEDANG = "sedang", _("moderate (sedang)")
    BERAT = "berat", _("heavy (berat)")


class Conclusion(models.Model):
    """The examination's conclusion and the desk's recommendation. Drafted by a handler,
    approved by the desk's chair (the `DeskMember` marked chair whose account it is; a
    Koordinator may approve for the Dinas). Locked once approved."""

    case = models.OneToOneField(CASE_MODEL, on_delete=models.CASCADE, related_name="conclusion")
    finding = models.CharField(_("finding"), max_length=14, choices=Finding)
    sanction_level = models.CharField(
        _("sanction for the alleged party"), max_length=6, choices=SanctionLevel, blank=True
    )
    sanction = models.TextField(_("recommended sanction"), max_length=2000, blank=True)
    victim_recovery = models.TextField(_("the victim's recovery"), max_length=2000)
    continued_schooling = models.TextField(
        _("continued schooling of the pupils involved"), max_length=2000
    )
    reasoning = models.TextField(_("grounds of the conclusion"), max_length=4000)
    drafted_at = models.DateTimeField(default=timezone.now)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_as = models.CharField(_("approved as"), max_length=150, blank=True)

    def __str__(self) -> str:
        return f"{self.case_id} {self.finding}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class Decision(models.Model):
    """Follow-up (tindak lanjut): the decision of the principal or the competent authority on
    the recommendation, and its execution."""

    class Authority(models.TextChoices):
        PRINCIPAL = "kepala_sekolah", _("the principal")
        FOUNDATION = "yayasan", _("the school's foundation (yayasan)")
        DISDIK = "disdik", _("Dinas Pendidikan")
        OTHER = "lainnya", _("another competent authority")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(CASE_MODEL, on_delete=models.CASCADE, related_name="decisions")
    authority = models.CharField(_("decided by"), max_length=14, choices=Authority)
    decided_by_name = models.CharField(_("name and position"), max_length=150)
    decision = models.TextField(_("what was decided"), max_length=2000)
    decided_on = models.DateField(_("date of the decision"))
    decree_number = models.CharField(_("decree number"), max_length=100, blank=True)
    execute_by = models.DateField(_("to be carried out by"), null=True, blank=True)
    executed_on = models.DateField(_("carried out on"), null=True, blank=True)
    execution_note = models.TextField(_("how it was carried out"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = idempotency_key_column()

    class Meta:
        ordering = ["decided_on", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} decision"


class RecoveryTask(models.Model):
    """Recovery of the victim (pemulihan), from the day the report is received."""

    class Kind(models.TextChoices):
        COUNSELLING = "konseling", _("counselling")
        MEDICAL = "medis", _("medical care")
        LEGAL = "hukum", _("legal aid")
        UPTD_PPA = "uptd_ppa", _("referral to UPTD PPA")
        OTHER = "lainnya", _("other support")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(CASE_MODEL, on_delete=models.CASCADE, related_name="recovery_tasks")
    kind = models.CharField(_("support"), max_length=10, choices=Kind)
    description = models.CharField(_("what is to be done"), max_length=300, blank=True)
    owner = models.CharField(_("who is responsible"), max_length=150)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_note = models.CharField(_("result"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = idempotency_key_column()

    class Meta:
        ordering = ["done_on", "due_on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class Handover(models.Model):
    """A case moved to another school's desk, or given to another PEKSOS: the history.
    The case's PEKSOS is the `to_peksos` of its latest PEKSOS handover (none: every PEKSOS
    of the school)."""

    class Kind(models.TextChoices):
        SCHOOL = "sekolah", _("moved to another school's desk")
        PEKSOS = "peksos", _("given to another PEKSOS")

    case = models.ForeignKey(CASE_MODEL, on_delete=models.CASCADE, related_name="handovers")
    kind = models.CharField(max_length=8, choices=Kind)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_peksos = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_peksos = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class CaseDocument(models.Model):
    """A PDF of the case (examination report, recommendation letter), rendered by a worker
    through the outbox. The file is encrypted at rest and served only by the checked view."""

    class Kind(models.TextChoices):
        EXAMINATION = "lhp", _("examination report (laporan hasil pemeriksaan)")
        RECOMMENDATION = "rekomendasi", _("recommendation letter")

    class State(models.TextChoices):
        QUEUED = "antre", _("waiting")
        DONE = "selesai", _("ready")
        FAILED = "gagal", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(CASE_MODEL, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=12, choices=Kind)
    state = models.CharField(max_length=8, choices=State, default=State.QUEUED)
    file = models.FileField(storage=private_storage, max_length=200, blank=True)
    error = models.CharField(max_length=300, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"

    @property
    def filename(self) -> str:
        stem = "laporan-hasil-pemeriksaan" if self.kind == self.Kind.EXAMINATION else "rekomendasi"
        return f"{stem}-{self.case.code}.pdf"
