"""Helpers shared by the forum's tests (no tests here): posting through the services, the
forum's URLs, and an HTML scanner for executable constructs (docs/quality.md S7)."""

import re
from html import unescape
from html.parser import HTMLParser

from django.urls import reverse

from forum import permissions, services
from forum.models import Category, Question

LIST = reverse("forum:question-list")
ASK = reverse("forum:question-create")
QUEUE = reverse("forum:moderation-queue")


REAL_POSTS_PER_WINDOW = services.POSTS_PER_WINDOW


def relax_new_account_rules(monkeypatch) -> None:
    """Most tests are not about new accounts or rates: every persona posts and links at once,
    as often as the test needs."""
    monkeypatch.setattr(services, "POSTS_PER_WINDOW", 1000)
    monkeypatch.setattr(services, "POSTS_PER_DAY", 1000)
    monkeypatch.setattr(permissions, "REVIEWED_FIRST_POSTS", 0)
    monkeypatch.setattr(permissions, "TRUSTED_AFTER_POSTS", 0)
    monkeypatch.setattr(permissions, "TRUSTED_AFTER_DAYS", 0)


def topic(slug: str = "perundungan") -> Category:
    return Category.objects.get(slug=slug)


def ask(author, *, title="Anak saya diejek teman sekelas, bagaimana?", body=None, **kwargs):
    return services.question_ask(
        author=author,
        category=kwargs.pop("category", None) or topic(),
        title=title,
        body=body or "Sudah dua minggu ia tidak mau berangkat sekolah. Apa yang bisa saya lakukan?",
        **kwargs,
    )


def reply(
    question: Question, author, body="Ajak anak bercerita dengan tenang, lalu temui wali kelas."
):
    return services.answer_post(question=question, author=author, body=body)


def detail(question) -> str:
    return reverse("forum:question-detail", args=[question.uid])


def url(name: str, post) -> str:
    return reverse(f"forum:{name}", args=[post.uid])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


class ExecutableFinder(HTMLParser):
    """Scripts not served by the app, event-handler attributes, javascript: URLs, and
    elements that run or embed code."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if name in {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"}:
                target = re.sub(r"[\s\x00-\x1f]", "", unescape(value or "")).lower()
                if target.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.found.append(f"<{tag} {name}={value}>")
            if name == "style" and "expression(" in (value or "").lower():
                self.found.append(f"<{tag} style=expression>")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                self.found.append("<script> not from /static/")
        embedding = tag in {
            "iframe",
            "object",
            "embed",
            "applet",
            "svg",
            "math",
            "base",
            "frameset",
        }
        if embedding or (tag == "meta" and not self._is_page_meta(attrs)):
            self.found.append(f"<{tag}>")

    @staticmethod
    def _is_page_meta(attrs) -> bool:
        names = {name for name, _ in attrs}
        return bool(names & {"charset", "name"}) and "http-equiv" not in names


def executable_constructs(html: str) -> list[str]:
    finder = ExecutableFinder()
    finder.feed(html)
    return finder.found
