"""The approvals inbox and the notification centre in a real browser (issue #18's bar).

A PEKSOS writes a child's support plan; the Koordinator sees the bell's count and the inbox's
count in the navigation, opens the inbox, approves the plan from it and comes back to it (now
empty); the PEKSOS sees the bell's count, opens the list and the notification, which takes
them to the record. Pages are shot at 1280 and 360 px (none may scroll sideways on a phone);
any console error (a CSP violation, a failed resource) fails the test. Screenshots go to
test-results/<test>/.
"""

import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from monitoring.models import ChildRecord, SupportPlan
from tests.browser import support as shared
from tests.factories import CANARY, open_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def id_(msgid: str) -> str:
    """The Indonesian text the user sees for an English msgid."""
    with translation.override("id"):
        return translation.gettext(msgid)


@pytest.fixture
def people(settings, school_a, peksos_budi, koordinator_ani, tmp_path):
    settings.REQUIRE_2FA = False  # this test is about the inbox, not the second factor
    settings.MEDIA_ROOT = tmp_path / "media"
    record = open_record(school_a, peksos_budi, peksos=peksos_budi)
    return record, peksos_budi, koordinator_ani


def test_a_plan_approved_from_the_inbox_reaches_the_peksos(
    page: Page, live_server, people, problems, shots
):
    record, peksos, koordinator = people

    # 1. The PEKSOS writes the support plan on the record's page.
    shared.log_in(page, live_server, peksos.username)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("#nav-bell-count")).to_have_count(0)
    page.goto(f"{live_server.url}/pemantauan/anak/{record.code}/")
    title = re.compile(rf"^\s*{re.escape(id_('Write the support plan'))}\s*$")
    details = page.locator("details").filter(has=page.locator("summary", has_text=title))
    details.locator("summary").click()
    form = details.locator("form")
    form.locator('[name="tier"]').select_option(str(ChildRecord.Tier.INDIVIDUAL))
    form.locator('[name="needs"]').fill("Withdrawn after the incident; avoids break time.")
    form.get_by_role("button", name=id_("Save"), exact=True).click()
    expect(page.locator(".alert-success").first).to_contain_text(id_("Support plan saved."))

    # 2. The Koordinator (their own browser) sees both counts, and the item in the inbox.
    office = page.context.browser.new_context(locale="id-ID", viewport=shared.DESKTOP)
    boss = office.new_page()
    boss_problems = shared.PageProblems(boss)
    shared.log_in(boss, live_server, koordinator.username)
    expect(boss).to_have_url(f"{live_server.url}/")
    expect(boss.locator("#nav-bell-count")).to_have_text("1")
    expect(boss.locator("#nav-inbox-count")).to_have_text("1")
    boss.locator("#nav-inbox").click()
    expect(boss).to_have_url(f"{live_server.url}/persetujuan/")
    expect(boss.get_by_role("heading", level=1)).to_have_text(id_("Waiting for my decision"))
    item = boss.locator(".inbox-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(id_("A support plan waits for your approval."))
    expect(item).to_contain_text(record.code)
    expect(item).not_to_contain_text(CANARY)  # never the child's name
    expect(item).not_to_contain_text("avoids break time")  # nor the plan's text
    shared.screenshot(boss, shots, "1-koordinator-inbox")
    # The Koordinator's bar has the most links: with the inbox and the bell it still fits
    # where the menu is laid out in one row (from 1200 px), the icons inside the window.
    for width in (1200, 1280, 1400):
        boss.set_viewport_size({"width": width, "height": 800})
        overflow = boss.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{width} px: the page is {overflow} px too wide"
        box = boss.locator("#nav-bell").bounding_box()
        assert box and box["x"] + box["width"] <= width, f"{width} px: the bell is outside"
    boss.set_viewport_size(shared.DESKTOP)
    boss.locator("#nav-bell").click()
    expect(boss).to_have_url(f"{live_server.url}/notifikasi/")
    expect(boss.locator("#notifications")).to_contain_text(record.code)
    shared.screenshot(boss, shots, "2-koordinator-notifications")
    boss.goto(f"{live_server.url}/persetujuan/")

    # 3. The Koordinator approves from the inbox and comes back to it.
    item.get_by_role("button", name=id_("Approve"), exact=True).click()
    expect(boss).to_have_url(f"{live_server.url}/persetujuan/")
    expect(boss.locator(".alert-success").first).to_contain_text(id_("Support plan approved."))
    expect(boss.locator("main")).to_contain_text(id_("Nothing waits for your decision."))
    expect(boss.locator("#nav-inbox-count")).to_have_count(0)
    plan = SupportPlan.objects.get(record=record)
    assert plan.approved_by == koordinator
    shared.screenshot(boss, shots, "3-koordinator-inbox-empty")
    assert boss_problems.errors == [], "\n".join(boss_problems.errors)
    office.close()

    # 4. The PEKSOS gets the notification: the bell's count, the list, the record.
    page.goto(f"{live_server.url}/")
    expect(page.locator("#nav-bell-count")).to_have_text("1")
    page.locator("#nav-bell").click()
    expect(page).to_have_url(f"{live_server.url}/notifikasi/")
    told = id_("The support plan of record %(code)s was approved.") % {"code": record.code}
    expect(page.locator("#notifications")).to_contain_text(told)
    expect(page.locator("#notifications")).not_to_contain_text(CANARY)
    shared.screenshot(page, shots, "4-peksos-notifications")
    page.get_by_role("button", name=told).click()
    expect(page).to_have_url(f"{live_server.url}/pemantauan/anak/{record.code}/")
    expect(page.locator("#nav-bell-count")).to_have_count(0)

    # 5. The PEKSOS chooses a daily e-mail for decisions (the page works on a phone).
    page.goto(f"{live_server.url}/notifikasi/pengaturan/")
    shared.screenshot(page, shots, "5-peksos-preferences")
    page.locator('input[name="persetujuan_diputus"][value="harian"]').check()
    page.get_by_role("button", name=id_("Save"), exact=True).click()
    expect(page.locator(".alert-success").first).to_contain_text(id_("Your choices are saved."))
    expect(page.locator('input[name="persetujuan_diputus"][value="harian"]')).to_be_checked()
