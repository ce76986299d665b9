"""Follow-up visits of a child's record (issue 18): the record's PEKSOS or a Koordinator opens
the by-hand visit form prefilled (school, origin "anak:<code>", never the child's name); the
record lists its follow-up visits, and the visit shows the record it follows up only to those
who may see that record (monitoring.follow_up)."""

import html
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from peksos.core.models import AuditEvent
from tests.factories import CANARY, open_record
from tests.factories import record_detail as detail
from visits.models import Visit, VisitMember

TODAY = datetime(2026, 7, 6, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))  # a Monday
TUESDAY = date(2026, 8, 4)
CREATE = reverse("visits:visit-create")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def t(msgid: str) -> str:
    with translation.override("id"):
        return translation.gettext(msgid)


def text(response) -> str:
    return html.unescape(response.content.decode())


def follow_up(record) -> str:
    return reverse("monitoring:record-follow-up-visit", args=[record.code])


def visit_page(visit) -> str:
    return reverse("visits:visit-detail", args=[visit.pk])


@pytest.fixture
def record(school_a, peksos_budi):
    return open_record(school_a, peksos_budi, peksos=peksos_budi)


def add_visit(school, origin, *team, day=TUESDAY) -> Visit:
    visit = Visit(school=school, kind=Visit.Kind.CAMPAIGN, origin=origin)
    visit.set_date(day)
    visit.save()
    for user in team:
        VisitMember.objects.create(visit=visit, user=user, role=user.role)
    return visit


def test_peksos_plans_a_follow_up_visit_from_the_record(login, record, school_a, peksos_budi):
    client = login(peksos_budi)
    page = text(client.get(detail(record)))
    assert t("Plan a follow-up visit") in page and follow_up(record) in page
    assert t("No visit to the school follows up this record yet.") in page
    response = client.get(follow_up(record))
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == CREATE
    assert parse_qs(target.query) == {"sekolah": [school_a.npsn], "asal": [f"anak:{record.code}"]}
    form_page = text(client.get(response["Location"]))
    assert f"catatan anak {record.code}" in form_page and CANARY not in form_page
    assert f'value="{school_a.npsn}" selected' in form_page
    data = {
        "school": school_a.npsn,
        "kind": Visit.Kind.CAMPAIGN,
        "date": TUESDAY.isoformat(),
        "peksos": peksos_budi.pk,
        "origin": f"anak:{record.code}",
    }
    created = client.post(CREATE, data)
    visit = Visit.objects.get()
    assert created["Location"] == visit_page(visit)
    assert visit.origin == f"anak:{record.code}" and visit.child_code == record.code
    # Linked both ways: the record lists the visit, the visit names the record.
    page = text(client.get(detail(record)))
    assert visit_page(visit) in page and "Selasa, 4 Agu 2026" in page
    visit_html = text(client.get(visit_page(visit)))
    assert t("Follow-up of a child record") in visit_html and detail(record) in visit_html
    assert CANARY not in visit_html
    assert AuditEvent.objects.filter(action="visit_created", object_id=str(visit.pk)).exists()


def test_the_koordinator_may_plan_one_too(login, record, koordinator_ani):
    client = login(koordinator_ani)
    assert follow_up(record) in text(client.get(detail(record)))
    assert client.get(follow_up(record)).status_code == 302


def test_the_visit_names_the_record_only_to_those_who_may_see_it(
    login, record, school_a, peksos_budi, psikolog_gita, pendamping_hadi, kepsek_indah
):
    visit = add_visit(school_a, f"anak:{record.code}", peksos_budi, psikolog_gita, pendamping_hadi)
    label = t("Follow-up of a child record")
    for user in (
        psikolog_gita,
        pendamping_hadi,
        kepsek_indah,
    ):  # they see the visit, not the record
        page = text(login(user).get(visit_page(visit)))
        assert visit.school.name in page
        assert label not in page and record.code not in page and CANARY not in page
    record.psikolog = psikolog_gita  # referred: now she may see the record, and the link
    record.save(update_fields=["psikolog"])
    assert label in text(login(psikolog_gita).get(visit_page(visit)))


def test_a_typed_origin_of_another_schools_record_links_nothing(
    login, record, school_b, peksos_joko_sdn2, koordinator_ani
):
    visit = add_visit(school_b, f"anak:{record.code}", peksos_joko_sdn2)
    client = login(koordinator_ani)  # may see both the record and the visit
    assert visit_page(visit) not in text(client.get(detail(record)))
    page = text(client.get(visit_page(visit)))
    assert t("Follow-up of a child record") not in page and record.code not in page


def test_other_school_is_404_and_roles_that_may_not_plan_get_403(
    login, client, record, peksos_joko_sdn2, psikolog_gita, kepsek_indah, pendamping_hadi
):
    url = follow_up(record)
    assert login(peksos_joko_sdn2).get(url).status_code == 404
    for user in (kepsek_indah, pendamping_hadi):
        assert login(user).get(url).status_code == 404  # no monitoring pages at all
    record.psikolog = psikolog_gita  # referred: reads the record, plans no visit
    record.save(update_fields=["psikolog"])
    psikolog = login(psikolog_gita)
    assert psikolog.get(detail(record)).status_code == 200
    assert url not in text(psikolog.get(detail(record)))
    assert psikolog.get(url).status_code == 403
    denied = AuditEvent.objects.filter(action="child_record_access_denied")
    assert denied.count() >= 2


def test_anonymous_wrong_method_and_bad_code(login, client, record, peksos_budi):
    response = client.get(follow_up(record))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    peksos = login(peksos_budi)
    assert peksos.post(follow_up(record)).status_code == 405
    bad = reverse("monitoring:record-follow-up-visit", args=["ANK-<x>"])
    assert peksos.get(bad).status_code == 404


def test_a_closed_record_plans_no_visit(login, record, peksos_budi):
    record.status = record.Status.CLOSED
    record.save(update_fields=["status"])
    client = login(peksos_budi)
    assert follow_up(record) not in text(client.get(detail(record)))
    assert client.get(follow_up(record)).status_code == 403


def test_the_record_page_lists_visits_in_constant_queries(login, record, school_a, peksos_budi):
    client = login(peksos_budi)
    add_visit(school_a, f"anak:{record.code}", peksos_budi)
    with CaptureQueriesContext(connection) as one:
        client.get(detail(record))
    for weeks in range(10, 50, 10):
        add_visit(
            school_a, f"anak:{record.code}", peksos_budi, day=TUESDAY + timedelta(weeks=weeks)
        )
    with CaptureQueriesContext(connection) as five:
        page = text(client.get(detail(record)))
    assert page.count(reverse("visits:visit-detail", args=[0])[:-2]) >= 5
    assert len(five.captured_queries) == len(one.captured_queries)
