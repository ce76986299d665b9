"""A filter over a long list (peksos.core.forms.LongModelChoiceField) in the browser: with 305
kecamatan the schools list sends only a few options, and typing part of a name asks
/wilayah/cari/kecamatan/ (searchable.js, Tom Select's `load`); choosing it filters the list.
Any console error fails the test (CSP included)."""

import re

import pytest
from playwright.sync_api import Page, expect

from schools.models import Kecamatan
from tests.browser import support as shared

PHONE, log_in = shared.PHONE, shared.log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def koordinator(settings, koordinator_ani, kota_metro):
    settings.REQUIRE_2FA = False  # this test is about the picker, not the second factor
    Kecamatan.objects.bulk_create(
        Kecamatan(code=f"11.01.{i:03d}", name=f"Kecamatan Jauh {i:03d}") for i in range(300)
    )
    return koordinator_ani


def test_typing_asks_the_server_and_the_choice_filters(
    page: Page, live_server, koordinator, problems, shots
):
    log_in(page, live_server, "koordinator_ani")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/sekolah/")
    page.locator("summary").first.click()
    assert page.locator("#id_kecamatan option").count() == 1 + 20  # not 1 + 305
    box = page.locator(".ts-wrapper", has=page.locator("#id_kecamatan-ts-control"))
    expect(box).to_have_count(1)
    expect(page.locator("[data-long-hint]").first).to_be_hidden()
    box.locator(".ts-control").click()
    expect(box.locator(".ts-control input")).to_be_focused()
    page.keyboard.type("metro pus")
    options = page.locator(".ts-dropdown .option")
    expect(options).to_have_count(1, timeout=10_000)
    expect(options.first).to_have_text("Metro Pusat")
    page.screenshot(path=str(shots / "long-filter-typed-phone.png"), full_page=False)
    options.first.click()
    expect(page.locator("#id_kecamatan")).to_have_value("18.72.01")
    page.locator("h1").click()  # close the dropdown
    page.locator("form[method=get] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"kecamatan=18\.72\.01"))
