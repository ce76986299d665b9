"""Activities in a real browser (issue 5's bar, the staff side): on the day of a visit the
PEKSOS plans one activity of each type, records what happened (attendance by group and sex,
duration, notes, a documentation photo), opens the check-in, and an adult checks in on a
PHONE by the QR code's link, without an account.

The clock is set with time-machine (the live server is in the same process). Any console
error (a CSP violation) or failed request fails the test. Screenshots go to test-results/.
"""

import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image
from playwright.sync_api import Page, expect

from activities.models import Activity, AttendanceCount, Attendee
from tests.browser import support as shared
from visits.models import Visit, VisitMember

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIB = ZoneInfo("Asia/Jakarta")
THE_DAY = datetime(2026, 8, 4, 7, 30, tzinfo=WIB)

KINDS = [
    (
        "kampanye",
        ["penyuluhan", "sosialisasi_uu"],
        ["siswa_sd", "guru"],
        {"siswa_sd": (31, 29), "guru": (3, 6)},
    ),
    (
        "pelatihan",
        ["workshop_psikososial", "terapi_bermain"],
        ["guru", "orang_tua"],
        {"guru": (4, 9), "orang_tua": (5, 12)},
    ),
    (
        "one_day",
        ["permainan_kelompok", "quality_time", "hadiah_doorprize"],
        ["siswa_sd", "orang_tua", "guru"],
        {"siswa_sd": (40, 38), "orang_tua": (10, 22)},
    ),
]


def id_(msgid: str) -> str:
    with translation.override("id"):
        return gettext(msgid)


@pytest.fixture
def visit(settings, tmp_path, school_a, peksos_budi, psikolog_gita, pendamping_hadi):
    settings.REQUIRE_2FA = False  # this test is about activities, not the second factor
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    visit = Visit(school=school_a, state=Visit.State.AGREED, kind=Visit.Kind.CAMPAIGN)
    visit.set_date(date(2026, 8, 4))
    visit.save()
    for user in (peksos_budi, psikolog_gita, pendamping_hadi):
        VisitMember.objects.create(visit=visit, user=user, role=user.role)
    return visit


def jpeg_file(tmp_path) -> str:
    path = tmp_path / "dokumentasi.jpg"
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (30, 120, 200)).save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


def test_plan_record_and_check_in_one_activity_of_each_kind(
    page: Page, live_server, visit, tmp_path, problems, shots
):
    traveller = time_machine.travel(THE_DAY, tick=True)
    traveller.start()
    try:
        run_the_flow(page, live_server, visit, tmp_path, shots)
    finally:
        traveller.stop()


def run_the_flow(page: Page, live_server, visit, tmp_path, shots) -> None:
    shared.log_in(page, live_server, "peksos_budi")
    expect(page).to_have_url(f"{live_server.url}/")
    # The navigation leads to the activities.
    page.get_by_role("link", name=id_("Activities"), exact=True).first.click()
    expect(page).to_have_url(f"{live_server.url}/kegiatan/")

    for n, (kind, subs, audiences, counts) in enumerate(KINDS, start=1):
        # 1. Plan it from the visit's page.
        page.goto(f"{live_server.url}/kunjungan/{visit.pk}/")
        page.get_by_role("link", name=id_("Plan an activity")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(id_("Plan an activity"))
        if n == 1:
            shared.screenshot(page, shots, "1-plan")  # (it reloads the page: before typing)
        page.locator("#id_kind").select_option(kind)
        page.locator("#id_title").fill(f"Kegiatan {n}")
        for code in subs:
            page.locator(f'input[name="sub_activities"][value="{code}"]').check()
        for code in audiences:
            page.locator(f'input[name="audiences"][value="{code}"]').check()
        # The visit's team is ticked as facilitators already.
        expect(page.locator('input[name="facilitators"]:checked')).to_have_count(3)
        page.locator("#id_materials").fill("Modul, poster, alat permainan")
        page.locator("#id_start_time").fill(f"0{7 + n}:00")
        page.get_by_role("button", name=id_("Plan the activity")).click()
        expect(page.locator(".alert-success")).to_contain_text(id_("The activity is planned."))
        activity = Activity.objects.get(title=f"Kegiatan {n}")
        assert activity.kind == kind and activity.sub_activities == subs
        expect(page).to_have_url(f"{live_server.url}/kegiatan/{activity.pk}/")

        # 2. Record what happened.
        page.get_by_role("link", name=id_("Record what happened")).click()
        if n == 1:
            shared.screenshot(page, shots, "2-record", check_images=False)
        page.locator('input[name="state"][value="terlaksana"]').check()
        page.locator("#id_duration_minutes").fill("120")
        page.locator("#id_notes").fill("Peserta antusias, perlu tindak lanjut untuk orang tua.")
        for group, (men, women) in counts.items():
            page.locator(f"#id_n_{group}_L").fill(str(men))
            page.locator(f"#id_n_{group}_P").fill(str(women))
        page.get_by_role("button", name=id_("Save")).click()
        expect(page.locator(".alert-success")).to_contain_text(
            id_("What happened at the activity is recorded.")
        )
        total = sum(m + w for m, w in counts.values())
        expect(page.locator("#attendance-grid [data-total]")).to_have_text(str(total))
        assert (
            sum(AttendanceCount.objects.filter(activity=activity).values_list("count", flat=True))
            == total
        )

    # 3. A documentation photo for the One Day for Children (children, consent recorded).
    page.get_by_role("link", name=id_("Add a photo")).click()
    page.locator("#id_file").set_input_files(jpeg_file(tmp_path))
    page.locator("#id_caption").fill("Permainan kelompok di halaman sekolah")
    page.locator('input[name="shows_children"][value="1"]').check()
    page.locator("#id_consent_recorded").check()
    page.get_by_role("button", name=id_("Upload")).click()
    expect(page.locator(".alert-success")).to_contain_text(id_("The photo was added."))
    expect(page.locator("figure img")).to_have_count(1)
    page.locator("figure img").scroll_into_view_if_needed()  # loaded lazily
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth)")

    # 4. Open the check-in and show the QR code.
    page.get_by_role("button", name=id_("Open the forms")).click()
    expect(page.locator(".alert-success")).to_contain_text(
        id_("Check-in and the participant forms are open.")
    )
    page.get_by_role("link", name=id_("Show the QR code")).click()
    qr = page.get_by_role("img", name=id_("QR code of the check-in page"))
    expect(qr).to_be_visible()
    link = page.locator("code").inner_text()
    assert re.fullmatch(r"[^/]+/ikut/[A-Za-z0-9_-]+/hadir/", link), link
    shared.screenshot(page, shots, "3-qr")
    one_day = Activity.objects.get(kind="one_day")
    assert link.endswith(f"/ikut/{one_day.public_code}/hadir/")

    # 5. An adult checks in on a phone, without an account (a fresh browser context).
    phone = page.context.browser.new_context(locale="id-ID", viewport=shared.PHONE, is_mobile=True)
    adult = phone.new_page()
    adult_problems = shared.PageProblems(adult)
    adult.goto(f"{live_server.url}/ikut/{one_day.public_code}/hadir/")
    expect(adult.get_by_role("heading", level=1)).to_have_text(id_("Attendance"))
    adult.locator("#id_name").fill("Ibu Sari Wulandari")
    adult.locator('input[name="group"][value="orang_tua"]').check()
    adult.locator('input[name="sex"][value="P"]').check()
    overflow = adult.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    adult.screenshot(path=str(shots / "4-check-in-phone.png"), full_page=True)
    assert overflow <= 0
    adult.get_by_role("button", name=id_("I am here")).click()
    expect(adult.locator("#checkin-done")).to_contain_text("Ibu Sari Wulandari")
    adult.screenshot(path=str(shots / "5-checked-in-phone.png"), full_page=True)
    # A second tap on the same phone adds nobody.
    adult.reload()
    expect(adult.locator("#checkin-done")).to_be_visible()
    expect(adult.locator("#id_name")).to_have_count(0)
    assert adult_problems.errors == []
    phone.close()
    assert list(Attendee.objects.values_list("name", "source")) == [
        ("Ibu Sari Wulandari", "mandiri")
    ]

    # 6. The PEKSOS sees the name on the activity's list, and the activities in the list.
    page.goto(f"{live_server.url}/kegiatan/{one_day.pk}/")
    expect(page.locator("#attendee-list")).to_contain_text("Ibu Sari Wulandari")
    shared.screenshot(page, shots, "6-activity")
    page.goto(f"{live_server.url}/kegiatan/")
    for n in (1, 2, 3):
        expect(page.locator("table tbody")).to_contain_text(f"Kegiatan {n}")
    shared.screenshot(page, shots, "7-list")
