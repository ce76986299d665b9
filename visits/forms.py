"""Forms of the visit plan: they validate and normalise, the views act."""

from datetime import date

from django import forms
from django.db.models import QuerySet
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from peksos.accounts.models import Role, User
from peksos.core import school_year
from peksos.core.forms import DATE_WIDGET, CleanTextField, LongModelChoiceField, searchable_select
from peksos.core.uploads import CleanUpload, validate_document
from schools.calendar import FIRST_YEAR, LAST_YEAR
from schools.filters import kecamatan_filter
from schools.models import Kecamatan, School

from .models import STAFF_ROLES, StaffCapacity, Visit, VisitAgreement, school_year_of
from .planning import DEFAULT_KINDS_1, DEFAULT_KINDS_2

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
]


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} ({obj.get_role_display()})"


class StaffFilterField(LongModelChoiceField):
    """The staff filter of a list: the people search (people:staff-search) beyond a few hundred."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("empty_label", _("all"))
        super().__init__(search_url=reverse_lazy("people:staff-search"), **kwargs)

    def label_from_instance(self, obj: User) -> str:
        return f"{obj} ({obj.get_role_display()})"


def staff_users(*roles: str) -> QuerySet[User]:
    return User.objects.filter(is_active=True, role__in=roles or STAFF_ROLES).order_by(
        "first_name", "username"
    )


class VisitDateField(forms.DateField):
    """A date the browser's picker sends as ISO; years outside the calendar are typos."""

    widget = DATE_WIDGET

    def clean(self, value):
        day = super().clean(value)
        if day is not None and not FIRST_YEAR <= day.year < LAST_YEAR:
            raise forms.ValidationError(
                _("Enter a date between %(first)s and %(last)s."),
                params={"first": FIRST_YEAR, "last": LAST_YEAR - 1},
            )
        return day


# --- the plan ---------------------------------------------------------------------------------


class PlanForm(forms.Form):
    year = forms.IntegerField(
        label=_("School year starting in the year"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR - 1,
        help_text=_("For example 2026 for the school year 2026/2027."),  # month: __init__
    )
    kecamatan = forms.ModelChoiceField(
        label=_("Kecamatan"),
        queryset=Kecamatan.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("all schools of the city"),
    )
    # Which activity kinds in which semester: one visit per school for each kind ticked.
    kind_semester_1 = forms.MultipleChoiceField(
        label=_("Activities in semester 1 (July–December)"),
        choices=Visit.Kind,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    kind_semester_2 = forms.MultipleChoiceField(
        label=_("Activities in semester 2 (January–June)"),
        choices=Visit.Kind,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each school gets one visit for each activity ticked, in its semester."),
    )
    pendamping_always = forms.BooleanField(
        label=_("A pendamping sosial in every team"), required=False
    )
    min_gap_weeks = forms.IntegerField(
        label=_("Weeks at least between two visits of a school"),
        min_value=1,
        max_value=20,
        initial=8,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = school_year_of(timezone.localdate())
        self.fields["year"].help_text = _(
            "For example 2026 for the school year 2026/2027, which starts on 1 %(month)s 2026."
        ) % {"month": MONTHS[school_year.start_month()]}
        self.fields["kind_semester_1"].initial = list(DEFAULT_KINDS_1)
        self.fields["kind_semester_2"].initial = list(DEFAULT_KINDS_2)

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if school_year.bounds(year)[1] < timezone.localdate():
            raise forms.ValidationError(_("That school year is over."))
        return year

    def clean(self):
        data = super().clean()
        both = "kind_semester_1" in data and "kind_semester_2" in data
        if both and not data["kind_semester_1"] and not data["kind_semester_2"]:
            raise forms.ValidationError(_("Tick at least one activity for the year."))
        return data

    def kinds(self, semester: int) -> tuple[str, ...]:
        """The kinds ticked for a semester, in the order of the activity types."""
        ticked = set(self.cleaned_data[f"kind_semester_{semester}"])
        return tuple(str(k) for k in Visit.Kind if k in ticked)

    def schools(self) -> QuerySet[School]:
        schools = School.objects.active()
        if kecamatan := self.cleaned_data.get("kecamatan"):
            schools = schools.filter(kecamatan=kecamatan)
        return schools


# --- lists and the calendar ---------------------------------------------------------------------


class VisitFilterForm(forms.Form):
    """Filters of the list and the month view; an invalid value is ignored and shown."""

    staff = StaffFilterField(label=_("Staff member"), queryset=staff_users())
    sekolah = forms.CharField(label=_("School NPSN"), max_length=8, required=False)
    kecamatan = kecamatan_filter()
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args, staff_filter: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("all")), *Visit.State.choices]
        if not staff_filter:
            del self.fields["staff"]

    def clean_sekolah(self) -> str:
        value = self.cleaned_data["sekolah"].strip()
        if value and not (value.isascii() and value.isdigit()):
            raise forms.ValidationError(_("An NPSN has 8 digits."))
        return value

    def valid_data(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

    def filter(self, visits: QuerySet[Visit]) -> QuerySet[Visit]:
        data = self.valid_data()
        if staff := data.get("staff"):
            visits = visits.for_staff(staff)
        if npsn := data.get("sekolah"):
            visits = visits.filter(school__npsn=npsn)
        if kecamatan := data.get("kecamatan"):
            visits = visits.in_kecamatan(kecamatan.code)
        if state := data.get("state"):
            visits = visits.filter(state=state)
        return visits


# --- one visit ------------------------------------------------------------------------------------


class MoveForm(forms.Form):
    """The date, kind and team of a visit, checked by visits.checks; the Koordinator also gets
    a field to override the rules with a reason."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Visit.Kind, required=False)
    date = VisitDateField(label=_("Date"))
    peksos = StaffChoiceField(label=_("PEKSOS"), queryset=staff_users(Role.PEKSOS))
    psikolog = StaffChoiceField(
        label=_("Psychologist"), queryset=staff_users(Role.PSIKOLOG), required=False
    )
    pendamping = StaffChoiceField(
        label=_("Pendamping sosial"), queryset=staff_users(Role.PENDAMPING), required=False
    )
    reason = forms.CharField(label=_("Reason for the change"), max_length=300, required=False)
    # Shown only once the soft rules warned: ticking it saves despite the warnings.
    confirm = forms.BooleanField(label=_("Save despite the warnings above"), required=False)
    # Shown to the Koordinator only once the hard rules refused: a reason saves anyway.
    override_reason = forms.CharField(
        label=_("Reason for overriding the rules"),
        max_length=300,
        required=False,
        help_text=_("Only if the visit must take place anyway. It is kept on the visit."),
    )

    def __init__(self, *args, can_override: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_override:
            del self.fields["override_reason"]

    def clean_override_reason(self) -> str:
        return " ".join(self.cleaned_data["override_reason"].replace("\x00", "").split())

    @property
    def override_text(self) -> str:
        return (
            self.cleaned_data.get("override_reason", "") if "override_reason" in self.fields else ""
        )

    def team(self) -> list[tuple[User, str]]:
        data = self.cleaned_data
        team = [(data["peksos"], Role.PEKSOS)]
        for role in (Role.PSIKOLOG, Role.PENDAMPING):
            if data.get(role):
                team.append((data[role], role))
        return team

    @classmethod
    def initial_for(cls, visit: Visit) -> dict:
        initial = {"date": visit.date, "kind": visit.kind}
        for member in visit.members.all():
            initial.setdefault(member.role, member.user_id)
        return initial


ORIGIN_PATTERN = r"^[\w :/.-]*$"


class VisitCreateForm(MoveForm):
    """A visit made by hand: the school (by NPSN, among the user's schools), its kind, date and
    team; `origin` is a plain reference such as "kasus:AB12CD34" (a follow-up of a case)."""

    field_order = ["school", "kind", "date", "needs_pendamping", "peksos", "psikolog"]

    school = forms.ModelChoiceField(
        label=_("School"),
        queryset=School.objects.none(),
        to_field_name="npsn",
        widget=searchable_select(),
    )
    needs_pendamping = forms.BooleanField(
        label=_("A pendamping sosial in the team"), required=False
    )
    origin = forms.RegexField(
        regex=ORIGIN_PATTERN,
        max_length=100,
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("The origin of the visit is not valid.")},
    )

    def __init__(self, *args, schools: QuerySet[School], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = True
        self.fields["school"].queryset = schools.select_related("kecamatan").order_by("name")
        self.fields["school"].error_messages["invalid_choice"] = _(
            "Choose one of the schools you serve."
        )
        del self.fields["reason"]

    def clean(self):
        data = super().clean()
        if data.get("kind") in Visit.PENDAMPING_KINDS:
            data["needs_pendamping"] = True
        return data

    def visit_for_check(self) -> Visit:
        """An unsaved visit for visits.checks (school, kind, date as chosen)."""
        data = self.cleaned_data
        visit = Visit(
            school=data["school"], kind=data["kind"], needs_pendamping=data["needs_pendamping"]
        )
        visit.set_date(data["date"])
        return visit


class DateProposalForm(forms.Form):
    """A date proposed by the school, or a third date suggested by the programme."""

    date = VisitDateField(label=_("Proposed date"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: exams that week, a school event."),
    )

    def clean_reason(self) -> str:
        return " ".join(self.cleaned_data["reason"].replace("\x00", "").split())


class AgreementForm(forms.Form):
    """A school's agreement given outside PEKSOS, recorded by the programme."""

    contact_name = CleanTextField(
        label=_("Who agreed at the school"),
        max_length=120,
        help_text=_("For example: Ibu Sri Wahyuni."),
    )
    contact_position = CleanTextField(
        label=_("Their position"), max_length=120, help_text=_("For example: Kepala Sekolah.")
    )
    channel = forms.ChoiceField(
        label=_("How"), choices=VisitAgreement.Channel, widget=forms.RadioSelect
    )
    agreed_on = VisitDateField(label=_("Agreed on"))
    letter = forms.FileField(
        label=_("Scanned letter (optional)"),
        required=False,
        help_text=_("A PDF or a photo (JPEG, PNG, WebP) of at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.webp"}),
    )

    def clean_agreed_on(self) -> date:
        day = self.cleaned_data["agreed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The day of the agreement cannot be in the future."))
        return day

    def clean_letter(self) -> CleanUpload | None:
        upload = self.cleaned_data.get("letter")
        if not upload:
            return None
        return validate_document(upload, prefix="visit-letters")


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].replace("\x00", "").split())
        if not reason:
            raise forms.ValidationError(_("Give a reason."))
        return reason


# --- staff ----------------------------------------------------------------------------------------


class CapacityForm(forms.ModelForm):
    weekdays_off = forms.TypedMultipleChoiceField(
        label=_("Weekdays without visits"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = StaffCapacity
        fields = ["per_day", "per_week", "weekdays_off"]

    def clean(self):
        data = super().clean()
        per_day, per_week = data.get("per_day"), data.get("per_week")
        if per_day and per_week and per_week < per_day:
            self.add_error("per_week", _("A week cannot hold fewer visits than a day."))
        return data


class LeaveForm(forms.Form):
    starts_on = VisitDateField(label=_("From"))
    ends_on = VisitDateField(label=_("Until"))
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The last day cannot be before the first day."))
        return data
