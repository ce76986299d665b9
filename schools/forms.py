"""Forms of the school register. Each form validates and normalises; views act."""

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .calendar import FIRST_YEAR, LAST_YEAR, school_year_bounds, school_year_label
from .geo import validate_in_kota_metro
from .models import BlockedPeriod, PriorityWeights, School

# --- register -------------------------------------------------------------------------


class SchoolForm(forms.ModelForm):
    """What the Koordinator corrects or adds by hand; the rest comes from imports."""

    class Meta:
        model = School
        fields = ["name", "address", "students", "socioeconomic_share", "is_active"]
        help_texts = {
            "students": _("Leave empty when unknown (unknown is not zero)."),
            "socioeconomic_share": _(
                "An aggregate for the whole school, from 0 to 100. Never enter data about "
                "individual children."
            ),
        }
        widgets = {
            "students": forms.NumberInput(attrs={"min": 0, "max": 100000}),
            "socioeconomic_share": forms.NumberInput(attrs={"min": 0, "max": 100}),
        }

    def clean_students(self):
        students = self.cleaned_data["students"]
        if students is not None and students > 100000:
            raise forms.ValidationError(_("No school has more than 100,000 pupils."))
        return students


# --- priority -------------------------------------------------------------------------


class PriorityWeightsForm(forms.ModelForm):
    class Meta:
        model = PriorityWeights
        fields = [
            "students",
            "socioeconomic",
            "cases",
            "time_since_visit",
            "no_sos_desk",
            "high_from",
            "medium_from",
            "reason",
        ]

    def clean(self):
        data = super().clean()
        weights = [
            data.get(f)
            for f in ("students", "socioeconomic", "cases", "time_since_visit", "no_sos_desk")
        ]
        if all(w is not None for w in weights) and sum(weights) == 0:
            raise forms.ValidationError(_("At least one weight must be above zero."))
        high, medium = data.get("high_from"), data.get("medium_from")
        if high is not None and medium is not None and high <= medium:
            self.add_error("high_from", _("The high band must start above the medium band."))
        return data


# --- map ------------------------------------------------------------------------------


class CoordinateField(forms.DecimalField):
    """A latitude or longitude as people type it: `-5,1163` (Indonesian) or `-5.1163`, with
    more decimals than stored rounded to 7 (about 1 cm) instead of refused."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if isinstance(value, str):
            # Coordinates never have thousands separators, so a comma is always decimal.
            value = value.strip().replace(",", ".").replace("\u2212", "-")
        value = super().to_python(value)
        if value is not None and value.is_finite() and abs(value) < 1000:
            value = value.quantize(Decimal("1e-7"), rounding=ROUND_HALF_UP)
        return value


class CoordinatesForm(forms.Form):
    """A school's position, typed or picked on the map; it must lie in Kota Metro."""

    latitude = CoordinateField(
        label=_("Latitude"),
        min_value=-90,
        max_value=90,
        max_digits=9,
        decimal_places=7,
        help_text=_("South is negative, e.g. -5.1163"),
    )
    longitude = CoordinateField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        max_digits=10,
        decimal_places=7,
        help_text=_("e.g. 105.3050"),
    )

    def clean(self):
        data = super().clean()
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if latitude is not None and longitude is not None:
            validate_in_kota_metro(latitude, longitude)
        return data


# --- calendar -------------------------------------------------------------------------


class BlockedPeriodForm(forms.ModelForm):
    """A period without visits. The view sets the school (none for a city-wide period)."""

    class Meta:
        model = BlockedPeriod
        fields = ["starts_on", "ends_on", "kind", "title"]
        widgets = {
            # The browser's date picker sends and expects ISO dates, whatever the language.
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "ends_on": _("The last day without visits; the same as the first for a single day."),
            "title": _("For example: end-of-semester exams, school anniversary."),
        }

    def _check_year(self, field: str):
        day = self.cleaned_data[field]
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise forms.ValidationError(
                _("Enter a date between %(first)s and %(last)s."),
                params={"first": FIRST_YEAR, "last": LAST_YEAR},
            )
        return day

    def clean_starts_on(self):
        return self._check_year("starts_on")

    def clean_ends_on(self):
        return self._check_year("ends_on")

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on is None or ends_on is None:
            return data
        first, last = school_year_bounds(starts_on)
        if ends_on < starts_on:
            self.add_error("ends_on", _("The last day cannot be before the first day."))
        elif ends_on > last:
            self.add_error(
                "ends_on",
                _(
                    "A period must lie within one school year (%(year)s ends on %(last)s): "
                    "enter the rest as a second period."
                )
                % {"year": school_year_label(first), "last": date_format(last, "j F Y")},
            )
        return data


# --- import ---------------------------------------------------------------------------


class SchoolImportForm(forms.Form):
    """The upload of a register file. Reading and checking its rows happen here too, so the
    view gets either a form error (a file that cannot be read at all) or `self.result`, the
    per-row report shown in the preview."""

    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        from . import importer

        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("A .csv or .xlsx file of at most %(limit)s MB.") % {
            "limit": f"{importer.max_bytes() / 1024 / 1024:.0f}"
        }

    def clean_file(self):
        from . import importer

        upload = self.cleaned_data["file"]
        if importer.extension_of(upload.name) not in importer.EXTENSIONS:
            raise forms.ValidationError(_("Only .csv and .xlsx files can be imported."))
        if upload.size > importer.max_bytes():
            raise forms.ValidationError(importer.too_big_message(upload.size))
        try:
            self.result = importer.check_file(upload.name, upload.read())
        except importer.ImportFileError as exc:
            raise forms.ValidationError(exc.message) from None
        return upload
