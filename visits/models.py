"""Visits to schools: staff capacity, the annual plan, each visit with its team, the date
changes agreed with the school, and private calendar feeds.

A visit's life: the planner (or a person) proposes it; the school accepts it (agreed) or
proposes another date, which the programme accepts or answers with a third date; it is held
(done) or cancelled with a reason. Moving an agreed visit to another date keeps the agreed
one as `rescheduled` (history) and creates a new proposed visit that the school agrees again.
Activities (the activities app, a floor above) are recorded against a visit.
"""

import hashlib
import secrets
from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peksos.accounts.models import Role
from peksos.core import school_year
from peksos.core.tallies import TallyOnSave
from peksos.core.uploads import private_storage
from schools.models import School

# Staff who go on visits, in the order a team is listed.
STAFF_ROLES = (Role.PEKSOS, Role.PSIKOLOG, Role.PENDAMPING)
DEFAULT_PER_DAY = 2
DEFAULT_PER_WEEK = 8


def school_year_of(day: date) -> int:
    """The school year containing `day`, named by the year it starts (2026 is 2026/2027);
    it starts in the office's month (peksos.core.school_year)."""
    return school_year.year_of(day)


def semester_of(day: date) -> int:
    """Semester 1 is the school year's first six months, semester 2 the last six."""
    return school_year.semester_of(day)


def semester_bounds(year: int, semester: int) -> tuple[date, date]:
    return school_year.semester_bounds(year, semester)


class StaffCapacity(models.Model):
    """How many visits a staff member can make; without a row the defaults apply."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="visit_capacity",
    )
    per_day = models.PositiveSmallIntegerField(
        _("visits per day"),
        default=DEFAULT_PER_DAY,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
    )
    per_week = models.PositiveSmallIntegerField(
        _("visits per week"),
        default=DEFAULT_PER_WEEK,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    # date.weekday() numbers: 0 Monday ... 4 Friday (weekends are never visit days).
    weekdays_off = models.JSONField(_("weekdays off"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "activities_staffcapacity"  # made by the activities app; moved with its rows
        verbose_name = _("staff capacity")
        verbose_name_plural = _("staff capacities")

    def __str__(self) -> str:
        return f"{self.user}: {self.per_day}/{self.per_week}"


class StaffLeave(models.Model):
    """Days a staff member is away (leave, training, other duties): no visits."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="visit_leaves",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        db_table = "activities_staffleave"  # made by the activities app; moved with its rows
        verbose_name = _("staff leave")
        verbose_name_plural = _("staff leave")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="staff_leave_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.starts_on}–{self.ends_on}"

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


class PlanRun(models.Model):
    """One run of the annual planner: what was asked, what came out, what could not be
    placed and why (shown to the Koordinator after the run)."""

    school_year = models.PositiveSmallIntegerField(_("school year"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    options = models.JSONField(_("options"), default=dict)
    schools = models.PositiveIntegerField(_("schools planned"), default=0)
    placed = models.PositiveIntegerField(_("visits placed"), default=0)
    kept = models.PositiveIntegerField(_("visits kept"), default=0)
    removed = models.PositiveIntegerField(_("proposals replaced"), default=0)
    # [{"school": pk, "semester": 1|2, "reason": code}], see visits.planner.REASONS
    unplaced = models.JSONField(_("schools that could not be placed"), default=list)
    duration_ms = models.PositiveIntegerField(_("planning time (ms)"), default=0)

    class Meta:
        db_table = "activities_planrun"  # made by the activities app; moved with its rows
        verbose_name = _("plan run")
        verbose_name_plural = _("plan runs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.school_year}/{self.school_year + 1} #{self.pk}"


class VisitQuerySet(models.QuerySet):
    def in_school_year(self, year: int) -> "VisitQuerySet":
        return self.filter(school_year=year)

    def active(self) -> "VisitQuerySet":
        """Visits that happen or will happen: not cancelled, not replaced by another date."""
        return self.filter(state__in=Visit.ACTIVE_STATES)

    def planned(self) -> "VisitQuerySet":
        return self.filter(state__in=Visit.PLANNED_STATES)

    def done(self) -> "VisitQuerySet":
        return self.filter(state=Visit.State.DONE)

    def upcoming(self, today: date | None = None) -> "VisitQuerySet":
        return self.planned().filter(date__gte=today or timezone.localdate())

    def between(self, start: date, end: date) -> "VisitQuerySet":
        return self.filter(date__gte=start, date__lte=end)

    def for_staff(self, user) -> "VisitQuerySet":
        return self.filter(members__user=user)

    def in_kecamatan(self, code: str) -> "VisitQuerySet":
        return self.filter(school__kecamatan__code=code)

    def with_pending_change(self) -> "VisitQuerySet":
        pending = DateChange.objects.filter(visit=OuterRef("pk"), state=DateChange.State.PENDING)
        return self.annotate(has_pending_change=Exists(pending))

    def awaiting_school(self) -> "VisitQuerySet":
        """Proposed visits the school has not answered yet (no counter-proposal pending)."""
        pending = DateChange.objects.filter(visit=OuterRef("pk"), state=DateChange.State.PENDING)
        return self.filter(state=Visit.State.PROPOSED).exclude(Exists(pending))

    def awaiting_programme(self) -> "VisitQuerySet":
        """Proposed visits with a date proposed by the school, to be answered by the staff."""
        pending = DateChange.objects.filter(visit=OuterRef("pk"), state=DateChange.State.PENDING)
        return self.filter(state=Visit.State.PROPOSED).filter(Exists(pending))

    def for_list(self) -> "VisitQuerySet":
        """What every list and calendar shows: school, kecamatan and team in 2 queries."""
        return self.select_related("school__kecamatan").prefetch_related("members__user")


class Visit(TallyOnSave, models.Model):
    tally_domains = ("visits",)
    # What visits/figures.py counts of a visit: a save of other fields counts nothing again.
    tally_fields = frozenset({"school", "date", "school_year", "state"})

    class State(models.TextChoices):
        PROPOSED = "diusulkan", _("proposed")
        AGREED = "disepakati", _("agreed")
        DONE = "selesai", _("done")
        CANCELLED = "dibatalkan", _("cancelled")
        RESCHEDULED = "dijadwal_ulang", _("rescheduled")

    class Kind(models.TextChoices):
        CAMPAIGN = "kampanye", _("prevention campaign")
        TRAINING = "pelatihan", _("psychosocial training")
        ONE_DAY = "one_day", _("One Day for Children")

    ACTIVE_STATES = (State.PROPOSED, State.AGREED, State.DONE)
    PLANNED_STATES = (State.PROPOSED, State.AGREED)
    # Kinds whose team must include a psychologist / a pendamping sosial.
    PSIKOLOG_KINDS = frozenset({Kind.TRAINING})
    PENDAMPING_KINDS = frozenset({Kind.ONE_DAY})

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="visits"
    )
    date = models.DateField(_("date"))
    school_year = models.PositiveSmallIntegerField(_("school year"))
    semester = models.PositiveSmallIntegerField(_("semester"), choices=[(1, "1"), (2, "2")])
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.PROPOSED)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind, default=Kind.CAMPAIGN)
    needs_pendamping = models.BooleanField(_("needs a pendamping sosial"), default=False)
    locked = models.BooleanField(
        _("locked"), default=False, help_text=_("Re-planning keeps locked visits.")
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="VisitMember", related_name="visits", blank=True
    )
    plan = models.ForeignKey(
        PlanRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    rescheduled_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rescheduled_to"
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    # Where a visit made by hand comes from, as a plain reference: "kasus:<code>" for a
    # follow-up of an SOS Desk case, "anak:<code>" for a follow-up of a child's monitoring
    # record (its code, never the child's name). Visits may not import the apps above
    # (docs/design.md §1), so the origin is named, never linked by a foreign key; the app
    # above lists the visits naming it and decides who may see the link.
    origin = models.CharField(_("origin"), max_length=100, blank=True, default="", db_default="")
    # A Koordinator may place a visit against the planning rules, with a reason (audited).
    override_reason = models.CharField(
        _("reason for overriding the planning rules"),
        max_length=300,
        blank=True,
        default="",
        db_default="",
    )
    done_at = models.DateTimeField(_("marked done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminder_sent_on = models.DateField(_("reminder sent"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        db_table = "activities_visit"  # made by the activities app; moved with its rows
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["date", "id"], name="visit_date_id"),
            # The lists show one school year in date order (bench/national.py).
            models.Index(fields=["school_year", "date", "id"], name="visit_year_date_id"),
            models.Index(fields=["school", "school_year"], name="visit_school_year"),
            models.Index(fields=["school_year", "state"], name="visit_year_state"),
            models.Index(fields=["state", "date"], name="visit_state_date"),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.date:%Y-%m-%d}"

    def set_date(self, day: date) -> None:
        self.date = day
        self.school_year = school_year_of(day)
        self.semester = semester_of(day)

    ORIGIN_CASE = "kasus:"
    ORIGIN_CHILD = "anak:"

    def origin_code(self, prefix: str) -> str:
        """The code after `prefix` in the origin ("" when the origin is something else)."""
        return self.origin[len(prefix) :] if self.origin.startswith(prefix) else ""

    @property
    def case_code(self) -> str:
        """The tracking code of the case this visit follows up, if any."""
        return self.origin_code(self.ORIGIN_CASE)

    @property
    def child_code(self) -> str:
        """The code of the child's monitoring record this visit follows up, if any."""
        return self.origin_code(self.ORIGIN_CHILD)

    @property
    def is_planned(self) -> bool:
        return self.state in self.PLANNED_STATES

    @property
    def needs_psikolog(self) -> bool:
        return self.kind in self.PSIKOLOG_KINDS

    @property
    def school_year_label(self) -> str:
        return f"{self.school_year}/{self.school_year + 1}"


class VisitMember(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visit_memberships"
    )
    role = models.CharField(
        _("role"), max_length=16, choices=[(r.value, r.label) for r in STAFF_ROLES]
    )

    class Meta:
        db_table = "activities_visitmember"  # made by the activities app; moved with its rows
        verbose_name = _("visit team member")
        verbose_name_plural = _("visit team members")
        ordering = ["role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "user"], name="unique_visit_member")
        ]
        indexes = [models.Index(fields=["user", "visit"], name="visitmember_user_visit")]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class DateChange(models.Model):
    """One step of the date's history: a move by the staff, a date proposed by the school
    (with its answer), or a third date suggested by the staff."""

    class Kind(models.TextChoices):
        MOVE = "pindah", _("moved by the programme")
        COUNTER = "usul_sekolah", _("date proposed by the school")
        SUGGEST = "usul_program", _("date suggested by the programme")

    class State(models.TextChoices):
        PENDING = "menunggu", _("awaiting an answer")
        ACCEPTED = "diterima", _("accepted")
        DECLINED = "ditolak", _("answered with another date")
        APPLIED = "diterapkan", _("applied")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    from_date = models.DateField(_("previous date"))
    to_date = models.DateField(_("proposed date"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        db_table = "activities_datechange"  # made by the activities app; moved with its rows
        verbose_name = _("date change")
        verbose_name_plural = _("date changes")
        ordering = ["created_at", "id"]
        constraints = [
            # At most one open question per visit: the school's date or nothing.
            models.UniqueConstraint(
                fields=["visit"], condition=Q(state="menunggu"), name="one_pending_change"
            )
        ]

    def __str__(self) -> str:
        return f"{self.visit_id}: {self.from_date} → {self.to_date} ({self.state})"


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeedTokenQuerySet(models.QuerySet):
    def active(self) -> "CalendarFeedTokenQuerySet":
        return self.filter(revoked_at__isnull=True)

    def find(self, token: str) -> "CalendarFeedToken | None":
        """The live token matching `token` (of an active user), or None."""
        if not token or len(token) > 100:
            return None
        return (
            self.active()
            .filter(token_hash=_hash_token(token), user__is_active=True)
            .select_related("user")
            .first()
        )


class CalendarFeedToken(models.Model):
    """A secret URL for a staff member's phone calendar. Only a hash is stored: the URL is
    shown once, and replacing or revoking it makes the old one answer 404."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = CalendarFeedTokenQuerySet.as_manager()

    class Meta:
        db_table = "activities_calendarfeedtoken"  # made by the activities app; moved with its rows
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")

    def __str__(self) -> str:
        return f"{self.user} ({'revoked' if self.revoked_at else 'active'})"

    @classmethod
    def issue(cls, user) -> tuple["CalendarFeedToken", str]:
        token = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, token_hash=_hash_token(token)), token


class VisitAgreement(models.Model):
    """A school's agreement given by phone, letter, message or in person, recorded by the
    Koordinator or a PEKSOS of the school (schools without accounts agree this way): who
    agreed at the school, how, when, and an optional scanned letter (checked by
    peksos.core.uploads, stored privately, downloaded through a permission-checked view)."""

    class Channel(models.TextChoices):
        PHONE = "telepon", _("by phone")
        LETTER = "surat", _("by letter")
        MESSAGE = "pesan", _("by message")
        IN_PERSON = "langsung", _("face to face")

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="recorded_agreement")
    contact_name = models.CharField(_("agreed by (name)"), max_length=120)
    contact_position = models.CharField(_("position at the school"), max_length=120)
    channel = models.CharField(_("how"), max_length=12, choices=Channel)
    agreed_on = models.DateField(_("agreed on"))
    letter = models.FileField(
        _("scanned letter"), storage=private_storage, max_length=200, blank=True
    )
    letter_name = models.CharField(_("file name as uploaded"), max_length=150, blank=True)
    letter_type = models.CharField(max_length=50, blank=True)
    letter_sha256 = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("agreement recorded by staff")
        verbose_name_plural = _("agreements recorded by staff")

    def __str__(self) -> str:
        return f"{self.visit_id}: {self.contact_name} ({self.channel})"
