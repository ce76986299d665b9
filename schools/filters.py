"""The register's search and filters, shared by the list, the exports and the map."""

from datetime import date

from django import forms
from django.db.models import Q, QuerySet
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peksos.core import school_year
from peksos.core.forms import LongModelChoiceField

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


def kecamatan_filter(**kwargs) -> LongModelChoiceField:
    """The kecamatan filter of a list (schools, visits, activities, people): all of a city's
    kecamatan as options, a search over the country's (peksos.core.forms.LongChoiceSelect)."""
    kwargs.setdefault("label", _("Kecamatan"))
    kwargs.setdefault("queryset", Kecamatan.objects.all())
    kwargs.setdefault("required", False)
    kwargs.setdefault("empty_label", _("all"))
    return LongModelChoiceField(
        to_field_name="code", search_url=reverse_lazy("regions:kecamatan-search"), **kwargs
    )


def kelurahan_filter(**kwargs) -> LongModelChoiceField:
    """The kelurahan filter; the form narrows its options to the chosen kecamatan's
    (`narrow_kelurahan`), and the search sends the chosen kecamatan along."""
    kwargs.setdefault("label", _("Kelurahan"))
    kwargs.setdefault("queryset", Kelurahan.objects.select_related("kecamatan"))
    kwargs.setdefault("required", False)
    kwargs.setdefault("empty_label", _("all"))
    return LongModelChoiceField(
        to_field_name="code",
        search_url=reverse_lazy("regions:kelurahan-search"),
        depends_on="kecamatan",
        **kwargs,
    )


def narrow_kelurahan(form: forms.Form) -> None:
    """List only the kelurahan of the kecamatan sent (a malformed code lists none)."""
    code = form.data.get("kecamatan", "") if form.is_bound else ""
    if code and len(code) <= 16 and code.isprintable():
        form.fields["kelurahan"].narrow(kecamatan__code=code)


class SchoolFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    level = forms.ChoiceField(label=_("Level (jenjang)"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    kecamatan = kecamatan_filter()
    kelurahan = kelurahan_filter()
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
        narrow_kelurahan(self)

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
