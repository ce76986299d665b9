"""Moderation: the review queue and approve/reject/hide on questions and answers, their notes
to the author, e-mails without text, and audit rows (docs/design.md §3.10)."""

import pytest
from django.core import mail

from forum import services
from forum.models import Answer, ModerationNote, Question
from peksos.core.models import AuditEvent
from tests.factories import FORUM_QUEUE as QUEUE
from tests.factories import ask, messages_of, relax_new_account_rules, reply
from tests.factories import post_url as url
from tests.factories import question_detail as detail

HELD_BODY = "Anak saya Budi dipukul kakak kelasnya. Hubungi 081234567890."
NOT_MODERATORS = ["psikolog_gita", "pendamping_hadi", "sosdesk_citra_sdn1", "kepsek_indah"]
NOT_MODERATORS += ["guru_eka", "ortu_fajar"]


@pytest.fixture(autouse=True)
def _relaxed(monkeypatch):
    relax_new_account_rules(monkeypatch)


@pytest.fixture
def held(ortu_fajar):
    question = ask(ortu_fajar, title="Tolong, anak saya dipukul", body=HELD_BODY)
    assert question.is_pending
    return question


@pytest.fixture
def published(ortu_fajar):
    return ask(ortu_fajar, title="Anak saya takut gelap, normalkah?")


@pytest.fixture
def held_answer(published, guru_eka):
    answer = reply(published, guru_eka, body="Murid saya Rina juga begitu, telepon 081298765432.")
    assert answer.is_pending
    return answer


# --- The queue ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["koordinator_ani", "peksos_budi"])
def test_moderators_see_the_queue_with_reasons_and_names(
    login, request, persona, held, held_answer
):
    response = login(request.getfixturevalue(persona)).get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert held.title in html and "Budi" in html
    assert "Rina" in html
    assert response.context["questions"][0].note.child_safety_reasons == ["child_name", "phone"]


@pytest.mark.parametrize("persona", NOT_MODERATORS)
def test_the_queue_is_403_for_everyone_else(login, request, persona):
    assert login(request.getfixturevalue(persona)).get(QUEUE).status_code == 403


def test_the_queue_sends_anonymous_to_login_and_refuses_post(client, login, koordinator_ani):
    assert client.get(QUEUE)["Location"].startswith("/masuk/")
    assert login(koordinator_ani).post(QUEUE).status_code == 405


def test_queue_query_count_is_constant(
    login, koordinator_ani, ortu_fajar, guru_eka, published, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(koordinator_ani)
    ask(ortu_fajar, body=HELD_BODY)
    reply(published, guru_eka, body="Hubungi 081234567890.")
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as few:
        client.get(QUEUE)
    for n in range(10):
        ask(
            guru_eka if n % 2 else ortu_fajar, body=f"Anak saya Dimas nomor {n}.", pseudonymous=True
        )
        reply(published, guru_eka, body=f"Siswa Andi ke-{n}.")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(QUEUE)
    assert len(response.context["questions"]) == 11


# --- Approve, reject, hide ---------------------------------------------------------------------


def test_approve_publishes_and_tells_the_author(
    login, koordinator_ani, held, guru_eka, ortu_fajar, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(koordinator_ani).post(url("question-approve", held), {"next": "queue"})
    assert response["Location"] == QUEUE
    held.refresh_from_db()
    assert held.status == Question.Status.PUBLISHED and held.published_at
    assert ModerationNote.objects.filter(
        question=held, action="disetujui", by=koordinator_ani
    ).exists()
    assert AuditEvent.objects.for_object(held).filter(action="forum_question_approved").count() == 1
    assert login(guru_eka).get(detail(held)).status_code == 200
    assert [m.to for m in mail.outbox] == [[ortu_fajar.email]]
    assert "Budi" not in mail.outbox[0].body and held.title not in mail.outbox[0].subject


def test_reject_needs_a_reason_and_keeps_what_was_typed(login, koordinator_ani, held, ortu_fajar):
    client = login(koordinator_ani)
    response = client.post(url("question-reject", held), {"text": ""})
    assert response.status_code == 200
    assert "text" in response.context["form"].errors
    held.refresh_from_db()
    assert held.is_pending
    response = client.post(url("question-reject", held), {"text": "x" * 501})
    assert response.status_code == 200 and "x" * 100 in response.content.decode()
    reason = "Pertanyaan menyebut nama dan nomor telepon. Silakan tanya lagi tanpa itu."
    response = client.post(url("question-reject", held), {"text": reason})
    assert response["Location"] == detail(held)
    held.refresh_from_db()
    assert held.status == Question.Status.REJECTED
    page = login(ortu_fajar).get(detail(held)).content.decode()
    assert reason in page


def test_hide_a_published_answer_updates_the_question(
    login, peksos_budi, published, psikolog_gita, ortu_fajar
):
    answer = reply(published, psikolog_gita)
    services.answer_accept(answer=answer, by=ortu_fajar)
    published.refresh_from_db()
    assert published.answer_count == 1 and published.accepted_answer == answer
    response = login(peksos_budi).post(url("answer-hide", answer), {"text": "Salah informasi."})
    assert response.status_code == 302
    answer.refresh_from_db()
    published.refresh_from_db()
    assert answer.status == Answer.Status.HIDDEN
    assert published.answer_count == 0 and published.accepted_answer is None
    assert "Salah informasi." in login(psikolog_gita).get(detail(published)).content.decode()
    assert answer.body not in login(ortu_fajar).get(detail(published)).content.decode()
    # Shown again: counted again.
    login(peksos_budi).post(url("answer-approve", answer))
    published.refresh_from_db()
    assert published.answer_count == 1


def test_approving_a_held_answer_counts_it_and_tells_the_asker(
    login,
    koordinator_ani,
    held_answer,
    published,
    ortu_fajar,
    guru_eka,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        login(koordinator_ani).post(url("answer-approve", held_answer))
    published.refresh_from_db()
    assert published.answer_count == 1
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(
        [ortu_fajar.email, guru_eka.email]
    )  # asker: new answer; author: published
    assert all("Rina" not in m.body for m in mail.outbox)


def test_impossible_steps_are_a_message_not_an_error(login, koordinator_ani, published):
    client = login(koordinator_ani)
    response = client.post(url("question-reject", published), {"text": "Tidak perlu."}, follow=True)
    assert response.status_code == 200 and messages_of(response)
    published.refresh_from_db()
    assert published.is_published
    response = client.post(url("question-approve", published), follow=True)
    assert messages_of(response)


@pytest.mark.parametrize("persona", NOT_MODERATORS)
def test_moderation_actions_are_403_for_those_who_see_the_post(
    login, request, persona, published, psikolog_gita
):
    answer = reply(published, psikolog_gita)
    client = login(request.getfixturevalue(persona))
    for name, post in [("question-hide", published), ("answer-hide", answer)]:
        assert client.post(url(name, post), {"text": "Sembunyikan."}).status_code == 403
    published.refresh_from_db()
    answer.refresh_from_db()
    assert published.is_published and answer.is_published


@pytest.mark.parametrize("persona", ["guru_eka", "psikolog_gita", "kepsek_indah"])
def test_moderation_actions_on_a_held_post_are_404_for_others(login, request, persona, held):
    client = login(request.getfixturevalue(persona))
    for name in ["question-approve", "question-reject", "question-hide"]:
        assert client.post(url(name, held), {"text": "x"}).status_code == 404
    held.refresh_from_db()
    assert held.is_pending


def test_moderation_actions_refuse_get_and_anonymous(client, login, koordinator_ani, held):
    names = ["question-approve", "question-reject", "question-hide"]
    for name in names:
        assert client.post(url(name, held), {"text": "x"})["Location"].startswith("/masuk/")
    for name in names:
        assert login(koordinator_ani).get(url(name, held)).status_code == 405
    held.refresh_from_db()
    assert held.is_pending


def test_every_moderation_action_is_audited(login, koordinator_ani, ortu_fajar, psikolog_gita):
    client = login(koordinator_ani)
    a = ask(ortu_fajar, body=HELD_BODY)
    b = ask(ortu_fajar, body=HELD_BODY)
    c = ask(ortu_fajar, title="Pertanyaan biasa tentang sekolah")
    client.post(url("question-approve", a))
    client.post(url("question-reject", b), {"text": "Menyebut nama anak."})
    client.post(url("question-hide", c), {"text": "Di luar topik."})
    actions = set(AuditEvent.objects.filter(actor=koordinator_ani).values_list("action", flat=True))
    assert actions == {
        "forum_question_approved",
        "forum_question_rejected",
        "forum_question_hidden",
    }
