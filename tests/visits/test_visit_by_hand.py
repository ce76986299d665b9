"""Visits made by hand (issue 18): the Koordinator for any school, a PEKSOS for the schools
they serve; the planner's hard rules refuse, the Koordinator may override them with a reason
(kept and audited); a follow-up visit started from a case page names the case."""

import html
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from peksos.core.models import AuditEvent
from schools.models import BlockedPeriod
from sosdesk.models import Case
from tests.factories import make_case
from visits.models import Visit, VisitMember

TODAY = datetime(2026, 7, 6, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
TUESDAY = date(2026, 8, 4)
INDEPENDENCE_DAY = date(2026, 8, 17)  # a national holiday (a Monday)
CREATE = reverse("visits:visit-create")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def text(response) -> str:
    return html.unescape(response.content.decode())


def form_data(school, peksos, day=TUESDAY, kind=Visit.Kind.CAMPAIGN, **extra) -> dict:
    return {"school": school.npsn, "kind": kind, "date": day.isoformat(), "peksos": peksos.pk}


def test_peksos_adds_a_visit_to_own_school(login, school_a, peksos_budi, kepsek_indah):
    client = login(peksos_budi)
    assert client.get(CREATE).status_code == 200
    response = client.post(CREATE, form_data(school_a, peksos_budi))
    visit = Visit.objects.get(school=school_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:visit-detail", args=[visit.pk])
    assert (visit.state, visit.date, visit.kind) == (Visit.State.PROPOSED, TUESDAY, "kampanye")
    assert (visit.school_year, visit.semester, visit.created_by) == (2026, 1, peksos_budi)
    assert visit.override_reason == ""
    assert list(visit.members.values_list("user__username", "role")) == [("peksos_budi", "peksos")]
    assert AuditEvent.objects.filter(action="visit_created", object_id=str(visit.pk)).exists()
    assert not AuditEvent.objects.filter(action="visit_rules_overridden").exists()


def test_the_list_offers_the_new_visit_page(login, peksos_budi, psikolog_gita):
    assert CREATE in login(peksos_budi).get(reverse("visits:visit-list")).content.decode()
    assert CREATE not in login(psikolog_gita).get(reverse("visits:visit-list")).content.decode()


def test_peksos_cannot_add_a_visit_to_another_school(login, school_b, peksos_budi):
    response = login(peksos_budi).post(CREATE, form_data(school_b, peksos_budi))
    assert response.status_code == 200
    assert "Pilih salah satu sekolah yang Anda layani." in text(response)
    assert TUESDAY.isoformat() in text(response)  # what was typed is kept
    assert not Visit.objects.exists()


def test_a_holiday_is_refused_and_a_peksos_cannot_override(login, school_a, peksos_budi):
    client = login(peksos_budi)
    data = form_data(school_a, peksos_budi, day=INDEPENDENCE_DAY)
    response = client.post(CREATE, {**data, "override_reason": "Harus hari itu"})
    assert response.status_code == 200
    assert "Kunjungan tidak dapat dilakukan pada 17 Agustus 2026" in text(response)
    assert 'name="override_reason"' not in text(response)
    assert not Visit.objects.exists()


def test_a_blocked_period_of_the_school_is_refused(login, school_a, peksos_budi):
    BlockedPeriod.objects.create(
        school=school_a, starts_on=date(2026, 8, 3), ends_on=date(2026, 8, 7), title="Ujian"
    )
    response = login(peksos_budi).post(CREATE, form_data(school_a, peksos_budi))
    assert "Ujian" in text(response)
    assert not Visit.objects.exists()


def test_a_training_needs_a_psychologist(login, school_a, peksos_budi, psikolog_gita):
    client = login(peksos_budi)
    data = form_data(school_a, peksos_budi, kind=Visit.Kind.TRAINING)
    response = client.post(CREATE, data)
    assert "psikolog" in text(response).lower()
    assert not Visit.objects.exists()
    assert client.post(CREATE, {**data, "psikolog": psikolog_gita.pk}).status_code == 302
    assert Visit.objects.get().kind == Visit.Kind.TRAINING


def test_one_day_for_children_needs_a_pendamping(login, school_a, peksos_budi, pendamping_hadi):
    client = login(peksos_budi)
    data = form_data(school_a, peksos_budi, kind=Visit.Kind.ONE_DAY)
    assert client.post(CREATE, data).status_code == 200
    assert not Visit.objects.exists()
    assert client.post(CREATE, {**data, "pendamping": pendamping_hadi.pk}).status_code == 302
    assert Visit.objects.get().needs_pendamping


def test_a_full_day_is_refused(login, school_a, school_b, peksos_budi):
    for _ in range(2):  # the default capacity: 2 visits a day
        other = Visit(school=school_b, kind=Visit.Kind.CAMPAIGN)
        other.set_date(TUESDAY)
        other.save()
        VisitMember.objects.create(visit=other, user=peksos_budi, role="peksos")
    response = login(peksos_budi).post(CREATE, form_data(school_a, peksos_budi))
    assert "sudah" in text(response) and response.status_code == 200
    assert Visit.objects.filter(school=school_a).count() == 0


def test_koordinator_overrides_the_rules_with_a_reason(
    login, school_a, koordinator_ani, peksos_budi
):
    client = login(koordinator_ani)
    data = form_data(school_a, peksos_budi, day=INDEPENDENCE_DAY)
    refused = client.post(CREATE, data)
    assert 'name="override_reason"' in text(refused)
    assert not Visit.objects.exists()
    response = client.post(CREATE, {**data, "override_reason": "Upacara bersama  sekolah"})
    visit = Visit.objects.get()
    assert response.status_code == 302
    assert visit.override_reason == "Upacara bersama sekolah"
    assert AuditEvent.objects.filter(
        action="visit_rules_overridden", actor=koordinator_ani
    ).exists()
    page = text(client.get(reverse("visits:visit-detail", args=[visit.pk])))
    assert "Upacara bersama sekolah" in page


def test_bad_input_is_a_form_error(login, school_a, peksos_budi):
    client = login(peksos_budi)
    response = client.post(CREATE, {"school": "x<y", "kind": "?", "date": "2026-02-31"})
    assert response.status_code == 200
    assert not Visit.objects.exists()
    bad_origin = client.post(CREATE, {**form_data(school_a, peksos_budi), "origin": "<script>"})
    assert "Asal kunjungan tidak sah." in text(bad_origin)
    assert not Visit.objects.exists()


# --- a follow-up visit from a case -------------------------------------------------------------


@pytest.fixture
def case_a(school_a):
    return make_case(school_a, ["fisik"], TODAY, status=Case.Status.RECEIVED)


def test_the_case_page_starts_a_follow_up_visit(login, case_a, school_a, peksos_budi, kepsek_indah):
    client = login(peksos_budi)
    case_url = reverse("sosdesk:case-detail", args=[case_a.code])
    link = f"{CREATE}?sekolah={school_a.npsn}&amp;asal=kasus:{case_a.code}"
    assert link in client.get(case_url).content.decode()
    form = client.get(html.unescape(link))
    assert f'value="kasus:{case_a.code}"' in form.content.decode()
    assert f'<option value="{school_a.npsn}" selected' in form.content.decode()
    response = client.post(
        CREATE, {**form_data(school_a, peksos_budi), "origin": f"kasus:{case_a.code}"}
    )
    visit = Visit.objects.get()
    assert visit.origin == f"kasus:{case_a.code}" and visit.case_code == case_a.code
    # Linked both ways: the visit names the case, the case lists its follow-up visits.
    assert case_url in client.get(response["Location"]).content.decode()
    assert reverse("visits:visit-detail", args=[visit.pk]) in client.get(case_url).content.decode()
    # The school's principal sees the visit, not which case it follows.
    page = login(kepsek_indah).get(response["Location"]).content.decode()
    assert case_a.code not in page


def test_the_case_page_of_a_desk_officer_has_no_visit_link(login, case_a, sosdesk_citra_sdn1):
    page = login(sosdesk_citra_sdn1).get(reverse("sosdesk:case-detail", args=[case_a.code]))
    assert page.status_code == 200
    assert CREATE not in page.content.decode()


# --- editing ---------------------------------------------------------------------------------


def test_edit_changes_the_kind_under_the_rules(login, school_a, peksos_budi, psikolog_gita):
    visit = Visit(school=school_a, kind=Visit.Kind.CAMPAIGN)
    visit.set_date(TUESDAY)
    visit.save()
    VisitMember.objects.create(visit=visit, user=peksos_budi, role="peksos")
    client = login(peksos_budi)
    url = reverse("visits:visit-move", args=[visit.pk])
    data = {"kind": Visit.Kind.TRAINING, "date": TUESDAY.isoformat(), "peksos": peksos_budi.pk}
    assert client.post(url, data).status_code == 200  # a training needs a psychologist
    visit.refresh_from_db()
    assert visit.kind == Visit.Kind.CAMPAIGN
    assert client.post(url, {**data, "psikolog": psikolog_gita.pk}).status_code == 302
    visit.refresh_from_db()
    assert visit.kind == Visit.Kind.TRAINING


def test_a_case_hidden_from_the_school_is_not_named_on_its_follow_up_visit(
    login, case_a, school_a, peksos_budi, sosdesk_citra_sdn1, koordinator_ani
):
    """The case's line is the SOS Desk's section of the visit page: a school account that may
    see (and answer) the visit learns nothing of a case sent only to the Dinas Sosial."""
    Case.objects.filter(pk=case_a.pk).update(dinas_only=True)
    visit = Visit(school=school_a, kind=Visit.Kind.CAMPAIGN, origin=f"kasus:{case_a.code}")
    visit.set_date(TUESDAY)
    visit.save()
    url = reverse("visits:visit-detail", args=[visit.pk])
    officer_page = login(sosdesk_citra_sdn1).get(url)
    assert officer_page.status_code == 200
    assert case_a.code not in officer_page.content.decode()
    case_url = reverse("sosdesk:case-detail", args=[case_a.code])
    assert case_url in login(koordinator_ani).get(url).content.decode()
