"""The PEKSOS user: Django's user with one role. Which schools a user serves is recorded in
`schools.SchoolMembership` (a floor up); this floor knows only the role."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    KOORDINATOR = "koordinator", _("Koordinator Dinas Sosial")
    PEKSOS = "peksos", _("Pekerja Sosial (PEKSOS)")
    PSIKOLOG = "psikolog", _("Psikolog")
    PENDAMPING = "pendamping", _("Pendamping Sosial")
    SOSDESK = "sosdesk", _("Petugas SOS Desk")
    KEPALA_SEKOLAH = "kepala_sekolah", _("Kepala Sekolah")
    GURU = "guru", _("Guru")
    ORANG_TUA = "orang_tua", _("Orang tua/Wali")


# Programme staff: city-wide or caseload access, second factor required, short sessions.
PROGRAMME_ROLES = frozenset({Role.KOORDINATOR, Role.PEKSOS, Role.PSIKOLOG, Role.PENDAMPING})
# School-side roles: see their own school(s) only.
SCHOOL_ROLES = frozenset({Role.SOSDESK, Role.KEPALA_SEKOLAH, Role.GURU, Role.ORANG_TUA})
# Roles whose sessions get the short (staff) idle and absolute limits.
STAFF_SESSION_ROLES = PROGRAMME_ROLES | {Role.SOSDESK, Role.KEPALA_SEKOLAH}


class PeksosUserManager(UserManager):
    def get_by_login(self, login: str) -> "User":
        """Find a user by username or e-mail address, ignoring case."""
        field = "email__iexact" if "@" in login else "username__iexact"
        return self.get(**{field: login})


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=32, choices=Role, default=Role.ORANG_TUA)
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    objects = PeksosUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("email"),
                condition=~models.Q(email=""),
                name="unique_user_email_ci",
            )
        ]
        indexes = [
            # The staff pickers and filters list active staff by role and name, first 20 or
            # 201 of tens of thousands at national size (peksos/core/forms.py): read in order.
            models.Index(
                fields=["role", "first_name", "username"],
                condition=models.Q(is_active=True),
                name="user_active_role_name",
            ),
            models.Index(
                fields=["first_name", "username"],
                condition=models.Q(is_active=True, role__in=["peksos", "psikolog", "pendamping"]),
                name="user_active_staff_name",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_programme_staff(self) -> bool:
        return self.role in PROGRAMME_ROLES

    @property
    def is_koordinator(self) -> bool:
        return self.role == Role.KOORDINATOR

    @property
    def is_peksos(self) -> bool:
        return self.role == Role.PEKSOS

    @property
    def is_psikolog(self) -> bool:
        return self.role == Role.PSIKOLOG

    @property
    def is_sosdesk(self) -> bool:
        return self.role == Role.SOSDESK

    @property
    def needs_second_factor(self) -> bool:
        # Technical staff (Django admin) see everything: they need it too.
        return self.role in PROGRAMME_ROLES or self.is_staff or self.is_superuser

    @property
    def has_staff_session_limits(self) -> bool:
        return self.role in STAFF_SESSION_ROLES or self.is_staff or self.is_superuser

    def deactivate(self) -> None:
        """Deactivate the account; its sessions die with it (see SessionLimitsMiddleware)."""
        self.is_active = False
        self.save(update_fields=["is_active"])


class LoginFailure(models.Model):
    """One failed login from one client address (docs/quality.md S3: at most 20 an hour per address,
    whatever accounts are tried). django-axes locks single accounts; this counts addresses.
    Rows older than the window are deleted as new ones arrive (see throttle.py)."""

    address = models.CharField(_("address"), max_length=64)
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")
        indexes = [models.Index(fields=["address", "at"], name="loginfailure_address_at")]

    def __str__(self) -> str:
        return f"{self.address} {self.at:%Y-%m-%d %H:%M}"


class PasswordResetRequest(models.Model):
    """One request for a password-reset e-mail (issue #21): at most PASSWORD_RESET_EMAIL_LIMIT an
    hour per typed e-mail address and PASSWORD_RESET_ADDRESS_LIMIT per client address, counted in
    the database like the login limit (throttle.py). The typed address is kept only as a keyed
    hash; rows older than the window are deleted as new ones arrive."""

    email_hash = models.CharField(_("e-mail hash"), max_length=64)
    address = models.CharField(_("address"), max_length=64, blank=True)
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("password reset request")
        verbose_name_plural = _("password reset requests")
        indexes = [
            models.Index(fields=["email_hash", "at"], name="resetrequest_email_at"),
            models.Index(fields=["address", "at"], name="resetrequest_address_at"),
        ]

    def __str__(self) -> str:
        return f"{self.address} {self.at:%Y-%m-%d %H:%M}"
