"""Searchable pickers (static/js/searchable.js, Tom Select): on a phone, typing part of a
school's name finds it among the 308 and choosing it sets the form's own select; without
JavaScript the same select is a plain one. Any console error fails a test (CSP included)."""

import pytest
from playwright.sync_api import Browser, Page, expect

from schools.models import School
from tests.browser import support as shared

PHONE, log_in = shared.PHONE, shared.log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT_FORM = "/laporan/minta/"


@pytest.fixture
def koordinator(settings, koordinator_ani, kota_metro):
    settings.REQUIRE_2FA = False  # this test is about the picker, not the second factor
    return koordinator_ani


def test_typing_part_of_a_name_picks_the_school_on_a_phone(
    page: Page, live_server, koordinator, problems, shots
):
    school = School.objects.get(name="SD AL QURAN RAUDLOTUT THOLIBIN")
    log_in(page, live_server, "koordinator_ani")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{REPORT_FORM}")
    box = page.locator(".ts-wrapper", has=page.locator(".ts-control"))
    expect(box).to_have_count(1)
    # Replaced on screen and for screen readers (one combobox), still submitted with the form.
    expect(page.locator("#id_school")).to_have_attribute("aria-hidden", "true")
    expect(page.get_by_role("combobox", name="Sekolah")).to_have_count(1)
    assert page.locator("#id_school option").count() == 1 + 308  # the empty choice

    box.locator(".ts-control").click()
    page.keyboard.type("quran raudlotut")
    options = page.locator(".ts-dropdown .option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text(school.name)
    page.screenshot(path=str(shots / "picker-typed-phone.png"), full_page=False)
    options.first.click()
    expect(page.locator("#id_school")).to_have_value(school.npsn)
    expect(box.locator(".item")).to_have_text(school.name)
    # The field is optional: the clear button empties it again (its title in Indonesian).
    clear = box.locator(".clear-button")
    expect(clear).to_have_attribute("title", "Kosongkan pilihan")
    clear.click()
    expect(page.locator("#id_school")).to_have_value("")

    # A search that finds nothing says so in Indonesian.
    box.locator(".ts-control").click()
    # Under load the click may land before the search box takes the focus (seen in a full run
    # on 2 busy cores): give it the focus as a second tap would, or the keys are lost.
    box.locator(".ts-control input").focus()
    expect(box.locator(".ts-control input")).to_be_focused()
    page.keyboard.type("zzzz")
    expect(page.locator(".ts-dropdown .no-results")).to_have_text(
        "Tidak ada yang cocok. Coba bagian lain dari namanya.", timeout=10_000
    )
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def test_without_javascript_the_select_is_a_plain_one(
    browser: Browser, live_server, koordinator, shots
):
    context = browser.new_context(java_script_enabled=False, locale="id-ID", viewport=PHONE)
    page = context.new_page()
    log_in(page, live_server, "koordinator_ani")
    page.goto(f"{live_server.url}{REPORT_FORM}")
    select = page.locator("#id_school")
    expect(select).to_be_visible()
    expect(page.locator(".ts-wrapper")).to_have_count(0)
    school = School.objects.get(name="SD AL QURAN RAUDLOTUT THOLIBIN")
    select.select_option(school.npsn)
    expect(select).to_have_value(school.npsn)
    context.close()
