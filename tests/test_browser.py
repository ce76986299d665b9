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
from django.db import connection
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


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
            lambda resp: self.errors.append(f"HTTP {resp.status}: {resp.url}")
            if resp.status >= 400
            else None,
        )

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location.get('url')})")


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


def screenshot(page: Page, folder: Path, name: str) -> None:
    """Desktop and phone screenshots of the current page; the phone one must not scroll sideways."""
    page.set_viewport_size(DESKTOP)
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
    page.get_by_label("Kata sandi").fill(PASSWORD)
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
    page: Page, live_server, koordinator_ani, problems, shots
):
    log_in(page, live_server, "koordinator_ani")

    # Programme staff without a device are sent to enrol one.
    expect(page).to_have_url(re.compile(r"/2fa/daftar/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Atur faktor kedua")
    expect(page.get_by_role("img", name=re.compile("QR"))).to_be_visible()
    page.get_by_text("Tidak bisa memindai? Ketik kunci ini").click()
    secret = page.locator("details code").inner_text().replace(" ", "")
    screenshot(page, shots, "otp-enrol")

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
    screenshot(page, shots, "home-koordinator")
