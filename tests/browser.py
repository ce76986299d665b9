"""Shared pieces of the browser tests (Debian's Chromium through Playwright).

The fixtures here are registered for every test by tests/conftest.py. Any console error
fails a test that uses `problems`: CSP violations, broken scripts and failed resources all
show up there.
"""

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
KNOWN_MISSING: tuple[str, ...] = ()


# --- Database connections around Playwright ---------------------------------------------
# Playwright's sync API keeps an event loop running in this thread, and while it runs Django
# keeps database connections in a separate (async-context) storage. A connection opened on
# one side of that switch is unreachable from the other and is never closed, so PostgreSQL
# refuses to drop the test database at the end ("being accessed by other users"). Close each
# side's connections at the switch. (Belongs in tests/conftest.py.)


@pytest.fixture(scope="session")
def _db_closed_before_playwright() -> None:
    connections.close_all()


# The embedded default runs the tests on an in-memory SQLite database, which the live server's
# threads share as one connection: a page loading several images from views at once (QR
# codes, photos) makes concurrent calls on it and SQLite answers "bad parameter or other API
# misuse". One request at a time there (the browser waits; the server closes connections
# instead of keeping them alive). PostgreSQL (CI) keeps the threaded server.
def _serialise_live_server_on_sqlite() -> None:
    from django.conf import settings
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class OneRequestAtATime(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            # The live server thread has already put the shared connections in place.
            super().__init__(*args, **kwargs)

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        LiveServerThread.server_class = OneRequestAtATime


_serialise_live_server_on_sqlite()


@pytest.fixture(scope="session")
def playwright(_db_closed_before_playwright, playwright):
    yield playwright
    connections.close_all()  # still inside the event loop: its connections


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """The browser of an Indonesian user: LocaleMiddleware follows Accept-Language."""
    return {**browser_context_args, "locale": "id-ID"}


# --- Helpers ------------------------------------------------------------------------------


class PageProblems:
    """Console errors, uncaught exceptions and failed responses seen by a page."""

    def __init__(self, page: Page):
        self.errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        page.on("requestfailed", self._on_request_failed)
        page.on(
            "response",
            lambda resp: (
                self.errors.append(f"HTTP {resp.status}: {resp.url}")
                if resp.status >= 400
                else None
            ),
        )

    def _on_request_failed(self, request) -> None:
        # A request the browser cancelled because the page navigated on (an icon or font
        # still loading when the test clicks) is not a fault of the page; anything else is.
        if request.failure == "net::ERR_ABORTED":
            return
        self.errors.append(f"failed: {request.url} ({request.failure})")

    def _on_console(self, message) -> None:
        url = message.location.get("url") or ""
        if message.type == "error" and not url.endswith(KNOWN_MISSING):
            self.errors.append(f"console: {message.text} ({url})")


@pytest.fixture
def problems(page: Page) -> Iterator[PageProblems]:
    seen = PageProblems(page)
    yield seen
    assert seen.errors == [], "\n".join(seen.errors)


@pytest.fixture
def shots(output_path) -> Path:
    folder = Path(output_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


BROKEN_IMAGES_JS = """() => [...document.images]
  .filter(i => !(i.complete && i.naturalWidth)).map(i => i.alt || i.src)"""
# Bootstrap Icons draws a glyph in ::before; a class the font does not know draws nothing.
MISSING_ICONS_JS = """() => [...document.querySelectorAll('i.bi')]
  .filter(i => ['none', 'normal', ''].includes(getComputedStyle(i, '::before').content))
  .map(i => i.className)"""


def screenshot(page: Page, folder: Path, name: str, *, check_images: bool = True) -> None:
    """Desktop and phone screenshots of the current page; the phone one must not scroll sideways."""
    page.set_viewport_size(DESKTOP)
    if check_images:
        # Images served by views (QR codes, photos) may still be on their way.
        # On a timeout the assertion below names the images that did not arrive.
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(
                "() => [...document.images].every(i => i.complete)", timeout=5000
            )
        assert page.evaluate(BROKEN_IMAGES_JS) == [], f"{name}: images that did not load"
    page.screenshot(path=str(folder / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.reload()
    page.wait_for_load_state("load")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    page.screenshot(path=str(folder / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    assert overflow <= 0, f"{name}: the page is {overflow}px wider than a 360px phone"


def log_in(page: Page, live_server, username: str) -> None:
    from tests.conftest import PASSWORD

    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/masuk/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", level=1)).to_have_text("Masuk")
    page.get_by_label("Nama pengguna atau e-mail").fill(username)
    page.get_by_label("Sandi", exact=False).fill(PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()


def expect_home(page: Page, live_server, first_name: str, role_label: str) -> None:
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page).to_have_title(re.compile(r"^Beranda · "))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Selamat datang, {first_name}")
    expect(page.locator("main")).to_contain_text(role_label)
