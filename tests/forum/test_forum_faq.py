"""FAQ entries from private consultations: staff write a de-identified draft in their own
words, another moderator publishes it, every member reads and searches the published ones;
the asker is never shown (docs/design.md §3.10)."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forum import faq
from forum.models import FaqEntry
from peksos.core.models import AuditEvent
from tests.factories import ask, make_user, relax_new_account_rules, reply, topic
from tests.factories import post_url as url
from tests.factories import question_detail as detail

FAQ = reverse("forum:faq-list")
NEW = reverse("forum:faq-create")
STAFF = ["koordinator_ani", "peksos_budi", "psikolog_gita"]
NOT_STAFF = ["pendamping_hadi", "kepsek_indah", "guru_eka", "ortu_fajar", "sosdesk_citra_sdn1"]

PRIVATE_TITLE = "Anak saya Sinta sering dicubit di kelas 3A"
GOOD = {
    "category": "",
    "title": "Anak tidak mau sekolah karena diejek, apa yang bisa dilakukan?",
    "question_text": "Seorang orang tua bertanya tentang anaknya yang diejek teman.",
    "answer_text": "Dengarkan anak dengan tenang, lalu **temui wali kelas** bersama-sama.",
    "confirm": "on",
}


@pytest.fixture(autouse=True)
def _relaxed(monkeypatch):
    relax_new_account_rules(monkeypatch)


@pytest.fixture
def private(ortu_fajar, psikolog_gita):
    question = ask(
        ortu_fajar,
        title="Pertanyaan pribadi tentang ejekan teman",
        body="Anak saya diejek teman dan menangis setiap pagi.",
        private=True,
    )
    reply(question, psikolog_gita, body="Dengarkan anak dan temui wali kelas.")
    return question


def form_data(**changes):
    data = dict(GOOD, category=str(topic().pk), idempotency_key=str(uuid.uuid4()))
    data.update(changes)
    return data


def draft(by, **changes) -> FaqEntry:
    data = {k: v for k, v in GOOD.items() if k not in {"category", "confirm"}}
    data.update(changes)
    return faq.faq_create(source=None, category=topic(), by=by, **data)


# --- Writing from a private question -----------------------------------------------------------


@pytest.mark.parametrize("persona", STAFF)
def test_staff_write_a_draft_from_a_private_question(login, request, persona, private, ortu_fajar):
    user = request.getfixturevalue(persona)
    client = login(user)
    assert url("faq-create-from", private) in client.get(detail(private)).content.decode()
    page = client.get(url("faq-create-from", private))
    assert page.status_code == 200
    form = page.context["form"]
    # Nothing of the original is copied into the form.
    assert not form["title"].value() and not form["answer_text"].value()
    response = client.post(url("faq-create-from", private), form_data())
    entry = FaqEntry.objects.get()
    assert response["Location"] == url("faq-detail", entry)
    assert (entry.status, entry.source_question, entry.created_by) == ("draf", private, user)
    assert AuditEvent.objects.for_object(entry).filter(action="forum_faq_drafted").count() == 1
    # A draft is not for members.
    assert login(ortu_fajar).get(url("faq-detail", entry)).status_code == 404


def test_the_same_form_sent_twice_makes_one_entry(login, psikolog_gita, private):
    client = login(psikolog_gita)
    data = form_data()
    client.post(url("faq-create-from", private), data)
    client.post(url("faq-create-from", private), data)
    assert FaqEntry.objects.count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"title": PRIVATE_TITLE},  # a child's name and class
        {"answer_text": "Hubungi ibu Sinta di 081234567890."},
        {"confirm": ""},
        {"title": "pendek"},
        {"answer_text": ""},
        {"category": "999999"},
        {"answer_text": "x" * 5001},
    ],
)
def test_bad_input_is_refused_and_kept(login, psikolog_gita, private, changes):
    data = form_data(**changes)
    response = login(psikolog_gita).post(url("faq-create-from", private), data)
    assert response.status_code == 200 and response.context["form"].errors
    assert not FaqEntry.objects.exists()
    if changes.get("title"):
        assert response.context["form"]["title"].value() == changes["title"]


def test_the_askers_words_cannot_be_copied(login, psikolog_gita, private):
    data = form_data(question_text=private.body)
    response = login(psikolog_gita).post(url("faq-create-from", private), data)
    assert response.context["form"].has_error("__all__", "copied")
    assert not FaqEntry.objects.exists()


def test_a_question_without_a_published_answer_cannot_become_an_entry(
    login, psikolog_gita, ortu_fajar
):
    question = ask(ortu_fajar, title="Belum ada yang menjawab ini", private=True)
    assert login(psikolog_gita).get(url("faq-create-from", question)).status_code == 404


@pytest.mark.parametrize("persona", NOT_STAFF)
def test_others_cannot_write_entries(login, request, persona, private):
    client = login(request.getfixturevalue(persona))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data()).status_code == 403
    # The private question: its existence is not confirmed (404) or the role is refused (403).
    assert client.get(url("faq-create-from", private)).status_code in {403, 404}
    assert not FaqEntry.objects.exists()


def test_writing_needs_login_and_get_or_post(client, login, psikolog_gita, private):
    assert client.get(NEW)["Location"].startswith("/masuk/")
    assert client.get(url("faq-create-from", private))["Location"].startswith("/masuk/")
    assert login(psikolog_gita).put(NEW).status_code == 405


# --- Review and publication --------------------------------------------------------------------


def test_another_moderator_publishes_and_members_read_it_without_the_asker(
    login, psikolog_gita, koordinator_ani, peksos_budi, guru_eka, private, ortu_fajar
):
    entry = faq.faq_create(
        source=private,
        category=topic(),
        title=GOOD["title"],
        question_text=GOOD["question_text"],
        answer_text=GOOD["answer_text"],
        by=peksos_budi,
    )
    # The writer cannot publish their own entry; another moderator can.
    login(peksos_budi).post(url("faq-publish", entry))
    entry.refresh_from_db()
    assert entry.status == "draf"
    response = login(koordinator_ani).post(url("faq-publish", entry))
    assert response["Location"] == url("faq-detail", entry)
    entry.refresh_from_db()
    assert entry.is_published and entry.reviewed_by == koordinator_ani
    assert AuditEvent.objects.for_object(entry).filter(action="forum_faq_published").count() == 1
    page = login(guru_eka).get(url("faq-detail", entry)).content.decode()
    assert "<strong>temui wali kelas</strong>" in page
    assert ortu_fajar.first_name not in page and detail(private) not in page
    assert entry.title in login(guru_eka).get(FAQ).content.decode()
    # Staff see where it came from.
    assert detail(private) in login(psikolog_gita).get(url("faq-detail", entry)).content.decode()


def test_the_last_editor_cannot_publish_their_change(login, koordinator_ani, peksos_budi):
    entry = draft(peksos_budi)
    faq.faq_publish(entry=entry, by=koordinator_ani)
    client = login(koordinator_ani)
    data = form_data(answer_text="Jawaban yang diperbaiki tanpa nama siapa pun.")
    assert client.get(url("faq-edit", entry)).status_code == 200
    assert client.post(url("faq-edit", entry), data).status_code == 302
    entry.refresh_from_db()
    assert entry.status == "draf" and entry.answer_text.startswith("Jawaban yang diperbaiki")
    client.post(url("faq-publish", entry))
    entry.refresh_from_db()
    assert entry.status == "draf"
    login(peksos_budi).post(url("faq-publish", entry))
    entry.refresh_from_db()
    assert entry.is_published


def test_edit_refuses_identifying_text(login, psikolog_gita):
    entry = draft(psikolog_gita)
    data = form_data(question_text="Murid saya Andi di kelas 5B SDN 1 Metro.")
    response = login(psikolog_gita).post(url("faq-edit", entry), data)
    assert response.status_code == 200 and response.context["form"].errors
    entry.refresh_from_db()
    assert entry.question_text == GOOD["question_text"]


def test_withdraw_takes_it_away_from_members(login, psikolog_gita, peksos_budi, guru_eka):
    entry = draft(psikolog_gita)
    faq.faq_publish(entry=entry, by=peksos_budi)
    login(peksos_budi).post(url("faq-withdraw", entry))
    entry.refresh_from_db()
    assert entry.status == "ditarik"
    assert AuditEvent.objects.for_object(entry).filter(action="forum_faq_withdrawn").exists()
    assert login(guru_eka).get(url("faq-detail", entry)).status_code == 404
    assert login(psikolog_gita).get(url("faq-edit", entry)).status_code == 403


@pytest.mark.parametrize("persona", ["psikolog_gita", "guru_eka", "ortu_fajar"])
def test_only_moderators_publish_or_withdraw(login, request, persona, koordinator_ani):
    entry = draft(koordinator_ani)
    client = login(request.getfixturevalue(persona))
    expected = 403 if persona == "psikolog_gita" else 404  # members do not see drafts
    assert client.post(url("faq-publish", entry)).status_code == expected
    assert client.post(url("faq-withdraw", entry)).status_code == expected
    entry.refresh_from_db()
    assert entry.status == "draf"


def test_publish_and_withdraw_are_post_only(login, koordinator_ani, peksos_budi):
    entry = draft(peksos_budi)
    client = login(koordinator_ani)
    assert client.get(url("faq-publish", entry)).status_code == 405
    assert client.get(url("faq-withdraw", entry)).status_code == 405


# --- The list and search -----------------------------------------------------------------------


def test_members_search_published_entries(login, psikolog_gita, peksos_budi, ortu_fajar):
    ejek = draft(psikolog_gita)
    gawai = draft(
        psikolog_gita,
        title="Berapa lama anak SD boleh bermain gawai?",
        question_text="",
        answer_text="Buat kesepakatan waktu layar bersama anak.",
    )
    hidden = draft(psikolog_gita, title="Draf tentang ejekan yang belum terbit")
    for entry in (ejek, gawai):
        faq.faq_publish(entry=entry, by=peksos_budi)
    client = login(ortu_fajar)
    listed = client.get(FAQ)
    assert listed.status_code == 200
    assert {e.pk for e in listed.context["page"].items} == {ejek.pk, gawai.pk}
    assert not listed.context["drafts"]
    found = client.get(FAQ, {"q": "GAWAI layar"}).context["page"].items
    assert [e.pk for e in found] == [gawai.pk]
    assert [e.pk for e in client.get(FAQ, {"q": "diejek"}).context["page"].items] == [ejek.pk]
    none = client.get(FAQ, {"q": "tidakadasamasekali"})
    assert none.status_code == 200 and not none.context["page"].items
    assert hidden.title in login(psikolog_gita).get(FAQ).content.decode()


@pytest.mark.parametrize("q", ["x" * 500, "\x00<script>", "' OR 1=1 --", "%", "&&!!"])
def test_odd_searches_never_fail(login, ortu_fajar, q):
    # NUL: 400 before the database (tests/core/test_nul_bytes.py)
    expected = 400 if "\x00" in q else 200
    assert login(ortu_fajar).get(FAQ, {"q": q}).status_code == expected


def test_faq_pages_need_login_and_refuse_post(client, login, ortu_fajar, psikolog_gita):
    entry = draft(psikolog_gita)
    assert client.get(FAQ)["Location"].startswith("/masuk/")
    assert client.get(url("faq-detail", entry))["Location"].startswith("/masuk/")
    assert login(ortu_fajar).post(FAQ).status_code == 405


def test_faq_list_query_count_is_constant(login, psikolog_gita, peksos_budi, ortu_fajar):
    faq.faq_publish(entry=draft(psikolog_gita), by=peksos_budi)
    client = login(ortu_fajar)
    client.get(FAQ)
    with CaptureQueriesContext(connection) as few:
        client.get(FAQ)
    for n in range(12):
        faq.faq_publish(
            entry=draft(psikolog_gita, title=f"Pertanyaan umum nomor {n}"), by=peksos_budi
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(FAQ)
    assert len(response.context["page"].items) == 13
    assert len(many.captured_queries) == len(few.captured_queries)


def test_xss_sample_in_faq_entries_and_flags_is_never_executable(
    login, psikolog_gita, peksos_budi, koordinator_ani, guru_eka, ortu_fajar
):
    """docs/quality.md S7 for what staff and flaggers write: FAQ text (Markdown, nh3) and the
    flag details in the moderators' queue."""
    from pathlib import Path

    from forum.models import Flag
    from tests.forum.html_scan import executable_constructs

    sample = Path(__file__).resolve().parents[1] / "data" / "xss-forum-sample.txt"
    payloads = [line for line in sample.read_text().splitlines() if line.strip()]
    question = ask(ortu_fajar, title="Pertanyaan untuk diuji laporannya")
    answer = reply(question, guru_eka)
    for i, payload in enumerate(payloads):
        entry = FaqEntry.objects.create(
            category=topic(),
            title=payload[:150],
            question_text=payload,
            answer_text=payload,
            created_by=psikolog_gita,
            status=FaqEntry.Status.PUBLISHED,
        )
        page = login(ortu_fajar).get(url("faq-detail", entry)).content.decode()
        assert executable_constructs(page) == [], payload
        if i < 40:
            flagger = make_user(f"pelapor_{i}", "orang_tua")
            Flag.objects.create(answer=answer, user=flagger, reason="lain", text=payload[:300])
    listing = login(ortu_fajar).get(FAQ).content.decode()
    assert executable_constructs(listing) == []
    queue = login(koordinator_ani).get(reverse("forum:flag-queue")).content.decode()
    assert executable_constructs(queue) == []
    assert queue.count("badge text-bg-warning") >= 40
