"""What a section is made of (tables, headlines, charts), the scope of a report (whose
figures, which period, whether they leave the office) and the small-count rule."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from schools.models import School
from sosdesk.figures import suppress_parts

from ..models import Report

THRESHOLD = 5  # docs/domain.md §5; the same as sosdesk.figures.SUPPRESSION_THRESHOLD
BELOW_TWO_SHOWN = 30
BAND_ORDER = {"tinggi": 0, "sedang": 1, "rendah": 2, "unknown": 3}


# --- What a section is made of ------------------------------------------------------------


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""
    compact: bool = False  # long lists: smaller type, for the appendix and the school lists

    @property
    def pair(self) -> bool:
        """A short label/number table: two of them share a line in the PDF."""
        return len(self.columns) == 2 and len(self.rows) <= 14 and not self.compact


@dataclass
class Section:
    key: str
    title: str
    intro: str = ""
    headlines: list[tuple[str, object]] = field(default_factory=list)
    charts: list[SafeString] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    new_page: bool = False

    @property
    def table_rows(self) -> list[list[Table]]:
        """The tables laid out in lines: two short tables side by side, long ones alone."""
        lines: list[list[Table]] = []
        for table in self.tables:
            if table.pair and lines and len(lines[-1]) == 1 and lines[-1][0].pair:
                lines[-1].append(table)
            else:
                lines.append([table])
        return lines


@dataclass
class Scope:
    """Whose figures, for which period, and whether they leave the office."""

    report: Report
    start: date
    end: date
    outside: bool
    now: datetime

    @property
    def kind(self) -> str:
        return self.report.kind

    def of(self, queryset: QuerySet, field_name: str = "school") -> QuerySet:
        """Narrow a queryset of rows linked to a school to the report's scope."""
        if self.kind == Report.Kind.SCHOOL:
            return queryset.filter(**{field_name: self.report.school_id})
        if self.kind == Report.Kind.KECAMATAN:
            return queryset.filter(**{f"{field_name}__kecamatan": self.report.kecamatan_id})
        return queryset

    def schools(self) -> QuerySet[School]:
        if self.kind == Report.Kind.SCHOOL:
            return School.objects.filter(pk=self.report.school_id)
        schools = School.objects.active()
        if self.kind == Report.Kind.KECAMATAN:
            schools = schools.filter(kecamatan=self.report.kecamatan_id)
        return schools

    def count(self, n: int) -> int | str:
        """A count of people or cases, suppressed under 5 when the report leaves the office."""
        if self.outside and isinstance(n, int) and 0 < n < THRESHOLD:
            return f"<{THRESHOLD}"
        return n

    def parts(self, counts: dict) -> dict:
        """Counts that add up to a total shown elsewhere: suppressed, and when only one is
        hidden, a second one too, so the total cannot give the hidden one back."""
        if not self.outside:
            return counts

        return suppress_parts(counts, THRESHOLD)

    def moment(self, day: date, *, end: bool = False) -> datetime:
        zone = timezone.get_current_timezone()
        if end:
            return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
        return datetime.combine(day, time.min, tzinfo=zone)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} %".replace(".", ",")


# --- Sections -----------------------------------------------------------------------------
