"""The login flow in a real browser (Debian's Chromium through Playwright), in Indonesian.

Any console error fails a test: CSP violations, scripts that break and resources that do
not load all show up there. Screenshots (desktop and phone) go to pytest-playwright's
output folder, test-results/<test>/.
"""

import base64
import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection, connections
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from schools.models import School
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
KNOWN_MISSING: tuple[str, ...] = ()


# --- Let pytest-django flush the database after a transactional test ----------------------
# The audit table is append-only (core migration 0002): on PostgreSQL a statement-level
# trigger refuses TRUNCATE, even of an empty table, and on SQLite a row trigger refuses
# DELETE (a login writes an audit row). pytest-django empties the database after a
# `transaction=True` test with exactly those statements, so the flush fails. The triggers
# are switched off just for that flush and back on before each test and after the module.
# (Belongs in tests/conftest.py; the same code is in tests/test_celery_worker.py.)


def _audit_triggers(*, on: bool) -> None:
    if connection.vendor == "postgresql":  # session-local: nothing to undo if the run dies
        with connection.cursor() as cursor:
            cursor.execute(f"SET session_replication_role = {'DEFAULT' if on else 'replica'}")
    elif connection.vendor == "sqlite":
        migration = importlib.import_module("peksos.core.migrations.0002_audit_append_only")
        with connection.cursor() as cursor:
            for sql in migration.SQLITE_DOWN + (migration.SQLITE_UP if on else []):
                cursor.execute(sql)


@pytest.fixture(scope="module")
def _audit_triggers_back_on(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        _audit_triggers(on=True)


@pytest.fixture(autouse=True)
def _audit_log_flushable(_audit_triggers_back_on, transactional_db):
    _audit_triggers(on=True)
    yield
    _audit_triggers(on=False)  # pytest-django's flush comes right after this teardown


# --- Database connections around Playwright ---------------------------------------------
# Playwright's sync API keeps an event loop running in this thread, and while it runs Django
# keeps database connections in a separate (async-context) storage. A connection opened on
# one side of that switch is unreachable from the other and is never closed, so PostgreSQL
# refuses to drop the test database at the end ("being accessed by other users"). Close each
# side's connections at the switch. (Belongs in tests/conftest.py.)


@pytest.fixture(scope="session")
def _db_closed_before_playwright() -> None:
    connections.close_all()


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
        page.on("requestfailed", lambda req: self.errors.append(f"failed: {req.url}"))
        page.on(
            "response",
            lambda resp: (
                self.errors.append(f"HTTP {resp.status}: {resp.url}")
                if resp.status >= 400
                else None
            ),
        )

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


# --- Tests --------------------------------------------------------------------------------


def test_guru_logs_in_and_sees_the_indonesian_home_page(
    page: Page, live_server, guru_eka, problems, shots
):
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/masuk/")
    screenshot(page, shots, "login")

    log_in(page, live_server, "guru_eka")  # a guru needs no second factor

    expect_home(page, live_server, "Eka", "Guru")
    expect(page.get_by_role("heading", name="Sekolah Anda")).to_be_visible()
    expect(page.locator("main")).to_contain_text("SD NEGERI 1 METRO PUSAT")
    screenshot(page, shots, "home-guru")


def test_koordinator_enrols_the_second_factor_then_reaches_home(
    page: Page, live_server, koordinator_ani, kota_metro, problems, shots
):
    log_in(page, live_server, "koordinator_ani")

    # Programme staff without a device are sent to enrol one.
    expect(page).to_have_url(re.compile(r"/2fa/daftar/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Atur faktor kedua")
    expect(page.get_by_role("img", name=re.compile("QR"))).to_be_visible()
    page.get_by_text("Tidak bisa memindai? Ketik kunci ini").click()
    secret = page.locator("details code").inner_text().replace(" ", "")
    screenshot(page, shots, "otp-enrol", check_images=False)  # see test_enrolment_qr_code_loads

    device = TOTPDevice.objects.get(user=koordinator_ani, confirmed=False)
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    assert key == device.bin_key  # the key typed by hand is the device's
    page.get_by_label("Kode").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Konfirmasi").click()

    # The recovery codes are shown once.
    expect(page).to_have_url(re.compile(r"/2fa/kode-pemulihan/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kode pemulihan")
    expect(page.locator("ul.recovery-codes li")).to_have_count(10)
    device.refresh_from_db()
    assert device.confirmed
    page.screenshot(path=str(shots / "recovery-codes-desktop.png"), full_page=True)
    # (No phone shot here: a reload would not show the codes again.)

    page.get_by_role("link", name="Saya sudah menyimpannya").click()
    expect_home(page, live_server, "Ani", "Koordinator")
    schools = School.objects.count()
    assert schools > 300  # the real register of Kota Metro
    expect(page.locator("main")).to_contain_text(f"Program ini mencakup {schools} sekolah")
    screenshot(page, shots, "home-koordinator")

    # On a phone the navigation folds into a menu button (Bootstrap's script, under the CSP).
    page.set_viewport_size(PHONE)
    nav = page.get_by_role("navigation", name="Navigasi utama")
    expect(nav.get_by_role("link", name="Beranda")).to_be_hidden()
    nav.get_by_role("button", name="Buka menu").click()
    expect(page.locator("#nav-main")).to_have_class(re.compile(r"\bcollapse show\b"))  # opened
    expect(nav.get_by_role("link", name="Beranda")).to_be_visible()
    expect(nav.get_by_role("button", name=re.compile("Ani"))).to_be_visible()
    page.screenshot(path=str(shots / "home-koordinator-phone-menu.png"), full_page=True)


# --- Former defects, kept as regression tests --------------------------------------------


def test_enrolment_qr_code_loads(page: Page, live_server, koordinator_ani, problems):
    log_in(page, live_server, "koordinator_ani")
    expect(page).to_have_url(re.compile(r"/2fa/daftar/"))
    assert page.evaluate(BROKEN_IMAGES_JS) == []


def test_every_icon_exists_in_bootstrap_icons(page: Page, live_server, problems):
    page.goto(f"{live_server.url}/masuk/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    assert page.evaluate(MISSING_ICONS_JS) == []
