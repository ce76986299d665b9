"""Monitoring in a real browser (issue #7's bar): a PEKSOS opens a child's record, records the
guardian's consent and a progress note, asks the parent for an observation; the parent fills it
on a phone, seeing only the first name; the PEKSOS sees the answer and the wellbeing chart,
asks to close the record and a Koordinator approves it.

Any console error (a CSP violation, a failed resource) fails the test. Screenshots go to
test-results/<test>/.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from monitoring.models import ChildRecord, ObservationRequest, WellbeingRating
from tests import browser as shared

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHILD = "Siti Nurhaliza Putri"
FIRST_NAME = "Siti"


@pytest.fixture
def people(settings, kota_metro, peksos_budi, ortu_fajar, koordinator_ani, tmp_path):
    settings.REQUIRE_2FA = False  # this test is about monitoring, not the second factor
    settings.MEDIA_ROOT = tmp_path / "media"
    return peksos_budi, ortu_fajar, koordinator_ani


def action_form(page: Page, name: str, code: str):
    """Open the collapsed card of one action on the record's page; its form."""
    paths = {
        "consent": "persetujuan",
        "note": "catatan",
        "observation": "pengamatan",
        "close": "tutup",
    }
    form = page.locator(f'form[action="/pemantauan/anak/{code}/{paths[name]}/"]')
    card = page.locator("details", has=form)
    card.locator("summary").click()
    expect(form).to_be_visible()
    return form


def test_worker_asks_the_parent_who_answers_on_a_phone(
    page: Page, live_server, people, problems, shots
):
    peksos, parent, koordinator = people
    today = timezone.localdate().isoformat()

    # 1. The PEKSOS opens a record for a child of school A.
    shared.log_in(page, live_server, peksos.username)
    expect(page).to_have_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/pemantauan/baru/")
    page.locator("#id_school").select_option(index=1)  # the one school Budi serves
    page.locator("#id_class_level").select_option("4")
    page.locator('input[name="sex"][value="P"]').check()
    page.locator("#id_birth_year").fill(str(timezone.localdate().year - 10))
    page.locator("#id_name").fill(CHILD)
    page.locator("#id_guardian_contact").fill("Ibu Rahma 0812 0000 1111")
    page.locator("main form[method=post] button[type=submit]").click()
    record = ChildRecord.objects.without_identity().get()
    expect(page).to_have_url(f"{live_server.url}/pemantauan/anak/{record.code}/")
    expect(page.locator("h1")).to_contain_text(record.code)
    expect(page.locator("main")).not_to_contain_text(CHILD)

    # 2. Verbal consent for support, before a witness.
    form = action_form(page, "consent", record.code)
    form.locator('[name="purpose"]').select_option("dukungan")
    form.locator('[name="given_by"]').select_option("ibu")
    form.locator('[name="given_on"]').fill(today)
    form.locator('[name="method"][value="lisan"]').check()
    form.locator('[name="witness"]').fill("Ibu Guru Wati")
    form.locator("button[type=submit]").click()
    expect(page.locator("#h-consent + div")).to_contain_text("Ibu Guru Wati")

    # 3. A progress note.
    form = action_form(page, "note", record.code)
    form.locator('[name="noted_on"]').fill(today)
    form.locator('[name="source"]').select_option("sesi")
    form.locator('[name="text"]').fill("Talked about break time; calmer than last week.")
    form.locator("button[type=submit]").click()
    expect(page.locator("#h-notes ~ div").first).to_contain_text("calmer than last week")

    # 4. Ask the parent for an observation.
    form = action_form(page, "observation", record.code)
    form.locator('[name="addressee"]').select_option(str(parent.pk))
    form.locator('[name="child_label"]').fill(FIRST_NAME)
    form.locator("button[type=submit]").click()
    observation = ObservationRequest.objects.get()
    waiting = page.locator(f"#observation-{observation.pk}")
    expect(waiting).to_contain_text(parent.first_name)
    shared.screenshot(page, shots, "1-record-asked")

    # 5. The parent, on a phone: their list, the form, nothing else of the record.
    phone = page.context.browser.new_context(locale="id-ID", viewport=shared.PHONE, is_mobile=True)
    mobile = phone.new_page()
    mobile_problems = shared.PageProblems(mobile)
    shared.log_in(mobile, live_server, parent.username)
    mobile.set_viewport_size(shared.PHONE)
    mobile.goto(f"{live_server.url}/pemantauan/pengamatan/")
    expect(mobile.locator("main")).to_contain_text(FIRST_NAME)
    main_text = mobile.locator("main").inner_text()
    assert CHILD not in main_text and record.code not in main_text
    mobile.locator(f'a[href="/pemantauan/pengamatan/{observation.pk}/"]').click()
    expect(mobile.locator("h1")).to_contain_text(FIRST_NAME)
    # Sending with a question left out keeps what was tapped and typed.
    mobile.locator('label[for="id_cheerful_2"]').click()
    mobile.locator('label[for="id_gets_along_2"]').click()
    mobile.locator('label[for="id_wellbeing_8"]').click()
    mobile.locator("#id_comment").fill("Lebih ceria, mau bermain dengan teman.")
    mobile.locator("main form[method=post] button[type=submit]").click()
    expect(mobile.locator(".alert-danger")).to_be_visible()
    expect(mobile.locator("#id_comment")).to_have_value("Lebih ceria, mau bermain dengan teman.")
    expect(mobile.locator("#id_wellbeing_8")).to_be_checked()
    mobile.locator('label[for="id_calm_3"]').click()
    overflow = mobile.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    mobile.screenshot(path=str(shots / "2-observation-phone.png"), full_page=True)
    assert overflow <= 0, f"the form is {overflow}px wider than a 360px phone"
    mobile.locator("main form[method=post] button[type=submit]").click()
    expect(mobile).to_have_url(f"{live_server.url}/pemantauan/pengamatan/")
    expect(mobile.locator(".alert-success").first).to_be_visible()
    # The record itself stays closed to them.
    response = mobile.goto(f"{live_server.url}/pemantauan/anak/{record.code}/")
    assert response.status == 404
    expected = {  # the form error (400) and the record refused to the parent (404)
        f"{live_server.url}/pemantauan/pengamatan/{observation.pk}/",
        f"{live_server.url}/pemantauan/anak/{record.code}/",
    }
    unexpected = [e for e in mobile_problems.errors if not any(u in e for u in expected)]
    assert unexpected == []
    phone.close()
    rating = WellbeingRating.objects.get()
    assert rating.score == 8 and rating.rater == "orang_tua"

    # 6. The PEKSOS sees the answer, and the wellbeing chart.
    page.reload()
    answered = page.locator(f"#observation-{observation.pk}")
    expect(answered).to_contain_text("Lebih ceria, mau bermain dengan teman.")
    expect(answered).to_contain_text("8")
    expect(page.locator('section[aria-labelledby="h-measures"] svg').first).to_be_visible()
    shared.screenshot(page, shots, "3-record-answered")

    # 7. Closure: the PEKSOS asks, a Koordinator approves.
    form = action_form(page, "close", record.code)
    form.locator('[name="outcome"]').select_option("tujuan_tercapai")
    form.locator('[name="note"]').fill("Goals met; the class teacher keeps an eye.")
    form.locator("button[type=submit]").click()
    expect(page.locator("#closure-request")).to_be_visible()
    page.context.clear_cookies()
    shared.log_in(page, live_server, koordinator.username)
    page.goto(f"{live_server.url}/pemantauan/anak/{record.code}/")
    page.locator(f'form[action="/pemantauan/anak/{record.code}/tutup/setujui/"] button').click()
    expect(page.locator("#closure-request")).to_have_count(0)
    record.refresh_from_db()
    assert record.status == ChildRecord.Status.CLOSED and record.closed_by == koordinator
    shared.screenshot(page, shots, "4-record-closed")
