"""Each school's SOS Desk (its TPPK plus the assigned PEKSOS), reports of violence against
children, their handling, referrals and the conversation with the reporter.

The law behind the fields is in docs/domain.md §3-4 (Permendikbudristek 46/2023, UU TPKS Pasal 41).
Cases are addressed by a random tracking code, never by a sequential id.
"""

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peksos.core.crypto import EncryptedTextField
from peksos.core.idempotency import idempotency_key_column
from peksos.core.tallies import TallyOnSave
from peksos.core.uploads import private_storage
from schools.models import School

# Tracking codes avoid look-alike characters (0/O, 1/I/L) so they can be read over the phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
PIN_LENGTH = 6


def new_tracking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_pin() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(PIN_LENGTH))


def new_public_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


class Desk(models.Model):
    """A school's SOS Desk: the TPPK appointed by the principal's decree (SK) for 2 years."""

    school = models.OneToOneField(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="sos_desk"
    )
    sk_number = models.CharField(_("decree (SK) number"), max_length=100, blank=True)
    term_start = models.DateField(_("term starts"), null=True, blank=True)
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    # The short code of the school's public report page (/lapor/<code>/) and its QR poster.
    public_code = models.CharField(
        _("public code"), max_length=12, unique=True, default=new_public_code
    )
    accepts_reports = models.BooleanField(_("accepts reports online"), default=True)

    class Meta:
        verbose_name = _("SOS Desk")
        verbose_name_plural = _("SOS Desks")

    def __str__(self) -> str:
        return f"SOS Desk {self.school}"

    def save(self, *args, **kwargs):
        # Six characters give about 887 million codes: at the national register's 450,000
        # desks a fresh code is taken about once in 2,000 (bench/national.py hit it).
        if self._state.adding:
            while Desk.objects.filter(public_code=self.public_code).exists():
                self.public_code = new_public_code()
        super().save(*args, **kwargs)


class DeskMember(models.Model):
    """A TPPK member. Members need no account; officers who use PEKSOS are linked to one."""

    class Position(models.TextChoices):
        TEACHER = "guru", _("teacher")
        STAFF = "tendik", _("education staff")
        COMMITTEE = "komite", _("school committee / parent")

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=150)
    position = models.CharField(_("from"), max_length=8, choices=Position)
    is_chair = models.BooleanField(_("chair (koordinator TPPK)"), default=False)
    is_principal = models.BooleanField(_("is the principal"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="desk_memberships",
    )

    class Meta:
        verbose_name = _("desk member")
        verbose_name_plural = _("desk members")
        ordering = ["-is_chair", "name"]

    def __str__(self) -> str:
        return self.name


class ViolenceForm(models.TextChoices):
    """Permendikbudristek 46/2023 Pasal 6, plus `lainnya`."""

    FISIK = "fisik", _("physical violence")
    PSIKIS = "psikis", _("psychological violence")
    PERUNDUNGAN = "perundungan", _("bullying")
    SEKSUAL = "seksual", _("sexual violence")
    DISKRIMINASI = "diskriminasi", _("discrimination and intolerance")
    KEBIJAKAN = "kebijakan", _("policies that contain violence")
    LAINNYA = "lainnya", _("other")


class Modality(models.TextChoices):
    PHYSICAL = "fisik", _("physically")
    VERBAL = "verbal", _("verbally")
    NONVERBAL = "nonverbal", _("non-verbally")
    ONLINE = "daring", _("online / through devices")


class Scope(models.TextChoices):
    """Cakupan (46/2023)."""

    INSIDE = "dalam", _("inside the school")
    ACTIVITY = "kegiatan", _("at a school activity outside the school")
    MULTI = "antar", _("involving more than one school")
    UNSURE = "tidak_tahu", _("not sure")


class Affected(models.TextChoices):
    PUPIL = "murid", _("a pupil")
    TEACHER = "guru", _("a teacher")
    STAFF = "tendik", _("school staff")
    OTHER = "lainnya", _("someone else")


class CaseQuerySet(models.QuerySet):
    def open(self) -> "CaseQuerySet":
        # IN, not "not closed": the (status, stage_due_at) index finds the few open cases
        # among a million closed ones (bench/national.py).
        return self.filter(status__in=Case.OPEN_STATUSES)

    def police_clock_running(self) -> "CaseQuerySet":
        return self.filter(police_due_at__isnull=False, police_clock_closed_at__isnull=True)

    def overdue(self, now=None) -> "CaseQuerySet":
        now = now or timezone.now()
        return self.open().filter(
            Q(stage_due_at__lt=now) | Q(police_due_at__lt=now, police_clock_closed_at__isnull=True)
        )


class Case(TallyOnSave, models.Model):
    """A report of violence, from receipt to closure. Committed before anything else happens."""

    tally_domains = ("cases",)
    # What sosdesk/case_counts.py (and party_figures.py: its forms) counts of a case.
    tally_fields = frozenset(
        {"school", "received_at", "forms", "modalities", "status", "channel"}
        # sosdesk/deadline_tallies.py: open cases by their earliest deadline
        | {"stage_due_at", "police_due_at", "police_clock_closed_at"}
    )

    class Status(models.TextChoices):
        RECEIVED = "diterima", _("received")
        VERIFYING = "verifikasi", _("being verified")
        HANDLING = "ditangani", _("being handled")
        REFERRED = "dirujuk", _("referred")
        CLOSED = "selesai", _("closed")

    OPEN_STATUSES = (Status.RECEIVED, Status.VERIFYING, Status.HANDLING, Status.REFERRED)

    class Channel(models.TextChoices):
        PUBLIC_FORM = "formulir", _("public online form")
        IN_PERSON = "langsung", _("in person")
        PHONE = "telepon", _("by phone")
        LETTER = "surat", _("by letter")
        MESSAGE = "pesan", _("by message (WhatsApp, SMS)")

    class Urgency(models.TextChoices):
        EMERGENCY = "darurat", _("emergency")
        HIGH = "tinggi", _("high")
        MEDIUM = "sedang", _("medium")
        LOW = "rendah", _("low")

    class Outcome(models.TextChoices):
        RESOLVED = "ditangani", _("handled at school, child recovering")
        REFERRED_DONE = "rujukan_selesai", _("handled by a partner after referral")
        UNFOUNDED = "tidak_terbukti", _("not confirmed after verification")
        DUPLICATE = "duplikat", _("duplicate of another report")
        OUT_OF_SCOPE = "di_luar", _("outside the desk's scope (passed on)")
        WITHDRAWN = "dicabut", _("withdrawn by the reporter")

    class Danger(models.TextChoices):
        YES = "ya", _("yes, it is still happening")
        NO = "tidak", _("no")
        UNSURE = "tidak_tahu", _("not sure")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(
        _("tracking code"), max_length=12, unique=True, default=new_tracking_code
    )
    pin_hash = models.CharField(max_length=128, blank=True)
    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="cases"
    )
    channel = models.CharField(_("received"), max_length=10, choices=Channel)
    # Reporter: never stored when anonymous. Visible to the desk and Koordinators only.
    # The case's text is encrypted at rest (peksos/core/crypto.py): no search in SQL.
    anonymous = models.BooleanField(_("anonymous"), default=True)
    reporter_name = EncryptedTextField(_("reporter's name"), blank=True)
    reporter_contact = EncryptedTextField(_("reporter's contact"), blank=True)
    reporter_relation = models.CharField(
        _("reporter is"), max_length=10, choices=Affected, blank=True
    )
    contact_allowed = models.BooleanField(_("the reporter asked to be contacted"), default=False)
    # What happened.
    narrative = EncryptedTextField(_("what happened"))
    forms = models.JSONField(_("forms of violence"), default=list)
    modalities = models.JSONField(_("how it was done"), default=list)
    scope = models.CharField(
        _("where (cakupan)"), max_length=10, choices=Scope, default=Scope.UNSURE
    )
    occurred_on = models.DateField(_("when"), null=True, blank=True)
    occurred_text = models.CharField(_("when (in words)"), max_length=100, blank=True)
    affected = models.JSONField(_("who was affected"), default=list)
    ongoing_danger = models.CharField(
        _("is the danger still going on?"), max_length=10, choices=Danger, default=Danger.UNSURE
    )
    # Handling.
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.RECEIVED)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stage_changed_at = models.DateTimeField(_("stage since"), default=timezone.now)
    stage_due_at = models.DateTimeField(_("stage due"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # UU TPKS Pasal 41: sexual violence handled by the Dinas Sosial -> police within 3x24 hours.
    police_due_at = models.DateTimeField(_("report to the police by"), null=True, blank=True)
    police_report_ref = models.CharField(_("police report reference"), max_length=100, blank=True)
    police_exemption_reason = models.TextField(_("reason for not reporting"), blank=True)
    police_exemption_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    police_clock_closed_at = models.DateTimeField(_("police clock closed"), null=True, blank=True)
    # A double submit of the public form creates one case.
    idempotency_key = idempotency_key_column()
    # Filed through the public form while the flood limits were exceeded (sosdesk/flood.py):
    # kept and tracked like any report, marked so the desk checks whether it is genuine.
    burst = models.BooleanField(_("arrived in a burst"), default=False)
    # Protection of the case (sosdesk/protection/): sent by the reporter to the Dinas only
    # (hidden from the whole school), or restricted by staff to its named handlers.
    dinas_only = models.BooleanField(_("sent to the Dinas Sosial only"), default=False)
    restricted = models.BooleanField(_("restricted to named handlers"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["school", "status", "-received_at"], name="case_school_status"),
            # Open cases and their deadlines, counted from the index alone (dashboards, figures).
            models.Index(
                fields=["status", "stage_due_at"],
                include=["police_due_at", "police_clock_closed_at"],
                name="case_open_deadlines",
            ),
            models.Index(
                fields=["police_due_at"],
                condition=Q(police_due_at__isnull=False, police_clock_closed_at__isnull=True),
                name="case_police_clock_running",
            ),
            models.Index(fields=["-received_at", "id"], name="case_received_id"),
        ]

    def __str__(self) -> str:
        return self.code

    def set_pin(self, pin: str) -> None:
        self.pin_hash = make_password(pin)

    def check_pin(self, pin: str) -> bool:
        return bool(self.pin_hash) and check_password(pin, self.pin_hash)

    @property
    def is_sexual_violence(self) -> bool:
        return ViolenceForm.SEKSUAL in self.forms

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    def get_forms_display(self) -> list[str]:
        labels = dict(ViolenceForm.choices)
        return [str(labels.get(f, f)) for f in self.forms]

    def get_modalities_display(self) -> list[str]:
        labels = dict(Modality.choices)
        return [str(labels.get(m, m)) for m in self.modalities]

    def get_affected_display(self) -> list[str]:
        labels = dict(Affected.choices)
        return [str(labels.get(a, a)) for a in self.affected]


class CaseEvent(TallyOnSave, models.Model):
    """The case's timeline: every status change and decision, timestamped, with who did it."""

    tally_domains = ("cases",)
    # What sosdesk/case_counts.py (`_stage_hours`) counts of an event.
    tally_fields = frozenset({"case", "kind", "to_status", "at"})

    class Kind(models.TextChoices):
        RECEIVED = "received", _("report received")
        STATUS = "status", _("status changed")
        TRIAGE = "triage", _("urgency set")
        ASSIGNED = "assigned", _("classification changed")
        REFERRAL = "referral", _("referral")
        POLICE = "police", _("police report")
        ESCALATED = "escalated", _("escalated to the Koordinator")
        PROCEDURE = "procedure", _("procedure step")
        HANDOVER = "handover", _("handed over")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind)
    from_status = models.CharField(max_length=10, choices=Case.Status, blank=True)
    to_status = models.CharField(max_length=10, choices=Case.Status, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            # The figures' time to each stage read from the index alone (sosdesk/case_counts.py).
            models.Index(
                fields=["case", "to_status", "at"],
                condition=Q(kind="status"),
                name="case_event_status_times",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.kind}"

    def tally_school_ids(self) -> set[int]:
        return {self.case.school_id}


class CaseMessage(models.Model):
    """The conversation with the reporter (seen on the tracking page)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    at = models.DateTimeField(default=timezone.now)
    from_reporter = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = EncryptedTextField(_("message"), max_length=4000)
    idempotency_key = idempotency_key_column()
    # Sent by the reporter while their messages on this case exceeded the flood limit
    # (sosdesk/flood.py): saved and shown as always, marked for the desk to check.
    burst = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case} message"


class CaseNote(models.Model):
    """Internal notes of the desk: never shown to the reporter."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField(_("note"), max_length=8000)
    idempotency_key = idempotency_key_column()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case} note"


class CaseAttachment(models.Model):
    """A file attached to an internal note: a photo or a PDF of evidence, a letter; or a
    reporter's photo or screenshot (public form, tracking page).

    Staff only, like the notes: the reporter's tracking page never serves them (it lists
    only the names of the reporter's own photos). The
    file passed `peksos.core.uploads.validate_document` (photos re-encoded without EXIF/GPS)
    and is stored under a generated name in the private media folder; only the
    permission-checked download view streams it."""

    MAX_FILES = 5  # per note
    MAX_BYTES = 10 * 1024 * 1024  # per file

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    # A desk note's file; or, with `from_reporter`, a reporter's photo sent with the report
    # (no note, no message) or with a message on the tracking page (sosdesk/protection/).
    note = models.ForeignKey(
        CaseNote, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        CaseMessage, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    from_reporter = models.BooleanField(default=False)
    file = models.FileField(_("file"), storage=private_storage, max_length=200)
    display_name = models.CharField(_("file name as uploaded"), max_length=150)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(  # none for the reporter
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "display_name", "id"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Partner(models.TextChoices):
    UPTD_PPA = "uptd_ppa", _("UPTD PPA Kota Metro")
    POLRES_PPA = "polres_ppa", _("Unit PPA Polres Metro")
    PUSKESMAS = "puskesmas", _("Puskesmas")
    PSIKOLOG = "psikolog", _("a psychologist")
    DISDIK = "disdik", _("Dinas Pendidikan")
    SATGAS = "satgas", _("Satgas PPKSP")


class Referral(models.Model):
    class State(models.TextChoices):
        SENT = "dikirim", _("sent")
        ACCEPTED = "diterima", _("accepted")
        DECLINED = "ditolak", _("declined")
        DONE = "selesai", _("done")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    partner = models.CharField(_("referred to"), max_length=12, choices=Partner)
    psikolog = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("psychologist"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.SENT)
    reason = models.TextField(_("why"), max_length=2000)
    response_note = models.TextField(_("partner's note"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.case} -> {self.partner}"


class StageDeadlines(models.Model):
    """Deadlines per stage (docs/domain.md: the regulation's are unverified, so they are settings
    with defaults the Koordinator can change). One row; a change is audited."""

    received_hours = models.PositiveIntegerField(
        _("verification starts within (hours)"), default=24
    )
    verifying_hours = models.PositiveIntegerField(_("verification done within (hours)"), default=72)
    handling_days = models.PositiveIntegerField(_("handling or referral within (days)"), default=14)
    referred_days = models.PositiveIntegerField(_("partner's answer within (days)"), default=7)
    police_hours = models.PositiveIntegerField(
        _("sexual violence to the police within (hours)"), default=72
    )
    # The PPKSP procedure's steps (sosdesk/procedure/clocks.py).
    examination_days = models.PositiveIntegerField(
        _("examination concluded within (days of receipt)"), default=30
    )
    decision_days = models.PositiveIntegerField(
        _("follow-up decided within (days of the conclusion)"), default=14
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("stage deadlines")
        verbose_name_plural = _("stage deadlines")

    def __str__(self) -> str:
        return "stage deadlines"

    @classmethod
    def current(cls) -> "StageDeadlines":
        return cls.objects.order_by("pk").first() or cls.objects.create()

    def due_for(self, status: str, since):
        """When a case that entered `status` at `since` is overdue (None: no deadline)."""
        spans = {
            Case.Status.RECEIVED: timedelta(hours=self.received_hours),
            Case.Status.VERIFYING: timedelta(hours=self.verifying_hours),
            Case.Status.HANDLING: timedelta(days=self.handling_days),
            Case.Status.REFERRED: timedelta(days=self.referred_days),
        }
        span = spans.get(status)
        return since + span if span else None


class TrackingFailure(models.Model):
    """A wrong tracking code or PIN on the public tracking page. Failures are counted per
    code and per client address in the database (works with Redis down) to throttle guessing."""

    key = models.CharField(max_length=80, db_index=True)  # "code:XXXX" or "ip:1.2.3.4"
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["key", "at"], name="tracking_failure_key_at")]

    def __str__(self) -> str:
        return self.key


class PublicSubmission(models.Model):
    """The flood counters of the public report form (sosdesk/flood.py), in the database so
    they work with Redis down. Key "a:<4 hex>": a report from an address whose keyed hash
    falls in that bucket (65,536 buckets: a row cannot name anyone, and it has no link to
    the case). Key "n:<school id>": the flood notice sent to that school's desk. Rows older
    than a day are deleted."""

    key = models.CharField(max_length=16)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["key", "at"], name="public_submission_key_at")]

    def __str__(self) -> str:
        return f"{self.key} {self.at:%Y-%m-%d %H:%M}"


# The PPKSP procedure's records (parties, examination, conclusion, follow-up, recovery,
# handovers, documents) live in their own module; imported here so Django finds them.
from .procedure.models import (  # noqa: E402, F401
    CaseDocument,
    CaseParty,
    Conclusion,
    Decision,
    Evidence,
    Handover,
    Interview,
    RecoveryTask,
)

# Models of the case's protection and retention, in their own module (app label sosdesk).
from .protection.models import CaseDestruction, CaseHandler, CaseRecusal  # noqa: E402, F401
