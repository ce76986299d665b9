"""The approvals inbox (/persetujuan/, home/inbox.py): what waits for this user's decision,
oldest first, from monitoring, the SOS Desk, visits and the forum; deciding from it returns
to it; its count in the navigation."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from forum.models import Question
from monitoring import services as monitoring
from monitoring.models import SupportPlan
from peksos.notifications.models import Kind, Notification
from sosdesk import services as desk
from sosdesk.models import Partner
from tests.factories import (
    CANARY,
    CANARY_NARRATIVE,
    ask,
    make_case,
    make_visit,
    messages_of,
    open_record,
    relax_new_account_rules,
)
from visits.models import DateChange, Visit

pytestmark = pytest.mark.django_db

INBOX = reverse("inbox")


@pytest.fixture
def relaxed_forum(monkeypatch):
    relax_new_account_rules(monkeypatch)


def plan_for(school, peksos, needs="Merasa tidak aman saat istirahat."):
    record = open_record(school, peksos, peksos=peksos)
    monitoring.plan_save(record=record, tier=3, needs=needs, by=peksos)
    return record


def closure_for(school, peksos):
    record = open_record(school, peksos, peksos=peksos)
    monitoring.record_close_request(
        record=record, outcome="tujuan_tercapai", note="Tujuan tercapai.", by=peksos
    )
    return record


def exemption_for(school, officer):
    case = make_case(
        school,
        ["seksual"],
        timezone.now(),
        police_due_at=timezone.now() + timedelta(hours=72),
    )
    desk.case_police_exemption(case=case, reason="Keluarga menolak.", by=officer)
    return case


def counter_for(school, by, days=30):
    day = timezone.localdate() + timedelta(days=days)
    visit = make_visit(school, day, Visit.State.PROPOSED)
    return DateChange.objects.create(
        visit=visit,
        kind=DateChange.Kind.COUNTER,
        from_date=day,
        to_date=day + timedelta(days=1),
        state=DateChange.State.PENDING,
        proposed_by=by,
    )


def referral_for(school, officer, psikolog):
    case = make_case(school, ["psikis"], timezone.now())
    return desk.case_refer(
        case=case, partner=Partner.PSIKOLOG, reason="Perlu asesmen.", psikolog=psikolog, by=officer
    )


def inbox_items(client) -> list:
    response = client.get(INBOX)
    assert response.status_code == 200
    return response.context["items"]


# --- What each role finds ---------------------------------------------------------------------


def test_the_koordinator_sees_every_kind_oldest_first_with_its_age(
    login,
    koordinator_ani,
    peksos_budi,
    sosdesk_citra_sdn1,
    kepsek_indah,
    school_a,
    relaxed_forum,
    ortu_fajar,
):
    start = timezone.now() - timedelta(days=3)
    with time_machine.travel(start):
        plan_for(school_a, peksos_budi)
    with time_machine.travel(start + timedelta(hours=1)):
        closure_for(school_a, peksos_budi)
    with time_machine.travel(start + timedelta(hours=2)):
        exemption_for(school_a, sosdesk_citra_sdn1)
    with time_machine.travel(start + timedelta(hours=3)):
        counter_for(school_a, kepsek_indah)
    with time_machine.travel(start + timedelta(hours=4)):
        question = ask(ortu_fajar)
        Question.objects.filter(pk=question.pk).update(status=Question.Status.PENDING)
    client = login(koordinator_ani)
    items = inbox_items(client)
    assert [item.kind for item in items] == [
        "Rencana pendampingan",
        "Penutupan",
        "Laporan polisi",
        "Tanggal kunjungan",
        "Forum",
    ]
    html = client.get(INBOX).content.decode()
    assert "menunggu 3" in html  # "waiting for 3 days"
    assert CANARY not in html and "Merasa tidak aman" not in html  # no name, no plan text
    assert CANARY_NARRATIVE not in html and "Keluarga menolak" not in html
    assert question.title not in html


def test_the_koordinator_does_not_see_a_closure_he_asked_for(login, koordinator_ani, school_a):
    closure_for(school_a, koordinator_ani)
    assert inbox_items(login(koordinator_ani)) == []


def test_a_peksos_sees_the_dates_of_his_schools_and_the_forum_only(
    login, peksos_budi, school_a, school_b, kepsek_indah, sosdesk_citra_sdn1
):
    counter_for(school_a, kepsek_indah)
    counter_for(school_b, kepsek_indah)
    plan_for(school_a, peksos_budi)  # the Koordinator's decision, not his
    exemption_for(school_a, sosdesk_citra_sdn1)
    items = inbox_items(login(peksos_budi))
    assert [(item.kind, item.place) for item in items] == [("Tanggal kunjungan", school_a.name)]


def test_a_psikolog_sees_the_referrals_to_her(
    login, psikolog_gita, sosdesk_citra_sdn1, school_a, peksos_budi
):
    referral = referral_for(school_a, sosdesk_citra_sdn1, psikolog_gita)
    plan_for(school_a, peksos_budi)
    items = inbox_items(login(psikolog_gita))
    assert [item.kind for item in items] == ["Rujukan"]
    assert referral.case.code in items[0].link
    referral.state = referral.State.ACCEPTED
    referral.save()
    assert inbox_items(login(psikolog_gita)) == []


def test_moderators_see_posts_reported_once_each(
    login, peksos_budi, guru_eka, kepsek_indah, ortu_fajar, relaxed_forum
):
    from forum import services as forum

    question = ask(ortu_fajar)
    for member in (guru_eka, kepsek_indah):
        forum.post_flag(post=question, by=member, reason="kasar")
    items = inbox_items(login(peksos_budi))
    assert [(item.kind, item.title) for item in items] == [
        ("Forum", "Sebuah pertanyaan dilaporkan kepada moderator.")
    ]
    assert items[0].link == reverse("forum:flag-queue")
    forum.flags_resolve(post=question, by=peksos_budi, hide=False)
    assert inbox_items(login(peksos_budi)) == []


def test_nothing_waiting(login, koordinator_ani):
    html = login(koordinator_ani).get(INBOX).content.decode()
    assert "Tidak ada yang menunggu keputusan Anda." in html


# --- Deciding from the inbox returns to it ------------------------------------------------------


def test_approving_a_plan_from_the_inbox_returns_to_it_and_tells_the_peksos(
    login, koordinator_ani, peksos_budi, school_a
):
    record = plan_for(school_a, peksos_budi)
    client = login(koordinator_ani)
    html = client.get(INBOX).content.decode()
    approve = reverse("monitoring:plan-approve", args=[record.code])
    assert f'action="{approve}"' in html and f'name="next" value="{INBOX}"' in html
    response = client.post(approve, {"next": INBOX}, follow=True)
    assert response.redirect_chain[-1][0] == INBOX
    assert "Rencana pendampingan disetujui." in messages_of(response)
    assert SupportPlan.objects.get(record=record).approved_by == koordinator_ani
    assert response.context["items"] == []
    told = Notification.objects.get(recipient=peksos_budi, kind=Kind.APPROVAL_DECIDED)
    assert record.code in told.message and CANARY not in told.message


def test_a_next_to_another_site_is_ignored(login, koordinator_ani, peksos_budi, school_a):
    record = plan_for(school_a, peksos_budi)
    approve = reverse("monitoring:plan-approve", args=[record.code])
    for bad in ("https://evil.example/persetujuan/", "//evil.example/", "javascript:alert(1)"):
        response = login(koordinator_ani).post(approve, {"next": bad})
        assert response["Location"] == reverse("monitoring:record-detail", args=[record.code])


def test_closing_and_turning_down_from_the_inbox(login, koordinator_ani, peksos_budi, school_a):
    closed, kept = closure_for(school_a, peksos_budi), closure_for(school_a, peksos_budi)
    client = login(koordinator_ani)
    url = reverse("monitoring:record-close-approve", args=[closed.code])
    assert client.post(url, {"next": INBOX})["Location"] == INBOX
    url = reverse("monitoring:record-close-reject", args=[kept.code])
    assert client.post(url, {"next": INBOX})["Location"] == INBOX
    assert inbox_items(client) == []
    decided = Notification.objects.filter(recipient=peksos_budi, kind=Kind.APPROVAL_DECIDED)
    assert decided.count() == 2


def test_accepting_a_school_date_from_the_inbox_returns_to_it(
    login, koordinator_ani, kepsek_indah, school_a
):
    change = counter_for(school_a, kepsek_indah)
    url = reverse("visits:visit-counter-accept", args=[change.visit.pk])
    response = login(koordinator_ani).post(url, {"next": INBOX})
    assert response["Location"] == INBOX


def test_a_refused_decision_also_returns_with_its_reason(login, koordinator_ani, school_a):
    record = closure_for(school_a, koordinator_ani)  # four eyes: not his own
    url = reverse("monitoring:record-close-approve", args=[record.code])
    response = login(koordinator_ani).post(url, {"next": INBOX}, follow=True)
    assert response.redirect_chain[-1][0] == INBOX
    assert any("Koordinator lain" in m for m in messages_of(response))


# --- Notifications of waiting decisions --------------------------------------------------------


def test_a_plan_or_an_exemption_tells_the_koordinators(
    koordinator_ani, peksos_budi, sosdesk_citra_sdn1, school_a
):
    record = plan_for(school_a, peksos_budi)
    case = exemption_for(school_a, sosdesk_citra_sdn1)
    needed = Notification.objects.filter(recipient=koordinator_ani, kind=Kind.APPROVAL_NEEDED)
    messages = " ".join(needed.values_list("message", flat=True))
    assert needed.count() == 2 and record.code in messages and case.code in messages
    assert CANARY not in messages and "Keluarga menolak" not in messages


# --- Access -----------------------------------------------------------------------------------


def test_anonymous_goes_to_login_and_post_is_405(client, login, koordinator_ani):
    response = client.get(INBOX)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert login(koordinator_ani).post(INBOX).status_code == 405


@pytest.mark.parametrize(
    "persona", ["pendamping_hadi", "sosdesk_citra_sdn1", "kepsek_indah", "guru_eka", "ortu_fajar"]
)
def test_roles_without_decisions_get_403_and_no_menu_entry(login, persona, request):
    client = login(request.getfixturevalue(persona))
    assert client.get(INBOX).status_code == 403
    assert 'id="nav-inbox"' not in client.get(reverse("home")).content.decode()


def test_the_navigation_counts_what_waits(login, koordinator_ani, peksos_budi, school_a):
    plan_for(school_a, peksos_budi)
    closure_for(school_a, peksos_budi)
    html = login(koordinator_ani).get(reverse("help")).content.decode()
    assert 'id="nav-inbox-count">2<' in html


# --- Query counts: one query per source, whatever the number of items ------------------------


def _fill(n, school_a, peksos_budi, sosdesk_citra_sdn1, kepsek_indah, ortu_fajar):
    for i in range(n):
        plan_for(school_a, peksos_budi)
        closure_for(school_a, peksos_budi)
        exemption_for(school_a, sosdesk_citra_sdn1)
        counter_for(school_a, kepsek_indah, days=30 + i)
        question = ask(ortu_fajar, title=f"Pertanyaan nomor {i} tentang anak saya")
        Question.objects.filter(pk=question.pk).update(status=Question.Status.PENDING)


@pytest.mark.parametrize("n", [1, 6])
def test_the_inbox_query_count_does_not_grow(
    login,
    koordinator_ani,
    peksos_budi,
    sosdesk_citra_sdn1,
    kepsek_indah,
    ortu_fajar,
    school_a,
    relaxed_forum,
    n,
    django_assert_max_num_queries,
):
    _fill(n, school_a, peksos_budi, sosdesk_citra_sdn1, kepsek_indah, ortu_fajar)
    client = login(koordinator_ani)
    client.get(INBOX)
    with django_assert_max_num_queries(20):
        response = client.get(INBOX)
    assert len(response.context["items"]) == 5 * n


def test_the_navigation_count_is_one_query(
    login,
    koordinator_ani,
    peksos_budi,
    sosdesk_citra_sdn1,
    kepsek_indah,
    ortu_fajar,
    school_a,
    relaxed_forum,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _fill(2, school_a, peksos_budi, sosdesk_citra_sdn1, kepsek_indah, ortu_fajar)
    client = login(koordinator_ani)
    client.get(reverse("help"))
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("help")).content.decode()
    assert 'id="nav-inbox-count">10<' in html
    unions = [q["sql"] for q in queries.captured_queries if "UNION ALL" in q["sql"]]
    assert len(unions) == 1


def test_the_navigation_counts_up_to_a_cap_and_says_99_plus(
    login,
    koordinator_ani,
    peksos_budi,
    sosdesk_citra_sdn1,
    kepsek_indah,
    ortu_fajar,
    school_a,
    relaxed_forum,
    monkeypatch,
):
    """A national forum has thousands of questions waiting: the header counts up to the cap
    (a LIMIT inside the count), then shows "99+" (here with a cap of 10)."""
    from home import navigation

    _fill(2, school_a, peksos_budi, sosdesk_citra_sdn1, kepsek_indah, ortu_fajar)  # 10
    client = login(koordinator_ani)
    monkeypatch.setattr(navigation, "BADGE_CAP", 11)
    assert 'id="nav-inbox-count">10<' in client.get(reverse("help")).content.decode()
    monkeypatch.setattr(navigation, "BADGE_CAP", 10)
    assert 'id="nav-inbox-count">9+<' in client.get(reverse("help")).content.decode()
    monkeypatch.setattr(navigation, "BADGE_CAP", 4)
    html = client.get(reverse("help")).content.decode()
    assert 'id="nav-inbox-count">3+<' in html and "LIMIT 4" not in html
