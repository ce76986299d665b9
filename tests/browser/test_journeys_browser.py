"""The main journeys of PEKSOS in a real browser (Debian's Chromium through Playwright).

- A Koordinator plans the year and the school's principal agrees a date (here).
- A pupil files an anonymous report and reads the desk's reply:
  tests/browser/test_sosdesk_public_browser.py.
- A parent asks in the forum and accepts an answer: tests/browser/test_forum_browser.py.

Any console error (a CSP violation) fails a test. Screenshots go to test-results/<test>/;
with PEKSOS_HELP_SHOTS=1 the phone screenshots the help pages show are also written to
static/help/ (small PNGs, committed with the help pages).
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import DESKTOP, PHONE, PageProblems, log_in
from visits.models import StaffCapacity, Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HELP_SHOTS = Path(__file__).resolve().parents[2] / "static" / "help"


def shot(page: Page, folder: Path, name: str, *, help_name: str = "") -> None:
    """A phone screenshot of the current page (which must not scroll sideways); with
    PEKSOS_HELP_SHOTS=1 also the help page's copy, viewport-sized to stay small."""
    page.set_viewport_size(PHONE)
    page.wait_for_load_state("load")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.screenshot(path=str(folder / f"{name}-phone.png"), full_page=True)
    if help_name and os.environ.get("PEKSOS_HELP_SHOTS") == "1":
        HELP_SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(HELP_SHOTS / f"{help_name}.png"))
    page.set_viewport_size(DESKTOP)
    assert overflow <= 0, f"{name}: the page is {overflow}px wider than a 360px phone"


@pytest.fixture
def team(settings, koordinator_ani, peksos_budi, psikolog_gita, kepsek_indah):
    settings.REQUIRE_2FA = False  # the second factor has its own browser test
    for user in (peksos_budi, psikolog_gita):
        StaffCapacity.objects.create(user=user, per_day=3, per_week=15)


def test_koordinator_plans_the_year_and_the_school_agrees_a_date(
    page: Page, browser, browser_context_args, live_server, team, school_a, problems, shots
):
    # The Koordinator plans the school year for one kecamatan (the planner's own tests cover
    # the whole city; one kecamatan keeps this test quick).
    log_in(page, live_server, "koordinator_ani")
    expect(page).to_have_url(f"{live_server.url}/")
    shot(page, shots, "0-home-koordinator")
    page.get_by_role("navigation", name="Navigasi utama").get_by_role(
        "link", name="Kunjungan"
    ).click()
    page.get_by_role("link", name="Rencanakan satu tahun").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rencanakan satu tahun")
    page.get_by_label("Kecamatan").select_option(label=school_a.kecamatan.name)
    shot(page, shots, "1-plan-form", help_name="koordinator-rencana")
    page.get_by_role("button", name="Buat rencana").click()

    expect(page).to_have_url(re.compile(r"/kunjungan/rencana/\d+/$"), timeout=60_000)
    visit = Visit.objects.filter(school=school_a).order_by("date").first()
    assert visit is not None and visit.state == Visit.State.PROPOSED
    shot(page, shots, "2-plan-result", help_name="koordinator-hasil-rencana")

    # The principal of the school agrees the first proposed date, on a phone.
    context = browser.new_context(**browser_context_args)
    school = context.new_page()
    school.set_viewport_size(PHONE)

    school_problems = PageProblems(school)
    log_in(school, live_server, "kepsek_indah")
    expect(school).to_have_url(f"{live_server.url}/")
    shot(school, shots, "3-home-kepsek")
    school.goto(f"{live_server.url}/kunjungan/persetujuan/")
    expect(school.get_by_role("heading", level=1)).to_have_text("Menyepakati tanggal kunjungan")
    row = school.locator("li, tr").filter(has=school.get_by_role("button", name="Terima")).first
    shot(school, shots, "4-agreement", help_name="kepala_sekolah-persetujuan")
    row.get_by_role("button", name="Terima").click()
    expect(school.locator(".alert").first).to_be_visible()
    shot(school, shots, "5-agreed")
    assert Visit.objects.filter(school=school_a, state=Visit.State.AGREED).count() == 1
    context.close()
    assert school_problems.errors == [], school_problems.errors
