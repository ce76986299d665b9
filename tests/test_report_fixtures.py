"""A small, known data set for the impact-report tests (imported by tests/test_report_*.py).

School year 2025/2026, seen on 1 May 2026 (WIB):
- School A (SDN 1 Metro Pusat): visits done on 10 Aug 2025 and 10 Feb 2026; six cases:
  two physical, bullying + psychological, sexual (police clock closed in time), discrimination
  (closed), online bullying; one reporter named with a canary, every narrative a canary.
- School B (SDN 2 Metro Pusat): one visit done (1 Sep 2025), one cancelled; two cases.
- School C (an SMP in another kecamatan): one visit agreed for 20 May 2026; one case.
"""

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reports.models import PeriodKind, Report
from schools.models import School
from sosdesk.models import Case
from visits.models import Visit, school_year_of, semester_of

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 5, 1, 9, 0, tzinfo=WIB)
YEAR_START = date(2025, 7, 1)
YEAR_END = date(2026, 6, 30)
CANARY_REPORTER = "CANARY-REPORTER-Siti-Rahayu-4471"
CANARY_CONTACT = "0812-CANARY-5530"
CANARY_NARRATIVE = "CANARY-NARRATIVE-9182"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-results" / "reports"


@pytest.fixture(name="frozen_now")
def frozen_now_fixture():
    import time_machine

    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture(name="school_c")
def school_c_fixture(kota_metro) -> School:
    a = School.objects.get(npsn="10807637")
    return (
        School.objects.filter(level=School.Level.SMP)
        .exclude(kecamatan=a.kecamatan)
        .order_by("npsn")
        .first()
    )


def make_visit(school: School, day: date, state: str, kind: str = Visit.Kind.CAMPAIGN) -> Visit:
    return Visit.objects.create(
        school=school,
        date=day,
        school_year=school_year_of(day),
        semester=semester_of(day),
        state=state,
        kind=kind,
    )


def make_case(school: School, forms: list[str], at: datetime, **kwargs) -> Case:
    return Case.objects.create(
        school=school,
        channel=kwargs.pop("channel", Case.Channel.PUBLIC_FORM),
        narrative=f"{CANARY_NARRATIVE} {kwargs.pop('narrative', '')}",
        forms=forms,
        modalities=kwargs.pop("modalities", []),
        status=kwargs.pop("status", Case.Status.RECEIVED),
        received_at=at,
        stage_changed_at=at,
        **kwargs,
    )


@pytest.fixture(name="report_data")
def report_data_fixture(school_a, school_b, school_c):
    t = datetime(2026, 2, 2, 8, 0, tzinfo=WIB)
    make_visit(school_a, date(2025, 8, 10), Visit.State.DONE)
    make_visit(school_a, date(2026, 2, 10), Visit.State.DONE, Visit.Kind.TRAINING)
    make_visit(school_b, date(2025, 9, 1), Visit.State.DONE)
    make_visit(school_b, date(2025, 10, 1), Visit.State.CANCELLED)
    make_visit(school_c, date(2026, 5, 20), Visit.State.AGREED)
    make_case(school_a, ["fisik"], t, modalities=["fisik"])
    make_case(school_a, ["fisik"], t, status=Case.Status.VERIFYING)
    make_case(
        school_a,
        ["perundungan", "psikis"],
        t,
        anonymous=False,
        reporter_name=CANARY_REPORTER,
        reporter_contact=CANARY_CONTACT,
    )
    make_case(
        school_a,
        ["seksual"],
        t,
        status=Case.Status.HANDLING,
        police_due_at=t + timedelta(hours=72),
        police_clock_closed_at=t + timedelta(hours=30),
        police_report_ref="LP/B/12/II/2026",
    )
    make_case(school_a, ["diskriminasi"], t, status=Case.Status.CLOSED)
    make_case(school_a, ["perundungan"], t, modalities=["daring"], status=Case.Status.CLOSED)
    make_case(school_b, ["fisik"], t)
    make_case(school_b, ["kebijakan"], t)
    make_case(school_c, ["fisik"], t)
    return {"a": school_a, "b": school_b, "c": school_c}


def city_report(*, outside: bool = False, by=None, **kwargs) -> Report:
    return Report.objects.create(
        kind=Report.Kind.CITY,
        period_kind=PeriodKind.SCHOOL_YEAR,
        period_start=YEAR_START,
        period_end=YEAR_END,
        outside_office=outside,
        requested_by=by,
        **kwargs,
    )


def school_report(school: School, *, outside: bool = True, by=None) -> Report:
    return Report.objects.create(
        kind=Report.Kind.SCHOOL,
        period_kind=PeriodKind.SCHOOL_YEAR,
        period_start=YEAR_START,
        period_end=YEAR_END,
        school=school,
        outside_office=outside,
        requested_by=by,
    )


def pdf_text(path: Path, *, layout: bool = True) -> str:
    import subprocess

    args = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, capture_output=True, check=True, timeout=60).stdout.decode()


@pytest.fixture(name="media")
def media_fixture(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
