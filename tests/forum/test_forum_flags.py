"""Flags: members flag a post once, several flags hide it until a moderator decides, the
moderators' flag queue and its decisions, all audited (docs/design.md §3.10)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forum import services
from forum.models import Answer, Flag, Question
from peksos.accounts.models import Role
from peksos.core.models import AuditEvent
from tests.factories import ask, make_user, messages_of, relax_new_account_rules, reply
from tests.factories import post_url as url
from tests.factories import question_detail as detail

FLAGS = reverse("forum:flag-queue")
NOT_MODERATORS = ["psikolog_gita", "pendamping_hadi", "kepsek_indah", "guru_eka", "ortu_fajar"]


@pytest.fixture(autouse=True)
def _relaxed(monkeypatch):
    relax_new_account_rules(monkeypatch)


@pytest.fixture
def question(ortu_fajar):
    return ask(ortu_fajar, title="Anak saya takut gelap, normalkah?")


@pytest.fixture
def answer(question, guru_eka):
    return reply(question, guru_eka, body="Pukul saja, nanti juga berani.")


def members(n: int, school):
    return [make_user(f"ortu_{i}", Role.ORANG_TUA, school) for i in range(n)]


# --- Flagging ----------------------------------------------------------------------------------


def test_a_member_flags_an_answer_once(login, guru_eka, ortu_fajar, question, answer):
    client = login(ortu_fajar)
    page = client.get(detail(question)).content.decode()
    assert url("answer-flag", answer) in page
    assert client.get(url("answer-flag", answer)).status_code == 200
    response = client.post(url("answer-flag", answer), {"reason": "saran-berbahaya"})
    assert response["Location"] == detail(question)
    flag = Flag.objects.get()
    assert (flag.answer, flag.user, flag.reason) == (answer, ortu_fajar, "saran-berbahaya")
    assert AuditEvent.objects.for_object(answer).filter(action="forum_answer_flagged").count() == 1
    again = client.post(url("answer-flag", answer), {"reason": "spam", "text": "iklan"})
    assert again.status_code == 200
    assert again.context["form"].has_error("__all__", "duplicate")
    assert Flag.objects.count() == 1
    assert "iklan" in again.content.decode()  # what was typed is kept


def test_a_member_flags_a_question(login, guru_eka, question):
    response = login(guru_eka).post(url("question-flag", question), {"reason": "identitas-anak"})
    assert response.status_code == 302
    assert Flag.objects.get().question == question


def test_flag_needs_a_valid_reason(login, ortu_fajar, answer):
    client = login(ortu_fajar)
    for data in ({}, {"reason": "nope"}, {"reason": "spam", "text": "x" * 301}):
        response = client.post(url("answer-flag", answer), data)
        assert response.status_code == 200 and response.context["form"].errors
    assert not Flag.objects.exists()


def test_own_posts_and_unpublished_posts_cannot_be_flagged(login, guru_eka, ortu_fajar, answer):
    assert login(guru_eka).post(url("answer-flag", answer), {"reason": "spam"}).status_code == 403
    services.post_hide(post=answer, by=guru_eka, text="x")
    # Hidden: other members no longer see it at all.
    assert login(ortu_fajar).get(url("answer-flag", answer)).status_code == 404


def test_flag_anonymous_and_method(client, login, ortu_fajar, answer):
    assert client.get(url("answer-flag", answer))["Location"].startswith("/masuk/")
    assert login(ortu_fajar).delete(url("answer-flag", answer)).status_code == 405


def test_a_private_question_is_404_to_other_members(login, guru_eka, ortu_fajar):
    private = ask(ortu_fajar, title="Pertanyaan pribadi tentang anak", private=True)
    assert login(guru_eka).get(url("question-flag", private)).status_code == 404


def test_flags_per_day_are_limited(login, monkeypatch, ortu_fajar, question, guru_eka):
    monkeypatch.setattr(services, "FLAGS_PER_DAY", 1)
    first = reply(question, guru_eka, body="Jawaban pertama.")
    second = reply(question, guru_eka, body="Jawaban kedua.")
    client = login(ortu_fajar)
    assert client.post(url("answer-flag", first), {"reason": "spam"}).status_code == 302
    response = client.post(url("answer-flag", second), {"reason": "spam"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert Flag.objects.count() == 1


# --- Auto-hide ---------------------------------------------------------------------------------


def test_three_members_hide_an_answer_until_a_moderator_decides(
    login, school_a, question, answer, koordinator_ani, guru_eka
):
    one, two, three = members(3, school_a)
    services.post_flag(post=answer, by=one, reason="saran-berbahaya")
    services.post_flag(post=answer, by=two, reason="kasar")
    answer.refresh_from_db()
    assert answer.is_published
    services.post_flag(post=answer, by=three, reason="saran-berbahaya")
    answer.refresh_from_db()
    question.refresh_from_db()
    assert answer.status == Answer.Status.HIDDEN and question.answer_count == 0
    assert AuditEvent.objects.for_object(answer).filter(action="forum_answer_auto_hidden").exists()
    assert login(one).get(detail(question)).content.decode().count(answer.body) == 0
    # The author sees why; the moderator keeps it: shown again, the flags closed.
    author_page = login(guru_eka).get(detail(question)).content.decode()
    assert answer.body in author_page
    client = login(koordinator_ani)
    response = client.post(url("answer-flags-resolve", answer), {"decision": "biarkan"})
    assert response["Location"] == FLAGS
    answer.refresh_from_db()
    question.refresh_from_db()
    assert answer.is_published and question.answer_count == 1
    assert not Flag.objects.filter(resolved_at=None).exists()
    assert set(Flag.objects.values_list("resolution", flat=True)) == {"dibiarkan"}
    assert AuditEvent.objects.for_object(answer).filter(action="forum_flags_kept").count() == 1


def test_a_moderator_hides_a_flagged_question_with_a_reason(
    login, koordinator_ani, guru_eka, ortu_fajar, question
):
    services.post_flag(post=question, by=guru_eka, reason="identitas-anak")
    client = login(koordinator_ani)
    response = client.post(
        url("question-flags-resolve", question), {"decision": "sembunyikan", "text": ""}
    )
    assert response.status_code == 200 and "text" in response.context["form"].errors
    reason = "Menyebut kelas dan sekolah anak."
    response = client.post(
        url("question-flags-resolve", question), {"decision": "sembunyikan", "text": reason}
    )
    assert response["Location"] == FLAGS
    question.refresh_from_db()
    assert question.status == Question.Status.HIDDEN
    assert AuditEvent.objects.for_object(question).filter(action="forum_flags_hidden").exists()
    assert reason in login(ortu_fajar).get(detail(question)).content.decode()
    assert Flag.objects.filter(resolved_at=None).count() == 0


def test_resolve_with_no_open_flags_changes_nothing(login, koordinator_ani, question):
    client = login(koordinator_ani)
    response = client.post(url("question-flags-resolve", question), {"decision": "biarkan"})
    assert response.status_code == 302
    assert len(messages_of(client.get(FLAGS))) == 1  # the error message, then the queue
    question.refresh_from_db()
    assert question.is_published
    assert not AuditEvent.objects.filter(action__startswith="forum_flags_").exists()


def test_keeping_a_moderator_hidden_post_does_not_show_it(
    login, koordinator_ani, peksos_budi, guru_eka, answer
):
    services.post_flag(post=answer, by=koordinator_ani, reason="spam")
    services.post_hide(post=answer, by=peksos_budi, text="Iklan.")
    login(koordinator_ani).post(url("answer-flags-resolve", answer), {"decision": "biarkan"})
    answer.refresh_from_db()
    assert answer.status == Answer.Status.HIDDEN


# --- The flag queue ----------------------------------------------------------------------------


def test_moderators_see_the_flag_queue(login, peksos_budi, guru_eka, ortu_fajar, answer, question):
    services.post_flag(post=answer, by=ortu_fajar, reason="saran-berbahaya", text="kekerasan")
    services.post_flag(post=question, by=guru_eka, reason="spam")
    response = login(peksos_budi).get(FLAGS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "kekerasan" in html and answer.body in html
    assert [item["post"] for item in response.context["items"]] == [answer, question]


@pytest.mark.parametrize("persona", NOT_MODERATORS)
def test_the_flag_queue_and_resolving_are_403_for_others(login, request, persona, answer):
    client = login(request.getfixturevalue(persona))
    assert client.get(FLAGS).status_code == 403
    resolve = client.post(url("answer-flags-resolve", answer), {"decision": "biarkan"})
    assert resolve.status_code == 403


def test_flag_queue_anonymous_and_methods(client, login, koordinator_ani, answer):
    assert client.get(FLAGS)["Location"].startswith("/masuk/")
    assert login(koordinator_ani).post(FLAGS).status_code == 405
    assert client.get(url("answer-flags-resolve", answer)).status_code == 405


def test_flag_queue_query_count_is_constant(login, koordinator_ani, school_a, question, guru_eka):
    first = reply(question, guru_eka, body="Jawaban nol.")
    people = members(4, school_a)
    services.post_flag(post=first, by=people[0], reason="spam")
    client = login(koordinator_ani)
    client.get(FLAGS)
    with CaptureQueriesContext(connection) as few:
        client.get(FLAGS)
    for n in range(6):
        other = reply(question, guru_eka, body=f"Jawaban {n}.")
        services.post_flag(post=other, by=people[n % 4], reason="kasar")
    other_question = ask(guru_eka, title="Pertanyaan lain yang cukup panjang")
    services.post_flag(post=other_question, by=people[1], reason="spam")
    with CaptureQueriesContext(connection) as many:
        response = client.get(FLAGS)
    assert len(response.context["items"]) == 8
    assert len(many.captured_queries) == len(few.captured_queries)
