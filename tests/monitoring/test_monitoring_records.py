"""Monitoring of children: the caseload list, opening a record (directly and from an SOS Desk
case), a record's page, revealing the name, access by persona, audit rows and the canary
child name (docs/design.md §3.10, docs/quality.md S1, S2, S10)."""

import base64
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from monitoring import services
from monitoring.models import ChildRecord
from peksos.core.models import AuditEvent
from sosdesk.models import Case
from sosdesk.services import case_file
from tests.factories import CANARY, CANARY_GUARDIAN, birth_year, make_user, open_record
from tests.factories import record_detail as detail

LIST = reverse("monitoring:record-list")
CREATE = reverse("monitoring:record-create")
NO_MONITORING = ["sosdesk_citra_sdn1", "kepsek_indah", "guru_eka", "ortu_fajar", "pendamping_hadi"]


def reveal(record) -> str:
    return reverse("monitoring:record-reveal", args=[record.code])


def codes(response) -> set[str]:
    return {r.code for r in response.context["page"].items}


@pytest.fixture
def record_a(school_a, peksos_budi):
    return open_record(school_a, peksos_budi, peksos=peksos_budi)


@pytest.fixture
def record_b(school_b, peksos_joko_sdn2):
    return open_record(school_b, peksos_joko_sdn2, name="Bagus Santoso")


@pytest.fixture
def referred(record_a, psikolog_gita, koordinator_ani):
    """record_a with referral consent, referred to psikolog_gita."""
    from monitoring.models import Consent

    services.consent_record(
        record=record_a,
        purpose=Consent.Purpose.REFERRAL,
        given_by=Consent.Relation.MOTHER,
        given_on=timezone.localdate(),
        method=Consent.Method.VERBAL,
        witness="Ibu Guru Wati",
        by=koordinator_ani,
    )
    return services.record_refer(record=record_a, psikolog=psikolog_gita, by=koordinator_ani)


def valid_open(for_school, **extra) -> dict:
    data = {
        "school": for_school.pk,
        "class_level": "3",
        "sex": "L",
        "birth_year": birth_year(9),
        "name": "Ahmad Fauzi",
        "guardian_contact": "Bapak Fauzi 0812",
        "tier": "3",
        "idempotency_key": "k" * 24,
    }
    return {**data, **extra}


# --- Anonymous, wrong method, roles without monitoring ------------------------------------------


def test_anonymous_is_sent_to_login(client, record_a):
    for url in [LIST, CREATE, detail(record_a)]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/masuk/")
    response = client.post(reveal(record_a))
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")
    assert not AuditEvent.objects.filter(action="child_name_revealed").exists()


def test_wrong_methods(login, koordinator_ani, record_a):
    client = login(koordinator_ani)
    assert client.post(LIST).status_code == 405
    assert client.post(detail(record_a)).status_code == 405
    assert client.put(CREATE).status_code == 405
    assert client.get(reveal(record_a)).status_code == 405
    assert not AuditEvent.objects.filter(action="child_name_revealed").exists()


@pytest.mark.parametrize("persona", NO_MONITORING)
def test_roles_without_monitoring_get_404_everywhere(login, request, persona, record_a):
    client = login(request.getfixturevalue(persona))
    assert client.get(LIST).status_code == 404
    assert client.get(CREATE).status_code == 404
    assert client.post(CREATE, valid_open(record_a.school)).status_code == 404
    assert client.get(detail(record_a)).status_code == 404
    assert client.post(reveal(record_a)).status_code == 404
    assert ChildRecord.objects.count() == 1


@pytest.mark.parametrize("persona", ["peksos_joko_sdn2", "psikolog_gita"])
def test_other_schools_peksos_and_unreferred_psikolog_get_404(login, request, persona, record_a):
    client = login(request.getfixturevalue(persona))
    assert client.get(detail(record_a)).status_code == 404
    assert client.post(reveal(record_a)).status_code == 404
    assert record_a.code not in client.get(LIST).content.decode()
    denied = AuditEvent.objects.for_object(record_a).filter(action="child_record_access_denied")
    assert denied.count() == 2
    assert not AuditEvent.objects.filter(action__in=["child_record_viewed", "child_name_revealed"])


@pytest.mark.parametrize("code", ["%00", "ANK-ABC%00", "x" * 300, "ANK-1", "ank-abcdef"])
def test_odd_codes_are_404(login, koordinator_ani, code):
    client = login(koordinator_ani)
    assert client.get(f"/pemantauan/anak/{code}/").status_code == 404
    assert client.post(f"/pemantauan/anak/{code}/nama/").status_code == 404


def test_the_nav_shows_monitoring_to_its_roles_only(login, peksos_budi, guru_eka):
    link = f'href="{LIST}"'
    assert link in login(peksos_budi).get(reverse("home")).content.decode()
    assert link not in login(guru_eka).get(reverse("home")).content.decode()


# --- The list -----------------------------------------------------------------------------------


def test_peksos_sees_their_caseload(login, peksos_budi, record_a, record_b):
    response = login(peksos_budi).get(LIST)
    assert response.status_code == 200
    assert codes(response) == {record_a.code}
    html = response.content.decode()
    assert record_a.initials in html and CANARY not in html and CANARY_GUARDIAN not in html


def test_koordinator_sees_all_newest_first(login, koordinator_ani, record_a, record_b):
    ChildRecord.objects.filter(pk=record_a.pk).update(created_at=timezone.now() - timedelta(1))
    response = login(koordinator_ani).get(LIST)
    assert [r.code for r in response.context["page"].items] == [record_b.code, record_a.code]
    assert CANARY not in response.content.decode()


def test_psikolog_sees_only_referred_children(login, psikolog_gita, referred, record_b):
    response = login(psikolog_gita).get(LIST)
    assert codes(response) == {referred.code}
    assert CREATE not in response.content.decode()


def test_overdue_follow_ups_are_flagged_and_filtered(login, peksos_budi, record_a, school_a):
    fresh = open_record(school_a, peksos_budi, name="Dewi Lestari")
    closed = open_record(school_a, peksos_budi, name="Eko Prasetyo")
    old = timezone.now() - timedelta(days=31)
    ChildRecord.objects.filter(pk__in=[record_a.pk, closed.pk]).update(last_contact_at=old)
    services.record_close_request(record=closed, outcome="pindah", note="Moved.", by=peksos_budi)
    services.record_close_approve(record=closed, by=make_user("koordinator_rina", "koordinator"))
    client = login(peksos_budi)
    flags = {r.code: r.overdue for r in client.get(LIST).context["page"].items}
    assert flags == {record_a.code: True, fresh.code: False}
    assert codes(client.get(LIST, {"overdue": "on"})) == {record_a.code}
    assert codes(client.get(LIST, {"status": "selesai"})) == {closed.code}
    assert codes(client.get(LIST, {"status": "semua"})) == {record_a.code, fresh.code, closed.code}


def test_a_progress_note_clears_the_overdue_flag(login, peksos_budi, record_a):
    old = timezone.now() - timedelta(days=45)
    ChildRecord.objects.filter(pk=record_a.pk).update(last_contact_at=old)
    record_a.refresh_from_db()
    assert record_a.is_overdue()
    services.note_add(
        record=record_a,
        noted_on=timezone.localdate(),
        source="observasi",
        text="Calm in class.",
        by=peksos_budi,
    )
    record_a.refresh_from_db()
    assert not record_a.is_overdue()


def encode(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def test_bad_filters_and_cursors_are_no_500(login, koordinator_ani, record_a):
    client = login(koordinator_ani)
    response = client.get(LIST, {"status": "\x1f", "overdue": "x" * 500})
    assert response.status_code == 200
    # NUL: 400 before the database (tests/core/test_nul_bytes.py)
    assert client.get(LIST, {"status": "\x00"}).status_code == 400
    now = str(timezone.now())
    cursors = ["%%%", "W10", encode(["not a date", "X"]), encode([now, "A\x00B"])]
    cursors += [encode([now, "\ud800"]), encode([now, 10**40]), "W" * 3000]
    for cursor in cursors:
        assert client.get(LIST, {"setelah": cursor}).status_code == 200
        assert client.get(LIST, {"sebelum": cursor}).status_code == 200


def test_keyset_pages(login, koordinator_ani, school_a):
    for i in range(27):
        open_record(school_a, koordinator_ani, name=f"Anak {i}", age=6 + i % 8)
    client = login(koordinator_ani)
    first = client.get(LIST)
    assert len(first.context["page"].items) == 25
    second = client.get(first.context["next_url"])
    assert len(second.context["page"].items) == 2
    assert not codes(first) & codes(second)
    assert codes(client.get(second.context["previous_url"])) == codes(first)


@pytest.mark.parametrize("persona", ["koordinator_ani", "peksos_budi"])
def test_list_query_count_is_constant(
    login, request, persona, school_a, peksos_budi, django_assert_num_queries
):
    client = login(request.getfixturevalue(persona))

    def add(n):
        for i in range(n):
            open_record(school_a, peksos_budi, name=f"Anak Uji {i}", peksos=peksos_budi)

    add(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert len(client.get(LIST).context["page"].items) == 2
    add(28)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get(LIST).context["page"].items) == 25


# --- Opening a record ---------------------------------------------------------------------------


def test_peksos_opens_a_record(login, peksos_budi, school_a):
    client = login(peksos_budi)
    form = client.get(CREATE)
    assert form.status_code == 200
    assert list(form.context["form"].fields["school"].queryset) == [school_a]
    response = client.post(CREATE, valid_open(school_a))
    record = ChildRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(record)
    assert record.code.startswith("ANK-") and len(record.code) == 10
    assert record.name == "Ahmad Fauzi" and record.initials == "AF"
    assert record.peksos == peksos_budi and record.created_by == peksos_budi
    assert record.source == ChildRecord.Source.DIRECT and record.tier == 3
    opened = AuditEvent.objects.for_object(record).get(action="child_record_opened")
    assert opened.actor == peksos_budi


def test_a_double_submit_opens_one_record(login, peksos_budi, school_a):
    client = login(peksos_budi)
    client.post(CREATE, valid_open(school_a))
    client.post(CREATE, valid_open(school_a))
    assert ChildRecord.objects.count() == 1


def test_open_from_a_case_takes_its_school(login, peksos_budi, school_a, school_b):
    case = file_case(school_a)
    client = login(peksos_budi)
    form = client.get(CREATE, {"kasus": case.code})
    assert form.status_code == 200 and case.code in form.content.decode()
    # The school comes from the case, whatever is posted.
    response = client.post(f"{CREATE}?kasus={case.code}", valid_open(school_b))
    assert response.status_code == 302
    record = ChildRecord.objects.get()
    assert record.case == case and record.school == school_a
    assert record.source == ChildRecord.Source.CASE


def file_case(school) -> Case:
    return case_file(
        school=school,
        channel=Case.Channel.IN_PERSON,
        narrative="A pupil was pushed.",
        forms=["fisik"],
        modalities=["fisik"],
        scope="dalam",
        affected=["murid"],
        ongoing_danger="tidak",
    ).case


def test_a_case_of_another_school_is_404(login, peksos_budi, school_b):
    case = file_case(school_b)
    client = login(peksos_budi)
    assert client.get(CREATE, {"kasus": case.code}).status_code == 404
    assert client.post(f"{CREATE}?kasus={case.code}", valid_open(school_b)).status_code == 404
    # NUL: 400 before the database (tests/core/test_nul_bytes.py)
    assert client.get(CREATE, {"kasus": "ABC\x00"}).status_code == 400
    assert not ChildRecord.objects.exists()


def test_peksos_cannot_open_for_a_school_they_do_not_serve(login, peksos_budi, school_b):
    response = login(peksos_budi).post(CREATE, valid_open(school_b))
    assert response.status_code == 400
    assert "school" in response.context["form"].errors
    assert not ChildRecord.objects.exists()


def test_psikolog_may_not_open_records(login, psikolog_gita, school_a):
    client = login(psikolog_gita)
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, valid_open(school_a)).status_code == 403


def test_koordinator_assigns_a_peksos_who_serves_the_school(
    login, koordinator_ani, school_a, peksos_budi, peksos_joko_sdn2
):
    client = login(koordinator_ani)
    response = client.post(CREATE, valid_open(school_a, peksos=peksos_joko_sdn2.pk))
    assert response.status_code == 400 and "peksos" in response.context["form"].errors
    response = client.post(CREATE, valid_open(school_a, peksos=peksos_budi.pk))
    assert response.status_code == 302
    assert ChildRecord.objects.get().peksos == peksos_budi


@pytest.mark.parametrize(
    "bad",
    [
        {"birth_year": "abc"},
        {"birth_year": "99999999999999999999"},
        {"birth_year": str(birth_year(1))},
        {"birth_year": str(birth_year(40))},
        {"name": ""},
        {"name": "12345"},
        {"name": "Ani\x00Lestari"},
        {"name": "x" * 151},
        {"class_level": "13"},
        {"sex": "X"},
        {"tier": "1"},
        {"school": "999999999"},
        {"peksos": "abc"},
    ],
)
def test_bad_input_is_a_form_error_and_keeps_what_was_typed(login, peksos_budi, school_a, bad):
    data = valid_open(school_a, guardian_contact="Kept 0812-TYPED", **bad)
    response = login(peksos_budi).post(CREATE, data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert "Kept 0812-TYPED" in response.content.decode()
    assert not ChildRecord.objects.exists()


def test_a_likely_duplicate_is_shown_before_opening(login, peksos_budi, school_a):
    existing = open_record(school_a, peksos_budi, name="Siti Nur Aisyah", class_level="3", age=9)
    client = login(peksos_budi)
    response = client.post(CREATE, valid_open(school_a, name="Siti Aisyah"))
    assert response.status_code == 400
    assert response.context["duplicates"] == [existing]
    html = response.content.decode()
    assert existing.code in html and "Siti Nur Aisyah" not in html
    assert ChildRecord.objects.count() == 1
    response = client.post(CREATE, valid_open(school_a, name="Siti Aisyah", not_a_duplicate="on"))
    assert response.status_code == 302
    assert ChildRecord.objects.count() == 2


@pytest.mark.parametrize(
    "a,b,similar",
    [
        ("SNA", "SNA", True),
        ("SNA", "SA", True),
        ("SA", "SNA", True),
        ("SNA", "SNR", True),
        ("B", "BS", True),
        ("A", "B", False),
        ("SNA", "BDK", False),
        ("SNA", "S", False),
        ("", "S", False),
    ],
)
def test_similar_initials(a, b, similar):
    from monitoring.forms import initials_similar

    assert initials_similar(a, b) is similar


def test_other_class_or_year_is_no_duplicate(login, peksos_budi, school_a):
    open_record(school_a, peksos_budi, name="Ahmad Fauzi", class_level="4", age=9)
    response = login(peksos_budi).post(CREATE, valid_open(school_a))
    assert response.status_code == 302


# --- A record's page and the name ---------------------------------------------------------------


@pytest.mark.parametrize("persona", ["koordinator_ani", "peksos_budi"])
def test_record_page_shows_code_not_name(login, request, persona, record_a):
    response = login(request.getfixturevalue(persona)).get(detail(record_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert record_a.code in html and record_a.school.name in html
    assert CANARY not in html and CANARY_GUARDIAN not in html
    assert reveal(record_a) in html


def test_every_view_writes_one_audit_row(login, peksos_budi, record_a):
    client = login(peksos_budi)
    client.get(detail(record_a))
    client.get(detail(record_a))
    views = AuditEvent.objects.for_object(record_a).filter(action="child_record_viewed")
    assert views.count() == 2
    assert {v.actor for v in views} == {peksos_budi}


def test_referred_psikolog_reads_the_record_without_the_reveal(login, psikolog_gita, referred):
    client = login(psikolog_gita)
    response = client.get(detail(referred))
    assert response.status_code == 200
    assert reveal(referred) not in response.content.decode()
    assert client.post(reveal(referred)).status_code == 403
    assert CANARY not in response.content.decode()
    assert not AuditEvent.objects.filter(action="child_name_revealed").exists()
    assert AuditEvent.objects.for_object(referred).filter(action="child_record_access_denied")


@pytest.mark.parametrize("persona", ["koordinator_ani", "peksos_budi"])
def test_reveal_shows_the_name_and_is_audited_every_time(login, request, persona, record_a):
    user = request.getfixturevalue(persona)
    client = login(user)
    for n in (1, 2):
        response = client.post(reveal(record_a))
        assert response.status_code == 200
        html = response.content.decode()
        assert CANARY in html and CANARY_GUARDIAN in html
        reveals = AuditEvent.objects.for_object(record_a).filter(action="child_name_revealed")
        assert reveals.count() == n
    assert {r.actor for r in reveals} == {user}
    assert (
        response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    )
    assert CANARY not in client.get(detail(record_a)).content.decode()


def test_the_canary_never_reaches_other_pages_or_the_audit_log(
    login, koordinator_ani, peksos_budi, peksos_joko_sdn2, psikolog_gita, referred, guru_eka
):
    pages = []
    for user in [koordinator_ani, peksos_budi, peksos_joko_sdn2, psikolog_gita, guru_eka]:
        client = login(user)
        pages += [client.get(LIST), client.get(detail(referred)), client.get(CREATE)]
        client.post(reveal(referred))  # allowed for some: audited, but nothing else shows it
        pages.append(client.get(reverse("home")))
    for page in pages:
        assert CANARY not in page.content.decode()
        assert CANARY_GUARDIAN not in page.content.decode()
    for row in AuditEvent.objects.values_list():
        assert CANARY not in repr(row) and CANARY_GUARDIAN not in repr(row)
    assert str(referred) == referred.code


def test_a_new_record_never_takes_a_code_already_in_use(record_a, school_a, peksos_budi):
    from monitoring.models import ChildRecord
    from monitoring.models import records as monitoring_models

    field = ChildRecord._meta.get_field("code")
    draws = iter(["ANK-FRESH2"])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(field, "_get_default", lambda: record_a.code)  # the first draw collides
        patch.setattr(monitoring_models, "new_child_code", lambda: next(draws))
        second = open_record(school_a, peksos_budi, name="Citra Lestari")
    assert second.code == "ANK-FRESH2" and second.pk != record_a.pk
