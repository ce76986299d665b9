"""The school register of Kota Metro: regions, schools, and who serves which school."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kecamatan(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)  # Kemendagri, e.g. 18.72.01
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")
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


class SchoolQuerySet(models.QuerySet):
    def in_kecamatan(self, code: str) -> "SchoolQuerySet":
        return self.filter(kecamatan__code=code)

    def active(self) -> "SchoolQuerySet":
        return self.filter(is_active=True)


class School(models.Model):
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

    objects = SchoolQuerySet.as_manager()

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
