"""Forms of the SOS Desk: they validate and normalise; views call the services."""

from datetime import date, timedelta

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from peksos.accounts.models import Role, User
from peksos.core.forms import DATE_WIDGET, IdempotencyKeyField, with_empty_choice
from peksos.core.uploads import CleanUpload, safe_display_name, validate_document

from .models import (
    Case,
    CaseAttachment,
    Desk,
    DeskMember,
    Modality,
    Partner,
    Referral,
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
            "examination_days",
            "decision_days",
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
            "examination_days": 365,
            "decision_days": 365,
        }
        for name, maximum in limits.items():
            field = self.fields[name]
            field.min_value, field.max_value = 1, maximum
            field.widget.attrs.update(min=1, max=maximum)
            field.validators += [MinValueValidator(1), MaxValueValidator(maximum)]
        self.fields["police_hours"].help_text = _("UU TPKS Pasal 41: at most 72 hours.")
        # The procedure's deadlines (sosdesk/procedure/clocks.py): a form sent without them
        # keeps the values in force.
        for name in ("examination_days", "decision_days"):
            self.fields[name].required = False

    def _keep(self, name: str):
        value = self.cleaned_data.get(name)
        return getattr(self.instance, name) if value is None else value

    def clean_examination_days(self):
        return self._keep("examination_days")

    def clean_decision_days(self):
        return self._keep("decision_days")


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
