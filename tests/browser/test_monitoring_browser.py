"""Monitoring in a real browser (issue #7's bar).

1. A PEKSOS opens a child's record, records the guardian's consent and a progress note, asks
   the parent for an observation; the parent fills it on a phone, seeing only the first name;
   the PEKSOS sees the answer and the wellbeing chart, asks to close the record and a
   Koordinator approves it.
2. The bar's journey: a PEKSOS opens a record from an SOS Desk case of the school, records the
   guardian's consent (a signed form), writes the support plan (needs, a goal, an
   intervention) which a Koordinator approves, asks the class teacher for an observation; the
   teacher opens the e-mailed link on a phone and fills it; the PEKSOS enters SDQ scores and
   wellbeing ratings from paper forms and scores the goal; both charts show the trend (two
   points joined by a line, going the right way); the PEKSOS asks to close the record and the
   Koordinator approves.

Any console error (a CSP violation, a failed resource) fails the test. Screenshots go to
test-results/<test>/.
"""

import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from monitoring.models import (
    ChildRecord,
    Consent,
    ObservationRequest,
    SdqScore,
    SupportPlan,
    WellbeingRating,
)
from sosdesk.models import Case
from sosdesk.services import case_file
from tests.browser import support as shared
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHILD = "Siti Nurhaliza Putri"
FIRST_NAME = "Siti"


def id_(msgid: str) -> str:
    """The Indonesian text the user sees for an English msgid."""
    with translation.override("id"):
        return translation.gettext(msgid)


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
        "guardian": "wali",
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

    # 4. Link the parent's account to the record (only linked parents may be asked), then
    # ask the parent for an observation.
    form = action_form(page, "guardian", record.code)
    form.locator('[name="guardian"]').select_option(str(parent.pk))
    form.locator('[name="reason"]').fill("Ayah kandung; dicek dengan wali kelas.")
    form.locator("button[type=submit]").click()
    expect(page.locator("#guardians")).to_contain_text("dicek dengan wali kelas")
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


# --- The bar's journey: from an SOS Desk case to a closed record -------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def case_people(settings, school_a, peksos_budi, guru_eka, koordinator_ani, tmp_path):
    settings.REQUIRE_2FA = False  # this test is about monitoring, not the second factor
    settings.MEDIA_ROOT = tmp_path / "media"
    case = case_file(
        school=school_a,
        channel=Case.Channel.IN_PERSON,
        narrative="A pupil of class 4 was hit by older pupils at break time.",
        forms=["fisik"],
        modalities=["fisik"],
        scope="dalam",
        affected=["murid"],
        ongoing_danger="tidak",
    ).case
    return case, peksos_budi, guru_eka, koordinator_ani


def card(page: Page, title_msgid: str):
    """Open the collapsed action card titled (in Indonesian) `title_msgid`; its form."""
    title = re.compile(rf"^\s*{re.escape(id_(title_msgid))}\s*$")
    details = page.locator("details").filter(has=page.locator("summary", has_text=title))
    details.locator("summary").click()
    form = details.locator("form")
    expect(form).to_be_visible()
    return form


def save(page: Page, form, button_msgid: str, done_msgid: str) -> None:
    form.get_by_role("button", name=id_(button_msgid), exact=True).click()
    expect(page.locator(".alert-success").first).to_contain_text(id_(done_msgid))


def e_mailed_link(to: str, timeout: float = 10.0) -> str:
    """The link in the e-mail the outbox sent to `to` (the live server sends it after commit)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in mail.outbox:
            if to in message.to:
                found = re.search(r"https?://\S+", message.body)
                assert found, message.body
                return found.group(0)
        time.sleep(0.1)
    raise AssertionError(f"no e-mail to {to}: {[m.to for m in mail.outbox]}")


def polyline(chart) -> list[tuple[float, float]]:
    """The points of a chart's (only) line."""
    line = chart.locator("polyline")
    expect(line).to_have_count(1)
    pairs = line.get_attribute("points").split()
    return [tuple(float(n) for n in pair.split(",")) for pair in pairs]


def test_from_a_case_to_a_closed_plan_with_a_teacher_on_a_phone(
    page: Page, live_server, case_people, problems, shots
):
    case, peksos, teacher, koordinator = case_people
    today = timezone.localdate()
    baseline = today - timedelta(days=42)

    # 1. The PEKSOS finds the school's case on the SOS Desk and opens a record from it.
    shared.log_in(page, live_server, peksos.username)
    expect(page).to_have_url(f"{live_server.url}/")
    page.get_by_role("link", name=id_("SOS Desk"), exact=True).first.click()
    page.get_by_role("link", name=case.code, exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/sosdesk/kasus/{case.code}/")
    page.get_by_role("link", name=id_("Open a child's monitoring record")).click()
    expect(page).to_have_url(f"{live_server.url}/pemantauan/baru/?kasus={case.code}")
    expect(page.get_by_role("heading", level=1)).to_have_text(id_("Open a record"))
    expect(page.locator("main")).to_contain_text(
        id_("From SOS Desk case %(code)s (%(school)s).")
        % {"code": case.code, "school": case.school.name}
    )
    expect(page.locator("#id_school")).to_be_disabled()  # the case's school, nothing else
    expect(page.locator("#id_school")).to_have_value(str(case.school.pk))
    shared.screenshot(page, shots, "case-1-open-from-case")  # (it reloads: before typing)
    page.locator("#id_class_level").select_option("4")
    page.locator('input[name="sex"][value="P"]').check()
    page.locator("#id_birth_year").fill(str(today.year - 10))
    page.locator("#id_name").fill(CHILD)
    page.locator("#id_guardian_contact").fill("Ibu Rahma 0812 0000 1111")
    page.get_by_role("button", name=id_("Open the record"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/pemantauan/anak/ANK-[0-9A-Z]{6}/$"))
    record = ChildRecord.objects.without_identity().get()
    expect(page).to_have_url(f"{live_server.url}/pemantauan/anak/{record.code}/")
    expect(page.locator(".alert-success").first).to_contain_text(
        id_("Record %(code)s opened.") % {"code": record.code}
    )
    assert record.case == case and record.school == case.school
    assert record.source == ChildRecord.Source.CASE and record.peksos == peksos
    expect(page.locator('section[aria-labelledby="h-record"]')).to_contain_text(case.code)
    expect(page.locator("main")).not_to_contain_text(CHILD)

    # 2. The guardian's consent to support, on a signed form (uploaded).
    form = card(page, "Record the guardian's consent")
    form.locator('[name="purpose"]').select_option("dukungan")
    form.locator('[name="given_by"]').select_option("ibu")
    form.locator('[name="given_on"]').fill(today.isoformat())
    form.locator('[name="method"][value="formulir"]').check()
    form.locator('[name="form_file"]').set_input_files(
        {"name": "persetujuan.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    form.locator('[name="scope"]').fill("Konseling di sekolah dan kunjungan keluarga.")
    save(page, form, "Save", "Consent recorded.")
    consent = Consent.objects.get(record=record)
    assert consent.purpose == "dukungan" and consent.form_file
    expect(page.locator("#h-consent + div")).to_contain_text(id_("signed form"))

    # 3. The support plan: needs, a goal with its target date, an intervention.
    form = card(page, "Write the support plan")
    form.locator('[name="tier"]').select_option(str(ChildRecord.Tier.INDIVIDUAL))
    form.locator('[name="needs"]').fill("Withdrawn after the incident; avoids break time.")
    save(page, form, "Save", "Support plan saved.")
    plan_box = page.locator('section[aria-labelledby="h-plan"]')
    expect(plan_box).to_contain_text("avoids break time")
    expect(plan_box).to_contain_text(id_("waits for a Koordinator's approval"))
    form = card(page, "Add a goal")
    form.locator('[name="description"]').fill("Plays with classmates at break time")
    form.locator('[name="target_date"]').fill((today + timedelta(days=90)).isoformat())
    save(page, form, "Add", "Goal added.")
    form = card(page, "Add an intervention")
    form.locator('[name="kind"]').select_option("konseling")
    form.locator('[name="provider"]').fill("PEKSOS Budi")
    form.locator('[name="frequency"]').select_option("mingguan")
    save(page, form, "Add", "Intervention added.")
    expect(plan_box).to_contain_text("Plays with classmates at break time")
    expect(plan_box).to_contain_text("PEKSOS Budi")

    # 4. A Koordinator approves the plan (their own browser).
    office = page.context.browser.new_context(locale="id-ID", viewport=shared.DESKTOP)
    boss = office.new_page()
    boss_problems = shared.PageProblems(boss)
    shared.log_in(boss, live_server, koordinator.username)
    expect(boss).to_have_url(f"{live_server.url}/")
    boss.goto(f"{live_server.url}/pemantauan/anak/{record.code}/")
    boss.get_by_role("button", name=id_("Approve the plan")).click()
    expect(boss.locator(".alert-success").first).to_contain_text(id_("Support plan approved."))
    plan = SupportPlan.objects.get(record=record)
    assert plan.approved_by == koordinator and plan.needs.startswith("Withdrawn")
    page.reload()
    expect(plan_box).to_contain_text(id_("approved"))
    shared.screenshot(page, shots, "case-2-plan-approved")

    # 5. Baseline measures from paper forms six weeks ago: the teacher's SDQ and wellbeing.
    form = card(page, "Enter SDQ scores from a paper form")
    form.locator('[name="informant"]').select_option("guru")
    form.locator('[name="taken_on"]').fill(baseline.isoformat())
    for field, value in {
        "emotional": 7,
        "conduct": 4,
        "hyperactivity": 5,
        "peer": 6,
        "prosocial": 4,
    }.items():
        form.locator(f'[name="{field}"]').fill(str(value))
    save(page, form, "Save", "SDQ scores added.")
    form = card(page, "Add a wellbeing rating")
    form.locator('[name="rater"]').select_option("guru")
    form.locator('[name="rated_on"]').fill(baseline.isoformat())
    form.locator('[name="score"]').fill("4")
    save(page, form, "Save", "Wellbeing rating added.")

    # 6. Ask the class teacher for an observation.
    form = card(page, "Ask a teacher or parent for an observation")
    form.locator('[name="addressee"]').select_option(str(teacher.pk))
    form.locator('[name="child_label"]').fill(FIRST_NAME)
    save(page, form, "Ask", "Observation requested: they have been told.")
    observation = ObservationRequest.objects.get()
    assert observation.addressee == teacher and observation.rater == "guru"
    expect(page.locator(f"#observation-{observation.pk}")).to_contain_text(teacher.first_name)

    # 7. The teacher opens the e-mailed link on a phone, logs in and fills the form.
    link = e_mailed_link(teacher.email)
    assert link.endswith(f"/pemantauan/pengamatan/{observation.pk}/")
    assert CHILD not in link and record.code not in link
    phone = page.context.browser.new_context(locale="id-ID", viewport=shared.PHONE, is_mobile=True)
    mobile = phone.new_page()
    mobile_problems = shared.PageProblems(mobile)
    mobile.goto(link)
    expect(mobile).to_have_url(re.compile(r"/masuk/\?next="))
    mobile.get_by_label("Nama pengguna atau e-mail").fill(teacher.username)
    mobile.get_by_label("Sandi", exact=False).fill(PASSWORD)
    mobile.get_by_role("button", name="Masuk", exact=True).click()
    expect(mobile).to_have_url(f"{live_server.url}/pemantauan/pengamatan/{observation.pk}/")
    expect(mobile.locator("h1")).to_contain_text(FIRST_NAME)
    main_text = mobile.locator("main").inner_text()
    assert CHILD not in main_text and record.code not in main_text
    assert "avoids break time" not in main_text  # nothing of the plan
    mobile.locator('label[for="id_cheerful_2"]').click()  # often
    mobile.locator('label[for="id_gets_along_1"]').click()  # sometimes
    mobile.locator('label[for="id_calm_2"]').click()
    mobile.locator('label[for="id_wellbeing_8"]').click()
    mobile.locator("#id_comment").fill("Sudah mau bermain bola dengan teman saat istirahat.")
    overflow = mobile.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    mobile.screenshot(path=str(shots / "case-3-teacher-phone.png"), full_page=True)
    assert overflow <= 0, f"the form is {overflow}px wider than a 360px phone"
    mobile.get_by_role("button", name=id_("Send my observation")).click()
    expect(mobile).to_have_url(f"{live_server.url}/pemantauan/pengamatan/")
    expect(mobile.locator(".alert-success").first).to_contain_text(
        id_("Thank you: your observation was sent.")
    )
    # The record and the case stay closed to the teacher.
    assert mobile.goto(f"{live_server.url}/pemantauan/anak/{record.code}/").status == 404
    refused = (f"/pemantauan/anak/{record.code}/",)
    unexpected = [e for e in mobile_problems.errors if not any(u in e for u in refused)]
    assert unexpected == []
    phone.close()
    observation.refresh_from_db()
    rating = observation.rating
    assert rating.score == 8 and rating.rater == "guru" and rating.rated_on == today

    # 8. The follow-up SDQ from the teacher today, and the goal's attainment.
    page.reload()
    answered = page.locator(f"#observation-{observation.pk}")
    expect(answered).to_contain_text("Sudah mau bermain bola")
    form = card(page, "Enter SDQ scores from a paper form")
    form.locator('[name="informant"]').select_option("guru")
    form.locator('[name="taken_on"]').fill(today.isoformat())
    for field, value in {
        "emotional": 3,
        "conduct": 2,
        "hyperactivity": 4,
        "peer": 2,
        "prosocial": 7,
    }.items():
        form.locator(f'[name="{field}"]').fill(str(value))
    save(page, form, "Save", "SDQ scores added.")
    assert sorted(s.total for s in SdqScore.objects.filter(record=record)) == [11, 22]
    form = card(page, "Score a goal (-2..+2)")
    form.locator('[name="goal"]').select_option(index=1)  # the one goal
    form.locator('[name="score"]').select_option("1")
    form.locator('[name="scored_on"]').fill(today.isoformat())
    save(page, form, "Save", "Goal attainment scored.")
    expect(plan_box).to_contain_text("+1")

    # 9. The charts show the trend: one line of two points each, going the right way.
    measures = page.locator('section[aria-labelledby="h-measures"]')
    sdq_chart = measures.locator(f'svg[aria-label="{id_("SDQ total difficulties over time")}"]')
    wellbeing_chart = measures.locator(f'svg[aria-label="{id_("Wellbeing ratings over time")}"]')
    expect(sdq_chart).to_be_visible()
    expect(wellbeing_chart).to_be_visible()
    (x1, y1), (x2, y2) = polyline(sdq_chart)
    assert x2 > x1 and y2 > y1, "the SDQ total fell from 22 to 11: the line goes down"
    (x1, y1), (x2, y2) = polyline(wellbeing_chart)
    assert x2 > x1 and y2 < y1, "wellbeing rose from 4 to 8: the line goes up"
    teacher_label = id_("teacher")
    for chart, values in ((sdq_chart, (22, 11)), (wellbeing_chart, (4, 8))):
        titles = chart.locator("title").evaluate_all("ts => ts.map(t => t.textContent)")
        for value in values:
            assert any(t.startswith(f"{teacher_label}: {value} (") for t in titles), titles
    expect(measures).to_contain_text(id_("improved by 3 points or more"))
    shared.screenshot(page, shots, "case-4-trend")

    # 10. Closure: the PEKSOS asks, the Koordinator approves; the record is read-only.
    form = card(page, "Ask to close the record")
    form.locator('[name="outcome"]').select_option("tujuan_tercapai")
    form.locator('[name="note"]').fill("Goal met; the class teacher keeps an eye at break time.")
    save(page, form, "Ask for closure", "Closure requested: a Koordinator will approve it.")
    expect(page.locator("#closure-request")).to_be_visible()
    boss.goto(f"{live_server.url}/pemantauan/anak/{record.code}/")
    boss.get_by_role("button", name=id_("Approve the closure")).click()
    expect(boss.locator(".alert-success").first).to_contain_text(id_("The record was closed."))
    expect(boss.locator("#closure-request")).to_have_count(0)
    assert boss_problems.errors == []
    office.close()
    record.refresh_from_db()
    assert record.status == ChildRecord.Status.CLOSED and record.closed_by == koordinator
    assert record.outcome == ChildRecord.Outcome.GOALS_MET
    page.reload()
    expect(page.locator("main details")).to_have_count(0)  # no more actions
    expect(page.locator("main .badge").first).to_have_text(id_("closed"))
    shared.screenshot(page, shots, "case-5-closed")
