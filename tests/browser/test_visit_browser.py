"""The whole visit flow in a real browser (issue #4's bar): the Koordinator plans the year,
the school's principal proposes another date on a phone, the Koordinator accepts it, and on
the day the PEKSOS marks the visit done.

The clock is set with time-machine (it moves the live server's clock too: same process).
Any console error (a CSP violation) fails the test. Screenshots go to test-results/<test>/.
"""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from tests.browser import support as shared
from visits.models import DateChange, PlanRun, StaffCapacity, Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIB = ZoneInfo("Asia/Jakarta")
PLANNING_DAY = datetime(2026, 7, 6, 9, 0, tzinfo=WIB)  # a Monday, the start of the year


def id_(msgid: str) -> str:
    with translation.override("id"):
        return gettext(msgid)


@pytest.fixture
def team(settings, koordinator_ani, peksos_budi, psikolog_gita, kepsek_indah, kota_metro):
    settings.REQUIRE_2FA = False  # this test is about visits, not the second factor
    StaffCapacity.objects.create(user=peksos_budi, per_day=3, per_week=15)
    StaffCapacity.objects.create(user=psikolog_gita, per_day=3, per_week=15)
    return peksos_budi


def log_out(page: Page) -> None:
    page.context.clear_cookies()


def test_plan_counter_proposal_accepted_and_done(
    page: Page, live_server, team, school_a, problems, shots
):
    traveller = time_machine.travel(PLANNING_DAY, tick=True)
    traveller.start()
    try:
        run_the_flow(page, live_server, school_a, shots)
    finally:
        traveller.stop()


def run_the_flow(page: Page, live_server, school_a, shots) -> None:
    # 1. The Koordinator plans the school year for Metro Pusat.
    shared.log_in(page, live_server, "koordinator_ani")
    expect(page).to_have_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/kunjungan/rencana/")
    page.locator("#id_year").fill("2026")
    page.locator("#id_kecamatan").select_option(label=school_a.kecamatan.name)
    page.get_by_role("button", name=id_("Generate the plan")).click()
    run = PlanRun.objects.get()
    expect(page).to_have_url(f"{live_server.url}/kunjungan/rencana/{run.pk}/")
    assert run.placed > 0
    page.screenshot(path=str(shots / "1-plan.png"), full_page=True)
    first = Visit.objects.filter(school=school_a, plan=run).order_by("date").first()
    assert first is not None and first.state == Visit.State.PROPOSED
    log_out(page)

    # 2. The principal sees the proposal on a phone and proposes another date.
    page.set_viewport_size(shared.PHONE)
    shared.log_in(page, live_server, "kepsek_indah")
    page.set_viewport_size(shared.PHONE)
    page.goto(f"{live_server.url}/kunjungan/persetujuan/")
    proposal = page.locator("li.list-group-item", has_text=school_a.name).first
    expect(proposal).to_be_visible()
    page.screenshot(path=str(shots / "2-school-proposals-phone.png"), full_page=True)
    page.goto(f"{live_server.url}/kunjungan/{first.pk}/usul-tanggal/")
    other_day = free_school_day_after(first.date, first.members.values_list("user", flat=True))
    page.locator("#id_date").fill(other_day.isoformat())
    page.locator("#id_reason").fill("Minggu itu ada ujian tengah semester.")
    page.get_by_role("button", name=id_("Send")).click()
    expect(page.locator(".alert").first).to_be_visible()
    change = DateChange.objects.get(visit=first)
    assert change.state == DateChange.State.PENDING
    assert change.to_date == other_day
    # No sideways scroll once the page has settled (a transition may widen it for a frame).
    page.wait_for_function(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth",
        timeout=3000,
    )
    page.screenshot(path=str(shots / "3-school-proposed-phone.png"), full_page=True)
    log_out(page)

    # 3. The Koordinator accepts the school's date.
    page.set_viewport_size(shared.DESKTOP)
    shared.log_in(page, live_server, "koordinator_ani")
    page.goto(f"{live_server.url}/kunjungan/{first.pk}/")
    expect(page.locator(".alert-warning")).to_contain_text("Minggu itu ada ujian tengah semester.")
    page.get_by_role("button", name=id_("Accept the school's date")).click()
    expect(page.locator(".alert-success").first).to_be_visible()
    first.refresh_from_db()
    assert first.state == Visit.State.AGREED
    assert first.date == other_day
    page.screenshot(path=str(shots / "4-agreed.png"), full_page=True)
    log_out(page)

    # 4. On the day, the PEKSOS of the team marks the visit done.
    with time_machine.travel(
        datetime.combine(other_day, datetime.min.time(), WIB).replace(hour=14)
    ):
        shared.log_in(page, live_server, "peksos_budi")
        page.goto(f"{live_server.url}/kunjungan/{first.pk}/")
        page.get_by_role("button", name=id_("Mark as done")).click()
        expect(page.locator(".alert-success").first).to_be_visible()
        first.refresh_from_db()
        assert first.state == Visit.State.DONE
        school_a.refresh_from_db()
        assert school_a.last_visit_on == other_day
        expect(page.locator("main")).to_contain_text(
            re.compile(re.escape(first.get_state_display()), re.IGNORECASE)
        )
        page.screenshot(path=str(shots / "5-done.png"), full_page=True)


def free_school_day_after(day: date, team) -> date:
    """A weekday a week or more after `day`, not a public holiday, on which nobody of the
    visit's team has another visit (the planner fills their days)."""
    import holidays

    off = holidays.country_holidays("ID", years=[day.year, day.year + 1])
    busy = set(
        Visit.objects.filter(
            members__user__in=list(team), state__in=Visit.PLANNED_STATES
        ).values_list("date", flat=True)
    )
    candidate = date.fromordinal(day.toordinal() + 7)
    while candidate.weekday() >= 5 or candidate in off or candidate in busy:
        candidate = date.fromordinal(candidate.toordinal() + 1)
    return candidate
