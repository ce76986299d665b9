"""Forms of the reports of violence: the public form a pupil or parent fills in (optionally
anonymous), tracking with code and PIN, the reporter's messages, and the same report filed by a
desk officer. The desk's own forms are `sosdesk.forms`."""

import re

from django import forms
from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _

from peksos.core.forms import CleanTextField, IdempotencyKeyField
from peksos.core.uploads import CleanUpload

from .forms import MultipleFileField, MultipleFileInput
from .models import (
    Affected,
    Case,
    Modality,
    Scope,
    ViolenceForm,
)
from .protection import reporter_files

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
    dinas_only = forms.BooleanField(
        label=_("Send this only to the Dinas Sosial, not to the school's team"),
        help_text=_(
            "Choose this if the person you report is on the school's team (TPPK) or is the "
            "principal. Nobody at the school will see your report; the Dinas Sosial handles it."
        ),
        required=False,
        widget=forms.CheckboxInput(attrs=CHOICE_ATTRS),
    )
    photos = MultipleFileField(
        label=_("Photos or screenshots (if you have them)"),
        help_text=reporter_files.PHOTO_WARNING,
        required=False,
        widget=MultipleFileInput(attrs={"accept": reporter_files.PHOTO_ACCEPT}),
    )
    idempotency_key = IdempotencyKeyField()

    IDENTITY_FIELDS = ("reporter_name", "reporter_contact", "reporter_relation")

    def clean_photos(self) -> list[CleanUpload]:
        return reporter_files.clean_photos(self.cleaned_data.get("photos"))

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
            "dinas_only": bool(data.get("dinas_only")),
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
    photos = MultipleFileField(
        label=_("Photos or screenshots (if you have them)"),
        help_text=reporter_files.PHOTO_WARNING,
        required=False,
        widget=MultipleFileInput(attrs={"accept": reporter_files.PHOTO_ACCEPT}),
    )
    idempotency_key = IdempotencyKeyField()

    def clean_photos(self) -> list[CleanUpload]:
        return reporter_files.clean_photos(self.cleaned_data.get("photos"))


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
        # The reporter's own choices: the officer attaches files to a note, and a report the
        # school's desk must not see is one the officer restricts afterwards.
        del fields["dinas_only"], fields["photos"]
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
