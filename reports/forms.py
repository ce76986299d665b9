"""The report request form: which report, for which period, for whom."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from peksos.accounts.models import User
from peksos.core import school_year
from peksos.core.forms import IdempotencyKeyField, searchable_select
from schools.models import Kecamatan, School

from .models import PeriodKind, Report, month_bounds
from .permissions import allowed_kinds, must_leave_office, reportable_schools

FIRST_YEAR = 2024  # the programme's first school year in PEKSOS
MAX_SPAN = timedelta(days=3 * 366)


def school_year_of(day: date) -> int:
    return school_year.year_of(day)


def semester_choices() -> list[tuple[int, str]]:
    """ "1 (July–December)" by the office's start month (peksos.core.school_year)."""
    choices = []
    for semester in (1, 2):
        first, last = school_year.semester_bounds(2000, semester)
        choices.append((semester, f"{semester} ({MONTHS[first.month]}–{MONTHS[last.month]})"))
    return choices


def period_bounds(kind: str, *, year: int, semester: int = 1, month: str = "") -> tuple:
    if kind == PeriodKind.SCHOOL_YEAR:
        return school_year.bounds(year)
    if kind == PeriodKind.SEMESTER:
        return school_year.semester_bounds(year, semester)
    first_year, first_month = (int(part) for part in month.split("-"))
    return month_bounds(date(first_year, first_month, 1))


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report type"))
    kecamatan = forms.ModelChoiceField(
        label=_("Kecamatan"),
        queryset=Kecamatan.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("choose…"),
    )
    school = forms.ModelChoiceField(
        label=_("School"),
        queryset=School.objects.none(),
        to_field_name="npsn",
        required=False,
        empty_label=_("choose…"),
        widget=searchable_select(),
    )
    period = forms.ChoiceField(label=_("Period type"), choices=PeriodKind.choices)
    school_year = forms.TypedChoiceField(label=_("School year"), coerce=int)
    semester = forms.TypedChoiceField(
        label=_("Semester"),
        coerce=int,
        choices=[(1, _("1 (July–December)")), (2, _("2 (January–June)"))],
        required=False,
    )
    month = forms.RegexField(
        label=_("Month"),
        regex=r"^20\d\d-(0[1-9]|1[0-2])$",
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}),
        error_messages={"invalid": _("Choose a month.")},
    )  # no max_length: the regex bounds it, and maxlength is invalid HTML on type="month"
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    outside_office = forms.BooleanField(
        label=_("This report will leave the office"),
        required=False,
        help_text=_("Counts of cases, children and people under 5 are then shown as “<5”."),
    )
    with_appendix = forms.BooleanField(
        label=_("Add a table of every school"),
        required=False,
        help_text=_("City and kecamatan reports: one row per school at the end."),
    )
    idempotency_key = IdempotencyKeyField()

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        kinds = dict(Report.Kind.choices)
        self.fields["kind"].choices = [(k, kinds[k]) for k in allowed_kinds(user)]
        self.fields["school"].queryset = reportable_schools(user).order_by("name")
        this_year = school_year_of(timezone.localdate())
        years = range(this_year, FIRST_YEAR - 1, -1)
        self.fields["school_year"].choices = [(y, f"{y}/{y + 1}") for y in years]
        self.fields["school_year"].initial = this_year
        self.fields["semester"].choices = semester_choices()
        if len(self.fields["kind"].choices) == 1:
            self.fields["kind"].initial = self.fields["kind"].choices[0][0]
        if must_leave_office(user):
            del self.fields["outside_office"]
        else:  # crispy prints help texts as HTML: the "<5" must reach the page as text
            field = self.fields["outside_office"]
            field.help_text = escape(field.help_text)

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        if kind == Report.Kind.KECAMATAN and not data.get("kecamatan"):
            self.add_error("kecamatan", _("Choose the kecamatan."))
        if kind == Report.Kind.SCHOOL and not data.get("school"):
            self.add_error("school", _("Choose the school."))
        self._clean_period(data)
        return data

    def _clean_period(self, data: dict) -> None:
        period = data.get("period")
        if period == PeriodKind.CUSTOM:
            start, end = data.get("start"), data.get("end")
            if not start:
                self.add_error("start", _("Give the first day."))
            if not end:
                self.add_error("end", _("Give the last day."))
            if not (start and end):
                return
            if end < start:
                self.add_error("end", _("The last day comes before the first."))
                return
            if end - start > MAX_SPAN:
                self.add_error("end", _("A report covers at most three years."))
                return
        elif period == PeriodKind.MONTH:
            if not data.get("month"):
                if "month" not in self.errors:
                    self.add_error("month", _("Choose a month."))
                return
            start, end = period_bounds(period, year=0, month=data["month"])
        elif period in (PeriodKind.SCHOOL_YEAR, PeriodKind.SEMESTER):
            if data.get("school_year") is None:
                return
            if period == PeriodKind.SEMESTER and not data.get("semester"):
                self.add_error("semester", _("Choose the semester."))
                return
            start, end = period_bounds(
                period, year=data["school_year"], semester=data.get("semester") or 1
            )
        else:
            return
        if start > timezone.localdate():
            self.add_error("period", _("The period has not started yet."))
            return
        if start.year < FIRST_YEAR:
            self.add_error(
                "period", _("PEKSOS holds no records from before %(year)s.") % {"year": FIRST_YEAR}
            )
            return
        data["period_start"], data["period_end"] = start, end

    def report_fields(self) -> dict:
        """The Report's fields from the cleaned form (call after is_valid())."""
        data = self.cleaned_data
        kind = data["kind"]
        return {
            "kind": kind,
            "period_kind": data["period"],
            "period_start": data["period_start"],
            "period_end": data["period_end"],
            "kecamatan": data.get("kecamatan") if kind == Report.Kind.KECAMATAN else None,
            "school": data.get("school") if kind == Report.Kind.SCHOOL else None,
            "outside_office": must_leave_office(self.user) or bool(data.get("outside_office")),
            "with_appendix": bool(data.get("with_appendix")) and kind != Report.Kind.SCHOOL,
            "idempotency_key": data["idempotency_key"],
        }
