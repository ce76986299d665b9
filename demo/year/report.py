"""One city report of this school year, asked for as the Koordinator would: with a broker
its worker renders it, in the embedded eager mode it is rendered right after the seed's
commit. Either way the reports page shows a finished PDF (marked DATA CONTOH) soon after."""

from peksos.accounts.models import Role, User
from peksos.core import school_year
from reports.models import PeriodKind, Report
from reports.services import report_request

KEY = "demo-year-city-report"


def make(year) -> None:
    """Called after the year's transaction: the seed drops the e-mails it queued, not this."""
    start, end = school_year.bounds(year.plan.school_year)
    koordinator = User.objects.filter(role=Role.KOORDINATOR).order_by("pk").first()
    report_request(
        fields={
            "kind": Report.Kind.CITY,
            "period_kind": PeriodKind.SCHOOL_YEAR,
            "period_start": start,
            "period_end": end,
            "idempotency_key": KEY,
        },
        by=koordinator,
    )
    year.counts["laporan kota"] = 1
