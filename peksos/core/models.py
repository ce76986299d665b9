"""Audit log and outbox: the two tables every feature writes in its own transaction; and the
office's settings (one row) that reports and public pages read."""

import base64
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from .uploads import private_storage


class AuditLogIsAppendOnly(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("audit events cannot be updated")

    def delete(self):
        raise AuditLogIsAppendOnly("audit events cannot be deleted")

    def for_object(self, obj: models.Model) -> "AuditEventQuerySet":
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


class AuditEvent(models.Model):
    """Who did what to which record, when and from where. Never holds sensitive values.

    Append-only: the model refuses updates and deletes, and a database trigger
    (migration 0002) refuses them for any SQL the application sends.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,  # users are deactivated, never deleted
        related_name="+",
        db_constraint=False,
    )
    actor_role = models.CharField(_("role"), max_length=32, blank=True)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        target = f"{self.object_type}#{self.object_id}"
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_role} {self.action} {target}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AuditLogIsAppendOnly("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("audit events cannot be deleted")


class OutboxQuerySet(models.QuerySet):
    def due(self) -> "OutboxQuerySet":
        return self.filter(
            state=OutboxMessage.State.PENDING, available_at__lte=timezone.now()
        ).order_by("available_at", "id")


class OutboxMessage(models.Model):
    """A side effect (an e-mail, a task) recorded in the same transaction as its cause.

    `kind` is the name of the Celery task that carries it out. The relay publishes due rows
    (pending -> dispatched); the task claims its row with a conditional UPDATE
    (dispatched -> running) before acting, so a message published twice is acted on once;
    it ends done, or pending again with a back-off, or failed after too many attempts.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        DISPATCHED = "dispatched", _("dispatched")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=64)
    payload = models.JSONField(_("payload"), default=dict)
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.PENDING)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    available_at = models.DateTimeField(_("available from"), default=timezone.now)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [models.Index(fields=["state", "available_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.state}"


class Tally(models.Model):
    """A part of a register-wide figure's sum for one key (and day): rows are appended as
    deltas by every write and folded together every minute (`peksos.core.tallies`)."""

    figure = models.CharField(_("figure"), max_length=40)
    group = models.CharField(_("group"), max_length=40, default="")  # tallies.group_of(key)
    key = models.CharField(_("key"), max_length=240)
    day = models.DateField(_("day"))  # tallies.UNDATED for a key that has no date
    # "d": the day's row; "m" and "y": the same delta again for its month and its year (`day`
    # their first day), so that a long range sums a few rows (tallies.cover).
    span = models.CharField(_("span"), max_length=1, default="d")
    n = models.BigIntegerField(_("count"))

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")
        indexes = [
            models.Index(
                fields=["figure", "group", "span", "day", "key"], name="core_tally_figure_span"
            )
        ]

    def __str__(self) -> str:
        return f"{self.figure} {self.key} {self.day} {self.n:+d}"


class SchoolTally(models.Model):
    """One school's contribution to one register-wide figure, as last counted
    (`peksos.core.tallies`): a list of [key, day, n]. Its row is locked while a writer counts
    the school again, so two writers of one school take turns."""

    figure = models.CharField(_("figure"), max_length=40)
    school_id = models.BigIntegerField(_("school"))  # no foreign key: floor 1 knows no school
    counts = models.JSONField(_("counts"), default=list)

    class Meta:
        verbose_name = _("school tally")
        verbose_name_plural = _("school tallies")
        constraints = [
            models.UniqueConstraint(fields=["figure", "school_id"], name="core_schooltally_unique")
        ]

    def __str__(self) -> str:
        return f"{self.figure} {self.school_id}"


OFFICE_SETTINGS_CACHE_KEY = "core:office-settings:v1"


class OfficeSettings(models.Model):
    """The office's own details, one row (id 1): the letterhead of the PDF reports, who signs
    them, and the emergency and helpline numbers of the public pages. The defaults are today's
    texts for the Dinas Sosial of Kota Metro, so nothing changes until a Koordinator edits them.

    Read through `OfficeSettings.current()` (kept in the default cache, dropped on save);
    changed only through `home.office` (Koordinator, audited field by field)."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    office_name = models.CharField(
        _("office name"), max_length=120, default="Dinas Sosial Kota Metro"
    )
    address = models.CharField(_("address"), max_length=250, blank=True)
    phone = models.CharField(_("office phone"), max_length=32, blank=True)
    signer_name = models.CharField(_("name of who signs reports"), max_length=120, blank=True)
    signer_title = models.CharField(
        _("title of who signs reports"), max_length=120, default="Kepala Dinas Sosial Kota Metro"
    )
    police_number = models.CharField(_("police number"), max_length=16, default="110")
    emergency_number = models.CharField(_("emergency number"), max_length=16, default="112")
    helpline_number = models.CharField(_("SAPA helpline number"), max_length=16, default="129")
    # Read through peksos.core.school_year, never directly.
    school_year_start_month = models.PositiveSmallIntegerField(
        _("first month of the school year"),
        choices=list(MONTHS.items()),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    # The letterhead logo: validated and re-encoded by peksos.core.uploads.validate_image.
    logo = models.FileField(
        _("letterhead logo"), storage=private_storage, max_length=200, blank=True
    )
    logo_content_type = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # The fields a change is audited by (one audit row per changed field, never the values).
    AUDITED_FIELDS = (
        "office_name",
        "address",
        "phone",
        "signer_name",
        "signer_title",
        "police_number",
        "emergency_number",
        "helpline_number",
        "school_year_start_month",
        "logo",
    )

    class Meta:
        verbose_name = _("office settings")
        verbose_name_plural = _("office settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="office_settings_single_row")
        ]

    def __str__(self) -> str:
        return self.office_name

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_ID
        super().save(*args, **kwargs)
        self.forget()

    @staticmethod
    def forget() -> None:
        """Drop the cached row now and again when the transaction commits (a reader between
        the two would otherwise cache the old row)."""
        cache.delete(OFFICE_SETTINGS_CACHE_KEY)
        transaction.on_commit(lambda: cache.delete(OFFICE_SETTINGS_CACHE_KEY))

    @classmethod
    def current(cls) -> "OfficeSettings":
        """The office's settings for reading (templates, reports): the stored row, or the
        defaults when nobody has saved any. Never saves; do not change the object returned."""
        found = cache.get(OFFICE_SETTINGS_CACHE_KEY)
        if found is None:
            found = cls.objects.filter(pk=cls.SINGLETON_ID).first() or cls()
            # Short: with the embedded default's per-process cache, another process sees a
            # change within a minute (Redis, shared, is cleared at once by `forget`).
            cache.set(OFFICE_SETTINGS_CACHE_KEY, found, timeout=60)
        return found

    @classmethod
    def from_database(cls) -> "OfficeSettings":
        """A fresh copy from the database (or the defaults, unsaved): for the settings form,
        and for the reports' workers, which must not print a copy cached in another process."""
        return cls.objects.filter(pk=cls.SINGLETON_ID).first() or cls()

    def logo_data_uri(self) -> str:
        """The logo as a `data:` URI (the only kind of image the PDF renderer fetches), or ""."""
        if not self.logo or self.logo_content_type not in {"image/jpeg", "image/png", "image/webp"}:
            return ""
        try:
            with self.logo.storage.open(self.logo.name, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            return ""
        return f"data:{self.logo_content_type};base64,{base64.b64encode(data).decode('ascii')}"

    def tel(self, field: str) -> str:
        """A number as a `tel:` link target: digits and a leading + only."""
        value = getattr(self, field)
        return ("+" if value.startswith("+") else "") + "".join(c for c in value if c.isdigit())

    @property
    def police_tel(self) -> str:
        return self.tel("police_number")

    @property
    def emergency_tel(self) -> str:
        return self.tel("emergency_number")

    @property
    def helpline_tel(self) -> str:
        return self.tel("helpline_number")
