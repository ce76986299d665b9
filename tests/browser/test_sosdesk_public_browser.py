"""A pupil reports from a cheap phone (360 px wide) in a real browser: the draft survives a
reload, the report is sent anonymously, and the code and PIN open the tracking page.

Any console error fails the test (CSP violations show up there). Phone screenshots go to
test-results/<test>/.
"""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sosdesk.models import Case, Desk
from tests.browser import support as shared

# The shared fixtures of the browser tests: the audit log made flushable after a
# transactional test, an Indonesian browser, console errors failing the test, screenshots.
PHONE = shared.PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARRATIVE = "Teman sekelas saya dipukul dan diejek setiap hari di belakang kelas."
DRAFT_KEY = "peksos-report-draft:"


def phone_shot(page: Page, folder: Path, name: str) -> None:
    """A full-page phone screenshot; the page must not scroll sideways at 360 px."""
    page.wait_for_load_state("load")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    page.screenshot(path=str(folder / f"{name}-phone.png"), full_page=True)
    assert overflow <= 0, f"{name}: the page is {overflow}px wider than a 360px phone"


@pytest.fixture
def desk(school_a) -> Desk:
    return Desk.objects.create(school=school_a)


def test_pupil_reports_on_a_phone_and_follows_the_report(
    page: Page, live_server, desk, problems, shots
):
    page.set_viewport_size(PHONE)

    # The start page finds the school.
    page.goto(f"{live_server.url}/lapor/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    page.locator("#school-q").fill("sdn 1 metro pusat")
    page.locator("#school-q").press("Enter")
    link = page.locator("#school-results a")
    expect(link).to_have_count(1)
    expect(link).to_contain_text(desk.school.name)
    phone_shot(page, shots, "1-start")
    link.click()

    # The form: type, tick, and the draft note appears.
    expect(page).to_have_url(f"{live_server.url}/lapor/{desk.public_code}/")
    # The draft script restores a saved draft once the page has loaded: let it finish first,
    # or on a slow machine it can undo a tick made before it ran.
    page.wait_for_load_state("networkidle")
    expect(page.locator("#draft-status")).to_be_hidden()
    page.locator("#id_narrative").fill(NARRATIVE)
    page.locator("#id_violence_0").check()  # physical
    page.locator("#id_violence_2").check()  # bullying
    page.locator("#id_modalities_1").check()  # with words
    page.locator("#id_occurred_text").fill("setiap hari")
    expect(page.locator("#draft-status")).to_be_visible()
    stored = page.evaluate(f"localStorage.getItem('{DRAFT_KEY}{desk.public_code}')")
    assert NARRATIVE in stored
    assert "idempotency_key" not in stored and "csrfmiddlewaretoken" not in stored

    # A reload, and a fresh visit (as after the phone restarts): the draft comes back.
    page.reload()
    expect(page.locator("#id_narrative")).to_have_value(NARRATIVE)
    page.goto("about:blank")
    page.goto(f"{live_server.url}/lapor/{desk.public_code}/")
    expect(page.locator("#id_narrative")).to_have_value(NARRATIVE)
    expect(page.locator("#id_occurred_text")).to_have_value("setiap hari")
    expect(page.locator("#id_violence_0")).to_be_checked()
    expect(page.locator("#id_violence_2")).to_be_checked()
    expect(page.locator("#id_violence_1")).not_to_be_checked()
    expect(page.locator("#id_modalities_1")).to_be_checked()
    expect(page.locator("#id_identity_0")).to_be_checked()  # anonymous is the default
    expect(page.locator("#draft-status")).to_be_visible()
    phone_shot(page, shots, "2-form-with-draft")

    # Send it anonymously: the receipt shows the code and PIN, and the draft is gone.
    page.locator("#report-form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/lapor/terkirim/")
    code = page.locator("#receipt-code").inner_text().strip()
    pin = page.locator("#receipt-pin").inner_text().strip()
    assert len(code) == 8 and pin.isdigit() and len(pin) == 6
    assert page.evaluate(f"localStorage.getItem('{DRAFT_KEY}{desk.public_code}')") is None
    phone_shot(page, shots, "3-receipt")

    case = Case.objects.get(code=code)
    assert case.anonymous and case.narrative == NARRATIVE
    assert case.forms == ["fisik", "perundungan"] and case.modalities == ["verbal"]
    assert case.check_pin(pin)

    # Follow the report with the code and PIN.
    page.locator("main a[href='/lapor/lacak/']").click()
    expect(page).to_have_url(f"{live_server.url}/lapor/lacak/")
    page.locator("#id_code").fill(code.lower())
    page.locator("#id_pin").fill(pin)
    phone_shot(page, shots, "4-track-login")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/lapor/lacak/kasus/")
    expect(page.locator("#case-status")).to_have_attribute("data-status", "diterima")
    expect(page.locator("h1")).to_contain_text(code)
    page.locator("details summary").click()
    expect(page.locator("#case-narrative")).to_have_text(NARRATIVE)
    phone_shot(page, shots, "5-track-case")

    # A message to the desk, then leaving.
    page.locator("#id_body").fill("Hari ini terjadi lagi saat istirahat.")
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator("#thread")).to_contain_text("Hari ini terjadi lagi saat istirahat.")
    phone_shot(page, shots, "6-track-message")
    page.locator("form[action='/lapor/lacak/keluar/'] button").click()
    expect(page).to_have_url(f"{live_server.url}/lapor/lacak/")


def test_form_works_without_javascript(browser, live_server, desk, shots):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="id-ID")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/lapor/{desk.public_code}/")
        expect(page.locator("#draft-status")).to_be_hidden()
        page.locator("#id_narrative").fill("Pendek")  # too short: the page says so
        page.locator("#id_violence_3").check()
        page.locator("#report-form button[type=submit]").click()
        expect(page.locator("#form-errors")).to_be_visible()
        expect(page.locator("#id_narrative")).to_have_value("Pendek")
        expect(page.locator("#id_violence_3")).to_be_checked()
        phone_shot(page, shots, "form-errors-no-js")
        page.locator("#id_narrative").fill(NARRATIVE)
        page.locator("#report-form button[type=submit]").click()
        expect(page.locator("#receipt-code")).to_be_visible()
        assert Case.objects.get().forms == ["seksual"]
    finally:
        context.close()


def test_officer_verifies_and_refers_then_the_pupil_reads_the_reply(
    browser, page: Page, live_server, desk, sosdesk_citra_sdn1, psikolog_gita, problems, shots
):
    from sosdesk import services

    receipt = services.case_file(
        school=desk.school,
        channel=Case.Channel.PUBLIC_FORM,
        narrative=NARRATIVE,
        forms=["perundungan"],
        modalities=["verbal"],
        scope="dalam",
        affected=["murid"],
        ongoing_danger="tidak",
    )
    code, pin = receipt.case.code, receipt.pin

    # The desk officer, on a desktop: verify, refer to the psychologist, write to the pupil.
    shared.log_in(page, live_server, "sosdesk_citra")
    page.goto(f"{live_server.url}/sosdesk/kasus/{code}/")
    expect(page.locator("h1")).to_contain_text(code)

    def action(path: str):
        form = page.locator(f"form[action='/sosdesk/kasus/{code}/{path}/']")
        page.locator("details", has=form).locator("summary").click()
        return form

    form = action("status")
    form.locator("select[name=to]").select_option("verifikasi")
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert Case.objects.get(code=code).status == Case.Status.VERIFYING

    form = action("rujuk")
    form.locator("select[name=partner]").select_option("psikolog")
    form.locator("select[name=psikolog]").select_option(str(psikolog_gita.pk))
    form.locator("textarea[name=reason]").fill("Perlu pendampingan psikolog untuk korban.")
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    case = Case.objects.get(code=code)
    assert case.status == Case.Status.REFERRED
    assert case.referrals.get().psikolog == psikolog_gita

    reply = "Terima kasih sudah melapor. Laporanmu sedang kami tangani bersama psikolog."
    form = action("pesan")
    form.locator("textarea[name=body]").fill(reply)
    form.locator("button[type=submit]").click()
    expect(page.locator("#h-thread").locator("xpath=..")).to_contain_text(reply)
    page.screenshot(path=str(shots / "officer-case-desktop.png"), full_page=True)

    # The pupil, on a phone in another browser, reads the reply with the code and PIN.
    context = browser.new_context(viewport=PHONE, locale="id-ID")
    pupil = context.new_page()
    try:
        pupil.goto(f"{live_server.url}/lapor/lacak/")
        pupil.locator("#id_code").fill(code)
        pupil.locator("#id_pin").fill(pin)
        pupil.locator("main form button[type=submit]").click()
        expect(pupil).to_have_url(f"{live_server.url}/lapor/lacak/kasus/")
        expect(pupil.locator("#case-status")).to_have_attribute("data-status", "dirujuk")
        expect(pupil.locator("#thread")).to_contain_text(reply)
        expect(pupil.locator("#thread")).not_to_contain_text("Citra")  # no staff names
        phone_shot(pupil, shots, "7-pupil-reads-reply")
    finally:
        context.close()
