"""Impact reports: one row per requested (or monthly) PDF, with its state and progress.

The row is written in the request's transaction together with an outbox message; a worker
claims it (queued -> running) with a conditional UPDATE, records each finished section, writes
the PDF under a temporary name and moves it into place, and ends it done or failed. A report
left running by a killed worker may be claimed again once it is older than the task's time
limit (`STALE_AFTER`), so a retry always ends in one valid PDF and nothing stays "running".
"""

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from peksos.core import school_year
from peksos.core.idempotency import idempotency_key_column
from schools.models import Kecamatan, School

# A running report whose worker has been silent this long is taken to be dead.
STALE_AFTER = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def report_file_days() -> int:
    return int(getattr(settings, "REPORT_FILE_DAYS", 30))


class ReportQuerySet(models.QuerySet):
    def for_list(self) -> "ReportQuerySet":
        return self.select_related("requested_by", "school", "kecamatan")

    def stale(self, now=None) -> "ReportQuerySet":
        now = now or timezone.now()
        return self.filter(state=Report.State.RUNNING, started_at__lt=now - STALE_AFTER)

    def expired(self, now=None) -> "ReportQuerySet":
        return self.filter(expires_at__lt=now or timezone.now()).exclude(file="")

    def claimable(self, now=None) -> "ReportQuerySet":
        """Queued, or running with a worker that died (older than the time limit)."""
        now = now or timezone.now()
        return self.filter(
            Q(state=Report.State.QUEUED)
            | Q(state=Report.State.RUNNING, started_at__lt=now - STALE_AFTER)
        )


class PeriodKind(models.TextChoices):
    SCHOOL_YEAR = "tahun", _("school year")
    SEMESTER = "semester", _("semester")
    MONTH = "bulan", _("month")
    CUSTOM = "lain", _("other period")


class Report(models.Model):
    class Kind(models.TextChoices):
        CITY = "kota", _("city report")
        KECAMATAN = "kecamatan", _("kecamatan report")
        SCHOOL = "sekolah", _("school report")

    class State(models.TextChoices):
        QUEUED = "antre", _("waiting")
        RUNNING = "berjalan", _("being prepared")
        DONE = "selesai", _("ready")
        FAILED = "gagal", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("report"), max_length=10, choices=Kind)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    period_kind = models.CharField(
        _("period"), max_length=10, choices=PeriodKind, default=PeriodKind.CUSTOM
    )
    kecamatan = models.ForeignKey(
        Kecamatan,
        verbose_name=_("kecamatan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    school = models.ForeignKey(
        School,
        verbose_name=_("school"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Leaves the office: every count of cases, children or people under 5 is shown as "<5".
    outside_office = models.BooleanField(_("to leave the office"), default=False)
    with_appendix = models.BooleanField(_("with per-school tables"), default=False)
    monthly = models.BooleanField(_("monthly (automatic)"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    idempotency_key = idempotency_key_column()
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.QUEUED)
    sections_done = models.PositiveSmallIntegerField(_("sections done"), default=0)
    sections_total = models.PositiveSmallIntegerField(_("sections"), default=0)
    current_section = models.CharField(_("working on"), max_length=100, blank=True)
    # Set by each claim; progress and the end are written only by the run that holds it.
    run_token = models.UUIDField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    file = models.FileField(_("file"), upload_to="reports/", blank=True, max_length=200)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    # A message written for the person who asked, never an exception's text.
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("file kept until"), null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("impact report")
        verbose_name_plural = _("impact reports")
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(fields=["-created_at", "id"], name="report_created_id"),
            models.Index(fields=["requested_by", "-created_at"], name="report_requester"),
            models.Index(fields=["state", "started_at"], name="report_state_started"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="report_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(kind="kota", kecamatan__isnull=True, school__isnull=True)
                | Q(kind="kecamatan", kecamatan__isnull=False, school__isnull=True)
                | Q(kind="sekolah", kecamatan__isnull=True, school__isnull=False),
                name="report_scope_matches_kind",
            ),
            # Beat may run twice (or catch up after an outage): one monthly report per period.
            models.UniqueConstraint(
                fields=["kind", "period_start", "period_end"],
                condition=Q(monthly=True),
                name="one_monthly_report_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.scope_name} {self.period_text}"

    @property
    def scope_name(self) -> str:
        if self.kind == self.Kind.SCHOOL and self.school_id:
            return self.school.name
        if self.kind == self.Kind.KECAMATAN and self.kecamatan_id:
            return f"Kecamatan {self.kecamatan.name}"
        return "Kota Metro"

    @property
    def period_text(self) -> str:
        """The period in words, in the active language ("Semester 1, tahun ajaran 2025/2026")."""
        start, end = self.period_start, self.period_end
        year = school_year.year_of(start)
        if self.period_kind == PeriodKind.SCHOOL_YEAR:
            return _("school year %(first)s/%(second)s") % {"first": year, "second": year + 1}
        if self.period_kind == PeriodKind.SEMESTER:
            return _("semester %(n)s, school year %(first)s/%(second)s") % {
                "n": school_year.semester_of(start),
                "first": year,
                "second": year + 1,
            }
        if self.period_kind == PeriodKind.MONTH:
            return date_format(start, "F Y")
        return f"{date_format(start, 'j M Y')} – {date_format(end, 'j M Y')}"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if not self.sections_total:
            return 0
        return min(99, round(100 * self.sections_done / self.sections_total))

    @property
    def is_pending(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def is_expired(self) -> bool:
        return self.state == self.State.DONE and (
            not self.file or (self.expires_at is not None and self.expires_at < timezone.now())
        )

    @property
    def is_downloadable(self) -> bool:
        return self.state == self.State.DONE and bool(self.file) and not self.is_expired

    @property
    def can_run_again(self) -> bool:
        """Failed, or done with its file gone: the person may ask for it again."""
        return self.state == self.State.FAILED or self.is_expired

    def download_name(self, extension: str = "pdf") -> str:
        scope = {
            self.Kind.CITY: "kota-metro",
            self.Kind.KECAMATAN: f"kecamatan-{self.kecamatan.code if self.kecamatan_id else ''}",
            self.Kind.SCHOOL: f"sekolah-{self.school.npsn if self.school_id else ''}",
        }[self.kind]
        return f"laporan-{scope}-{self.period_start:%Y%m%d}-{self.period_end:%Y%m%d}.{extension}"


def month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)
