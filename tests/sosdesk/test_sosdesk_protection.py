"""Protection of the case (issue 19): a report sent to the Dinas Sosial only, a restricted
case, named handlers and recusals. Every case URL, list, figure, home page and e-mail of the
school's accounts leaves such a case out (sosdesk/permissions.py)."""

import re

import pytest
from django.core import mail
from django.urls import URLPattern, reverse

from peksos.accounts.models import Role
from peksos.core.models import AuditEvent
from sosdesk import urls as sosdesk_urls
from sosdesk.models import Case, CaseAttachment, CaseHandler, CaseRecusal
from sosdesk.permissions import can_handle, cases_visible_to
from sosdesk.protection import services as protection
from sosdesk.services import case_message_from_reporter, case_note
from tests.factories import (
    desk_member_account,
    file_report,
    idempotency_key,
    make_user,
    public_report,
)

SECRET = "CANARY-DINAS-ONLY-3390: the desk chair hit a pupil."


@pytest.fixture
def school_accounts(
    school_a, sosdesk_citra_sdn1, peksos_budi, kepsek_indah, guru_eka, ortu_fajar
) -> list:
    """Every kind of account of school A: officer, its PEKSOS, principal, teacher, parent,
    a teacher on the desk and a principal on the desk."""
    return [
        sosdesk_citra_sdn1,
        peksos_budi,
        kepsek_indah,
        guru_eka,
        ortu_fajar,
        desk_member_account(school_a, "guru_tppk", Role.GURU),
        desk_member_account(school_a, "kepsek_tppk", Role.KEPALA_SEKOLAH, principal=True),
        make_user("sosdesk_kedua", Role.SOSDESK, school_a),
    ]


@pytest.fixture
def hidden_case(school_a, koordinator_ani) -> Case:
    """A report the reporter sent to the Dinas only, with a note, a message and a file."""
    case = file_report(school_a, narrative=SECRET, dinas_only=True)
    case_note(case=case, body="CANARY-NOTE-3390", by=koordinator_ani)
    case_message_from_reporter(case=case, body="CANARY-MESSAGE-3390")
    CaseAttachment.objects.create(
        case=case,
        from_reporter=True,
        file="sosdesk/x.jpg",
        display_name="x.jpg",
        content_type="image/jpeg",
        size=1,
        sha256="0" * 64,
    )
    return case


def case_urls(case: Case) -> list[str]:
    """Every URL of the SOS Desk that names a case, filled for this case."""
    attachment = case.attachments.first()
    urls = []
    for pattern in sosdesk_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        if "<str:code>" not in route:
            continue
        kwargs = {"code": case.code}
        if "<uuid:pk>" in route:
            kwargs["pk"] = attachment.pk
        urls.append(reverse(f"sosdesk:{pattern.name}", kwargs=kwargs))
    return urls


def fake(url: str, case: Case) -> str:
    return url.replace(case.code, "ZZZZZZZZ")


# --- A report sent to the Dinas only --------------------------------------------------------


def test_public_form_offers_the_dinas_only_choice(client, school_a):
    from sosdesk.services import desk_ensure

    desk = desk_ensure(school_a)
    url = reverse("lapor:form", args=[desk.public_code])
    html = client.get(url).content.decode()
    assert 'name="dinas_only"' in html
    assert "hanya ke Dinas Sosial" in html
    client.post(url, public_report(dinas_only="on"))
    case = Case.objects.get()
    assert case.dinas_only and not case.restricted
    receipt = client.get(reverse("lapor:receipt")).content.decode()
    assert "tim sekolah tidak melihatnya" in receipt


def test_every_case_url_is_404_for_every_account_of_the_school(login, hidden_case, school_accounts):
    """The crawl: each case URL, GET and POST, answers every school account exactly as it
    answers a code that does not exist (404, or 405 for a method the URL never takes)."""
    urls = case_urls(hidden_case)
    assert len(urls) >= 13
    for user in school_accounts:
        client = login(user)
        for url in urls:
            for method in (client.get, client.post):
                response = method(url)
                unknown = method(fake(url, hidden_case))
                assert response.status_code == unknown.status_code, (user, url)
                assert response.status_code in {404, 405}, (user, url, response.status_code)
                assert SECRET not in response.content.decode()


def test_the_school_accounts_see_no_trace_in_lists_figures_and_home(
    login, hidden_case, school_accounts
):
    pages = [
        reverse("sosdesk:case-list"),
        reverse("sosdesk:case-overdue"),
        reverse("sosdesk:case-figures"),
        reverse("home"),
    ]
    for user in school_accounts:
        client = login(user)
        for url in pages:
            response = client.get(url)
            html = response.content.decode()
            assert hidden_case.code not in html and SECRET not in html, (user, url)
            if response.status_code == 200 and url == pages[2]:
                assert response.context["summary"].total == 0, user
        assert not cases_visible_to(user).exists()


def test_koordinator_sees_and_handles_it(login, hidden_case, koordinator_ani):
    client = login(koordinator_ani)
    response = client.get(reverse("sosdesk:case-detail", args=[hidden_case.code]))
    assert response.status_code == 200
    assert SECRET in response.content.decode()
    assert "Hanya Dinas Sosial" in response.content.decode()
    assert hidden_case.code in client.get(reverse("sosdesk:case-list")).content.decode()


def test_a_named_peksos_of_another_school_handles_it(
    login, hidden_case, koordinator_ani, peksos_joko_sdn2, peksos_budi
):
    client = login(koordinator_ani)
    url = reverse("sosdesk:case-handler-add", args=[hidden_case.code])
    response = client.post(url, {"user": peksos_joko_sdn2.pk}, follow=True)
    assert "Petugas penanganan ditunjuk." in response.content.decode()
    assert CaseHandler.objects.filter(case=hidden_case, user=peksos_joko_sdn2).exists()
    assert AuditEvent.objects.filter(action="case_handler_named").count() == 1
    assert can_handle(peksos_joko_sdn2, hidden_case)
    # The school's own desk officer cannot be named on a case sent to the Dinas only, and
    # the school's PEKSOS is not offered (the form refuses, nothing changes).
    officer = make_user("sosdesk_lain", Role.SOSDESK, hidden_case.school)
    response = client.post(url, {"user": officer.pk})
    assert response.status_code == 400
    assert "tidak dapat ditunjuk" in response.content.decode()
    assert not CaseHandler.objects.filter(user=officer).exists()
    client = login(peksos_joko_sdn2)
    response = client.get(reverse("sosdesk:case-detail", args=[hidden_case.code]))
    assert response.status_code == 200 and SECRET in response.content.decode()


def test_new_report_and_reporter_messages_mail_only_the_koordinators(
    school_a, koordinator_ani, sosdesk_citra_sdn1, peksos_budi, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = file_report(school_a, dinas_only=True)
        case_message_from_reporter(case=case, body="Tolong")
    recipients = {address for message in mail.outbox for address in message.to}
    assert recipients == {koordinator_ani.email}
    with django_capture_on_commit_callbacks(execute=True):
        file_report(school_a)
    recipients = {address for message in mail.outbox[2:] for address in message.to}
    assert recipients == {sosdesk_citra_sdn1.email, peksos_budi.email}


def test_the_school_count_shown_on_its_page_leaves_it_out(school_a):
    file_report(school_a)
    file_report(school_a, dinas_only=True)
    school_a.refresh_from_db()
    assert school_a.cases_24m == 1


def test_school_report_leaves_it_out_and_has_no_police_clock(school_a, koordinator_ani):
    from datetime import date

    from django.utils import timezone

    from reports.builder.base import Scope
    from reports.builder.cases import cases_section
    from tests.factories import school_report

    file_report(school_a, forms=["seksual"], dinas_only=True)
    file_report(school_a, forms=["seksual"])
    today = timezone.localdate()
    report = school_report(school_a, by=koordinator_ani)
    start = date(today.year - 1, 1, 1)
    # Exact counts (the office's version): the case sent to the Dinas only is not counted.
    section = cases_section(Scope(report, start, today, False, timezone.now()))
    assert section.headlines[0][1] == 1
    # The version the school reads: suppressed, and without the police clock.
    section = cases_section(Scope(report, start, today, True, timezone.now()))
    assert section.headlines[0][1] == "<5"
    assert not any("72" in str(table.title) for table in section.tables)


# --- Restricting a case ---------------------------------------------------------------------


@pytest.fixture
def case_a(school_a) -> Case:
    return file_report(school_a, narrative=SECRET)


@pytest.fixture
def second_officer(school_a):
    return make_user("sosdesk_eko", Role.SOSDESK, school_a)


def restrict_url(case) -> str:
    return reverse("sosdesk:case-restrict", args=[case.code])


def test_officer_restricts_a_case_keeping_chosen_colleagues(
    login, case_a, sosdesk_citra_sdn1, second_officer, peksos_budi
):
    client = login(sosdesk_citra_sdn1)
    page = client.get(reverse("sosdesk:case-protection", args=[case_a.code]))
    assert page.status_code == 200
    response = client.post(
        restrict_url(case_a), {"keep": [peksos_budi.pk], "confirm": "on"}, follow=True
    )
    assert "Kasus dibatasi" in response.content.decode()
    case_a.refresh_from_db()
    assert case_a.restricted
    named = set(case_a.handlers.values_list("user__username", flat=True))
    assert named == {"sosdesk_citra", "peksos_budi"}
    assert AuditEvent.objects.filter(action="case_restricted").count() == 1
    # The colleague not kept loses access at once: 404, as for a case that does not exist.
    client = login(second_officer)
    assert client.get(reverse("sosdesk:case-detail", args=[case_a.code])).status_code == 404
    assert case_a.code not in client.get(reverse("sosdesk:case-list")).content.decode()
    client = login(peksos_budi)
    assert client.get(reverse("sosdesk:case-detail", args=[case_a.code])).status_code == 200


def test_restrict_bad_input_is_a_clear_400(login, case_a, sosdesk_citra_sdn1, peksos_joko_sdn2):
    client = login(sosdesk_citra_sdn1)
    response = client.post(restrict_url(case_a), {})
    assert response.status_code == 400
    assert "Centang kotak untuk mengonfirmasi." in response.content.decode()
    # Someone of another school cannot be kept on the case.
    response = client.post(restrict_url(case_a), {"keep": [peksos_joko_sdn2.pk], "confirm": "on"})
    assert response.status_code == 400
    case_a.refresh_from_db()
    assert not case_a.restricted


def test_restrict_access(
    client,
    login,
    case_a,
    sosdesk_dedi_sdn2,
    kepsek_indah,
    guru_eka,
    psikolog_gita,
    sosdesk_citra_sdn1,
):
    url = restrict_url(case_a)
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")
    assert client.get(url).status_code in {302, 405}
    for outsider in (sosdesk_dedi_sdn2, kepsek_indah, guru_eka):
        assert login(outsider).post(url, {"confirm": "on"}).status_code == 404
    # A referred psychologist sees the case but may not restrict it.
    protection_page = reverse("sosdesk:case-protection", args=[case_a.code])
    from sosdesk.services import case_refer

    case_refer(
        case=case_a, partner="psikolog", reason="x", psikolog=psikolog_gita, by=sosdesk_citra_sdn1
    )
    client = login(psikolog_gita)
    assert client.post(url, {"confirm": "on"}).status_code == 403
    assert client.get(protection_page).status_code == 403
    case_a.refresh_from_db()
    assert not case_a.restricted


def test_only_koordinators_lift_a_restriction_and_name_handlers(
    login, case_a, sosdesk_citra_sdn1, koordinator_ani, second_officer
):
    protection.case_restrict(case=case_a, keep=[], by=sosdesk_citra_sdn1)
    client = login(sosdesk_citra_sdn1)
    lift = reverse("sosdesk:case-unrestrict", args=[case_a.code])
    name = reverse("sosdesk:case-handler-add", args=[case_a.code])
    assert client.post(lift, {"confirm": "on"}).status_code == 403
    assert client.post(name, {"user": second_officer.pk}).status_code == 403
    client = login(koordinator_ani)
    assert client.post(lift, {}).status_code == 400
    client.post(name, {"user": second_officer.pk})
    assert can_handle(second_officer, case_a)
    response = client.post(lift, {"confirm": "on"}, follow=True)
    assert "Pembatasan dicabut." in response.content.decode()
    case_a.refresh_from_db()
    assert not case_a.restricted


# --- Recusal --------------------------------------------------------------------------------


def test_koordinator_recuses_a_desk_member_who_loses_access_at_once(
    login, case_a, koordinator_ani, sosdesk_citra_sdn1
):
    officer = login(sosdesk_citra_sdn1)
    detail = reverse("sosdesk:case-detail", args=[case_a.code])
    assert officer.get(detail).status_code == 200
    client = login(koordinator_ani)
    url = reverse("sosdesk:case-recuse", args=[case_a.code])
    response = client.post(url, {"user": sosdesk_citra_sdn1.pk, "reason": ""})
    assert response.status_code == 400
    assert "Tuliskan alasannya" in response.content.decode()
    client.post(url, {"user": sosdesk_citra_sdn1.pk, "reason": "Kerabat terlapor"})
    assert CaseRecusal.objects.filter(case=case_a, user=sosdesk_citra_sdn1).exists()
    assert AuditEvent.objects.filter(action="case_recused").count() == 1
    # The audit row holds no reason.
    assert "Kerabat" not in str(list(AuditEvent.objects.values()))
    officer = login(sosdesk_citra_sdn1)
    assert officer.get(detail).status_code == 404
    assert case_a.code not in officer.get(reverse("sosdesk:case-list")).content.decode()
    assert not can_handle(sosdesk_citra_sdn1, case_a)


def test_a_recused_officer_is_not_mailed(
    school_a,
    case_a,
    koordinator_ani,
    sosdesk_citra_sdn1,
    peksos_budi,
    django_capture_on_commit_callbacks,
):
    protection.recuse(case=case_a, user=sosdesk_citra_sdn1, reason="x", by=koordinator_ani)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case_message_from_reporter(case=case_a, body="Halo", idempotency_key=idempotency_key())
    assert {a for m in mail.outbox for a in m.to} == {peksos_budi.email}


def test_an_officer_may_recuse_only_themselves(login, case_a, sosdesk_citra_sdn1, second_officer):
    client = login(sosdesk_citra_sdn1)
    url = reverse("sosdesk:case-recuse", args=[case_a.code])
    response = client.post(url, {"user": second_officer.pk, "reason": "x"})
    assert response.status_code == 400
    assert not CaseRecusal.objects.exists()
    response = client.post(url, {"user": sosdesk_citra_sdn1.pk, "reason": "Saya kenal"})
    assert response.status_code == 302 and response["Location"] == reverse("sosdesk:case-list")
    assert client.get(reverse("sosdesk:case-detail", args=[case_a.code])).status_code == 404


def test_protection_page_shows_the_reason_to_koordinators_only(
    login, case_a, koordinator_ani, sosdesk_citra_sdn1, second_officer
):
    protection.recuse(case=case_a, user=second_officer, reason="ALASAN-RAHASIA", by=koordinator_ani)
    page = reverse("sosdesk:case-protection", args=[case_a.code])
    assert "ALASAN-RAHASIA" in login(koordinator_ani).get(page).content.decode()
    html = login(sosdesk_citra_sdn1).get(page).content.decode()
    assert "ALASAN-RAHASIA" not in html and "Eko" in html
    assert SECRET not in html


def test_protection_page_query_count(
    login, case_a, koordinator_ani, sosdesk_citra_sdn1, django_assert_max_num_queries
):
    for n in range(6):
        user = make_user(f"peksos_n{n}", Role.PEKSOS)
        CaseHandler.objects.create(case=case_a, user=user, added_by=koordinator_ani)
    client = login(koordinator_ani)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("sosdesk:case-protection", args=[case_a.code]))
    assert len(re.findall(r"peksos_n\d|N\d", response.content.decode())) >= 6


# --- The procedure's handovers (sosdesk/procedure/handover.py) ------------------------------


def test_moving_a_hidden_case_tells_only_the_koordinators(
    hidden_case,
    school_b,
    koordinator_ani,
    sosdesk_dedi_sdn2,
    peksos_joko_sdn2,
    django_capture_on_commit_callbacks,
):
    from sosdesk.procedure import handover

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        handover.case_move_school(
            case=hidden_case, to_school=school_b, reason="Pindah sekolah", by=koordinator_ani
        )
    recipients = {address for message in mail.outbox for address in message.to}
    assert recipients == {koordinator_ani.email}
    assert not cases_visible_to(sosdesk_dedi_sdn2).exists()


def test_giving_a_hidden_case_to_a_peksos_names_them_its_handler(
    hidden_case, koordinator_ani, peksos_budi, sosdesk_citra_sdn1
):
    from sosdesk.procedure import handover

    assert not can_handle(peksos_budi, hidden_case)
    handover.case_assign_peksos(
        case=hidden_case, peksos=peksos_budi, reason="Ditunjuk Koordinator", by=koordinator_ani
    )
    assert can_handle(peksos_budi, hidden_case)
    assert not can_handle(sosdesk_citra_sdn1, hidden_case)


def test_a_recused_peksos_cannot_be_given_the_case(case_a, koordinator_ani, peksos_budi):
    from django.core.exceptions import ValidationError

    from sosdesk.procedure import handover

    protection.recuse(case=case_a, user=peksos_budi, reason="x", by=koordinator_ani)
    with pytest.raises(ValidationError):
        handover.case_assign_peksos(case=case_a, peksos=peksos_budi, reason="x", by=koordinator_ani)
    assert not can_handle(peksos_budi, case_a)


def test_the_access_log_names_the_protection_steps(
    login, case_a, koordinator_ani, sosdesk_citra_sdn1
):
    protection.case_restrict(case=case_a, keep=[], by=sosdesk_citra_sdn1)
    html = login(koordinator_ani).get(reverse("sosdesk:case-access-log", args=[case_a.code]))
    assert "membatasi kasus untuk petugas yang ditunjuk" in html.content.decode()
