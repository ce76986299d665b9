"""Forms of the SOS Desk: they validate and normalise; views call the services."""

import re
from datetime import date, timedelta

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q, QuerySet
from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _

from peksos.accounts.models import Role, User
from peksos.core.forms import DATE_WIDGET, CleanTextField, IdempotencyKeyField, with_empty_choice
from peksos.core.uploads import CleanUpload, safe_display_name, validate_document

from .models import (
    Affected,
    Case,
    CaseAttachment,
    Desk,
    DeskMember,
    Modality,
    Partner,
    Referral,
    Scope,
    StageDeadlines,
    ViolenceForm,
)

# --- Case handling (views/cases.py) -----------------------------------------------------------

ATTACHMENT_ACCEPT = ".pdf,.jpg,.jpeg,.png,.webp,application/pdf,image/jpeg,image/png,image/webp"


class TriageForm(forms.Form):
    """Urgency and classification. The field is not called `forms`: that name is the module."""

    # A blank first option: the browser must not preselect "emergency" for an untriaged case.
    urgency = forms.ChoiceField(label=_("Urgency"), choices=with_empty_choice(Case.Urgency.choices))
    violence = forms.MultipleChoiceField(
        label=_("Forms of violence"),
        choices=ViolenceForm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    modalities = forms.MultipleChoiceField(
        label=_("How it was done"),
        choices=Modality.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    @classmethod
    def for_case(cls, case: Case) -> "TriageForm":
        return cls(
            initial={
                "urgency": case.urgency,
                "violence": case.forms,
                "modalities": case.modalities,
            }
        )


class StatusForm(forms.Form):
    """A step in the case's life. Which steps are legal is the service's decision
    (`services.TRANSITIONS`); `allowed` only narrows the choices shown on the page."""

    to = forms.ChoiceField(label=_("New status"), choices=Case.Status.choices)
    outcome = forms.ChoiceField(
        label=_("Outcome (when closing)"),
        choices=with_empty_choice(Case.Outcome.choices),
        required=False,
    )

    def __init__(self, *args, allowed=None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed is not None:
            self.fields["to"].choices = [c for c in Case.Status.choices if c[0] in allowed]

    def clean(self):
        data = super().clean()
        if data.get("to") == Case.Status.CLOSED and not data.get("outcome"):
            self.add_error("outcome", _("Choose an outcome to close the case."))
        elif data.get("to") and data.get("to") != Case.Status.CLOSED:
            data["outcome"] = ""
        return data


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by Django's FileField (present, not
    empty), the content checks are the form's (peksos/core/uploads.py)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class NoteForm(forms.Form):
    idempotency_key = IdempotencyKeyField()  # a double tap adds one note
    body = forms.CharField(
        label=_("Internal note"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by the desk, its PEKSOS and Koordinators; never by the reporter."),
    )
    attachments = MultipleFileField(
        label=_("Attachments (optional)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        # Its own element ids: the message form on the same case page has a `body` too.
        kwargs.setdefault("auto_id", "id_note_%s")
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _(
            "Photos (JPEG, PNG, WebP) or PDF files of evidence or letters: at most "
            "%(count)s files of %(size)s MB each. Photos are stored without their location "
            "data. Only the desk, its PEKSOS and Koordinators can open them."
        ) % {"count": CaseAttachment.MAX_FILES, "size": CaseAttachment.MAX_BYTES // (1024 * 1024)}

    def clean_body(self) -> str:
        return self.cleaned_data["body"].strip()

    def clean_attachments(self) -> list[CleanUpload]:
        files = self.cleaned_data.get("attachments") or []
        if len(files) > CaseAttachment.MAX_FILES:
            raise forms.ValidationError(
                _("At most %(count)s files per note; you chose %(chosen)s."),
                code="too_many",
                params={"count": CaseAttachment.MAX_FILES, "chosen": len(files)},
            )
        cleaned, errors = [], []
        for upload in files:
            try:
                cleaned.append(
                    validate_document(upload, max_bytes=CaseAttachment.MAX_BYTES, prefix="sosdesk")
                )
            except forms.ValidationError as exc:
                name = safe_display_name(getattr(upload, "name", ""))
                for reason in exc.messages:
                    errors.append(
                        forms.ValidationError(
                            _("%(name)s: %(reason)s"),
                            code=exc.code or "invalid",
                            params={"name": name, "reason": reason},
                        )
                    )
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class DeskMessageForm(forms.Form):
    idempotency_key = IdempotencyKeyField()  # a double tap sends one message
    body = forms.CharField(
        label=_("Message to the reporter"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The reporter reads it on the tracking page. Write nothing that would harm them "
            "if someone else read it."
        ),
    )

    def clean_body(self) -> str:
        return self.cleaned_data["body"].strip()


def active_psikologs() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role=Role.PSIKOLOG).order_by(
        "first_name", "username"
    )


class PsikologChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class ReferralForm(forms.Form):
    partner = forms.ChoiceField(label=_("Refer to"), choices=Partner.choices)
    psikolog = PsikologChoiceField(
        label=_("Psychologist"),
        queryset=active_psikologs(),
        required=False,
        help_text=_("Only when referring to a psychologist."),
    )
    reason = forms.CharField(
        label=_("Why"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        if data.get("partner") == Partner.PSIKOLOG:
            if not data.get("psikolog") and "psikolog" not in self.errors:
                self.add_error("psikolog", _("Choose the psychologist this case is referred to."))
        else:
            data["psikolog"] = None
        return data


class ReferralResponseForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Answer"),
        choices=[
            (Referral.State.ACCEPTED, _("accept")),
            (Referral.State.DECLINED, _("decline")),
            (Referral.State.DONE, _("mark as done")),
        ],
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        data["note"] = (data.get("note") or "").strip()
        if data.get("state") == Referral.State.DECLINED and not data["note"]:
            self.add_error("note", _("Say why the referral is declined."))
        return data


class PoliceForm(forms.Form):
    """UU TPKS Pasal 41: either the police report reference or a reason for not reporting."""

    reference = forms.CharField(
        label=_("Police report reference"),
        max_length=100,
        required=False,
        help_text=_("For example the number of the police report (LP) or receipt (STTLP)."),
    )
    reason = forms.CharField(
        label=_("Or: reason for not reporting"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A reason closes the clock only once a Koordinator approves it."),
    )

    def clean(self):
        data = super().clean()
        reference = " ".join((data.get("reference") or "").split())
        reason = (data.get("reason") or "").strip()
        if self.errors:
            return data
        if reference and reason:
            raise forms.ValidationError(
                _("Enter either the police report reference or a reason, not both.")
            )
        if not reference and not reason:
            raise forms.ValidationError(
                _("Enter the police report reference, or a reason for not reporting.")
            )
        data["reference"], data["reason"] = reference, reason
        return data


class StageDeadlinesForm(forms.ModelForm):
    class Meta:
        model = StageDeadlines
        fields = [
            "received_hours",
            "verifying_hours",
            "handling_days",
            "referred_days",
            "police_hours",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A zero deadline would make every case overdue at once; bounds keep dates in range.
        limits = {
            "received_hours": 24 * 30,
            "verifying_hours": 24 * 60,
            "handling_days": 365,
            "referred_days": 365,
            # UU TPKS Pasal 41: 3x24 hours is the legal limit, it may be shortened only.
            "police_hours": 72,
        }
        for name, maximum in limits.items():
            field = self.fields[name]
            field.min_value, field.max_value = 1, maximum
            field.widget.attrs.update(min=1, max=maximum)
            field.validators += [MinValueValidator(1), MaxValueValidator(maximum)]
        self.fields["police_hours"].help_text = _("UU TPKS Pasal 41: at most 72 hours.")


class CaseFilterForm(forms.Form):
    OPEN = "terbuka"
    NO_URGENCY = "belum"

    q = forms.CharField(
        label=_("School or tracking code"),
        required=False,
        max_length=100,
        help_text=_("School name, NPSN or the case's tracking code."),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", _("all")),
            (self.OPEN, _("open (not closed)")),
            *Case.Status.choices,
        ]
        self.fields["urgency"].choices = [
            ("", _("all")),
            *Case.Urgency.choices,
            (self.NO_URGENCY, _("not triaged yet")),
        ]

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].replace("\x00", "").split())

    def valid_data(self) -> dict:
        """The fields that validated (Django drops the invalid ones from cleaned_data)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

    def filter(self, cases: QuerySet[Case]) -> QuerySet[Case]:
        data = self.valid_data()
        if q := data.get("q"):
            match = Q(school__name__icontains=q) | Q(code=q.upper())
            if q.isdigit():
                match |= Q(school__npsn=q)
            cases = cases.filter(match)
        status = data.get("status")
        if status == self.OPEN:
            cases = cases.open()
        elif status:
            cases = cases.filter(status=status)
        urgency = data.get("urgency")
        if urgency == self.NO_URGENCY:
            cases = cases.filter(urgency="")
        elif urgency:
            cases = cases.filter(urgency=urgency)
        return cases


# --- The desk and its figures (views/desk.py, views/figures.py) ---------------------------


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class DeskForm(forms.ModelForm):
    """The principal's decree (SK) appointing the TPPK, and its 2-year term."""

    TERM_YEARS = 2

    class Meta:
        model = Desk
        fields = ["sk_number", "term_start", "term_end"]
        widgets = {"term_start": DATE_WIDGET, "term_end": DATE_WIDGET}
        help_texts = {
            "sk_number": _("The number of the principal's decree appointing the team."),
            "term_end": _("Leave empty for the usual 2 years from the start."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sk_number"].required = True
        self.fields["term_start"].required = True

    def clean_sk_number(self) -> str:
        return " ".join(self.cleaned_data["sk_number"].split())

    def clean(self):
        data = super().clean()
        start, end = data.get("term_start"), data.get("term_end")
        if start is None:
            return data
        if end is None and "term_end" not in self.errors:
            data["term_end"] = add_years(start, self.TERM_YEARS) - timedelta(days=1)
        elif end is not None and end < start:
            self.add_error("term_end", _("The term cannot end before it starts."))
        elif end is not None and end > add_years(start, self.TERM_YEARS):
            self.add_error("term_end", _("A TPPK is appointed for at most 2 years."))
        return data


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.get_role_display()})"


class DeskMemberForm(forms.ModelForm):
    """A TPPK member. The optional account links a member who uses PEKSOS (an officer)."""

    ACCOUNT_ROLES = (Role.SOSDESK, Role.KEPALA_SEKOLAH)

    user = AccountChoiceField(
        label=_("PEKSOS account"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Only for members who use PEKSOS (SOS Desk officers, the principal)."),
    )

    class Meta:
        model = DeskMember
        fields = ["name", "position", "is_chair", "is_principal", "user"]
        labels = {"position": _("Member from")}
        help_texts = {"is_chair": _("The current chair, if any, stops being chair.")}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            is_active=True, role__in=self.ACCOUNT_ROLES, school_memberships__school=school
        ).order_by("first_name", "username")

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean(self):
        data = super().clean()
        if data.get("is_chair") and data.get("is_principal"):
            self.add_error("is_chair", _("The principal may not chair the team (TPPK)."))
        return data


class FiguresFilterForm(forms.Form):
    """The period and school of the figures. `keluar` asks for the version that may leave the
    office (small counts suppressed)."""

    dari = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    sampai = forms.DateField(label=_("Until"), required=False, widget=DATE_WIDGET)
    sekolah = forms.CharField(
        label=_("School (NPSN)"),
        required=False,
        max_length=8,
        widget=forms.TextInput(
            attrs={"placeholder": _("all your schools"), "inputmode": "numeric"}
        ),
    )
    keluar = forms.BooleanField(label=_("For outside the office"), required=False)

    def clean_sekolah(self) -> str:
        npsn = self.cleaned_data["sekolah"].strip()
        if npsn and not npsn.isdigit():
            raise forms.ValidationError(_("An NPSN has 8 digits."))
        return npsn

    def clean(self):
        data = super().clean()
        start, end = data.get("dari"), data.get("sampai")
        if start and end and start > end:
            self.add_error("sampai", _("The end of the period is before its start."))
        return data

    def valid_data(self) -> dict:
        """The fields that validated: an invalid field is ignored, never a 500."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = dict(self.cleaned_data)
        if "sampai" in self.errors:
            data.pop("dari", None)
        return data


# --- The public side: report, tracking, messages (views/public.py) ----------------------------


# Tick boxes and radio buttons big enough for a thumb (the page wraps each in a tappable box).
CHOICE_ATTRS = {"class": "form-check-input fs-5 flex-shrink-0 mt-0"}

# The regulation's forms and modalities in the words of a pupil, with examples.
PUBLIC_VIOLENCE_CHOICES = [
    (ViolenceForm.FISIK, _("Physical violence (hitting, kicking, pushing, hurting the body)")),
    (ViolenceForm.PSIKIS, _("Psychological violence (threats, insults, shaming, frightening)")),
    (ViolenceForm.PERUNDUNGAN, _("Bullying (hurting someone again and again)")),
    (
        ViolenceForm.SEKSUAL,
        _("Sexual violence (touching private parts, sexual words or pictures, forcing)"),
    ),
    (
        ViolenceForm.DISKRIMINASI,
        _("Discrimination or intolerance (treated badly for religion, origin, disability…)"),
    ),
    (ViolenceForm.KEBIJAKAN, _("A school rule or decision that hurts children")),
    (ViolenceForm.LAINNYA, _("Something else")),
]
PUBLIC_MODALITY_CHOICES = [
    (Modality.PHYSICAL, _("With the body (touching, hitting)")),
    (Modality.VERBAL, _("With words (spoken or written)")),
    (Modality.NONVERBAL, _("Without words (gestures, looks, leaving someone out)")),
    (Modality.ONLINE, _("Online (chat, social media, phone)")),
]
REPORTER_RELATION_CHOICES = [
    ("", _("(choose)")),
    (Affected.PUPIL, _("a pupil")),
    (Affected.TEACHER, _("a teacher")),
    (Affected.STAFF, _("school staff")),
    (Affected.OTHER, _("a parent or someone else")),
]


class PublicReportForm(forms.Form):
    """The school's public report form: short, in simple words, anonymous by default.

    An anonymous report keeps no name, contact or relation, whatever was sent."""

    ANONYMOUS = "anonim"
    IDENTIFIED = "nama"
    NARRATIVE_MIN = 10
    NARRATIVE_MAX = 5000

    narrative = CleanTextField(
        label=_("What happened?"),
        help_text=_("Tell it in your own words. Names are not needed."),
        min_length=NARRATIVE_MIN,
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": NARRATIVE_MAX}),
        error_messages={
            "required": _("Please tell us what happened."),
            "min_length": _("Please tell us a little more (at least %(limit_value)d letters)."),
        },
    )
    violence = forms.MultipleChoiceField(
        label=_("What kind of violence? Tick all that fit."),
        help_text=_("Not sure? Leave it empty."),
        choices=PUBLIC_VIOLENCE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs=CHOICE_ATTRS),
    )
    modalities = forms.MultipleChoiceField(
        label=_("How was it done? Tick all that fit."),
        choices=PUBLIC_MODALITY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs=CHOICE_ATTRS),
    )
    scope = forms.ChoiceField(
        label=_("Where did it happen?"),
        choices=Scope.choices,
        required=False,
        initial=Scope.UNSURE,
        widget=forms.RadioSelect(attrs=CHOICE_ATTRS),
    )
    occurred_on = forms.DateField(
        label=_("Date (if you know it)"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    occurred_text = CleanTextField(
        label=_("Or say when in words"),
        help_text=_("For example: last Monday, during the break."),
        required=False,
        max_length=100,
    )
    affected = forms.MultipleChoiceField(
        label=_("Who was hurt? Tick all that fit."),
        help_text=_("No names are needed."),
        choices=Affected.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs=CHOICE_ATTRS),
    )
    ongoing_danger = forms.ChoiceField(
        label=_("Is it still happening? Is someone in danger now?"),
        help_text=_("If someone is in danger right now, call 110 or 112."),
        choices=Case.Danger.choices,
        required=False,
        initial=Case.Danger.UNSURE,
        widget=forms.RadioSelect(attrs=CHOICE_ATTRS),
    )
    identity = forms.ChoiceField(
        label=_("Do you want to tell us who you are?"),
        choices=[
            (ANONYMOUS, _("No, I stay anonymous. My name and contact are not stored.")),
            (IDENTIFIED, _("Yes, I give my name and a contact.")),
        ],
        initial=ANONYMOUS,
        required=False,
        widget=forms.RadioSelect(attrs=CHOICE_ATTRS),
    )
    reporter_name = CleanTextField(label=_("Your name"), required=False, max_length=150)
    reporter_contact = CleanTextField(
        label=_("Your phone number or e-mail"),
        help_text=_("Give one that only you read: the person you report may share your phone."),
        required=False,
        max_length=150,
    )
    reporter_relation = forms.ChoiceField(
        label=_("You are"), choices=REPORTER_RELATION_CHOICES, required=False
    )
    contact_allowed = forms.BooleanField(
        label=_("The desk may contact me at this number or e-mail."), required=False
    )
    idempotency_key = IdempotencyKeyField()

    IDENTITY_FIELDS = ("reporter_name", "reporter_contact", "reporter_relation")

    def clean_scope(self) -> str:
        return self.cleaned_data["scope"] or Scope.UNSURE

    def clean_ongoing_danger(self) -> str:
        return self.cleaned_data["ongoing_danger"] or Case.Danger.UNSURE

    def clean_identity(self) -> str:
        return self.cleaned_data["identity"] or self.ANONYMOUS

    def clean_occurred_on(self):
        day = self.cleaned_data["occurred_on"]
        if day and day > localdate():
            raise forms.ValidationError(_("This date is in the future."))
        return day

    def clean(self):
        data = super().clean()
        if data.get("identity") == self.IDENTIFIED:
            if not data.get("reporter_name") and "reporter_name" not in self.errors:
                self.add_error("reporter_name", _("Write your name, or choose to stay anonymous."))
            if not data.get("reporter_contact") and "reporter_contact" not in self.errors:
                self.add_error(
                    "reporter_contact",
                    _("Write a phone number or e-mail, or choose to stay anonymous."),
                )
        else:
            # Anonymous: whatever was typed into the identity fields is dropped here.
            for name in self.IDENTITY_FIELDS:
                data[name] = ""
                self.errors.pop(name, None)
            data["contact_allowed"] = False
        return data

    def case_fields(self) -> dict:
        """The keyword arguments of `services.case_file` from a valid form."""
        data = self.cleaned_data
        return {
            "narrative": data["narrative"],
            "forms": data["violence"],
            "modalities": data["modalities"],
            "scope": data["scope"],
            "occurred_on": data["occurred_on"],
            "occurred_text": data["occurred_text"],
            "affected": data["affected"],
            "ongoing_danger": data["ongoing_danger"],
            "anonymous": data["identity"] != self.IDENTIFIED,
            "reporter_name": data["reporter_name"],
            "reporter_contact": data["reporter_contact"],
            "reporter_relation": data["reporter_relation"],
            "contact_allowed": data["contact_allowed"],
            "idempotency_key": data["idempotency_key"],
        }


class TrackingForm(forms.Form):
    """Tracking code and PIN. Whether they match is the view's business (and throttled)."""

    code = CleanTextField(
        label=_("Tracking code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    pin = CleanTextField(
        label=_("PIN"),
        max_length=12,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"]).upper()
        if not re.fullmatch(r"[A-Z0-9]{6,12}", code):
            raise forms.ValidationError(_("A tracking code has 8 letters and numbers."))
        return code

    def clean_pin(self) -> str:
        pin = re.sub(r"\s", "", self.cleaned_data["pin"])
        if not re.fullmatch(r"\d{4,8}", pin):
            raise forms.ValidationError(_("The PIN has 6 numbers."))
        return pin


class ReporterMessageForm(forms.Form):
    body = CleanTextField(
        label=_("Your message to the desk"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 4000}),
        error_messages={"required": _("Write a message first.")},
    )
    idempotency_key = IdempotencyKeyField()


# --- Reports received by a desk officer (views/desk.py) ------------------------------------

OFFICER_CHANNELS = [c for c in Case.Channel.choices if c[0] != Case.Channel.PUBLIC_FORM]


class OfficerReportForm(PublicReportForm):
    """A report a desk officer received in person, by phone, by letter or by message: the
    questions of the public form, plus how it came in. The labels speak to the officer, and a
    reporter who gives a name need not give a contact (they may have come in person)."""

    channel = forms.ChoiceField(
        label=_("How was the report received?"),
        choices=OFFICER_CHANNELS,
        widget=forms.RadioSelect,
    )

    field_order = ["channel"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["violence"].label = _("Forms of violence")
        fields["violence"].choices = ViolenceForm.choices
        fields["violence"].help_text = _("Leave empty when unsure: triage classifies it later.")
        fields["modalities"].label = _("How it was done")
        fields["modalities"].choices = Modality.choices
        fields["occurred_on"].label = _("When did it happen? (date, if known)")
        fields["occurred_text"].label = _("Or when, in words")
        fields["affected"].help_text = ""
        fields["affected"].label = _("Who was affected?")
        fields["ongoing_danger"].label = _("Is the danger still going on?")
        fields["narrative"].help_text = _("In the reporter's words, as far as possible.")
        fields["identity"].label = _("The reporter")
        fields["identity"].choices = [
            (self.ANONYMOUS, _("stays anonymous: no name or contact is recorded")),
            (self.IDENTIFIED, _("gave their name: record it")),
        ]
        fields["reporter_name"].label = _("Reporter's name")
        fields["reporter_contact"].label = _("Reporter's contact (if given)")
        fields["reporter_contact"].help_text = _(
            "A phone or address that only the reporter reads: the person reported may share it."
        )
        fields["reporter_relation"].label = _("The reporter is")
        fields["contact_allowed"].label = _("The reporter agreed to be contacted")

    def clean(self):
        data = super().clean()
        identified = data.get("identity") == self.IDENTIFIED
        contact_typed = (self.data.get(self.add_prefix("reporter_contact")) or "").strip()
        if identified and not contact_typed and "reporter_contact" in self.errors:
            # The public form asks a named reporter for a contact; an officer may record a
            # name alone (someone who came in person). A malformed contact still errs.
            del self.errors["reporter_contact"]
            data["reporter_contact"] = ""
        return data

    def report_kwargs(self) -> dict:
        """The cleaned report as `services.case_file` takes it."""
        return {**self.case_fields(), "channel": self.cleaned_data["channel"]}
