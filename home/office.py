"""The office's settings (`peksos.core.models.OfficeSettings`): who may change them, the form,
and the one service that saves them. What an auditor reads:

- Only an active Koordinator sees and changes the settings (everyone else signed in: 403).
- Every change writes one audit row per changed field (`office_settings_changed:<field>`),
  never the values.
- The letterhead logo goes through `peksos.core.uploads.validate_image` (JPEG, PNG or WebP,
  re-encoded without metadata), is stored in private media and served only to the
  Koordinator, inline, through `attachment_response`.
"""

import re

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from peksos.accounts.models import Role, User
from peksos.core import audit
from peksos.core.forms import CleanTextField
from peksos.core.models import OfficeSettings
from peksos.core.uploads import CleanUpload, validate_image

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 4_000_000  # a letterhead logo is printed 2 cm wide: no need for more
# A number people dial: digits, a leading +, spaces, dots, dashes and brackets.
NUMBER_RE = re.compile(r"^\+?[0-9 .()\-]+$")


def may_change_office_settings(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role == Role.KOORDINATOR


def require_office_manager(user: User) -> None:
    if not may_change_office_settings(user):
        raise PermissionDenied


def _number(value: str, *, short: bool) -> str:
    digits = re.sub(r"\D", "", value)
    low = 3 if short else 6
    if not NUMBER_RE.fullmatch(value) or not low <= len(digits) <= 15:
        raise forms.ValidationError(
            _("Enter a phone number of digits only (spaces, dashes and a leading + are allowed).")
        )
    return value


class OfficeSettingsForm(forms.ModelForm):
    office_name = CleanTextField(label=_("Office name"), max_length=120)
    address = CleanTextField(label=_("Address"), max_length=250, required=False)
    phone = CleanTextField(
        label=_("Office phone"), max_length=32, required=False, help_text=_("e.g. (0725) 41234")
    )
    signer_name = CleanTextField(
        label=_("Name of who signs reports"),
        max_length=120,
        required=False,
        help_text=_("Shown with the title under the reports. Leave empty for no signature."),
    )
    signer_title = CleanTextField(label=_("Title of who signs reports"), max_length=120)
    police_number = CleanTextField(label=_("Police number"), max_length=16)
    emergency_number = CleanTextField(label=_("Emergency number"), max_length=16)
    helpline_number = CleanTextField(
        label=_("SAPA helpline number"),
        max_length=16,
        help_text=_("Shown on the public report pages and the posters."),
    )
    school_year_start_month = forms.TypedChoiceField(
        label=_("First month of the school year"),
        choices=list(MONTHS.items()),
        coerce=int,
        help_text=_(
            "Plans, compliance, coverage and reports count the school year and its two "
            "semesters from the 1st of this month. Change it only between school years: visits "
            "already planned keep the year and semester they were given."
        ),
    )
    logo_upload = forms.FileField(
        label=_("Letterhead logo"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 2 MB. Shown on the PDF reports."),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = OfficeSettings
        fields = [
            "office_name",
            "address",
            "phone",
            "signer_name",
            "signer_title",
            "police_number",
            "emergency_number",
            "helpline_number",
            "school_year_start_month",
        ]

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        return _number(value, short=False) if value else value

    def clean_police_number(self):
        return _number(self.cleaned_data["police_number"], short=True)

    def clean_emergency_number(self):
        return _number(self.cleaned_data["emergency_number"], short=True)

    def clean_helpline_number(self):
        return _number(self.cleaned_data["helpline_number"], short=True)

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        if not upload:
            return None
        return validate_image(
            upload, max_bytes=LOGO_MAX_BYTES, max_pixels=LOGO_MAX_PIXELS, prefix="office"
        )


def office_settings_update(
    *,
    form: OfficeSettingsForm,
    by: User,
    request: HttpRequest | None = None,
) -> list[str]:
    """Save a valid form: the text fields, a new logo (or its removal). Returns the names of
    the fields that changed, each audited in the same transaction."""
    office: OfficeSettings = form.instance
    logo: CleanUpload | None = form.cleaned_data.get("logo_upload")
    with transaction.atomic():
        before = OfficeSettings.objects.select_for_update().filter(pk=office.pk).first()
        changed = [
            name
            for name in OfficeSettings.AUDITED_FIELDS
            if name != "logo"
            and getattr(before or OfficeSettings(), name) != form.cleaned_data[name]
        ]
        old_logo = before.logo.name if before and before.logo else ""
        if logo is not None:
            office.logo = logo.as_file()
            office.logo_content_type = logo.content_type
            changed.append("logo")
        elif form.cleaned_data.get("remove_logo") and old_logo:
            office.logo = ""
            office.logo_content_type = ""
            changed.append("logo")
        if not changed and before is not None:
            return []
        office.save()
        for name in changed:
            audit.record(f"office_settings_changed:{name}", actor=by, obj=office, request=request)
        if "logo" in changed and old_logo:
            storage = OfficeSettings._meta.get_field("logo").storage
            transaction.on_commit(lambda: storage.delete(old_logo))
    return changed
