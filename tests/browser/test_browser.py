"""The login flow in a real browser (Debian's Chromium through Playwright), in Indonesian.

Any console error fails a test: CSP violations, scripts that break and resources that do
not load all show up there. Screenshots (desktop and phone) go to pytest-playwright's
output folder, test-results/<test>/.
"""

import base64
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from schools.models import School
from tests.browser.support import (
    BROKEN_IMAGES_JS,
    DESKTOP,
    MISSING_ICONS_JS,
    PHONE,
    expect_home,
    log_in,
    screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
    # The Koordinator's dashboard counts the whole register and links to it.
    expect(page.get_by_role("link", name=re.compile(rf"^{schools}\b"))).not_to_have_count(0)
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
