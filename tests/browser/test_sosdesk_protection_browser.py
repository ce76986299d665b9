"""Protection of the reporter in a real browser (issue 19): a pupil on a 360 px phone sends a
report with a photo "only to the Dinas Sosial"; the school's desk officer does not find it;
the Koordinator opens it at 1280 px, downloads the photo (never shown inline) and names a
PEKSOS of another school to handle it.

Screenshots go to test-results/<test>/ (the shared `shots` fixture).
"""

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from sosdesk.models import Case, Desk
from tests.browser import support as shared

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARRATIVE = "Kepala sekolah membentak dan memukul teman saya di ruang guru."


@pytest.fixture
def people(settings, school_a, sosdesk_citra_sdn1, koordinator_ani, peksos_joko_sdn2):
    settings.REQUIRE_2FA = False  # this test is about the report's protection
    return sosdesk_citra_sdn1, koordinator_ani, peksos_joko_sdn2


@pytest.fixture
def photo(tmp_path) -> Path:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "CANARY-CAMERA-MAKER"
    Image.new("RGB", (64, 48), (90, 120, 160)).save(out, "JPEG", exif=exif.tobytes())
    path = tmp_path / "pesan-ancaman.jpg"
    path.write_bytes(out.getvalue())
    return path


def test_report_to_the_dinas_only_with_a_photo(
    page: Page, live_server, school_a, people, photo, problems, shots
):
    officer, koordinator, joko = people
    desk = Desk.objects.create(school=school_a)

    # The pupil, on a cheap phone.
    page.set_viewport_size(shared.PHONE)
    page.goto(f"{live_server.url}/lapor/{desk.public_code}/")
    page.wait_for_load_state("networkidle")
    page.locator("#id_narrative").fill(NARRATIVE)
    page.locator("#id_violence_0").check()
    expect(page.locator("#photo-warning")).to_contain_text("Foto bisa menunjukkan siapa")
    page.locator("#id_photos").set_input_files(str(photo))
    page.locator("#id_dinas_only").check()
    page.locator("#dinas-only").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "1-form-phone.png"), full_page=True)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the form is {overflow}px wider than a 360px phone"
    page.get_by_role("button", name="Kirim laporan").click()
    expect(page.locator("#receipt-code")).to_be_visible()
    expect(page.locator("main")).to_contain_text("tim sekolah tidak melihatnya")
    page.screenshot(path=str(shots / "2-receipt-phone.png"), full_page=True)
    case = Case.objects.get()
    assert case.dinas_only and case.attachments.count() == 1

    # The school's desk officer: no trace in the list, 404 on the case.
    context = page.context
    context.clear_cookies()
    shared.log_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/sosdesk/")
    expect(page.locator("main")).not_to_contain_text(case.code)
    response = page.goto(f"{live_server.url}/sosdesk/kasus/{case.code}/")
    assert response.status == 404
    problems.errors.clear()  # the 404 was the point

    # The Koordinator, at a desk.
    context.clear_cookies()
    shared.log_in(page, live_server, koordinator.username)
    page.goto(f"{live_server.url}/sosdesk/kasus/{case.code}/")
    expect(page.locator("main")).to_contain_text(NARRATIVE)
    expect(page.locator("main")).to_contain_text("Hanya Dinas Sosial")
    link = page.get_by_role("link", name="pesan-ancaman.jpg")
    expect(link).to_have_attribute("download", "")
    with page.expect_download() as download:
        link.click()
    data = Path(download.value.path()).read_bytes()
    assert b"CANARY-CAMERA-MAKER" not in data and data.startswith(b"\xff\xd8")
    shared.screenshot(page, shots, "3-case")

    page.get_by_role("link", name="Akses dan perlindungan").click()
    expect(page.locator("#protection-state")).to_contain_text("hanya ke Dinas Sosial")
    page.locator("#id_handler_user").select_option(str(joko.pk))
    page.get_by_role("button", name="Tunjuk sebagai petugas penanganan").click()
    expect(page.locator("#handler-list")).to_contain_text(joko.first_name)
    shared.screenshot(page, shots, "4-protection")
    assert case.handlers.filter(user=joko).exists()
