import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from peksos.accounts.models import Role, User
from peksos.core.forms import CleanTextField
from schools.models import Kecamatan, School

PHONE_RE = re.compile(r"^\+?[0-9]{8,15}$")


def normalise_phone(value: str) -> str:
    """Spaces, dots, dashes and brackets people type in numbers are dropped."""
    return re.sub(r"[\s.\-()]", "", value or "")


def phone_is_valid(value: str) -> bool:
    return bool(PHONE_RE.fullmatch(value))


def schools_by_npsn(text: str) -> tuple[list[School], list[str]]:
    """The schools named by NPSNs separated by commas, semicolons or spaces, and the NPSNs
    that are not in the register."""
    wanted = list(dict.fromkeys(n for n in re.split(r"[\s,;]+", text or "") if n))
    found = {s.npsn: s for s in School.objects.filter(npsn__in=wanted)}
    return [found[n] for n in wanted if n in found], [n for n in wanted if n not in found]


class PersonForm(forms.Form):
    """Create (with schools) and edit (without) one person."""

    name = CleanTextField(label=_("Full name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    email = forms.EmailField(label=_("E-mail"), required=False, max_length=254)
    phone = CleanTextField(
        label=_("Phone (WhatsApp)"),
        required=False,
        max_length=32,
        help_text=_("e.g. 0812 3456 7890"),
    )
    schools = CleanTextField(
        label=_("Schools served (NPSN)"),
        required=False,
        max_length=2000,
        help_text=_("One or more NPSN, separated by commas or spaces."),
    )

    def __init__(self, *args, person: User | None = None, **kwargs):
        self.person = person
        if person is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": person.get_full_name(),
                    "role": person.role,
                    "email": person.email,
                    "phone": person.phone,
                },
            )
        super().__init__(*args, **kwargs)
        if person is not None:
            del self.fields["schools"]

    def clean_email(self) -> str:
        email = (self.cleaned_data.get("email") or "").strip()
        others = User.objects.filter(email__iexact=email)
        if self.person is not None:
            others = others.exclude(pk=self.person.pk)
        if email and others.exists():
            raise ValidationError(_("Another account already has this e-mail address."))
        return email

    def clean_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data.get("phone", ""))
        if phone and not phone_is_valid(phone):
            raise ValidationError(_("Write the phone number with digits only, 8 to 15 of them."))
        return phone

    def clean_schools(self) -> list[School]:
        schools, unknown = schools_by_npsn(self.cleaned_data.get("schools", ""))
        if unknown:
            raise ValidationError(
                _("Not in the school register: %(npsn)s.") % {"npsn": ", ".join(unknown)}
            )
        return schools

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("email") and not data.get("phone"):
            raise ValidationError(_("Give an e-mail address or a phone number (or both)."))
        return data


class MembershipAddForm(forms.Form):
    """Schools by NPSN, or every school of a kecamatan (e.g. a PEKSOS's area)."""

    schools = CleanTextField(
        label=_("Schools (NPSN)"),
        required=False,
        max_length=2000,
        help_text=_("One or more NPSN, separated by commas or spaces."),
    )
    kecamatan = forms.ModelChoiceField(
        label=_("Or every school of kecamatan"),
        required=False,
        queryset=Kecamatan.objects.order_by("name"),
        to_field_name="code",
    )

    def clean(self):
        data = super().clean()
        schools, unknown = schools_by_npsn(data.get("schools", ""))
        if unknown:
            self.add_error(
                "schools", _("Not in the school register: %(npsn)s.") % {"npsn": ", ".join(unknown)}
            )
        if data.get("kecamatan"):
            schools += list(School.objects.filter(kecamatan=data["kecamatan"]).order_by("npsn"))
        if not self.errors and not schools:
            raise ValidationError(_("Name at least one school or a kecamatan."))
        data["school_list"] = schools
        return data


class SecondFactorResetForm(forms.Form):
    reason = CleanTextField(
        label=_("Why"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. the phone with the authenticator was lost (checked by telephone)."),
    )


class PeopleImportForm(forms.Form):
    file = forms.FileField(label=_("File (.csv or .xlsx)"))
