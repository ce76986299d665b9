"""Field work at a school without accounts, in a real browser (issue 18's bar): the PEKSOS adds
a follow-up visit by hand from a child's record, records the school's agreement given by
phone, and on the day holds the activity; the Pendamping Sosial records the attendance; the
visit is done and the compliance board shows the school's visit.

The clock is set with time-machine (it moves the live server's clock too: same process).
Any console error (a CSP violation) fails the test. Screenshots go to test-results/<test>/.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from activities.models import Activity, AttendanceCount
from peksos.accounts.models import User
from schools.models import School, SchoolMembership
from tests.browser import support as shared
from tests.factories import CANARY, open_record
from visits.models import Visit, VisitAgreement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIB = ZoneInfo("Asia/Jakarta")
PLANNING_DAY = datetime(2026, 8, 3, 9, 0, tzinfo=WIB)  # a Monday
VISIT_DAY = date(2026, 8, 12)  # a Wednesday, a school day
COUNTS = {"siswa_sd": (21, 19), "orang_tua": (6, 14)}


def id_(msgid: str) -> str:
    with translation.override("id"):
        return gettext(msgid)


@pytest.fixture
def school_c(settings, kota_metro, peksos_budi, pendamping_hadi, koordinator_ani):
    """A school of the register without any account of its own; the PEKSOS serves it."""
    settings.REQUIRE_2FA = False  # this test is about field work, not the second factor
    school = (
        School.objects.active()
        .filter(memberships__isnull=True, level="SD")
        .order_by("kecamatan__code", "name")
        .first()
    )
    assert school is not None and not school.memberships.exists()
    SchoolMembership.objects.create(user=peksos_budi, school=school)
    return school


def log_out(page: Page) -> None:
    page.context.clear_cookies()


def test_follow_up_visit_agreed_by_phone_held_and_counted(
    page: Page, live_server, school_c, peksos_budi, problems, shots
):
    record = open_record(school_c, peksos_budi, peksos=peksos_budi)
    traveller = time_machine.travel(PLANNING_DAY, tick=True)
    traveller.start()
    try:
        visit = plan_and_agree(page, live_server, school_c, record, shots)
    finally:
        traveller.stop()
    with time_machine.travel(datetime(2026, 8, 12, 8, 0, tzinfo=WIB), tick=True):
        hold_and_count(page, live_server, school_c, visit, shots)


def plan_and_agree(page: Page, live_server, school, record, shots) -> Visit:
    # 1. From the child's record, the PEKSOS opens the visit form, prefilled.
    shared.log_in(page, live_server, "peksos_budi")
    expect(page).to_have_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/pemantauan/anak/{record.code}/")
    section = page.locator("#follow-up-visits")
    expect(section).to_contain_text(id_("No visit to the school follows up this record yet."))
    shared.screenshot(page, shots, "1-record")
    section.get_by_role("link", name=id_("Plan a follow-up visit")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(id_("Add a visit"))
    expect(page.locator(".alert-info")).to_contain_text(record.code)
    expect(page.locator("main")).not_to_contain_text(CANARY)
    expect(page.locator("#id_school")).to_have_value(school.npsn)
    shared.screenshot(page, shots, "2-visit-form")  # (it reloads the page: before typing)
    page.locator("#id_kind").select_option(Visit.Kind.ONE_DAY)
    page.locator("#id_date").fill(VISIT_DAY.isoformat())
    page.locator("#id_peksos").select_option(str(record.peksos_id))
    pendamping = User.objects.get(username="pendamping_hadi")
    page.locator("#id_pendamping").select_option(str(pendamping.pk))
    page.get_by_role("button", name=id_("Save")).click()
    expect(page.locator(".alert-success").first).to_contain_text(
        id_("The visit was added and proposed to the school.")
    )
    visit = Visit.objects.get(school=school)
    assert (visit.state, visit.kind, visit.date) == ("diusulkan", "one_day", VISIT_DAY)
    assert visit.origin == f"anak:{record.code}"
    expect(page.locator("main")).to_contain_text(id_("Follow-up of a child record"))
    expect(page.locator("main")).not_to_contain_text(CANARY)

    # 2. The school agreed by phone: the PEKSOS records it.
    page.get_by_role("link", name=id_("Record the school's agreement")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(id_("Record the school's agreement"))
    page.locator("#id_contact_name").fill("Ibu Sri Wahyuni")
    page.locator("#id_contact_position").fill("Kepala Sekolah")
    page.locator('input[name="channel"][value="telepon"]').check()
    page.locator("#id_agreed_on").fill(PLANNING_DAY.date().isoformat())
    page.get_by_role("button", name=id_("Save")).click()
    agreed = page.locator(".alert-success", has_text="Ibu Sri Wahyuni")
    expect(agreed).to_contain_text(id_("by phone"))
    visit.refresh_from_db()
    assert visit.state == Visit.State.AGREED
    assert VisitAgreement.objects.get(visit=visit).recorded_by.username == "peksos_budi"
    shared.screenshot(page, shots, "3-visit-agreed")

    # The record lists its follow-up visit.
    page.goto(f"{live_server.url}/pemantauan/anak/{record.code}/")
    expect(page.locator("#follow-up-visits")).to_contain_text(visit.get_state_display())
    log_out(page)
    return visit


def hold_and_count(page: Page, live_server, school, visit: Visit, shots) -> None:
    # 3. On the day, the PEKSOS plans the activity on the visit and records it as held.
    shared.log_in(page, live_server, "peksos_budi")
    page.goto(f"{live_server.url}/kunjungan/{visit.pk}/")
    page.get_by_role("link", name=id_("Plan an activity")).click()
    page.locator("#id_kind").select_option(Visit.Kind.ONE_DAY)
    page.locator("#id_title").fill("One Day for Children")
    page.locator('input[name="sub_activities"][value="permainan_kelompok"]').check()
    for code in ("siswa_sd", "orang_tua"):
        page.locator(f'input[name="audiences"][value="{code}"]').check()
    expect(page.locator('input[name="facilitators"]:checked')).to_have_count(2)
    page.locator("#id_start_time").fill("08:30")
    page.get_by_role("button", name=id_("Plan the activity")).click()
    expect(page.locator(".alert-success")).to_contain_text(id_("The activity is planned."))
    activity = Activity.objects.get(visit=visit)
    page.get_by_role("link", name=id_("Record what happened")).click()
    page.locator('input[name="state"][value="terlaksana"]').check()
    page.locator("#id_duration_minutes").fill("150")
    page.get_by_role("button", name=id_("Save")).click()
    expect(page.locator(".alert-success")).to_contain_text(
        id_("What happened at the activity is recorded.")
    )
    activity.refresh_from_db()
    assert activity.state == "terlaksana"
    log_out(page)

    # 4. The Pendamping Sosial, a facilitator, records the attendance.
    shared.log_in(page, live_server, "pendamping_hadi")
    page.goto(f"{live_server.url}/kegiatan/{activity.pk}/")
    page.get_by_role("link", name=id_("Record what happened")).click()
    for group, (boys, girls) in COUNTS.items():
        page.locator(f"#id_n_{group}_L").fill(str(boys))
        page.locator(f"#id_n_{group}_P").fill(str(girls))
    page.get_by_role("button", name=id_("Save")).click()
    expect(page.locator(".alert-success")).to_contain_text(
        id_("What happened at the activity is recorded.")
    )
    total = sum(b + g for b, g in COUNTS.values())
    expect(page.locator("#attendance-grid [data-total]")).to_have_text(str(total))
    counted = AttendanceCount.objects.filter(activity=activity).values_list("count", flat=True)
    assert sum(counted) == total
    shared.screenshot(page, shots, "4-attendance-by-pendamping")
    log_out(page)

    # 5. The PEKSOS marks the visit done; the compliance board shows the school's visit.
    shared.log_in(page, live_server, "peksos_budi")
    page.goto(f"{live_server.url}/kunjungan/{visit.pk}/")
    page.get_by_role("button", name=id_("Mark as done")).click()
    expect(page.locator(".alert-success").first).to_be_visible()
    visit.refresh_from_db()
    assert visit.state == Visit.State.DONE
    page.goto(f"{live_server.url}/kunjungan/kepatuhan/")
    row = page.locator("li.list-group-item", has_text=school.name)
    expect(row).to_contain_text(
        id_("%(done)s done, %(planned)s planned") % {"done": 1, "planned": 0}
    )
    shared.screenshot(page, shots, "5-compliance")
    row.get_by_role("link", name=school.name).click()
    expect(page.locator("main")).to_contain_text(visit.get_state_display())
    expect(page.locator(f'a[href="/kunjungan/{visit.pk}/"]').first).to_be_visible()
    shared.screenshot(page, shots, "6-school-visits")
