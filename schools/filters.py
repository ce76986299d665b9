"""The register's search and filters, shared by the list, the exports and the map."""

from datetime import date

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peksos.core import school_year

from .models import Kecamatan, Kelurahan, PriorityBand, School

YES_NO = [("", _("all")), ("yes", _("yes")), ("no", _("no"))]
SORTS = {
    "name": ("name", "id"),
    "priority": ("-priority_rank", "id"),
    "npsn": ("npsn", "id"),
}


def school_year_start(today: date) -> date:
    """The first day of the school year containing `today` (peksos.core.school_year)."""
    return school_year.start_of(today)


class SchoolFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    level = forms.ChoiceField(label=_("Level (jenjang)"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    kecamatan = forms.ModelChoiceField(
        label=_("Kecamatan"),
        queryset=Kecamatan.objects.all(),
        required=False,
        to_field_name="code",
        empty_label=_("all"),
    )
    kelurahan = forms.ModelChoiceField(
        label=_("Kelurahan"),
        queryset=Kelurahan.objects.select_related("kecamatan"),
        required=False,
        to_field_name="code",
        empty_label=_("all"),
    )
    band = forms.ChoiceField(label=_("Priority"), required=False)
    visited = forms.ChoiceField(label=_("Visited this school year"), choices=YES_NO, required=False)
    desk = forms.ChoiceField(label=_("Has an SOS Desk"), choices=YES_NO, required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("name", _("name")), ("priority", _("priority")), ("npsn", _("NPSN"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", _("all")), *School.Level.choices]
        self.fields["status"].choices = [("", _("all")), *School.Status.choices]
        self.fields["band"].choices = [("", _("all")), *PriorityBand.choices]

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].replace("\x00", "").split())

    def filter(self, schools: QuerySet[School]) -> QuerySet[School]:
        """Apply the valid filters; an invalid one is ignored (and shown as an error)."""
        data = self.valid_data()
        if q := data.get("q"):
            schools = schools.filter(npsn=q) if q.isdigit() else schools.filter(name__icontains=q)
        for field in ("level", "status"):
            if value := data.get(field):
                schools = schools.filter(**{field: value})
        if kecamatan := data.get("kecamatan"):
            schools = schools.filter(kecamatan=kecamatan)
        if kelurahan := data.get("kelurahan"):
            schools = schools.filter(kelurahan=kelurahan)
        if band := data.get("band"):
            schools = schools.filter(priority_band=band)
        start = school_year_start(timezone.localdate())
        if data.get("visited") == "yes":
            schools = schools.visited_since(start)
        elif data.get("visited") == "no":
            schools = schools.not_visited_since(start)
        if data.get("desk") == "yes":
            schools = schools.filter(has_sos_desk=True)
        elif data.get("desk") == "no":
            schools = schools.filter(Q(has_sos_desk=False) | Q(has_sos_desk__isnull=True))
        return schools

    def valid_data(self) -> dict:
        """The fields that validated (Django drops the invalid ones from cleaned_data)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

    @property
    def sort_key(self) -> str:
        value = self.valid_data().get("sort")
        return value if value in SORTS else "name"
