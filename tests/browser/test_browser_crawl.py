"""Every page as every persona, in a real browser (Debian's Chromium through Playwright).

For each persona (and an anonymous visitor) the crawl starts at the home page and follows
every same-origin link it finds, breadth first, at most MAX_PAGES pages, one page per URL
pattern (the first link found to it: a second school's page shows the same template). It
skips logging out, downloads (.ics/.pdf/.csv/.xlsx and any answer that is not HTML), the
technical admin and links to other sites. POST actions are forms, not links, so they are
never followed. Every page is checked at a desktop and a phone viewport:

- no console errors, no CSP violations, no failed requests (tests/browser/support.py PageProblems),
  in a browser context that enforces the CSP;
- no horizontal scrolling on the phone (documentElement.scrollWidth <= innerWidth);
- axe-core (tests/vendor/axe-core/) at both viewports: no `serious` or `critical`
  violations. axe is injected as a script, which the CSP rightly blocks, so this pass runs in
  a second context with `bypass_csp=True` (the first context, which checks the CSP, never
  bypasses it);
- the W3C Nu HTML checker (vnu.jar, fetched into var/vnu/ by `make vnu`, which .ci/run
  calls): no errors, on the HTML the server sent, all pages of a persona in one `java` run;
- Indonesian: `<html lang="id">` and no English UI words (see ENGLISH_UI_WORDS).

Findings in another team's pages that are reported, not yet fixed, are listed in KNOWN, each
with its reason; an entry that no longer happens fails the crawl so that it is removed.

Screenshots of every page (desktop and phone) go to $PEKSOS_SCREENSHOTS (default
var/screenshots/)/crawl/<persona>/.
"""

import json
import os
import re
import subprocess
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import Browser, Page

from sosdesk.models import Desk
from tests.browser.support import DESKTOP, PHONE, PageProblems, log_in
from tests.services import skip_or_fail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
VNU_VERSION = "26.9.27"  # the same as VNU_VERSION in the Makefile
VNU = Path(os.environ.get("PEKSOS_VNU_JAR") or ROOT / "var" / "vnu" / f"vnu-{VNU_VERSION}.jar")
HELP_SHOTS = ROOT / "static" / "help"
SCREENSHOTS = Path(os.environ.get("PEKSOS_SCREENSHOTS") or ROOT / "var" / "screenshots")

MAX_PAGES = 60  # per persona; the Koordinator reached 41 distinct patterns (27 Nov 2026)
SKIP_SUFFIXES = (".ics", ".pdf", ".csv", ".xlsx", ".png", ".svg", ".json")
SKIP_VIEWS = {"accounts:logout", "set_language", "healthz"}
SKIP_PREFIXES = ("/admin-teknis/", "/static/", "/media/")

# The Indonesian check. A string the user reads counts as English when it is, as a whole
# (case and a trailing colon ignored), one of these words or phrases: the labels of buttons,
# links, headings, table heads, form labels, options, and the placeholder/aria-label/title/
# value attributes. Whole strings only, and only words Indonesian does not share (no
# "Status", "Forum", "Detail", "Total", "Email", "No", "Filter", "Menu"), so that a real
# sentence or a name never trips it. Django's own widgets (pagination, file inputs) are the
# usual source of such leftovers.
ENGLISH_UI_WORDS = {
    "save", "cancel", "delete", "search", "next", "previous", "submit", "login", "log in",
    "log out", "logout", "sign in", "edit", "name", "date", "home", "back", "close", "yes",
    "add", "create", "update", "send", "reply", "settings", "help", "password", "username",
    "download", "upload", "clear", "currently", "change", "first", "last", "page", "school",
    "schools", "visits", "reports", "report", "questions", "answer", "answers", "open",
    "closed", "new", "show", "hide", "loading", "required", "optional", "description",
    "title", "actions", "view", "details", "confirm", "continue", "select", "choose",
    "unknown", "none", "today", "all", "my account", "change password", "main navigation",
    "open menu", "skip to main content", "language",
}  # fmt: skip

VISIBLE_STRINGS_JS = """() => {
  const out = [];
  const visible = el => el.checkVisibility ? el.checkVisibility() : !!el.offsetParent;
  const sel = 'a, button, label, th, h1, h2, h3, h4, h5, h6, legend, summary, caption, '
    + 'option, dt, .btn, .badge, .nav-link, .page-link, .form-text';
  for (const el of document.querySelectorAll(sel)) {
    const opt = el.tagName === 'OPTION';
    if (!opt && !visible(el)) continue;
    const text = (el.innerText || el.textContent || '').trim();
    if (text) out.push(text);
  }
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title], '
      + 'input[type=submit][value], input[type=button][value]')) {
    for (const a of ['placeholder', 'aria-label', 'title', 'value']) {
      if (a === 'value' && !['submit', 'button'].includes(el.type)) continue;
      const v = el.getAttribute(a);
      if (v && v.trim()) out.push(v.trim());
    }
  }
  return out;
}"""

LINKS_JS = """() => [...document.querySelectorAll('a[href]')]
  .filter(a => !a.hasAttribute('download') && !(a.target && a.target !== '_self'))
  .map(a => a.href)"""

AXE_RUN_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.impact} ${v.id}: ${v.help} -- `
      + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""


# Findings accepted for a stated reason: (URL pattern, a piece of the finding) -> why.
# Anything else fails the crawl. None at present.
KNOWN: dict[tuple[str, str], str] = {}


def is_known(pattern: str, finding: str) -> bool:
    return any(p == pattern and piece in finding for p, piece in KNOWN)


def english_strings(strings: list[str]) -> list[str]:
    found = []
    for text in strings:
        key = re.sub(r"[\s:*.…»«›‹]+$", "", text.strip()).strip().lower()
        if key in ENGLISH_UI_WORDS:
            found.append(text)
    return sorted(set(found))


# --- The data the crawl walks through ------------------------------------------------------


def seed_content(school_a, users) -> None:
    """A little of everything, so that detail pages are reachable from the lists."""
    from visits.models import Visit, VisitMember

    Desk.objects.get_or_create(school=school_a)
    peksos = users.get("peksos_budi")
    if peksos:
        from datetime import timedelta

        from django.utils import timezone

        visit = Visit(school=school_a, state=Visit.State.PROPOSED, kind=Visit.Kind.CAMPAIGN)
        day = timezone.localdate() + timedelta(days=14)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        visit.set_date(day)
        visit.save()
        VisitMember.objects.create(visit=visit, user=peksos, role=peksos.role)
    from sosdesk.models import Case
    from sosdesk.services import case_file

    case_file(
        school=school_a,
        channel=Case.Channel.IN_PERSON,
        narrative="Seorang murid didorong di lorong sekolah saat istirahat.",
        forms=["fisik"],
        modalities=["fisik"],
        scope="dalam",
        affected=["murid"],
        ongoing_danger="tidak",
        anonymous=True,
        reporter_name="",
        reporter_contact="",
        reporter_relation="murid",
    )
    from forum import services
    from forum.models import Category

    category = Category.objects.order_by("pk").first()
    parent, psikolog = users.get("ortu_fajar"), users.get("psikolog_gita")
    if category and parent:
        question = services.question_ask(
            author=parent,
            category=category,
            title="Anak saya diejek teman sekelas, bagaimana?",
            body="Sudah dua minggu ia tidak mau berangkat sekolah. Apa yang bisa saya lakukan?",
        )
        if psikolog:
            services.answer_post(
                question=question,
                author=psikolog,
                body="Ajak anak bercerita dengan tenang, lalu temui wali kelas.",
            )


PERSONAS = [
    "anonymous",
    "koordinator_ani",
    "peksos_budi",
    "psikolog_gita",
    "pendamping_hadi",
    "sosdesk_citra_sdn1",
    "kepsek_indah",
    "guru_eka",
    "ortu_fajar",
]
# Every persona's data exists in every run, so that a page reached by one persona shows the
# others' content (a parent's question on the psychologist's forum).
EVERYONE = [p for p in PERSONAS if p != "anonymous"]


@pytest.fixture
def world(request, settings, kota_metro, school_a, monkeypatch):
    settings.REQUIRE_2FA = False  # the crawl is about pages; the second factor has its tests
    from forum import permissions, services

    monkeypatch.setattr(services, "POSTS_PER_WINDOW", 1000)
    monkeypatch.setattr(permissions, "REVIEWED_FIRST_POSTS", 0)
    users = {}
    for name in EVERYONE:
        user = request.getfixturevalue(name)
        users[user.username] = user
    seed_content(school_a, users)
    return users


# --- The crawl ------------------------------------------------------------------------------


def pattern_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def crawl(
    page: Page, base: str, problems: PageProblems, folder: Path, starts: list[str], role: str
) -> dict[str, dict]:
    """Breadth first from the start pages; per pattern, its URL, HTML and findings. With
    PEKSOS_HELP_SHOTS=1 the role's home page on a phone is saved for the help page."""
    seen: dict[str, dict] = {}
    queue: deque[str] = deque(f"{base}{path}" for path in starts)
    queued = {pattern_of(path) for path in starts}  # one address per pattern is enough
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        problems.errors.clear()
        page.set_viewport_size(DESKTOP)
        response = page.goto(url)
        page.wait_for_load_state("load")
        final = urldefrag(page.url).url
        path = urlsplit(final).path
        pattern = pattern_of(path) or f"unknown:{path}"  # a broken link: its 404 fails
        ctype = (response.headers.get("content-type") or "") if response else ""
        if pattern in seen or "text/html" not in ctype:
            continue  # already seen under another address, or a download after all
        name = f"{len(seen):02d}-{re.sub(r'[^A-Za-z0-9_-]+', '-', pattern)}"
        found = {"url": final, "name": name, "problems": [], "html": response.text()}
        page.screenshot(path=str(folder / f"{name}-desktop.png"), full_page=True)
        found["english"] = english_strings(page.evaluate(VISIBLE_STRINGS_JS))
        found["lang"] = page.evaluate("document.documentElement.lang")
        links = page.evaluate(LINKS_JS)
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(50)  # let the layout settle after the resize
        found["overflow"] = page.evaluate(
            "document.documentElement.scrollWidth - window.innerWidth"
        )
        page.screenshot(path=str(folder / f"{name}-phone.png"), full_page=True)
        if pattern == "home" and role and os.environ.get("PEKSOS_HELP_SHOTS") == "1":
            HELP_SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(HELP_SHOTS / f"{role}-beranda.png"))
        found["problems"] = list(problems.errors)
        seen[pattern] = found
        for href in links:
            target = urldefrag(href).url
            parts = urlsplit(target)
            if f"{parts.scheme}://{parts.netloc}" != base:
                continue
            if parts.path.endswith(SKIP_SUFFIXES) or parts.path.startswith(SKIP_PREFIXES):
                continue
            target_pattern = pattern_of(parts.path) or f"unknown:{parts.path}"
            if target_pattern in SKIP_VIEWS | queued:
                continue
            queued.add(target_pattern)
            queue.append(target)
    return seen


def axe_violations(page: Page, pages: dict[str, dict]) -> dict[str, list[str]]:
    source = AXE.read_text()
    found: dict[str, list[str]] = {}
    for pattern, info in pages.items():
        page.set_viewport_size(DESKTOP)
        page.goto(info["url"])
        page.wait_for_load_state("load")
        page.add_script_tag(content=source)
        problems = page.evaluate(AXE_RUN_JS)
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(50)
        problems += [f"phone: {p}" for p in page.evaluate(AXE_RUN_JS)]
        if problems:
            found[pattern] = sorted(set(problems))
    return found


def vnu_errors(folder: Path, pages: dict[str, dict]) -> dict[str, list[str]]:
    """All pages in one java run; errors per pattern."""
    if not VNU.exists():
        skip_or_fail(f"vnu.jar ({VNU}: run .ci/run or see README)")
    files = {}
    for pattern, info in pages.items():
        path = folder / f"{info['name']}.html"
        path.write_text(info["html"])
        files[path.name] = pattern
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=folder,
    )
    output = (result.stderr.strip() or result.stdout.strip()).splitlines()
    assert output, f"vnu said nothing (exit {result.returncode})"
    report = json.loads(output[-1])  # the JSON report is the last line; Java may warn before
    found: dict[str, list[str]] = {}
    for message in report["messages"]:
        # Every message counts: one that names no known file is kept under its address.
        name = message.get("url", "?").rsplit("/", 1)[-1]
        found.setdefault(files.get(name, name), []).append(
            f"line {message.get('lastLine', '?')}: {message.get('message')} "
            f"[{message.get('extract', '').strip()}]"
        )
    assert found or result.returncode == 0, output
    return found


@pytest.fixture(scope="session")
def java() -> str:
    try:
        subprocess.run(["java", "-version"], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        skip_or_fail("java (Java 17+) for the W3C Nu HTML checker")
    return "java"


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_as_each_persona(
    persona: str, browser: Browser, live_server, world, java, browser_context_args
):
    folder = SCREENSHOTS / "crawl" / persona
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*"):
        old.unlink()
    base = live_server.url

    context = browser.new_context(**browser_context_args)  # the CSP applies here
    page = context.new_page()
    problems = PageProblems(page)
    if persona != "anonymous":
        username = world_username(world, persona)
        log_in(page, live_server, username)
        page.wait_for_url(f"{base}/")
    # A visitor also arrives at the public report form from the school's poster (QR code).
    starts = ["/", "/lapor/"] if persona == "anonymous" else ["/"]
    role = "" if persona == "anonymous" else world[world_username(world, persona)].role
    pages = crawl(page, base, problems, folder, starts, role)
    state = context.storage_state()
    context.close()

    context = browser.new_context(**browser_context_args, storage_state=state, bypass_csp=True)
    axe = axe_violations(context.new_page(), pages)
    context.close()
    vnu = vnu_errors(folder, pages)

    failures = []
    for pattern, info in pages.items():
        where = f"{pattern} ({info['url']})"
        errors = vnu.get(pattern, [])
        vnu[pattern] = [e for e in errors if not is_known(pattern, f"vnu {e}")]
        for known_pattern, piece in KNOWN:  # a fixed finding must leave KNOWN too
            if known_pattern == pattern and not any(piece in e for e in errors):
                failures.append(f"{where}: KNOWN {piece!r} no longer happens: remove it")
        failures += [f"{where}: {p}" for p in info["problems"]]
        if info["overflow"] > 0:
            failures.append(f"{where}: {info['overflow']}px wider than a 360px phone")
        if info["lang"] != "id":
            failures.append(f"{where}: <html lang={info['lang']!r}>")
        failures += [f"{where}: English on the page: {s!r}" for s in info["english"]]
        failures += [f"{where}: axe {v}" for v in axe.get(pattern, [])]
        failures += [f"{where}: vnu {e}" for e in vnu.pop(pattern, [])]
    failures += [f"{name}: vnu {e}" for name, errors in vnu.items() for e in errors]
    assert ("accounts:login" if persona == "anonymous" else "home") in pages, sorted(pages)
    assert len(pages) >= (3 if persona == "anonymous" else 5), sorted(pages)
    assert failures == [], f"{len(pages)} pages crawled:\n" + "\n".join(failures)


def world_username(world: dict, persona: str) -> str:
    """The username of a persona fixture (sosdesk_citra_sdn1 is sosdesk_citra)."""
    return next(name for name in world if persona.startswith(name))


def test_the_english_rule_flags_whole_labels_only():
    assert english_strings(["Save", "Next »", "Name:", "Simpan", "Status", "Save the date"]) == [
        "Name:",
        "Next »",
        "Save",
    ]
    assert english_strings(["Sekolah", "Data sekolah", "Tanggal", "Forum", "E-mail"]) == []
