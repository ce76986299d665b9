"""Forms of the regions pages (/wilayah/): one kecamatan or kelurahan, and the import upload."""

from django import forms
from django.utils.translation import gettext_lazy as _

from peksos.core.forms import CleanTextField

from .models import Kecamatan


class KecamatanForm(forms.Form):
    code = CleanTextField(
        label=_("Code (Kemendagri)"),
        max_length=16,
        help_text=_("For example 18.72.01. It cannot be changed later."),
    )
    name = CleanTextField(label=_("Name"), max_length=100)

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        if region is not None:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = ""
            self.initial.setdefault("code", region.code)
            self.initial.setdefault("name", region.name)

    def parent_code(self) -> str:
        return ""


class KelurahanForm(KecamatanForm):
    kecamatan = forms.ModelChoiceField(
        label=_("Kecamatan"),
        queryset=Kecamatan.objects.order_by("name"),
        to_field_name="code",
        empty_label=_("choose…"),
    )

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, region=region, **kwargs)
        self.fields["code"].help_text = _(
            "The kecamatan's code and four digits, for example 18.72.01.1001. It cannot be "
            "changed later."
        )
        self.order_fields(["kecamatan", "code", "name"])
        if region is not None:
            # The Kemendagri code holds the kecamatan's: a kelurahan never moves.
            self.fields["code"].help_text = ""
            self.fields["kecamatan"].disabled = True
            self.initial.setdefault("kecamatan", region.kecamatan.code)

    def parent_code(self) -> str:
        return self.cleaned_data["kecamatan"].code


class RegionImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
