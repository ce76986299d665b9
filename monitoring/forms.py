"""Forms of monitoring: they validate and normalise; views call the services."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peksos.accounts.models import Role, User
from peksos.core.forms import (
    DATE_WIDGET,
    IdempotencyKeyField,
    searchable_select,
    with_empty_choice,
)
from peksos.core.uploads import CleanUpload, validate_document
from schools.models import School

from .models import (
    CLASS_LEVELS,
    GAS_MAX,
    GAS_MIN,
    OBSERVATION_DAYS,
    OBSERVATION_MAX_DAYS,
    SUBSCALE_MAX,
    WELLBEING_MAX,
    ChildRecord,
    Consent,
    Intervention,
    ObservationRequest,
    ProgressNote,
    SdqScore,
    WellbeingRating,
    initials_of,
)
from .permissions import linkable_guardians, observers_of

NO_NAME_HINT = _("Write the child's code, never their name.")
# A consent form is a scan or a photo of one signed page or a few.
CONSENT_FORM_MAX_BYTES = 5 * 1024 * 1024
CONSENT_FORM_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def _text(max_length: int, label, *, required: bool = True, rows: int = 3, help_text=""):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


class PastDateField(forms.DateField):
    """A date that has happened: not in the future, not before 2000."""

    widget = DATE_WIDGET

    def validate(self, value):
        super().validate(value)
        if value and value > timezone.localdate():
            raise ValidationError(_("This date is in the future."))
        if value and value.year < 2000:
            raise ValidationError(_("Enter a date from 2000 on."))


# --- Opening a record ---------------------------------------------------------------------


def initials_similar(a: str, b: str) -> bool:
    """Likely the same child: equal initials, or one letter added, left out or (for two or
    more letters) changed — e.g. a middle name written on one form and not on another."""
    if not a or not b:
        return False
    if a == b:
        return True
    if len(a) == len(b):
        return len(a) >= 2 and sum(x != y for x, y in zip(a, b, strict=True)) == 1
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    if len(longer) - len(shorter) != 1:
        return False
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


class RecordOpenForm(forms.Form):
    school = forms.ModelChoiceField(
        label=_("School"), queryset=School.objects.none(), widget=searchable_select()
    )
    class_level = forms.ChoiceField(label=_("Class"), choices=with_empty_choice(CLASS_LEVELS))
    sex = forms.ChoiceField(
        label=_("Sex"), choices=ChildRecord.Sex.choices, widget=forms.RadioSelect
    )
    birth_year = forms.IntegerField(label=_("Year of birth"))
    name = forms.CharField(
        label=_("Child's full name"),
        max_length=150,
        help_text=_("Encrypted; lists show only the code and initials."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    guardian_contact = forms.CharField(
        label=_("Guardian's name and phone"),
        max_length=200,
        required=False,
        help_text=_("Encrypted, like the name."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    tier = forms.TypedChoiceField(
        label=_("Tier"),
        choices=ChildRecord.Tier.choices,
        coerce=int,
        initial=ChildRecord.Tier.INDIVIDUAL,
    )
    peksos = forms.ModelChoiceField(
        label=_("Assigned PEKSOS"), queryset=User.objects.none(), required=False
    )
    not_a_duplicate = forms.BooleanField(
        label=_("I checked the records above: this is another child."), required=False
    )
    idempotency_key = IdempotencyKeyField()

    def __init__(
        self, *args, schools: QuerySet[School], fixed_school: School | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.duplicates: list[ChildRecord] = []
        self.fields["school"].queryset = schools.order_by("name")
        if fixed_school is not None:
            self.fields["school"].queryset = School.objects.filter(pk=fixed_school.pk)
            self.fields["school"].initial = fixed_school.pk
            self.fields["school"].disabled = True
        self.fields["peksos"].queryset = User.objects.filter(
            role=Role.PEKSOS, is_active=True
        ).order_by("first_name", "username")
        year = timezone.localdate().year
        # Children in school: the range moves with the calendar, so it is set per form.
        self.fields["birth_year"].validators.append(_year_range(year - 25, year - 2))
        self.fields["birth_year"].widget.attrs.update(min=year - 25, max=year - 2)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not initials_of(name):
            raise ValidationError(_("Enter the child's name in letters."))
        return name

    def clean(self):
        data = super().clean()
        school, peksos = data.get("school"), data.get("peksos")
        if school and peksos and not peksos.school_memberships.filter(school=school).exists():
            self.add_error("peksos", _("This PEKSOS does not serve the school."))
        if self.errors:
            return data
        candidates = (
            ChildRecord.objects.without_identity()
            .filter(school=school, class_level=data["class_level"], birth_year=data["birth_year"])
            .order_by("-created_at")
        )
        initials = initials_of(data["name"])
        self.duplicates = [r for r in candidates if initials_similar(r.initials, initials)]
        if self.duplicates and not data.get("not_a_duplicate"):
            raise ValidationError(
                _(
                    "A record with the same school, class, year of birth and similar initials "
                    "exists. Open it instead, or confirm that this is another child."
                ),
                code="duplicate",
            )
        return data


def _year_range(low: int, high: int):
    def check(value: int) -> None:
        if value is not None and not low <= value <= high:
            raise ValidationError(
                _("Enter a year between %(low)s and %(high)s.") % {"low": low, "high": high}
            )

    return check


class RecordFilterForm(forms.Form):
    STATUS_CHOICES = [("aktif", _("open")), ("selesai", _("closed")), ("semua", _("all"))]

    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    overdue = forms.BooleanField(label=_("Only overdue follow-ups"), required=False)

    def filter(self, records):
        if not self.is_valid():
            return records.open()
        status = self.cleaned_data["status"] or "aktif"
        if status != "semua":
            records = records.filter(status=status)
        if self.cleaned_data["overdue"]:
            records = records.overdue()
        return records


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=with_empty_choice(ChildRecord.Outcome.choices)
    )
    note = _text(
        2000,
        _("Reason for closing"),
        help_text=_(
            "A Koordinator approves the closure. Write the child's code, never their name."
        ),
    )

    def clean_note(self) -> str:
        note = self.cleaned_data["note"].strip()
        if not note:
            raise ValidationError(_("Give the reason for closing the record."))
        return note


class ReferForm(forms.Form):
    psikolog = forms.ModelChoiceField(
        label=_("Psychologist"),
        queryset=User.objects.filter(role=Role.PSIKOLOG, is_active=True).order_by(
            "first_name", "username"
        ),
    )


# --- Consent ------------------------------------------------------------------------------


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Consent.Purpose.choices)
    given_by = forms.ChoiceField(label=_("Given by"), choices=Consent.Relation.choices)
    given_on = PastDateField(label=_("Given on"))
    method = forms.ChoiceField(
        label=_("How"),
        choices=[(m, label) for m, label in Consent.Method.choices if m != "pengecualian"],
        widget=forms.RadioSelect,
    )
    form_file = forms.FileField(
        label=_("Signed form (PDF, JPEG or PNG, at most 5 MB)"), required=False
    )
    witness = forms.CharField(label=_("Witness (verbal consent)"), max_length=150, required=False)
    scope = _text(2000, _("Scope"), required=False, rows=2)

    def clean_form_file(self) -> CleanUpload | None:
        """Through the one upload gate: a photo is re-encoded without its metadata (no GPS), a
        PDF with scripts, actions or embedded files, or encrypted, is refused."""
        upload = self.cleaned_data.get("form_file")
        if not upload:
            return None
        clean = validate_document(upload, max_bytes=CONSENT_FORM_MAX_BYTES, prefix="consent")
        if clean.content_type not in CONSENT_FORM_TYPES:
            raise ValidationError(_("Upload a PDF, JPEG or PNG file."))
        return clean

    def clean(self):
        data = super().clean()
        method = data.get("method")
        missing_form = not data.get("form_file") and "form_file" not in self.errors
        if method == Consent.Method.PAPER and missing_form:
            self.add_error("form_file", _("Upload the signed consent form."))
        if method == Consent.Method.VERBAL and not data.get("witness", "").strip():
            self.add_error("witness", _("Name the witness of the verbal consent."))
        return data


class OverrideForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Consent.Purpose.choices)
    reason = _text(
        2000,
        _("Why the guardian's consent is set aside (the child's best interest)"),
        help_text=NO_NAME_HINT,
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=300,
        help_text=_("E.g. UU 35/2014 Pasal 59A; UU 27/2022 Pasal 25."),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 20:
            raise ValidationError(_("Explain the reason in a few sentences."))
        return reason


# --- Plan, goals, interventions -----------------------------------------------------------


class PlanForm(forms.Form):
    tier = forms.TypedChoiceField(label=_("Tier"), choices=ChildRecord.Tier.choices, coerce=int)
    needs = _text(4000, _("Needs"), rows=4, help_text=NO_NAME_HINT)


class GoalForm(forms.Form):
    description = forms.CharField(label=_("Goal"), max_length=300, help_text=NO_NAME_HINT)
    target_date = forms.DateField(label=_("Target date"), widget=DATE_WIDGET)

    def clean_target_date(self):
        day = self.cleaned_data["target_date"]
        today = timezone.localdate()
        if day < today:
            raise ValidationError(_("The target date is in the past."))
        if day.year > today.year + 3:
            raise ValidationError(_("Choose a target date within three years."))
        return day


class GoalScoreForm(forms.Form):
    goal = forms.ModelChoiceField(label=_("Goal"), queryset=None)
    score = forms.TypedChoiceField(
        label=_("Attainment"),
        coerce=int,
        choices=[
            (-2, _("-2: much less than expected")),
            (-1, _("-1: less than expected")),
            (0, _("0: as expected")),
            (1, _("+1: more than expected")),
            (2, _("+2: much more than expected")),
        ],
    )
    scored_on = PastDateField(label=_("Date"))

    def __init__(self, *args, goals: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goals
        # Goals are told apart by what they aim at (their __str__ is the record code).
        self.fields["goal"].label_from_instance = lambda goal: goal.description

    def clean_score(self) -> int:
        score = self.cleaned_data["score"]
        if not GAS_MIN <= score <= GAS_MAX:  # the choices already say so; kept for clarity
            raise ValidationError(_("Goal attainment is scored from -2 to +2."))
        return score


class InterventionForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=Intervention.Kind.choices)
    provider = forms.CharField(
        label=_("Who provides it"),
        max_length=150,
        help_text=_("E.g. the PEKSOS, the psychologist, Puskesmas."),
    )
    frequency = forms.ChoiceField(label=_("How often"), choices=Intervention.Frequency.choices)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE_WIDGET)

    def clean_starts_on(self):
        day = self.cleaned_data["starts_on"]
        if not 2000 <= day.year <= timezone.localdate().year + 1:
            raise ValidationError(_("Enter a date from 2000 to next year."))
        return day


# --- Progress and measures ----------------------------------------------------------------


class NoteForm(forms.Form):
    noted_on = PastDateField(label=_("Date"))
    source = forms.ChoiceField(label=_("Source"), choices=ProgressNote.Source.choices)
    text = _text(4000, _("Observation"), rows=4, help_text=NO_NAME_HINT)

    def clean_text(self) -> str:
        return self.cleaned_data["text"].strip()


def _subscale(label) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=SUBSCALE_MAX)


class SdqForm(forms.Form):
    informant = forms.ChoiceField(label=_("Informant"), choices=SdqScore.Informant.choices)
    taken_on = PastDateField(label=_("Date of the form"))
    emotional = _subscale(_("Emotional symptoms (0-10)"))
    conduct = _subscale(_("Conduct problems (0-10)"))
    hyperactivity = _subscale(_("Hyperactivity/inattention (0-10)"))
    peer = _subscale(_("Peer relationship problems (0-10)"))
    prosocial = _subscale(_("Prosocial behaviour (0-10)"))


class WellbeingForm(forms.Form):
    rater = forms.ChoiceField(label=_("Rated by"), choices=WellbeingRating.Rater.choices)
    rated_on = PastDateField(label=_("Date"))
    score = forms.IntegerField(
        label=_("Wellbeing (0 very poor - 10 very good)"), min_value=0, max_value=WELLBEING_MAX
    )


# --- Observations asked of teachers and parents --------------------------------------------


class ObserverChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.get_role_display()})"


class ObservationRequestForm(forms.Form):
    addressee = ObserverChoiceField(
        label=_("Ask"),
        queryset=User.objects.none(),
        help_text=_(
            "A teacher of the child's school, or a parent linked to this record (Linked guardians)."
        ),
    )
    child_label = forms.CharField(
        label=_("The child, as they know them"),
        max_length=60,
        help_text=_(
            "A first name or nickname the teacher or parent recognises. It is all they see of "
            "the record; it is encrypted like the name."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    days = forms.IntegerField(
        label=_("Open for (days)"),
        min_value=1,
        max_value=OBSERVATION_MAX_DAYS,
        initial=OBSERVATION_DAYS,
    )
    idempotency_key = IdempotencyKeyField()

    def __init__(self, *args, record: ChildRecord, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["addressee"].queryset = observers_of(record)

    def clean_child_label(self) -> str:
        label = " ".join(self.cleaned_data["child_label"].split())
        if not label:
            raise ValidationError(_("Write how the teacher or parent knows the child."))
        return label


FREQUENCY_CHOICES = ObservationRequest.Frequency.choices


class ObservationAnswerForm(forms.Form):
    """The form a teacher or parent fills on a phone: big radio buttons, nothing to scroll
    sideways; what they typed comes back on an error."""

    cheerful = forms.TypedChoiceField(
        label=_("In the last two weeks, the child seemed cheerful and at ease"),
        choices=FREQUENCY_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    gets_along = forms.TypedChoiceField(
        label=_("The child got along with other children"),
        choices=FREQUENCY_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    calm = forms.TypedChoiceField(
        label=_("The child was calm and could concentrate"),
        choices=FREQUENCY_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    wellbeing = forms.TypedChoiceField(
        label=_("Overall, how is the child doing? (0 very badly, 10 very well)"),
        choices=[(n, str(n)) for n in range(WELLBEING_MAX + 1)],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = _text(
        1000,
        _("Anything else you noticed (optional)"),
        required=False,
        help_text=_("Only the PEKSOS team reads it."),
    )


# --- Guardians linked to a record ---------------------------------------------------------------

LINK_REASON_MAX = 1000


class GuardianChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.username})"


def _reason(label, required_message) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=LINK_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=NO_NAME_HINT,
        error_messages={"required": required_message},
    )


class GuardianLinkForm(forms.Form):
    """Tie a parent's account of the child's school to the record. Only parents of the
    school not linked yet are offered, and only they are accepted."""

    guardian = GuardianChoiceField(
        label=_("Parent or guardian"),
        queryset=User.objects.none(),
        help_text=_("A parent account of the child's school."),
        error_messages={
            "required": _("Choose the parent or guardian."),
            "invalid_choice": _("Choose a parent of the child's school not linked yet."),
        },
    )
    reason = _reason(
        _("Why this account is the child's parent or guardian"),
        _("Give the reason for the link."),
    )

    def __init__(self, *args, record: ChildRecord, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardian"].queryset = linkable_guardians(record)

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Give the reason for the link."))
        return reason


class GuardianEndForm(forms.Form):
    end_reason = _reason(_("Why the link ends"), _("Give the reason for ending the link."))

    def clean_end_reason(self) -> str:
        reason = self.cleaned_data["end_reason"].strip()
        if not reason:
            raise ValidationError(_("Give the reason for ending the link."))
        return reason
