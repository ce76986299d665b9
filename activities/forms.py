"""Forms of the activities held during visits: plan, record, attendance, self check-in,
photos, list filters. They validate and normalise; the views call activity_services."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peksos.accounts.models import Role, User
from peksos.core import school_year
from peksos.core.forms import DATE_WIDGET, CleanTextField, IdempotencyKeyField
from peksos.core.uploads import IMAGE_MAX_BYTES, validate_image
from schools.filters import kecamatan_filter
from schools.models import Kecamatan, School
from visits.forms import StaffFilterField, VisitDateField
from visits.models import Visit

from .models import ADULT_GROUPS, SUB_ACTIVITIES, Activity, ParticipantGroup, Sex

FACILITATOR_ROLES = (Role.PEKSOS, Role.PSIKOLOG, Role.PENDAMPING)
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
MAX_COUNT = 5000  # people of one group and sex at one activity: more is a typo
ADULT_CHOICES = [(g.value, g.label) for g in ParticipantGroup if g in ADULT_GROUPS]


def facilitator_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role__in=FACILITATOR_ROLES).order_by(
        "role", "first_name", "username"
    )


class FacilitatorField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} ({obj.get_role_display()})"


def school_year_bounds(year: int) -> tuple[date, date]:
    return school_year.bounds(year)


class ActivityForm(forms.Form):
    """Plan (or re-plan) an activity on a visit."""

    idempotency_key = IdempotencyKeyField()
    kind = forms.ChoiceField(label=_("Activity type"), choices=Visit.Kind)
    title = CleanTextField(label=_("Title"), max_length=200, required=False)
    sub_activities = forms.MultipleChoiceField(
        label=_("Sub-activities"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick the parts of the chosen activity type that will be held."),
    )
    audiences = forms.MultipleChoiceField(
        label=_("Audiences"),
        choices=ParticipantGroup.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    facilitators = FacilitatorField(
        label=_("Facilitators"),
        queryset=facilitator_users(),
        widget=forms.CheckboxSelectMultiple,
    )
    materials = CleanTextField(
        label=_("Materials"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Modules, leaflets, games, equipment to bring."),
    )
    date = VisitDateField(label=_("Date"))
    start_time = forms.TimeField(label=_("Start time"), required=False, widget=TIME_WIDGET)

    def __init__(self, *args, visit: Visit, **kwargs):
        self.visit = visit
        super().__init__(*args, **kwargs)
        self.fields["sub_activities"].choices = [
            (Visit.Kind(kind).label, list(choices)) for kind, choices in SUB_ACTIVITIES.items()
        ]
        self.fields["facilitators"].queryset = facilitator_users()
        if not self.is_bound and "kind" not in self.initial:
            self.initial.update(
                {
                    "kind": visit.kind,
                    "date": visit.date,
                    "facilitators": [m.user for m in visit.members.all() if m.user.is_active],
                }
            )

    @classmethod
    def initial_for(cls, activity: Activity) -> dict:
        return {
            "kind": activity.kind,
            "title": activity.title,
            "sub_activities": activity.sub_activities,
            "audiences": activity.audiences,
            "facilitators": list(activity.facilitators.all()),
            "materials": activity.materials,
            "date": activity.date,
            "start_time": activity.start_time,
        }

    def clean_date(self):
        day = self.cleaned_data["date"]
        first, last = school_year_bounds(self.visit.school_year)
        if not first <= day <= last:
            raise ValidationError(
                _(
                    "The activity must take place in the visit's school year "
                    "(%(first)s to %(last)s)."
                ),
                params={"first": first.strftime("%d-%m-%Y"), "last": last.strftime("%d-%m-%Y")},
            )
        return day

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        subs = data.get("sub_activities")
        if kind and subs:
            allowed = [code for code, _label in SUB_ACTIVITIES.get(kind, [])]
            wrong = [code for code in subs if code not in allowed]
            if wrong:
                self.add_error(
                    "sub_activities",
                    _("Choose only sub-activities of the chosen activity type."),
                )
            else:
                data["sub_activities"] = [code for code in allowed if code in subs]
        audiences = data.get("audiences")
        if kind == Visit.Kind.TRAINING and any(g not in ADULT_GROUPS for g in audiences or []):
            self.add_error(
                "audiences",
                _("Psychosocial training is for teachers and parents: choose adults only."),
            )
        return data


class RecordForm(forms.Form):
    """What happened: held or cancelled, duration, notes, attendance counts by group and sex."""

    STATE_CHOICES = [
        (Activity.State.HELD, _("held")),
        (Activity.State.CANCELLED, _("cancelled")),
    ]
    state = forms.ChoiceField(
        label=_("What happened?"), choices=STATE_CHOICES, widget=forms.RadioSelect
    )
    cancel_reason = CleanTextField(label=_("Reason for cancelling"), max_length=300, required=False)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=5, max_value=720, required=False
    )
    notes = CleanTextField(
        label=_("Notes"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What went well, what to follow up. No names of children."),
    )

    def __init__(self, *args, activity: Activity, **kwargs):
        self.activity = activity
        super().__init__(*args, **kwargs)
        for group in ParticipantGroup:
            for sex in Sex:
                self.fields[self.count_name(group, sex)] = forms.IntegerField(
                    label=f"{group.label} · {sex.label}",
                    min_value=0,
                    max_value=MAX_COUNT,
                    required=False,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
                )

    @staticmethod
    def count_name(group: str, sex: str) -> str:
        return f"n_{group}_{sex}"

    @classmethod
    def initial_for(cls, activity: Activity) -> dict:
        initial = {
            "state": activity.state if activity.state != Activity.State.PLANNED else "",
            "cancel_reason": activity.cancel_reason,
            "duration_minutes": activity.duration_minutes,
            "notes": activity.notes,
        }
        for row in activity.attendance.all():
            initial[cls.count_name(row.group, row.sex)] = row.count
        return initial

    def count_rows(self) -> list[dict]:
        """The grid: one row per participant group, a field per sex."""
        return [
            {
                "label": group.label,
                "fields": [self[self.count_name(group, sex)] for sex in Sex],
            }
            for group in ParticipantGroup
        ]

    def counts(self) -> dict[tuple[str, str], int]:
        return {
            (group.value, sex.value): self.cleaned_data.get(self.count_name(group, sex)) or 0
            for group in ParticipantGroup
            for sex in Sex
        }

    def clean(self):
        data = super().clean()
        state = data.get("state")
        if state == Activity.State.HELD:
            if self.activity.date > timezone.localdate():
                self.add_error(
                    "state",
                    _("The activity is on %(date)s: record it as held on that day or after.")
                    % {"date": self.activity.date.strftime("%d-%m-%Y")},
                )
            if not data.get("duration_minutes") and "duration_minutes" not in self.errors:
                self.add_error("duration_minutes", _("Enter how long the activity lasted."))
        if state == Activity.State.CANCELLED and not data.get("cancel_reason"):
            self.add_error("cancel_reason", _("Give the reason why the activity was cancelled."))
        return data


class AttendeeForm(forms.Form):
    """An adult added to the named list by staff."""

    name = CleanTextField(label=_("Name"), max_length=120, min_length=2)
    group = forms.ChoiceField(label=_("Group"), choices=ADULT_CHOICES)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)


class CheckInForm(forms.Form):
    """Self check-in on a phone: name, group, sex. No account."""

    name = CleanTextField(
        label=_("Your full name"),
        max_length=120,
        min_length=2,
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words"}),
        error_messages={"required": _("Type your name."), "min_length": _("Type your name.")},
    )
    group = forms.ChoiceField(
        label=_("I come as"),
        choices=ADULT_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose teacher, parent or other.")},
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=Sex.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose male or female.")},
    )


class PhotoForm(forms.Form):
    file = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP, at most 10 MB. Location and camera data are removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    caption = CleanTextField(label=_("Caption"), max_length=300, required=False)
    shows_children = forms.TypedChoiceField(
        label=_("Can children be recognised in the photo?"),
        choices=[("1", _("yes")), ("0", _("no"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    consent_recorded = forms.BooleanField(
        label=_("The parents' consent to show these children is recorded"),
        required=False,
        help_text=_(
            "Without consent, a photo of children is seen only by the programme's staff, "
            "never by the school nor in reports."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        return validate_image(upload, max_bytes=IMAGE_MAX_BYTES, prefix="activity-photos")

    def clean(self):
        data = super().clean()
        if data.get("shows_children") is False:
            data["consent_recorded"] = False
        return data


class ActivityFilterForm(forms.Form):
    """Filters of the list and the calendar; an invalid value is ignored and shown."""

    kind = forms.ChoiceField(label=_("Activity type"), required=False)
    sekolah = forms.CharField(label=_("School NPSN"), max_length=8, required=False)
    kecamatan = kecamatan_filter()
    dari = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    sampai = forms.DateField(label=_("Until"), required=False, widget=DATE_WIDGET)
    fasilitator = StaffFilterField(label=_("Facilitator"), queryset=facilitator_users())
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args, staff_filter: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("all")), *Visit.Kind.choices]
        self.fields["state"].choices = [("", _("all")), *Activity.State.choices]
        self.fields["fasilitator"].queryset = facilitator_users()
        if not staff_filter:  # the school side does not browse the staff
            del self.fields["fasilitator"]

    def clean_sekolah(self) -> str:
        value = self.cleaned_data["sekolah"].strip()
        if value and not (value.isascii() and value.isdigit()):
            raise ValidationError(_("An NPSN has 8 digits."))
        return value

    def valid_data(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

    def filter(self, activities: QuerySet[Activity]) -> QuerySet[Activity]:
        data = self.valid_data()
        if kind := data.get("kind"):
            activities = activities.filter(kind=kind)
        if npsn := data.get("sekolah"):
            activities = activities.filter(school__npsn=npsn)
        if kecamatan := data.get("kecamatan"):
            activities = activities.filter(school__kecamatan=kecamatan)
        if first := data.get("dari"):
            activities = activities.filter(date__gte=first)
        if last := data.get("sampai"):
            activities = activities.filter(date__lte=last)
        if person := data.get("fasilitator"):
            activities = activities.filter(
                pk__in=Activity.facilitators.through.objects.filter(user=person).values(
                    "activity_id"
                )
            )
        if state := data.get("state"):
            activities = activities.filter(state=state)
        return activities


class CoverageFilterForm(forms.Form):
    """Filters of the plan-coverage board; an invalid value is ignored and shown."""

    kecamatan = kecamatan_filter(queryset=Kecamatan.objects.order_by("name"))
    jenjang = forms.ChoiceField(
        label=_("Level (jenjang)"),
        choices=[("", _("all")), *School.Level.choices],
        required=False,
    )

    def filter(self, schools: QuerySet[School]) -> QuerySet[School]:
        data = {}
        if self.is_bound:
            self.is_valid()  # the valid fields still filter; the errors are shown
            data = self.cleaned_data
        if kecamatan := data.get("kecamatan"):
            schools = schools.filter(kecamatan=kecamatan)
        if level := data.get("jenjang"):
            schools = schools.filter(level=level)
        return schools
