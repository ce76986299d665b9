"""Fixtures of the impact-report tests: a small, known data set.

School year 2025/2026, seen on 1 May 2026 (WIB):
- School A (SDN 1 Metro Pusat): visits done on 10 Aug 2025 and 10 Feb 2026; six cases:
  two physical, bullying + psychological, sexual (police clock closed in time), discrimination
  (closed), online bullying; one reporter named with a canary, every narrative a canary.
- School B (SDN 2 Metro Pusat): one visit done (1 Sep 2025), one cancelled; two cases.
- School C (an SMP in another kecamatan): one visit agreed for 20 May 2026; one case.
"""

from datetime import date, datetime, timedelta

import pytest

from schools.models import School
from sosdesk.models import Case
from tests.factories import (
    CANARY_CONTACT,
    CANARY_REPORTER,
    NOW,
    SCHOOL_A_NPSN,
    WIB,
    make_case,
    make_visit,
)
from visits.models import Visit


@pytest.fixture
def frozen_now():
    import time_machine

    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def school_c(kota_metro) -> School:
    a = School.objects.get(npsn=SCHOOL_A_NPSN)
    return (
        School.objects.filter(level=School.Level.SMP)
        .exclude(kecamatan=a.kecamatan)
        .order_by("npsn")
        .first()
    )


@pytest.fixture
def report_data(school_a, school_b, school_c):
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


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
