"""The school register of Kota Metro: regions, schools, priority, calendars, and who serves
which school."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peksos.core.tallies import TallyOnSave


class Kecamatan(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)  # Kemendagri, e.g. 18.72.01
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class UpperRegion(models.Model):
    """A province or kabupaten/kota: its Kemendagri code ("18", "18.72") and name. The
    register keeps schools in kecamatan and kelurahan; the levels above are the prefixes of
    their codes (`schools.region_tree`), named here (the 38 provinces and Kota Metro ship in
    schools/fixtures/regions_above_kecamatan.csv). A code without a row shows as its code."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("province or kabupaten/kota")
        verbose_name_plural = _("provinces and kabupaten/kota")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Kelurahan(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)  # e.g. 18.72.01.1001
    name = models.CharField(_("name"), max_length=100)
    kecamatan = models.ForeignKey(
        Kecamatan, verbose_name=_("kecamatan"), on_delete=models.PROTECT, related_name="kelurahan"
    )

    class Meta:
        verbose_name = _("kelurahan")
        verbose_name_plural = _("kelurahan")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["kecamatan", "name"], name="unique_kelurahan_name")
        ]

    def __str__(self) -> str:
        return self.name


class PriorityBand(models.TextChoices):
    HIGH = "tinggi", _("high")
    MEDIUM = "sedang", _("medium")
    LOW = "rendah", _("low")
    UNKNOWN = "unknown", _("unknown")


class SchoolQuerySet(models.QuerySet):
    def in_kecamatan(self, code: str) -> "SchoolQuerySet":
        return self.filter(kecamatan__code=code)

    def active(self) -> "SchoolQuerySet":
        return self.filter(is_active=True)

    def visited_since(self, day) -> "SchoolQuerySet":
        return self.filter(last_visit_on__gte=day)

    def not_visited_since(self, day) -> "SchoolQuerySet":
        return self.filter(Q(last_visit_on__lt=day) | Q(last_visit_on__isnull=True))

    def with_coordinates(self) -> "SchoolQuerySet":
        return self.filter(latitude__isnull=False, longitude__isnull=False)

    def without_coordinates(self) -> "SchoolQuerySet":
        return self.filter(Q(latitude__isnull=True) | Q(longitude__isnull=True))


class School(TallyOnSave, models.Model):
    # Its own row counts in the register's aggregates; its level or kecamatan in everyone's.
    tally_domains = ("schools", "visits", "activities", "cases")
    # What the figures read of a school: schools/figures.py (active, band, last visit),
    # visits/figures.py (active, kecamatan, level), sosdesk/case_counts.py (level, kecamatan).
    tally_fields = frozenset({"is_active", "priority_band", "last_visit_on", "kecamatan", "level"})

    class Level(models.TextChoices):
        TK = "TK", "TK"
        KB = "KB", "KB"
        TPA = "TPA", "TPA"
        RA = "RA", "RA"
        PAUD = "PAUD", "PAUD"
        SD = "SD", "SD"
        MI = "MI", "MI"
        SMP = "SMP", "SMP"
        MTS = "MTs", "MTs"
        SMA = "SMA", "SMA"
        MA = "MA", "MA"
        SMK = "SMK", "SMK"
        SLB = "SLB", "SLB"

    class Status(models.TextChoices):
        NEGERI = "negeri", _("public (negeri)")
        SWASTA = "swasta", _("private (swasta)")

    npsn = models.CharField(_("NPSN"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level (jenjang)"), max_length=8, choices=Level, db_index=True)
    status = models.CharField(_("status"), max_length=8, choices=Status)
    kecamatan = models.ForeignKey(
        Kecamatan, verbose_name=_("kecamatan"), on_delete=models.PROTECT, related_name="schools"
    )
    kelurahan = models.ForeignKey(
        Kelurahan,
        verbose_name=_("kelurahan"),
        on_delete=models.PROTECT,
        related_name="schools",
        null=True,
        blank=True,
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    # Unknown until staff enter it or a Dapodik export brings it: never treat unknown as 0.
    students = models.PositiveIntegerField(_("students"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=7, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=10, decimal_places=7, null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # An aggregate only (docs/domain.md §2): the share of pupils receiving PIP/KIP, in percent.
    socioeconomic_share = models.PositiveSmallIntegerField(
        _("pupils receiving PIP/KIP (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    # Facts written down by the apps above (docs/design.md §1), in their own transactions.
    # None means unknown, which the priority index shows as unknown, never as zero.
    cases_24m = models.PositiveIntegerField(
        _("reported cases in the last 24 months"), null=True, blank=True
    )
    last_visit_on = models.DateField(_("last visit"), null=True, blank=True)
    has_sos_desk = models.BooleanField(_("has a working SOS Desk/TPPK"), null=True, blank=True)
    # The priority index, recomputed by schools.priority when inputs or weights change.
    priority_score = models.DecimalField(
        _("priority score"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    # Non-null sort key for keyset pagination: score × 10, or -1 when unknown (sorts last).
    priority_rank = models.IntegerField(_("priority rank key"), default=-1, editable=False)
    priority_band = models.CharField(
        _("priority"), max_length=8, choices=PriorityBand, default=PriorityBand.UNKNOWN
    )
    priority_weights = models.ForeignKey(
        "PriorityWeights",
        verbose_name=_("weights used"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SchoolQuerySet.as_manager()

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name", "id"]
        indexes = [
            # keyset pagination and the sort orders of the register
            models.Index(fields=["name", "id"], name="school_name_id"),
            models.Index(fields=["-priority_rank", "id"], name="school_priority_id"),
            models.Index(fields=["npsn", "id"], name="school_npsn_id"),
            # filters, each with the default order so a filtered page walks one index
            models.Index(fields=["level", "name", "id"], name="school_level_name"),
            models.Index(fields=["kecamatan", "name", "id"], name="school_kecamatan_name"),
            models.Index(fields=["status", "level"], name="school_status_level"),
            models.Index(
                fields=["level", "name"],
                condition=Q(latitude__isnull=False),
                name="school_located_level",
            ),
            models.Index(fields=["priority_band", "name"], name="school_band_name"),
            # the map data's box (schools/views/map.py): a latitude range, then longitude
            models.Index(fields=["latitude", "longitude"], name="school_lat_lon"),
            # the map data of one level without a box: its first located schools by priority
            models.Index(
                fields=["level", "-priority_rank", "id"],
                condition=Q(latitude__isnull=False, longitude__isnull=False),
                name="school_located_level_rank",
            ),
            models.Index(fields=["last_visit_on"], name="school_last_visit"),
            models.Index(fields=["has_sos_desk"], name="school_has_desk"),
        ]

    def __str__(self) -> str:
        return self.name

    def tally_school_ids(self) -> set[int]:
        return {self.pk}

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class PriorityWeights(models.Model):
    """One version of the priority index's weights. Never edited: a change is a new version,
    with who made it and why, so every school's score can be explained later."""

    students = models.PositiveSmallIntegerField(
        _("weight: number of pupils"), default=20, validators=[MaxValueValidator(100)]
    )
    socioeconomic = models.PositiveSmallIntegerField(
        _("weight: socio-economic condition"), default=25, validators=[MaxValueValidator(100)]
    )
    cases = models.PositiveSmallIntegerField(
        _("weight: reported cases (24 months)"), default=30, validators=[MaxValueValidator(100)]
    )
    time_since_visit = models.PositiveSmallIntegerField(
        _("weight: time since the last visit"), default=15, validators=[MaxValueValidator(100)]
    )
    no_sos_desk = models.PositiveSmallIntegerField(
        _("weight: no working SOS Desk"), default=10, validators=[MaxValueValidator(100)]
    )
    high_from = models.PositiveSmallIntegerField(
        _("high priority from score"), default=60, validators=[MaxValueValidator(100)]
    )
    medium_from = models.PositiveSmallIntegerField(
        _("medium priority from score"), default=35, validators=[MaxValueValidator(100)]
    )
    reason = models.CharField(_("reason for the change"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("priority weights")
        verbose_name_plural = _("priority weights")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(high_from__gt=models.F("medium_from")), name="priority_bands_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.pk}"

    @classmethod
    def current(cls) -> "PriorityWeights":
        latest = cls.objects.order_by("-id").first()
        return latest or cls.objects.create(reason="Bobot awal")


class BlockedPeriod(models.Model):
    """Days when no visit may happen: for one school, or city-wide when `school` is empty.
    National public holidays come from the `holidays` package (schools.calendar)."""

    class Kind(models.TextChoices):
        EXAM = "ujian", _("exams")
        HOLIDAY = "libur", _("school holiday")
        EVENT = "acara", _("school event")
        OTHER = "lainnya", _("other")

    school = models.ForeignKey(
        School,
        verbose_name=_("school"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="blocked_periods",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind, default=Kind.EXAM)
    title = models.CharField(_("description"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("blocked period")
        verbose_name_plural = _("blocked periods")
        ordering = ["starts_on", "id"]
        indexes = [models.Index(fields=["school", "starts_on"], name="blocked_school_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="blocked_period_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_on}–{self.ends_on})"


class ImportBatch(models.Model):
    """An uploaded school file: validated first, applied (all rows or none) only on request."""

    class State(models.TextChoices):
        INVALID = "invalid", _("has errors")
        VALID = "valid", _("ready to apply")
        APPLYING = "applying", _("applying")
        APPLIED = "applied", _("applied")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    filename = models.CharField(_("file"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    state = models.CharField(_("state"), max_length=10, choices=State)
    rows = models.JSONField(_("rows"), default=list)  # normalised, valid rows
    errors = models.JSONField(_("errors"), default=list)  # [{"line": n, "messages": [...]}]
    total = models.PositiveIntegerField(_("rows in file"), default=0)
    progress = models.PositiveIntegerField(_("rows applied"), default=0)
    created = models.PositiveIntegerField(_("schools added"), default=0)
    updated = models.PositiveIntegerField(_("schools updated"), default=0)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    class Meta:
        verbose_name = _("school import")
        verbose_name_plural = _("school imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class SchoolMembership(models.Model):
    """A user serving a school: a PEKSOS assigned to it, its desk officer, principal, teacher
    or a parent of a pupil. Which schools a user may see is decided in `schools.permissions`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="school_memberships"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="memberships")
    since = models.DateField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("school membership")
        verbose_name_plural = _("school memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "school"], name="unique_school_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.school}"


class RegionImport(models.Model):
    """A checked file of kecamatan and kelurahan (code, name, parent): its normalised rows
    and per-line errors, never the file. Applied synchronously, all rows or none
    (`schools.region_import`)."""

    class State(models.TextChoices):
        INVALID = "invalid", _("has errors")
        VALID = "valid", _("ready to apply")
        APPLIED = "applied", _("applied")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    filename = models.CharField(_("file"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    state = models.CharField(_("state"), max_length=10, choices=State)
    rows = models.JSONField(_("rows"), default=list)
    errors = models.JSONField(_("errors"), default=list)
    total = models.PositiveIntegerField(_("rows in file"), default=0)
    created = models.PositiveIntegerField(_("regions added"), default=0)
    updated = models.PositiveIntegerField(_("regions updated"), default=0)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    class Meta:
        verbose_name = _("region import")
        verbose_name_plural = _("region imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename
