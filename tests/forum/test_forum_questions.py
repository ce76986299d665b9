"""Questions and answers in the forum: list, ask, a question's page, answer, accept, helpful;
private questions, pseudonyms, badges, rate limits, new accounts (docs/design.md §3.10)."""

from datetime import timedelta
from uuid import uuid4

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from forum import services
from forum.models import Answer, HelpfulMark, ModerationNote, Question
from peksos.core.models import AuditEvent
from tests.factories import FORUM_ASK as ASK
from tests.factories import FORUM_LIST as LIST
from tests.factories import (
    REAL_POSTS_PER_WINDOW,
    ask,
    make_user,
    messages_of,
    relax_new_account_rules,
    reply,
    topic,
)
from tests.factories import post_url as url
from tests.factories import question_detail as detail

EVERY_ROLE = [
    "koordinator_ani",
    "peksos_budi",
    "psikolog_gita",
    "pendamping_hadi",
    "sosdesk_citra_sdn1",
    "kepsek_indah",
    "guru_eka",
    "ortu_fajar",
]


@pytest.fixture(autouse=True)
def _relaxed(monkeypatch):
    relax_new_account_rules(monkeypatch)


@pytest.fixture
def ortu_rina_sdn2(school_b):
    return make_user("ortu_rina", "orang_tua", school_b)


@pytest.fixture
def question(ortu_fajar):
    return ask(ortu_fajar)


@pytest.fixture
def answered(question, psikolog_gita):
    return reply(question, psikolog_gita)


def ask_data(**overrides) -> dict:
    data = {
        "category": topic().pk,
        "title": "Bagaimana menghadapi anak yang takut ke sekolah?",
        "body": "Anak saya menangis setiap pagi. Apa yang sebaiknya saya lakukan?",
        "idempotency_key": str(uuid4()),
    }
    data.update(overrides)
    return data


# --- Access: anonymous, wrong method ---------------------------------------------------------


def test_anonymous_users_are_sent_to_login(client, question, answered):
    for target in [LIST, ASK, detail(question)]:
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith("/masuk/")
    posts = [
        (url("answer-create", question), {"body": "Jawaban tanpa akun."}),
        (ASK, ask_data()),
        (url("answer-accept", answered), {}),
        (url("answer-helpful", answered), {}),
    ]
    for target, data in posts:
        response = client.post(target, data)
        assert response.status_code == 302 and response["Location"].startswith("/masuk/")
    assert Question.objects.count() == 1 and Answer.objects.count() == 1


def test_wrong_methods(login, ortu_fajar, question, answered):
    client = login(ortu_fajar)
    assert client.post(LIST).status_code == 405
    assert client.post(detail(question)).status_code == 405
    assert client.put(ASK).status_code == 405
    for name in ["answer-accept", "answer-helpful"]:
        assert client.get(url(name, answered)).status_code == 405
    assert client.get(url("answer-create", question)).status_code == 405


def test_forum_pages_keep_the_security_headers_and_no_inline_code(
    login, koordinator_ani, question, client
):
    nonce_pages = [LIST, ASK, detail(question), reverse("forum:moderation-queue")]
    client = login(koordinator_ani)
    for target in nonce_pages:
        response = client.get(target)
        html = response.content.decode()
        nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert html.count("<script") == html.count(f'nonce="{nonce}"'), target
        assert "style=" not in html, target
        assert "no-store" in response["Cache-Control"], target


# --- The list ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", EVERY_ROLE)
def test_every_role_reads_the_forum(login, request, persona, question):
    response = login(request.getfixturevalue(persona)).get(LIST)
    assert response.status_code == 200
    assert question.title in response.content.decode()


def test_list_filters_by_topic_and_answered(login, guru_eka, ortu_fajar, psikolog_gita):
    parenting = ask(ortu_fajar, title="Cara disiplin tanpa memukul?", category=topic("pengasuhan"))
    bullying = ask(ortu_fajar, title="Teman sekelas memalak uang jajan")
    reply(bullying, psikolog_gita)
    client = login(guru_eka)
    page = client.get(LIST, {"kategori": "pengasuhan"}).content.decode()
    assert parenting.title in page and bullying.title not in page
    page = client.get(LIST, {"tampil": "belum-dijawab"}).content.decode()
    assert parenting.title in page and bullying.title not in page
    page = client.get(LIST, {"tampil": "sudah-dijawab"}).content.decode()
    assert bullying.title in page and parenting.title not in page


def test_mine_shows_my_questions_in_every_state(login, ortu_fajar, guru_eka, monkeypatch):
    mine = ask(ortu_fajar, title="Pertanyaan saya yang biasa saja")
    held = ask(ortu_fajar, title="Anak saya Budi diejek terus")  # held: a child's name
    private = ask(ortu_fajar, title="Pertanyaan pribadi saya", private=True)
    other = ask(guru_eka, title="Pertanyaan guru yang lain")
    assert held.status == Question.Status.PENDING
    page = login(ortu_fajar).get(LIST, {"tampil": "saya"}).content.decode()
    for own in (mine, held, private):
        assert own.title in page
    assert other.title not in page
    # The public list shows neither held nor private questions, not even to their asker.
    page = login(ortu_fajar).get(LIST).content.decode()
    assert mine.title in page and held.title not in page and private.title not in page


def test_bad_filters_and_cursors_never_fail(login, ortu_fajar, question):
    client = login(ortu_fajar)
    for params in [
        {"kategori": "tidak-ada"},
        {"tampil": "<script>"},
        {"setelah": "bukan-kursor"},
        {"sebelum": "W10"},
        {"setelah": "WyJ4IiwgIjEiXQ"},  # ["x", "1"]: right shape, wrong types
        {"kategori": "\x1f", "tampil": "saya" * 1000},
    ]:
        assert client.get(LIST, params).status_code == 200, params
    # NUL: 400 before the database (tests/core/test_nul_bytes.py)
    assert client.get(LIST, {"kategori": "\x00"}).status_code == 400


def test_list_pages_with_keyset_cursors(login, ortu_fajar):
    now = timezone.now()
    for n in range(30):
        q = ask(ortu_fajar, title=f"Pertanyaan nomor {n:02d} tentang sekolah")
        Question.objects.filter(pk=q.pk).update(created_at=now - timedelta(minutes=n))
    client = login(ortu_fajar)
    first = client.get(LIST)
    assert "Pertanyaan nomor 00" in first.content.decode()
    assert "Pertanyaan nomor 29" not in first.content.decode()
    second = client.get(first.context["next_url"])
    assert "Pertanyaan nomor 29" in second.content.decode()
    assert "Pertanyaan nomor 00" not in second.content.decode()
    assert second.context["previous_url"]


@pytest.mark.parametrize("persona", ["ortu_fajar", "koordinator_ani"])
def test_list_query_count_is_constant(
    login, request, persona, ortu_fajar, guru_eka, psikolog_gita, django_assert_num_queries
):
    client = login(request.getfixturevalue(persona))
    ask(ortu_fajar, title="Pertanyaan pertama di forum")
    client.get(LIST)  # warm the session and the user's 2FA device
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for n in range(20):
        q = ask(
            guru_eka if n % 2 else ortu_fajar,
            title=f"Pertanyaan lain nomor {n}",
            pseudonymous=n % 3 == 0,
        )
        reply(q, psikolog_gita)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["page"].items) == 21


# --- Asking ------------------------------------------------------------------------------------


def test_ask_happy_path(login, ortu_fajar, school_a):
    client = login(ortu_fajar)
    assert client.get(ASK).status_code == 200
    response = client.post(ASK, ask_data())
    question = Question.objects.get()
    assert response["Location"] == detail(question)
    assert question.status == Question.Status.PUBLISHED and question.published_at
    assert question.author == ortu_fajar and question.school == school_a
    assert AuditEvent.objects.for_object(question).get().action == "forum_question_asked"
    page = client.get(response["Location"])
    assert "Bagaimana menghadapi anak" in page.content.decode()


def test_ask_preselects_a_topic(login, ortu_fajar):
    response = login(ortu_fajar).get(ASK, {"kategori": "pengasuhan"})
    assert response.context["form"].initial["category"] == topic("pengasuhan")
    assert login(ortu_fajar).get(ASK, {"kategori": "x" * 500}).status_code == 200


def test_a_double_submit_asks_once(login, ortu_fajar):
    client = login(ortu_fajar)
    data = ask_data()
    first = client.post(ASK, data)
    second = client.post(ASK, data)
    assert first["Location"] == second["Location"]
    assert Question.objects.count() == 1


def test_someone_elses_idempotency_key_is_a_form_error(login, ortu_fajar, guru_eka):
    data = ask_data()
    login(ortu_fajar).post(ASK, data)
    response = login(guru_eka).post(ASK, data)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert Question.objects.get().author == ortu_fajar


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("title", "pendek"),
        ("title", "x" * 151),
        ("body", ""),
        ("body", "y" * 5001),
        ("body", "ada \x00 karakter nol"),
        ("category", "999999"),
        ("category", "bukan-angka"),
    ],
)
def test_ask_bad_input_is_a_form_error_and_keeps_the_text(login, ortu_fajar, field, value):
    data = ask_data(**{field: value})
    response = login(ortu_fajar).post(ASK, data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    html = response.content.decode()
    if field != "title":
        assert "Bagaimana menghadapi anak" in html
    assert not Question.objects.exists()


@pytest.mark.parametrize("key", ["", "bukan-uuid!", "x" * 65])
def test_a_bad_hidden_key_never_refuses_the_question(login, ortu_fajar, key):
    """Nobody is refused for a field they cannot see: a fresh key is drawn instead."""
    response = login(ortu_fajar).post(ASK, ask_data(idempotency_key=key))
    assert response.status_code == 302
    assert Question.objects.get().idempotency_key not in {"", key}


def test_staff_cannot_ask_under_a_pseudonym(login, psikolog_gita):
    client = login(psikolog_gita)
    assert "pseudonymous" not in client.get(ASK).context["form"].fields
    client.post(ASK, ask_data(pseudonymous="on"))
    assert Question.objects.get().pseudonymous is False


def test_rate_limit_counts_posts_in_the_database(login, ortu_fajar, monkeypatch):
    monkeypatch.setattr(services, "POSTS_PER_WINDOW", REAL_POSTS_PER_WINDOW)
    question = ask(ortu_fajar)
    for _n in range(services.POSTS_PER_WINDOW - 1):
        reply(question, ortu_fajar, body="Tambahan cerita dari saya sendiri.")
    response = login(ortu_fajar).post(ASK, ask_data())
    assert response.status_code == 200
    assert "10" in str(response.context["form"].non_field_errors())
    assert "Bagaimana menghadapi anak" in response.content.decode()  # the text is kept
    assert Question.objects.count() == 1
    # Ten minutes later the author may write again.
    later = timezone.now() - timedelta(minutes=11)
    Question.objects.update(created_at=later)
    Answer.objects.update(created_at=later)
    assert login(ortu_fajar).post(ASK, ask_data()).status_code == 302


# --- Child safety before publishing --------------------------------------------------------


def test_a_post_naming_a_child_is_held_with_a_plain_note(login, ortu_fajar, guru_eka):
    client = login(ortu_fajar)
    response = client.post(
        ASK, ask_data(body="Anak saya Budi di kelas 5B SDN 1 dipukul. WA saya 081234567890.")
    )
    question = Question.objects.get()
    assert question.status == Question.Status.PENDING and question.published_at is None
    note = ModerationNote.objects.get(question=question)
    assert note.action == ModerationNote.Action.HELD
    assert set(note.reasons) == {"child_name", "class_and_school", "phone"}
    assert "Budi" not in str(note.reasons)  # the note never copies the text
    page = client.get(response["Location"]).content.decode()
    assert "UU SPPA Pasal 19" in page
    assert len(note.explanations) == 3 and all(text in page for text in note.explanations)
    # Nobody else sees a held question.
    assert login(guru_eka).get(detail(question)).status_code == 404
    assert AuditEvent.objects.for_object(question).get().action == "forum_question_held"


def test_an_answer_with_a_phone_number_is_held(login, question, guru_eka, ortu_fajar):
    response = login(guru_eka).post(
        url("answer-create", question), {"body": "Telepon saja saya di 0812-3456-7890."}
    )
    answer = Answer.objects.get()
    assert response.status_code == 302
    assert answer.status == Answer.Status.PENDING
    question.refresh_from_db()
    assert question.answer_count == 0
    assert "0812-3456-7890" not in login(ortu_fajar).get(detail(question)).content.decode()


# --- New accounts ------------------------------------------------------------------------------


def test_new_accounts_first_posts_wait_and_links_are_plain_text(
    monkeypatch, login, ortu_fajar, koordinator_ani, guru_eka
):
    monkeypatch.undo()  # the real rules
    first = ask(ortu_fajar, body="Lihat [panduan ini](https://example.org/panduan) ya.")
    assert first.status == Question.Status.PENDING
    assert ModerationNote.objects.get(question=first).held_for_new_account
    assert first.links_allowed is False
    services.post_approve(post=first, by=koordinator_ani)
    second = ask(ortu_fajar, title="Pertanyaan kedua saya di forum")
    assert second.status == Question.Status.PENDING
    services.post_approve(post=second, by=koordinator_ani)
    third = ask(ortu_fajar, title="Pertanyaan ketiga saya di forum")
    assert third.status == Question.Status.PUBLISHED  # two published posts: trusted to post
    page = login(guru_eka).get(detail(first)).content.decode()
    assert 'href="https://example.org/panduan"' not in page
    assert "[panduan ini](https://example.org/panduan)" in page


def test_links_of_older_accounts_are_links(monkeypatch, login, ortu_fajar, koordinator_ani):
    monkeypatch.undo()
    for n in range(3):
        earlier = ask(ortu_fajar, title=f"Pertanyaan lama nomor {n}")
        if earlier.is_pending:
            services.post_approve(post=earlier, by=koordinator_ani)
    ortu_fajar.date_joined = timezone.now() - timedelta(days=8)
    ortu_fajar.save()
    question = ask(ortu_fajar, body="Baca [panduan](https://example.org/p) ini.")
    assert question.status == Question.Status.PUBLISHED and question.links_allowed
    page = login(ortu_fajar).get(detail(question)).content.decode()
    assert '<a href="https://example.org/p" rel="nofollow noopener ugc">panduan</a>' in page


def test_programme_staff_are_not_new_accounts(monkeypatch, psikolog_gita, question):
    monkeypatch.undo()
    answer = reply(
        question, psikolog_gita, body="Lihat https://kemenpppa.go.id dan [ini](https://a.id)."
    )
    assert answer.status == Answer.Status.PUBLISHED and answer.links_allowed


# --- A question's page -------------------------------------------------------------------------


def test_detail_shows_answers_with_the_verified_badge(login, question, psikolog_gita, guru_eka):
    reply(question, psikolog_gita, body="Jawaban dari psikolog.")
    reply(question, guru_eka, body="Jawaban dari guru.")
    page = login(guru_eka).get(detail(question)).content.decode()
    assert page.count("forum-verified") == 1
    assert "Psychologist" in page or "Psikolog" in page


def test_unknown_question_is_404(login, ortu_fajar):
    client = login(ortu_fajar)
    assert client.get(reverse("forum:question-detail", args=[uuid4()])).status_code == 404
    assert client.get("/forum/p/bukan-uuid/").status_code == 404


def test_detail_query_count_is_constant(
    login, question, guru_eka, psikolog_gita, django_assert_num_queries
):
    client = login(guru_eka)
    reply(question, psikolog_gita)
    client.get(detail(question))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(detail(question))
    for n in range(15):
        answer = reply(question, guru_eka if n % 2 else psikolog_gita, body=f"Jawaban ke-{n}.")
        if n % 2 == 0:
            services.answer_mark_helpful(answer=answer, by=guru_eka)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(detail(question))
    assert len(response.context["answers"]) == 16


# --- Private questions -------------------------------------------------------------------------


@pytest.fixture
def private(ortu_fajar):
    return ask(ortu_fajar, title="Pertanyaan pribadi tentang anak saya", private=True)


@pytest.mark.parametrize(
    "persona", ["ortu_fajar", "koordinator_ani", "peksos_budi", "psikolog_gita"]
)
def test_private_question_is_seen_by_the_asker_and_staff(login, request, persona, private):
    response = login(request.getfixturevalue(persona)).get(detail(private))
    assert response.status_code == 200
    assert private.title in response.content.decode()


@pytest.mark.parametrize(
    "persona",
    ["ortu_rina_sdn2", "guru_eka", "pendamping_hadi", "sosdesk_citra_sdn1", "kepsek_indah"],
)
def test_private_question_is_404_for_everyone_else(login, request, persona, private, psikolog_gita):
    answer = reply(private, psikolog_gita)
    client = login(request.getfixturevalue(persona))
    assert client.get(detail(private)).status_code == 404
    assert (
        client.post(url("answer-create", private), {"body": "Saya ikut menjawab."}).status_code
        == 404
    )
    assert client.post(url("answer-helpful", answer)).status_code == 404
    assert client.post(url("answer-accept", answer)).status_code == 404
    assert private.title not in client.get(LIST).content.decode()
    assert Answer.objects.count() == 1 and not HelpfulMark.objects.exists()


def test_staff_reading_a_private_question_is_audited(login, private, psikolog_gita, ortu_fajar):
    login(psikolog_gita).get(detail(private))
    login(ortu_fajar).get(detail(private))  # the asker's own reading is not
    events = AuditEvent.objects.for_object(private).filter(action="forum_private_question_viewed")
    assert [e.actor for e in events] == [psikolog_gita]


def test_staff_see_private_questions_in_the_list(login, private, psikolog_gita):
    assert private.title in login(psikolog_gita).get(LIST).content.decode()


# --- Pseudonyms --------------------------------------------------------------------------------


@pytest.fixture
def ortu_fajar_named(ortu_fajar):
    ortu_fajar.first_name = "Fajar Kurniawan"
    ortu_fajar.save()
    return ortu_fajar


@pytest.fixture
def pseudonymous(ortu_fajar_named):
    return ask(ortu_fajar_named, title="Anak saya jadi pendiam sejak naik kelas", pseudonymous=True)


@pytest.mark.parametrize("persona", ["ortu_rina_sdn2", "guru_eka", "psikolog_gita"])
def test_pseudonym_hides_the_name_from_other_users(login, request, persona, pseudonymous):
    client = login(request.getfixturevalue(persona))
    for page in [client.get(detail(pseudonymous)), client.get(LIST)]:
        html = page.content.decode()
        assert pseudonymous.title in html
        assert "Fajar" not in html and "ortu_fajar" not in html


@pytest.mark.parametrize("persona", ["koordinator_ani", "peksos_budi"])
def test_moderators_see_who_asked_under_a_pseudonym(login, request, persona, pseudonymous):
    html = login(request.getfixturevalue(persona)).get(detail(pseudonymous)).content.decode()
    assert "Fajar Kurniawan" in html


def test_the_asker_sees_their_name_and_the_pseudonym(login, ortu_fajar_named, pseudonymous):
    html = login(ortu_fajar_named).get(detail(pseudonymous)).content.decode()
    assert "Fajar Kurniawan" in html


def test_the_askers_own_answer_stays_behind_the_pseudonym(
    login, ortu_fajar_named, pseudonymous, guru_eka
):
    answer = reply(pseudonymous, ortu_fajar_named, body="Terima kasih semuanya, sudah membaik.")
    assert answer.pseudonymous
    assert "Fajar" not in login(guru_eka).get(detail(pseudonymous)).content.decode()


def test_the_pseudonym_never_reaches_an_email(
    ortu_fajar_named, pseudonymous, guru_eka, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reply(pseudonymous, guru_eka, body="Coba ajak bicara pelan-pelan.")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [ortu_fajar_named.email]
    assert pseudonymous.title not in message.body and "pelan-pelan" not in message.body
    assert detail(pseudonymous) in message.body


# --- Answering ---------------------------------------------------------------------------------


def test_answer_happy_path(login, question, guru_eka, ortu_fajar):
    client = login(guru_eka)
    response = client.post(
        url("answer-create", question),
        {"body": "Bicarakan dengan wali kelas.", "idempotency_key": str(uuid4())},
    )
    answer = Answer.objects.get()
    assert response["Location"] == f"{detail(question)}#jawaban-{answer.uid}"
    question.refresh_from_db()
    assert question.answer_count == 1 and question.last_answer_at
    assert AuditEvent.objects.for_object(answer).get().action == "forum_answer_posted"


@pytest.mark.parametrize("body", ["", "x" * 5001, "nol \x00 di sini"])
def test_answer_bad_input_keeps_the_page_and_the_text(login, question, guru_eka, body):
    response = login(guru_eka).post(url("answer-create", question), {"body": body})
    assert response.status_code == 200
    assert "body" in response.context["answer_form"].errors
    assert question.title in response.content.decode()
    if body:
        assert body.replace("\x00", "")[:50] in response.content.decode().replace("\x00", "")
    assert not Answer.objects.exists()


def test_a_held_question_cannot_be_answered(login, ortu_fajar, guru_eka, koordinator_ani):
    held = ask(ortu_fajar, body="Anak saya Budi sering dipukul.")
    response = login(koordinator_ani).post(url("answer-create", held), {"body": "Baik, kami cek."})
    assert response.status_code == 403
    assert (
        login(guru_eka).post(url("answer-create", held), {"body": "Saya juga."}).status_code == 404
    )
    assert not Answer.objects.exists()


# --- Accepting an answer -----------------------------------------------------------------------


def test_the_asker_accepts_an_answer(login, question, answered, ortu_fajar):
    response = login(ortu_fajar).post(url("answer-accept", answered))
    assert response["Location"].endswith(f"#jawaban-{answered.uid}")
    question.refresh_from_db()
    assert question.accepted_answer == answered
    page = login(ortu_fajar).get(detail(question)).content.decode()
    assert "forum-accepted" in page


@pytest.mark.parametrize("persona", ["koordinator_ani", "peksos_budi", "psikolog_gita"])
def test_staff_may_accept_an_answer(login, request, persona, question, answered):
    assert (
        login(request.getfixturevalue(persona)).post(url("answer-accept", answered)).status_code
        == 302
    )
    question.refresh_from_db()
    assert question.accepted_answer == answered


@pytest.mark.parametrize(
    "persona", ["guru_eka", "ortu_rina_sdn2", "pendamping_hadi", "kepsek_indah"]
)
def test_others_may_not_accept_an_answer(login, request, persona, question, answered):
    assert (
        login(request.getfixturevalue(persona)).post(url("answer-accept", answered)).status_code
        == 403
    )
    question.refresh_from_db()
    assert question.accepted_answer is None


def test_a_held_answer_cannot_be_accepted(login, question, ortu_fajar, guru_eka):
    held = reply(question, guru_eka, body="Hubungi 081234567890.")
    assert login(ortu_fajar).post(url("answer-accept", held)).status_code == 404  # not visible
    assert login(guru_eka).post(url("answer-accept", held)).status_code == 403


# --- Helpful marks -----------------------------------------------------------------------------


def test_helpful_mark_toggles_once_per_user(login, answered, guru_eka, ortu_fajar):
    client = login(guru_eka)
    client.post(url("answer-helpful", answered))
    client.post(url("answer-helpful", answered))
    client.post(url("answer-helpful", answered))
    login(ortu_fajar).post(url("answer-helpful", answered))
    answered.refresh_from_db()
    assert answered.helpful_count == 2
    assert HelpfulMark.objects.filter(answer=answered).count() == 2
    response = login(guru_eka).post(url("answer-helpful", answered), follow=True)
    assert messages_of(response)
    answered.refresh_from_db()
    assert answered.helpful_count == 1


def test_nobody_marks_their_own_answer_helpful(login, answered, psikolog_gita):
    assert login(psikolog_gita).post(url("answer-helpful", answered)).status_code == 403
    answered.refresh_from_db()
    assert answered.helpful_count == 0


def test_unknown_answer_is_404(login, ortu_fajar):
    target = reverse("forum:answer-helpful", args=[uuid4()])
    assert login(ortu_fajar).post(target).status_code == 404
