"""Activities held during a visit (manual Bab 2): what was planned, who facilitated, and who came.

An activity belongs to one visit (and so one school); a visit may hold several (a campaign for
pupils in the morning, a session for parents after school). Its MTSS tier follows from its kind:
campaigns and One Day for Children are universal prevention (Tier 1), psychosocial training
for teachers and parents is a group intervention (Tier 2).

Attendance is counted by participant group and sex (the figures the impact reports need);
adults may also be listed by name (typed by staff or by self check-in through the activity's
QR code), which is what a fair door-prize draw is drawn from.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peksos.core.idempotency import idempotency_key_column
from peksos.core.tallies import TallyOnSave
from schools.models import School
from visits.models import Visit


class Tier(models.IntegerChoices):
    UNIVERSAL = 1, _("Tier 1: universal prevention")
    GROUP = 2, _("Tier 2: group intervention")
    INDIVIDUAL = 3, _("Tier 3: individual intervention")


class ParticipantGroup(models.TextChoices):
    """Who attends: pupils by school level (jenjang), teachers, parents/guardians."""

    PUPILS_PAUD = "siswa_paud", _("pupils (PAUD/TK)")
    PUPILS_SD = "siswa_sd", _("pupils (SD/MI)")
    PUPILS_SMP = "siswa_smp", _("pupils (SMP/MTs)")
    PUPILS_SMA = "siswa_sma", _("pupils (SMA/SMK/MA)")
    TEACHERS = "guru", _("teachers")
    PARENTS = "orang_tua", _("parents and guardians")
    OTHERS = "lainnya", _("other school staff")


PUPIL_GROUPS = frozenset(
    {
        ParticipantGroup.PUPILS_PAUD,
        ParticipantGroup.PUPILS_SD,
        ParticipantGroup.PUPILS_SMP,
        ParticipantGroup.PUPILS_SMA,
    }
)
ADULT_GROUPS = frozenset(
    {ParticipantGroup.TEACHERS, ParticipantGroup.PARENTS, ParticipantGroup.OTHERS}
)


class Sex(models.TextChoices):
    MALE = "L", _("male")
    FEMALE = "P", _("female")


# The sub-activities of each kind, in the manual's words (Bab 2.1.1, 2.2.1, 2.3.1).
SUB_ACTIVITIES: dict[str, list[tuple[str, str]]] = {
    Visit.Kind.CAMPAIGN: [
        ("penyuluhan", _("Counselling on forms of violence against children and their effects")),
        ("sosialisasi_uu", _("The child-protection law and the reporting mechanism")),
        ("deteksi_dini", _("Early-detection training for teachers and parents")),
        ("pembentukan_sos_desk", _("Forming the school's SOS Desk")),
    ],
    Visit.Kind.TRAINING: [
        (
            "workshop_psikososial",
            _("Workshop: the psychosocial approach to children in difficulty"),
        ),
        ("komunikasi_efektif", _("Effective communication between teachers, parents and children")),
        ("terapi_bermain", _("Play therapy and simple counselling for children")),
        ("simulasi_trauma", _("Simulation: handling trauma or stress in children")),
    ],
    Visit.Kind.ONE_DAY: [
        ("permainan_kelompok", _("Group games for children, parents and teachers")),
        ("quality_time", _("Quality Time: drawing, storytelling, music")),
        ("hadiah_doorprize", _("Prizes and door prizes")),
    ],
}

TIER_OF_KIND = {
    Visit.Kind.CAMPAIGN: Tier.UNIVERSAL,
    Visit.Kind.TRAINING: Tier.GROUP,
    Visit.Kind.ONE_DAY: Tier.UNIVERSAL,
}


def sub_activity_choices(kind: str) -> list[tuple[str, str]]:
    return list(SUB_ACTIVITIES.get(kind, []))


def new_public_code() -> str:
    """The code in an activity's participant links and QR codes (check-in, tests, feedback):
    72 random bits, so that nobody reaches another activity's forms by guessing."""
    return secrets.token_urlsafe(9)


class ActivityQuerySet(models.QuerySet):
    def for_schools(self, schools) -> "ActivityQuerySet":
        return self.filter(school__in=schools)

    def upcoming(self, today=None) -> "ActivityQuerySet":
        today = today or timezone.localdate()
        return self.filter(state=Activity.State.PLANNED, date__gte=today)


class Activity(TallyOnSave, models.Model):
    tally_domains = ("activities",)
    # What activities/figures.py counts of an activity (and of its attendance counts').
    tally_fields = frozenset({"school", "date", "state"})

    class State(models.TextChoices):
        PLANNED = "direncanakan", _("planned")
        HELD = "terlaksana", _("held")
        CANCELLED = "dibatalkan", _("cancelled")

    Kind = Visit.Kind

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="activities"
    )
    # Copied from the visit so that scoping and filters need no join.
    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="activities"
    )
    kind = models.CharField(_("activity type"), max_length=12, choices=Visit.Kind)
    tier = models.PositiveSmallIntegerField(_("MTSS tier"), choices=Tier)
    title = models.CharField(_("title"), max_length=200, blank=True)
    sub_activities = models.JSONField(_("sub-activities"), default=list, blank=True)
    audiences = models.JSONField(_("audiences"), default=list, blank=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitators"),
        related_name="facilitated_activities",
        blank=True,
    )
    materials = models.TextField(_("materials"), blank=True, max_length=4000)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), null=True, blank=True
    )
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.PLANNED)
    notes = models.TextField(_("notes"), blank=True, max_length=4000)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    public_code = models.CharField(max_length=16, unique=True, default=new_public_code)
    # Participant forms (check-in, tests, feedback) accept answers only while open.
    participant_forms_open = models.BooleanField(_("participant forms open"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("outputs recorded"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The hidden key of the planning form: the same form sent twice plans one activity.
    idempotency_key = idempotency_key_column()

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["date", "id"], name="activity_date_id"),
            models.Index(fields=["school", "date"], name="activity_school_date"),
            models.Index(fields=["kind", "date"], name="activity_kind_date"),
            models.Index(fields=["state", "date"], name="activity_state_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.school} {self.date:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.visit_id and not self.school_id:
            self.school_id = self.visit.school_id
        if not self.tier:
            self.tier = TIER_OF_KIND.get(self.kind, Tier.UNIVERSAL)
        super().save(*args, **kwargs)

    @property
    def sub_activity_labels(self) -> list[str]:
        labels = dict(SUB_ACTIVITIES.get(self.kind, []))
        return [str(labels.get(code, code)) for code in self.sub_activities]

    @property
    def audience_labels(self) -> list[str]:
        labels = dict(ParticipantGroup.choices)
        return [str(labels.get(code, code)) for code in self.audiences]


class AttendanceCount(TallyOnSave, models.Model):
    """How many came, by participant group and sex: the reach figures of the impact reports."""

    tally_domains = ("activities",)
    tally_fields = frozenset({"activity", "count"})  # activities/figures.py

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendance")
    group = models.CharField(_("participant group"), max_length=12, choices=ParticipantGroup)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex)
    count = models.PositiveIntegerField(_("number"), default=0)

    class Meta:
        verbose_name = _("attendance count")
        verbose_name_plural = _("attendance counts")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "group", "sex"], name="attendance_one_row_per_group_sex"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.group}/{self.sex}: {self.count}"

    def tally_school_ids(self) -> set[int]:
        return {self.activity.school_id}


class Attendee(models.Model):
    """An adult on the named attendance list (typed by staff, or self check-in by QR)."""

    class Source(models.TextChoices):
        STAFF = "petugas", _("entered by staff")
        SELF = "mandiri", _("self check-in")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(_("name"), max_length=120)
    group = models.CharField(_("participant group"), max_length=12, choices=ParticipantGroup)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source, default=Source.STAFF)
    # A self check-in remembers the device (a hash of a random cookie) so a reload or a second
    # tap does not add the same person twice.
    device_hash = models.CharField(max_length=64, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["checked_in_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "device_hash"],
                condition=~models.Q(device_hash=""),
                name="attendee_one_self_checkin_per_device",
            )
        ]

    def __str__(self) -> str:
        return self.name
