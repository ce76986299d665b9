"""Helpers of the browser tests (Debian's Chromium through Playwright): viewports, the
problems a page shows, screenshots, logging in. Their fixtures are in tests/browser/conftest.py.
"""

import contextlib
import re
from pathlib import Path

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
KNOWN_MISSING: tuple[str, ...] = ()


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
    from tests.factories import PASSWORD

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
