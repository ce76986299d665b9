"""Onboarding a school in a real browser (issue #17's bar): the Koordinator imports a file with
a principal and two officers for a school that has nobody yet; each accepts the invitation on a
360 px phone and logs in; an officer fills the desk (the SK and the TPPK members); the principal
agrees a proposed visit; once it is held, the compliance board counts it.

The principal and the officers are school roles: no second factor to enrol (only programme
staff have one, tests/core/test_second_factor.py). The Koordinator's own second factor is
switched off here (tested elsewhere). The clock is set with time-machine (the live server runs
in this process). Any console error fails the test; screenshots go to test-results/<test>/.
"""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from peksos.accounts.models import Role, User
from schools.models import School, SchoolMembership
from sosdesk.models import Desk
from tests.browser import support as shared
from tests.factories import SCHOOL_A_NPSN, SCHOOL_B_NPSN, make_visit
from visits.models import Visit
from visits.services import visit_done

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIB = ZoneInfo("Asia/Jakarta")
IMPORT_DAY = datetime(2026, 8, 3, 9, 0, tzinfo=WIB)  # a Monday of semester 1
VISIT_DAY = date(2026, 8, 12)
AFTER_THE_VISIT = datetime(2026, 8, 12, 14, 0, tzinfo=WIB)
NEW_PASSWORD = "Sekolah-Metro-2026-aman"
PEOPLE = [  # (name, role label as the file writes it, e-mail)
    ("Ibu Sri Wahyuni", "Kepala Sekolah", "sri.wahyuni@example.org"),
    ("Pak Bayu Pratama", "Petugas SOS Desk", "bayu.pratama@example.org"),
    ("Ibu Rina Lestari", "petugas sos desk", "rina.lestari@example.org"),
]


def id_(msgid: str) -> str:
    with translation.override("id"):
        return gettext(msgid)


@pytest.fixture
def empty_school(settings, koordinator_ani, kota_metro) -> School:
    settings.REQUIRE_2FA = False  # the Koordinator's second factor is not this test's subject
    school = (
        School.objects.exclude(npsn__in=[SCHOOL_A_NPSN, SCHOOL_B_NPSN])
        .filter(level="SD", memberships__isnull=True)
        .order_by("npsn")
        .first()
    )
    assert not Desk.objects.filter(school=school).exists()
    return school


def log_out(page: Page) -> None:
    page.context.clear_cookies()


def test_a_school_is_onboarded_from_a_file(page: Page, live_server, empty_school, problems, shots):
    traveller = time_machine.travel(IMPORT_DAY, tick=True)
    traveller.start()
    try:
        visit = import_and_accept(page, live_server, empty_school, shots)
    finally:
        traveller.stop()
    traveller = time_machine.travel(AFTER_THE_VISIT, tick=True)
    traveller.start()
    try:
        visit_done(visit=visit, by=User.objects.get(username="koordinator_ani"))
        compliance_counts_it(page, live_server, empty_school, shots)
    finally:
        traveller.stop()


def import_and_accept(page: Page, live_server, school: School, shots) -> Visit:
    # 1. The Koordinator sees a school with nobody, imports the file, checks and applies it.
    shared.log_in(page, live_server, "koordinator_ani")
    expect(page).to_have_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/sekolah/{school.npsn}/")
    people = page.locator("#orang")
    expect(people).to_contain_text(id_("No principal yet."))
    expect(people.get_by_role("link", name=id_("Invite the principal"))).to_be_visible()
    shared.screenshot(page, shots, "1-school-without-people")
    lines = ["nama;peran;email;telepon;npsn"]
    lines += [f"{name};{role};{email};;{school.npsn}" for name, role, email in PEOPLE]
    page.goto(f"{live_server.url}/pengguna/impor/")
    page.locator("#id_file").set_input_files(
        files=[
            {
                "name": "sekolah-baru.csv",
                "mimeType": "text/csv",
                "buffer": ("\ufeff" + "\r\n".join(lines)).encode(),
            }
        ]
    )
    page.get_by_role("button", name=id_("Check the file")).click()
    expect(page.locator("main")).to_contain_text("Ibu Rina Lestari")
    page.get_by_role("button", name=id_("Apply")).click()
    expect(page.locator(".alert-success").first).to_contain_text("3 orang diundang")
    assert SchoolMembership.objects.filter(school=school).count() == 3
    page.goto(f"{live_server.url}/sekolah/{school.npsn}/")
    for name, _role, _email in PEOPLE:
        expect(people).to_contain_text(name)
    shared.screenshot(page, shots, "2-school-with-invited-people")
    log_out(page)

    # 2. Each opens their invitation on a phone, chooses a password and logs in.
    links = {}
    for message in mail.outbox:
        found = re.search(r"/undangan/([^/\s]+)/", message.body)
        if found:
            links[message.to[0]] = found.group(0)
    assert set(links) == {email for _n, _r, email in PEOPLE}
    for name, _role, email in PEOPLE:
        page.set_viewport_size(shared.PHONE)
        page.goto(f"{live_server.url}{links[email]}")
        expect(page.locator("main")).to_contain_text(name)
        page.locator("#id_new_password1").fill(NEW_PASSWORD)
        page.locator("#id_new_password2").fill(NEW_PASSWORD)
        if email == PEOPLE[0][2]:
            page.screenshot(path=str(shots / "3-invitation-phone.png"), full_page=True)
        page.get_by_role("button", name=id_("Save my password and log in")).click()
        expect(page).to_have_url(f"{live_server.url}/")  # no second factor for school roles
        log_out(page)
        page.goto(f"{live_server.url}/masuk/")
        page.get_by_label("Nama pengguna atau e-mail").fill(email)
        page.get_by_label("Sandi", exact=False).fill(NEW_PASSWORD)
        page.get_by_role("button", name="Masuk", exact=True).click()
        expect(page).to_have_url(f"{live_server.url}/")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{email}'s home is wider than a 360 px phone"
        log_out(page)

    # 3. An officer fills the desk on the phone: the SK, then two TPPK members.
    officer = PEOPLE[1][2]
    page.goto(f"{live_server.url}/masuk/")
    page.get_by_label("Nama pengguna atau e-mail").fill(officer)
    page.get_by_label("Sandi", exact=False).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/sosdesk/sekolah/{school.npsn}/sk/")
    page.locator("#id_sk_number").fill("421.2/045/SK/2026")
    page.locator("#id_term_start").fill("2026-08-01")
    page.get_by_role("button", name=id_("Save")).click()
    expect(page).to_have_url(f"{live_server.url}/sosdesk/sekolah/{school.npsn}/")
    team = (  # a working TPPK: an odd number, at least three, one from the committee
        ("Ibu Wulan Sari", "guru", True),
        ("Pak Joko Susilo", "tendik", False),
        ("Ibu Sari Dewi", "komite", False),
    )
    for member, position, chair in team:
        form = page.locator("#member-form")
        form.locator("#id_name").fill(member)
        form.locator("#id_position").select_option(position)
        if chair:
            form.locator("#id_is_chair").check()
        form.get_by_role("button", name=id_("Add")).click()
        expect(page.locator("#desk-members")).to_contain_text(member)
    expect(page.locator("main .alert-danger")).to_have_count(0)  # nothing missing any more
    page.screenshot(path=str(shots / "4-desk-phone.png"), full_page=True)
    desk = Desk.objects.get(school=school)
    assert desk.sk_number == "421.2/045/SK/2026" and desk.members.count() == 3
    school.refresh_from_db()
    assert school.has_sos_desk is True
    log_out(page)

    # 4. A visit is proposed; the principal agrees it on the phone.
    visit = make_visit(school, VISIT_DAY, Visit.State.PROPOSED)
    principal = PEOPLE[0][2]
    page.goto(f"{live_server.url}/masuk/")
    page.get_by_label("Nama pengguna atau e-mail").fill(principal)
    page.get_by_label("Sandi", exact=False).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/kunjungan/persetujuan/")
    page.locator(f'form[action="/kunjungan/{visit.pk}/setujui/"] button').click()
    expect(page.locator(".alert-success").first).to_be_visible()
    page.screenshot(path=str(shots / "5-visit-agreed-phone.png"), full_page=True)
    visit.refresh_from_db()
    assert visit.state == Visit.State.AGREED
    log_out(page)
    page.set_viewport_size(shared.DESKTOP)
    return visit


def compliance_counts_it(page: Page, live_server, school: School, shots) -> None:
    # 5. The visit was held; the Koordinator's compliance board counts it, and the school's
    #    People section shows everyone and the desk.
    shared.log_in(page, live_server, "koordinator_ani")
    expect(page).to_have_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/kunjungan/kepatuhan/?tahun=2026")
    row = page.locator("tr", has=page.get_by_role("rowheader", name=school.kecamatan.name)).first
    cells = row.locator("td")
    expect(cells.nth(2)).to_have_text("1")  # schools, 0 done, 1 done: this school
    expect(page.locator("tfoot td").nth(2)).to_have_text("1")
    shared.screenshot(page, shots, "6-compliance")
    page.goto(f"{live_server.url}/sekolah/{school.npsn}/")
    people = page.locator("#orang")
    expect(people).to_contain_text("Ibu Wulan Sari")
    expect(people).to_contain_text("421.2/045/SK/2026")
    expect(people).not_to_contain_text(id_("invited, not yet accepted"))
    assert (
        User.objects.filter(
            email__in=[e for _n, _r, e in PEOPLE], role__in=[Role.KEPALA_SEKOLAH, Role.SOSDESK]
        ).count()
        == 3
    )
