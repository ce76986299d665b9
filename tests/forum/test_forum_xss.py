"""Stored XSS in the forum (docs/quality.md S7): every payload of the corpus sample as a question,
an answer and a display name renders with no executable construct; the Markdown subset and
nh3 keep only the allowed tags and http(s) links."""

from html.parser import HTMLParser
from pathlib import Path
from uuid import uuid4

import pytest
from django.core import mail

from forum.models import Answer, Question
from forum.rendering import render
from tests.factories import FORUM_ASK as ASK
from tests.factories import FORUM_LIST as LIST
from tests.factories import FORUM_QUEUE as QUEUE
from tests.factories import ask, relax_new_account_rules, reply, topic
from tests.factories import post_url as url
from tests.factories import question_detail as detail
from tests.forum.html_scan import executable_constructs

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "xss-forum-sample.txt"
PAYLOADS = [line for line in SAMPLE.read_text().splitlines() if line.strip()]

# Markdown's own ways to make links and images, on top of the corpus.
MARKDOWN_PAYLOADS = [
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik]( javascript:alert(1) )",
    "[klik](&#106;avascript:alert(1))",
    "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[klik](vbscript:msgbox(1))",
    "[klik][x]\n\n[x]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    '![x](https://example.org/x.png "onerror=alert(1)")',
    '[x](https://example.org/" onmouseover="alert(1))',
    "`<script>alert(1)</script>`",
    "    <script>alert(1)</script>",
    "> <img src=x onerror=alert(1)>",
    "**<svg onload=alert(1)>**",
]


@pytest.fixture(autouse=True)
def _relaxed(monkeypatch):
    relax_new_account_rules(monkeypatch)


def test_the_sample_is_big_enough():
    assert len(PAYLOADS) >= 45


class HrefCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.hrefs += [value or "" for name, value in attrs if name in {"href", "src"}]


def hrefs_in(html: str) -> list[str]:
    collector = HrefCollector()
    collector.feed(html)
    return collector.hrefs


def assert_clean(html: str, payload: str) -> None:
    found = executable_constructs(html)
    assert found == [], (payload, found)


@pytest.mark.parametrize("payload", PAYLOADS + MARKDOWN_PAYLOADS)
def test_render_never_makes_executable_html(payload):
    for links in (True, False):
        html = render(payload, links=links)
        assert_clean(html, payload)
        assert "<script" not in html.lower()
        assert all(href.startswith(("http://", "https://")) for href in hrefs_in(html)), html


def test_payloads_as_questions_and_answers_render_inert(
    login, ortu_fajar, guru_eka, koordinator_ani, django_capture_on_commit_callbacks
):
    client = login(ortu_fajar)
    asked = []
    with django_capture_on_commit_callbacks(execute=True):
        for payload in PAYLOADS + MARKDOWN_PAYLOADS:
            title = (payload.strip() + " — bagaimana?")[:150]
            data = {
                "category": topic().pk,
                "title": title,
                "body": payload,
                "idempotency_key": str(uuid4()),
            }
            response = client.post(ASK, data)
            if response.status_code == 200:  # a form error is a fine answer to odd input
                assert response.context["form"].errors
                assert_clean(response.content.decode(), payload)
                continue
            asked.append(Question.objects.get(idempotency_key=data["idempotency_key"]))
    assert len(asked) >= len(PAYLOADS)  # nearly all are stored as typed, then shown inert
    answerer = login(guru_eka)
    with django_capture_on_commit_callbacks(execute=True):
        for question in asked:
            if question.is_published:
                answerer.post(url("answer-create", question), {"body": question.body})
    assert Answer.objects.count() >= len(PAYLOADS) - 5
    for viewer in (guru_eka, koordinator_ani):  # the public view and the moderators' view
        client = login(viewer)
        for question in asked:
            assert_clean(client.get(detail(question)).content.decode(), question.body)
        assert_clean(client.get(LIST).content.decode(), "list")
        assert_clean(client.get(LIST, {"tampil": "saya"}).content.decode(), "mine")
    assert_clean(login(koordinator_ani).get(QUEUE).content.decode(), "queue")
    for message in mail.outbox:  # e-mails never carry a post's text
        for question in asked:
            assert question.body not in message.body


def test_held_payloads_render_inert_in_the_queue(login, ortu_fajar, koordinator_ani):
    for payload in PAYLOADS[:20]:
        ask(ortu_fajar, title="Anak saya Budi dan sebuah tautan", body=payload)
    html = login(koordinator_ani).get(QUEUE).content.decode()
    assert html.count("forum-body") == 20
    assert_clean(html, "queue")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_as_display_names_render_inert(
    login, ortu_fajar, guru_eka, koordinator_ani, payload
):
    ortu_fajar.first_name = payload[:150]
    ortu_fajar.save()
    question = ask(ortu_fajar, title="Pertanyaan dengan nama tampilan aneh")
    reply(question, ortu_fajar, body="Tambahan dari penanya.")
    for viewer in (guru_eka, koordinator_ani, ortu_fajar):
        client = login(viewer)
        assert_clean(client.get(detail(question)).content.decode(), payload)
        assert_clean(client.get(LIST).content.decode(), payload)
