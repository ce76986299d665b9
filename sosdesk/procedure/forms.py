"""Forms of the procedure's steps: they validate and normalise; the views call the services.
Each form has its own element ids (many forms share one page)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from peksos.accounts.models import Role, User
from peksos.core.forms import (
    DATE_WIDGET,
    CleanTextField,
    IdempotencyKeyField,
    with_empty_choice,
)
from peksos.core.uploads import CleanUpload, validate_document
from schools.models import School

from ..forms import ATTACHMENT_ACCEPT
from .models import (
    AgeBand,
    CaseDocument,
    CaseParty,
    Decision,
    Evidence,
    Finding,
    RecoveryTask,
    SanctionLevel,
    Sex,
)

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def _text(label, max_length, *, required=True, rows=None, help_text=""):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    return CleanTextField(
        label=label, max_length=max_length, required=required, widget=widget, help_text=help_text
    )


class PrefixedForm(forms.Form):
    prefix_ids = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.prefix_ids}_%s")
        super().__init__(*args, **kwargs)


class PartyForm(PrefixedForm):
    prefix_ids = "party"
    idempotency_key = IdempotencyKeyField()
    role = forms.ChoiceField(
        label=_("Role in the case"), choices=with_empty_choice(CaseParty.Role.choices)
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=with_empty_choice(CaseParty.Category.choices)
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, required=False)
    age_band = forms.ChoiceField(
        label=_("Age band"),
        choices=AgeBand.choices,
        required=False,
    )
    relation = _text(
        _("Relation to the school"),
        150,
        required=False,
        help_text=_("For example: class 8B, homeroom teacher, canteen worker, older sibling."),
    )
    name = _text(
        _("Name"), 150, help_text=_("Stored encrypted and shown only on purpose, with a reason.")
    )
    contact = _text(_("Contact (optional)"), 150, required=False)


class RevealForm(PrefixedForm):
    prefix_ids = "reveal"
    reason = _text(
        _("Why do you need the name?"),
        200,
        help_text=_("Written in the case's timeline, for the desk to see."),
    )


class InterviewPlanForm(PrefixedForm):
    prefix_ids = "interview"
    idempotency_key = IdempotencyKeyField()
    party = forms.ModelChoiceField(label=_("Who is interviewed"), queryset=CaseParty.objects.none())
    planned_at = forms.DateTimeField(
        label=_("When"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    interviewers = _text(
        _("By whom"), 200, help_text=_("The members of the team who hold the interview.")
    )

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["party"]
        field.queryset = CaseParty.objects.filter(pk__in=[p.pk for p in parties]).defer(
            "name", "contact"
        )
        labels = {p.pk: p.label for p in parties}
        field.label_from_instance = lambda p: labels.get(p.pk, "")
        field.choices = with_empty_choice([(p.pk, p.label) for p in parties])


class InterviewHeldForm(PrefixedForm):
    prefix_ids = "held"
    held_at = forms.DateTimeField(
        label=_("Held on"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    summary = _text(
        _("Summary"),
        8000,
        rows=4,
        help_text=_("Stored encrypted. It appears in the examination report, without names."),
    )


class EvidenceForm(PrefixedForm):
    prefix_ids = "evidence"
    idempotency_key = IdempotencyKeyField()
    description = _text(_("What it is"), 300)
    received_from = _text(_("Received from"), 150, required=False)
    received_on = forms.DateField(label=_("Received on"), widget=DATE_WIDGET)
    file = forms.FileField(
        label=_("File (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ATTACHMENT_ACCEPT}),
        help_text=_(
            "A photo (JPEG, PNG, WebP) or a PDF of at most 10 MB. Photos are stored without "
            "their location data."
        ),
    )

    def clean_file(self) -> CleanUpload | None:
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        return validate_document(upload, max_bytes=Evidence.MAX_BYTES, prefix="sosdesk")


class ConclusionForm(PrefixedForm):
    prefix_ids = "conclusion"
    finding = forms.ChoiceField(
        label=_("Finding"), choices=Finding.choices, widget=forms.RadioSelect
    )
    reasoning = _text(_("Grounds of the conclusion"), 4000, rows=3)
    sanction_level = forms.ChoiceField(
        label=_("Sanction for the alleged party (when proven)"),
        choices=with_empty_choice(SanctionLevel.choices),
        required=False,
    )
    sanction = _text(_("Recommended sanction"), 2000, required=False, rows=2)
    victim_recovery = _text(_("The victim's recovery"), 2000, rows=2)
    continued_schooling = _text(_("Continued schooling of the pupils involved"), 2000, rows=2)

    def clean(self):
        data = super().clean()
        if data.get("finding") == Finding.PROVEN and not data.get("sanction_level"):
            self.add_error(
                "sanction_level", _("A proven case needs a sanction level for the alleged party.")
            )
        return data


class DecisionForm(PrefixedForm):
    prefix_ids = "decision"
    idempotency_key = IdempotencyKeyField()
    authority = forms.ChoiceField(
        label=_("Decided by"), choices=with_empty_choice(Decision.Authority.choices)
    )
    decided_by_name = _text(_("Name and position"), 150)
    decision = _text(_("What was decided"), 2000, rows=3)
    decided_on = forms.DateField(label=_("Date of the decision"), widget=DATE_WIDGET)
    decree_number = _text(_("Decree number (optional)"), 100, required=False)
    execute_by = forms.DateField(
        label=_("To be carried out by (optional)"), widget=DATE_WIDGET, required=False
    )


class ExecutionForm(PrefixedForm):
    prefix_ids = "execution"
    executed_on = forms.DateField(label=_("Carried out on"), widget=DATE_WIDGET)
    note = _text(_("How it was carried out"), 2000, rows=2)


class RecoveryTaskForm(PrefixedForm):
    prefix_ids = "task"
    idempotency_key = IdempotencyKeyField()
    kind = forms.ChoiceField(
        label=_("Support"), choices=with_empty_choice(RecoveryTask.Kind.choices)
    )
    description = _text(_("What is to be done (optional)"), 300, required=False)
    owner = _text(
        _("Who is responsible"), 150, help_text=_("A person or a partner, e.g. the counsellor.")
    )
    due_on = forms.DateField(label=_("Due on"), widget=DATE_WIDGET)


class TaskDoneForm(PrefixedForm):
    prefix_ids = "done"
    done_on = forms.DateField(label=_("Done on"), widget=DATE_WIDGET)
    note = _text(_("Result (optional)"), 300, required=False)


class MoveSchoolForm(PrefixedForm):
    prefix_ids = "move"
    npsn = forms.CharField(
        label=_("NPSN of the new school"),
        max_length=8,
        min_length=8,
        help_text=_("The 8 digits of the school's NPSN (on its page in the school list)."),
    )
    reason = _text(_("Reason"), 300)

    def clean_npsn(self) -> School:
        value = self.cleaned_data["npsn"].strip()
        school = School.objects.filter(npsn=value).first() if value.isdigit() else None
        if school is None:
            raise forms.ValidationError(_("No school with this NPSN is in the register."))
        return school


class AssignPeksosForm(PrefixedForm):
    prefix_ids = "assign"
    peksos = forms.ModelChoiceField(label=_("PEKSOS"), queryset=User.objects.none())
    reason = _text(_("Reason"), 300)

    def __init__(self, *args, school=None, **kwargs):
        super().__init__(*args, **kwargs)
        users = User.objects.filter(role=Role.PEKSOS, is_active=True)
        if school is not None:
            users = users.filter(school_memberships__school=school)
        self.fields["peksos"].queryset = users.order_by("first_name", "username")
        self.fields["peksos"].label_from_instance = lambda u: u.get_full_name() or u.username


class DocumentForm(PrefixedForm):
    prefix_ids = "document"
    kind = forms.ChoiceField(label=_("Document"), choices=CaseDocument.Kind.choices)
