"""Observations asked of a child's teacher or parent (issue #7): the PEKSOS asks, the teacher
or parent sees only the requests addressed to them and fills the form on a phone, the answer
joins the record's wellbeing ratings; requests expire, reminders go through the outbox; every
step is audited (docs/design.md §3.10, §4)."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from monitoring import observations, services
from monitoring.models import ObservationRequest, WellbeingRating
from monitoring.tasks import remind_observations
from peksos.core.models import AuditEvent, OutboxMessage
from tests.factories import CANARY, make_user, open_record
from tests.factories import record_detail as detail

MINE = reverse("monitoring:observation-list")
FIRST_NAME = "Nurul"  # how the parent knows the child: all they see of the record
ANSWER = {"cheerful": "3", "gets_along": "2", "calm": "4", "wellbeing": "7", "comment": "Better."}


class Email:
    def __init__(self, payload: dict):
        self.to, self.subject, self.body = payload["to"], payload["subject"], payload["body"]


def emails_to(user) -> list[Email]:
    """E-mails written to the outbox for this user (sent after commit by the relay)."""
    rows = OutboxMessage.objects.filter(kind="peksos.core.tasks.send_email").order_by("created_at")
    return [Email(row.payload) for row in rows if user.email in row.payload["to"]]


def t(msgid: str) -> str:
    with translation.override("id"):
        return translation.gettext(msgid)


def ask_url(record) -> str:
    return reverse("monitoring:observation-request", args=[record.code])


def fill_url(observation) -> str:
    return reverse("monitoring:observation-fill", args=[observation.pk])


def cancel_url(observation) -> str:
    return reverse("monitoring:observation-cancel", args=[observation.record.code, observation.pk])


@pytest.fixture
def record(school_a, peksos_budi):
    return open_record(school_a, peksos_budi, peksos=peksos_budi)


def ask(record, addressee, by, **extra) -> ObservationRequest:
    return observations.observation_request(
        record=record, addressee=addressee, child_label=FIRST_NAME, by=by, **extra
    )


def link(record, parent, by):
    """The parent is this child's: only a linked parent may be asked (issue #17)."""
    return observations.guardian_link(record=record, guardian=parent, reason="Ayah kandung.", by=by)


@pytest.fixture
def linked(record, ortu_fajar, peksos_budi):
    return link(record, ortu_fajar, peksos_budi)


@pytest.fixture
def asked(record, ortu_fajar, peksos_budi, linked):
    return ask(record, ortu_fajar, peksos_budi)


# --- Asking -------------------------------------------------------------------------------------


def test_peksos_asks_a_parent_who_is_told_by_email_without_the_name(
    login, peksos_budi, ortu_fajar, record, linked
):
    data = {"addressee": ortu_fajar.pk, "child_label": FIRST_NAME, "days": "10"}
    response = login(peksos_budi).post(ask_url(record), {**data, "idempotency_key": "o" * 24})
    assert response.status_code == 302 and response["Location"] == detail(record)
    observation = ObservationRequest.objects.get()
    assert observation.addressee == ortu_fajar and observation.rater == "orang_tua"
    assert observation.is_pending()
    assert timedelta(days=9, hours=23) < observation.expires_at - timezone.now() <= timedelta(10)
    assert AuditEvent.objects.for_object(record).filter(action="child_observation_requested")
    [message] = emails_to(ortu_fajar)
    assert fill_url(observation) in message.body
    for secret in (CANARY, FIRST_NAME, record.code, record.school.name):
        assert secret not in message.body + message.subject
    # A double submit asks once.
    login(peksos_budi).post(ask_url(record), {**data, "idempotency_key": "o" * 24})
    assert ObservationRequest.objects.count() == 1


def test_a_teacher_is_a_teacher_rater(peksos_budi, guru_eka, record):
    assert ask(record, guru_eka, peksos_budi).rater == "guru"


def test_the_label_is_encrypted_at_rest(asked):
    with connection.cursor() as cursor:
        cursor.execute("SELECT child_label FROM monitoring_observationrequest")
        [(raw,)] = cursor.fetchall()
    assert FIRST_NAME not in raw


@pytest.mark.parametrize(
    "bad",
    [
        {"addressee": ""},
        {"child_label": "   "},
        {"child_label": "x" * 61},
        {"days": "0"},
        {"days": "31"},
        {"days": "dua"},
    ],
)
def test_bad_requests_keep_what_was_typed(login, peksos_budi, ortu_fajar, record, linked, bad):
    data = {"addressee": ortu_fajar.pk, "child_label": "Nurul kecil", "days": "10", **bad}
    response = login(peksos_budi).post(ask_url(record), data)
    assert response.status_code == 400
    form = response.context["observation_form"]
    assert form.errors
    assert form.data["child_label"] == data["child_label"]
    assert not ObservationRequest.objects.exists()


def test_only_teachers_and_parents_of_the_school_can_be_asked(
    login, peksos_budi, record, school_b, psikolog_gita, kepsek_indah
):
    other_parent = make_user("ortu_gilang", "orang_tua", school_b)
    client = login(peksos_budi)
    for user in (other_parent, psikolog_gita, kepsek_indah):
        data = {"addressee": user.pk, "child_label": FIRST_NAME, "days": "7"}
        response = client.post(ask_url(record), data)
        assert (
            response.status_code == 400
            and "addressee" in response.context["observation_form"].errors
        )
    assert not ObservationRequest.objects.exists()


def test_asking_refuses_get_anonymous_outsiders_and_the_psychologist(
    client, login, record, ortu_fajar, peksos_joko_sdn2, psikolog_gita, koordinator_ani
):
    data = {"addressee": ortu_fajar.pk, "child_label": FIRST_NAME, "days": "7"}
    response = client.post(ask_url(record), data)
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")
    assert login(koordinator_ani).get(ask_url(record)).status_code == 405
    assert login(peksos_joko_sdn2).post(ask_url(record), data).status_code == 404
    assert login(ortu_fajar).post(ask_url(record), data).status_code == 404
    services.consent_record(
        record=record,
        purpose="rujukan",
        given_by="ibu",
        given_on=timezone.localdate(),
        method="lisan",
        witness="Wati",
        by=koordinator_ani,
    )
    services.record_refer(record=record, psikolog=psikolog_gita, by=koordinator_ani)
    assert login(psikolog_gita).post(ask_url(record), data).status_code == 403
    assert not ObservationRequest.objects.exists()


def test_cancel(login, peksos_budi, peksos_joko_sdn2, asked):
    assert login(peksos_budi).get(cancel_url(asked)).status_code == 405
    assert login(peksos_joko_sdn2).post(cancel_url(asked)).status_code == 404
    assert login(peksos_budi).post(cancel_url(asked)).status_code == 302
    asked.refresh_from_db()
    assert asked.status == ObservationRequest.Status.CANCELLED
    response = login(peksos_budi).post(cancel_url(asked), follow=True)
    assert t("This observation is no longer waiting for an answer.") in [
        str(m) for m in response.context["messages"]
    ]


# --- What the teacher or parent sees ------------------------------------------------------------


def test_the_parent_sees_only_their_requests_and_the_first_name(
    login, asked, record, guru_eka, peksos_budi, school_a
):
    other = ask(open_record(school_a, peksos_budi, name="Rina Wati"), guru_eka, peksos_budi)
    response = login(asked.addressee).get(MINE)
    assert response.status_code == 200
    assert [o.pk for o in response.context["page"].items] == [asked.pk]
    html = response.content.decode()
    assert FIRST_NAME in html and fill_url(asked) in html and fill_url(other) not in html
    for secret in (CANARY, record.code, f">{record.initials}<"):
        assert secret not in html
    response = login(asked.addressee).get(fill_url(asked))
    html = response.content.decode()
    assert response.status_code == 200 and FIRST_NAME in html
    assert CANARY not in html and record.code not in html
    assert AuditEvent.objects.for_object(record).filter(action="child_observation_opened")
    # The other parent's request is not theirs: 404, and audited.
    assert login(asked.addressee).get(fill_url(other)).status_code == 404
    assert AuditEvent.objects.filter(action="child_observation_access_denied").exists()


def test_the_parent_cannot_open_the_record(login, asked, record):
    client = login(asked.addressee)
    assert client.get(detail(record)).status_code == 404
    assert client.get(reverse("monitoring:record-list")).status_code == 404


@pytest.mark.parametrize("persona", ["koordinator_ani", "peksos_budi"])
def test_staff_who_see_the_record_get_403_on_the_form(login, request, persona, asked):
    client = login(request.getfixturevalue(persona))
    assert client.get(fill_url(asked)).status_code == 403
    assert client.post(fill_url(asked), ANSWER).status_code == 403
    assert client.get(MINE).status_code == 404
    assert ObservationRequest.objects.get().is_pending()


@pytest.mark.parametrize("persona", ["peksos_joko_sdn2", "sosdesk_citra_sdn1", "kepsek_indah"])
def test_others_get_404(login, request, persona, asked):
    client = login(request.getfixturevalue(persona))
    assert client.get(fill_url(asked)).status_code == 404
    assert client.post(fill_url(asked), ANSWER).status_code == 404
    assert client.get(MINE).status_code == 404


def test_anonymous_and_wrong_methods(client, login, asked):
    for response in (client.get(MINE), client.get(fill_url(asked))):
        assert response.status_code == 302 and response["Location"].startswith("/masuk/")
    parent = login(asked.addressee)
    assert parent.post(MINE).status_code == 405
    assert parent.put(fill_url(asked)).status_code == 405
    assert parent.get(
        reverse("monitoring:observation-fill", args=[asked.record_id])
    ).status_code == (404)


# --- Answering ----------------------------------------------------------------------------------


def test_the_answer_joins_the_records_progress(login, asked, record, peksos_budi):
    response = login(asked.addressee).post(fill_url(asked), ANSWER)
    assert response.status_code == 302 and response["Location"] == MINE
    asked.refresh_from_db()
    assert asked.status == ObservationRequest.Status.ANSWERED
    assert (asked.cheerful, asked.gets_along, asked.calm) == (3, 2, 4)
    assert asked.comment == "Better."
    rating = WellbeingRating.objects.get()
    assert rating == asked.rating and rating.score == 7 and rating.rater == "orang_tua"
    assert rating.entered_by == asked.addressee
    assert AuditEvent.objects.for_object(record).filter(action="child_observation_answered")
    [told] = emails_to(peksos_budi)
    assert record.code in told.body and CANARY not in told.body and FIRST_NAME not in told.body
    html = login(peksos_budi).get(detail(record)).content.decode()
    assert "Better." in html and FIRST_NAME not in html
    # Answered once: the form says so and takes nothing more.
    response = login(asked.addressee).post(fill_url(asked), {**ANSWER, "wellbeing": "2"})
    assert response.status_code == 409
    assert WellbeingRating.objects.count() == 1
    assert t("You have answered this observation. Thank you.") in response.content.decode()


@pytest.mark.parametrize(
    "bad",
    [
        {"cheerful": ""},
        {"calm": "5"},
        {"wellbeing": "11"},
        {"wellbeing": "-1"},
        {"gets_along": "sering"},
        {"comment": "k" * 1001},
    ],
)
def test_bad_answers_keep_what_was_typed(login, asked, bad):
    data = {**ANSWER, "comment": "Dia lebih tenang minggu ini.", **bad}
    response = login(asked.addressee).post(fill_url(asked), data)
    assert response.status_code == 400 and response.context["form"].errors
    html = response.content.decode()
    assert data["comment"][:50] in html
    assert t("Please answer the questions marked below.") in html
    if "wellbeing" not in bad:
        assert f'value="{data["wellbeing"]}" autocomplete="off" checked' in html
    asked.refresh_from_db()
    assert asked.is_pending() and not WellbeingRating.objects.exists()


def test_an_expired_request_cannot_be_answered(login, asked):
    with time_machine.travel(asked.expires_at + timedelta(minutes=1)):
        client = login(asked.addressee)
        response = client.get(fill_url(asked))
        assert response.status_code == 200 and '<form method="post" novalidate' not in (
            response.content.decode()
        )
        assert client.post(fill_url(asked), ANSWER).status_code == 409
        assert not WellbeingRating.objects.exists()
        item = client.get(MINE).content.decode()
        assert t("expired") in item and fill_url(asked) not in item


def test_a_closed_record_takes_no_answer(login, asked, record, peksos_budi, koordinator_ani):
    services.record_close_request(record=record, outcome="pindah", note="Moved.", by=peksos_budi)
    services.record_close_approve(record=record, by=koordinator_ani)
    assert login(asked.addressee).post(fill_url(asked), ANSWER).status_code == 409
    assert not WellbeingRating.objects.exists()
    with pytest.raises(ValidationError):
        ask(record, asked.addressee, peksos_budi)


# --- Reminders ----------------------------------------------------------------------------------


def test_one_reminder_after_three_days(asked, ortu_fajar):
    assert remind_observations() == 0
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        assert remind_observations() == 1
        assert remind_observations() == 0  # idempotent
    _asked_mail, reminder = emails_to(ortu_fajar)
    assert fill_url(asked) in reminder.body and FIRST_NAME not in reminder.body
    assert AuditEvent.objects.filter(action="child_observation_reminded").count() == 1


def test_no_reminder_for_answered_or_expired(login, asked, record, guru_eka, peksos_budi):
    login(asked.addressee).post(fill_url(asked), ANSWER)
    ask(record, guru_eka, peksos_budi, days=2)
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        assert remind_observations() == 0


# --- Lists: constant query counts ---------------------------------------------------------------


def test_my_list_query_count_is_constant(
    login, ortu_fajar, peksos_budi, school_a, django_assert_num_queries
):
    first = open_record(school_a, peksos_budi, name="Ani Putri")
    link(first, ortu_fajar, peksos_budi)
    ask(first, ortu_fajar, peksos_budi)
    client = login(ortu_fajar)
    client.get(MINE)  # the first request of a session writes it
    with CaptureQueriesContext(connection) as few:
        client.get(MINE)
    for n in range(6):
        child = open_record(school_a, peksos_budi, name=f"Anak Nomor {n}")
        link(child, ortu_fajar, peksos_budi)
        ask(child, ortu_fajar, peksos_budi)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(MINE)
    assert len(response.context["page"].items) == 7


def test_record_page_query_count_does_not_grow_with_observations(
    login, record, linked, ortu_fajar, guru_eka, peksos_budi, django_assert_num_queries
):
    observations.observation_answer(
        observation=ask(record, ortu_fajar, peksos_budi),
        cheerful=3,
        gets_along=3,
        calm=3,
        wellbeing=5,
        by=ortu_fajar,
    )
    client = login(peksos_budi)
    client.get(detail(record))
    with CaptureQueriesContext(connection) as few:
        client.get(detail(record))
    for _ in range(4):
        observation = ask(record, guru_eka, peksos_budi)
        observations.observation_answer(
            observation=observation, cheerful=2, gets_along=2, calm=2, wellbeing=6, by=guru_eka
        )
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(detail(record))


def test_key_rotation_covers_observations(settings, school_a, ortu_fajar, peksos_budi):
    from io import StringIO

    from cryptography.fernet import Fernet
    from django.core.management import call_command

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.MONITORING_ENCRYPTION_KEYS = [old]
    child = open_record(school_a, peksos_budi)
    link(child, ortu_fajar, peksos_budi)
    observation = ask(child, ortu_fajar, peksos_budi)
    settings.MONITORING_ENCRYPTION_KEYS = [new, old]
    out = StringIO()
    call_command("rotate_monitoring_keys", "--check", stdout=out)
    assert out.getvalue().startswith("4 value(s)")  # name, contact, label, (empty) comment
    call_command("rotate_monitoring_keys", stdout=StringIO())
    settings.MONITORING_ENCRYPTION_KEYS = [new]
    assert ObservationRequest.objects.get(pk=observation.pk).child_label == FIRST_NAME
    out = StringIO()
    call_command("rotate_monitoring_keys", "--check", stdout=out)
    assert out.getvalue().startswith("0 value(s)")
