"""A participant without an account, on a phone (360 px wide) in a real browser, fills the
pre-test, then the post-test, then the feedback form of a training; the facilitating staff
then read the gain and the comment on the results pages (issue 5).

Any console error fails the test (CSP violations show up there). Screenshots go to
test-results/<test>/.
"""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from activities.models import Feedback, KnowledgeAttempt
from tests.browser import support as shared
from tests.factories import correct_answers, make_activity, with_test
from visits.models import Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMENT = "Simulasi penanganan trauma sangat membantu saya sebagai guru."


def phone_shot(page: Page, folder: Path, name: str) -> None:
    page.wait_for_load_state("load")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    page.screenshot(path=str(folder / f"{name}-phone.png"), full_page=True)
    assert overflow <= 0, f"{name}: the page is {overflow}px wider than a 360px phone"


@pytest.fixture
def training(settings, school_a, koordinator_ani):
    settings.REQUIRE_2FA = False  # this test is about the participant forms
    activity = make_activity(school_a, Visit.Kind.TRAINING)
    qset = with_test(activity)
    return activity, correct_answers(qset)


def answer_test(page: Page, answers: list[int]) -> None:
    page.locator("#id_group").select_option("guru")
    for position, choice in enumerate(answers, start=1):
        page.locator(f"#id_q{position}_{choice}").check()


def test_participant_fills_pre_post_and_feedback_on_a_phone(
    page: Page, live_server, training, problems, shots
):
    activity, right = training
    wrong = [(a + 1) % 4 for a in right]
    base = f"{live_server.url}/ikut/{activity.public_code}"
    page.set_viewport_size(shared.PHONE)

    # Pre-test: one of four right. Sending with a question unanswered keeps the others.
    page.goto(f"{base}/tes-awal/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tes awal")
    answer_test(page, right[:1] + wrong[1:3])
    phone_shot(page, shots, "1-pre-test")
    page.get_by_role("button", name="Kirim jawaban saya").click()
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator(f"#id_q1_{right[0]}")).to_be_checked()
    expect(page.locator(f"#id_q3_{wrong[2]}")).to_be_checked()
    page.locator(f"#id_q4_{wrong[3]}").check()
    page.get_by_role("button", name="Kirim jawaban saya").click()
    expect(page.locator("#participant-done")).to_contain_text("1 dari 4")
    phone_shot(page, shots, "2-pre-done")

    # Post-test after the session: all right.
    page.goto(f"{base}/tes-akhir/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tes akhir")
    answer_test(page, right)
    page.get_by_role("button", name="Kirim jawaban saya").click()
    expect(page.locator("#participant-done")).to_contain_text("4 dari 4")

    # Feedback.
    page.goto(f"{base}/umpan-balik/")
    page.locator("#id_satisfaction_4").check()
    page.locator("#id_usefulness_4").check()
    page.locator("#id_clarity_3").check()
    page.locator("#id_comment").fill(COMMENT)
    phone_shot(page, shots, "3-feedback")
    page.get_by_role("button", name="Kirim", exact=True).click()
    expect(page.locator("#participant-done")).to_be_visible()
    # Opening it again: already answered, nothing changes.
    page.goto(f"{base}/umpan-balik/")
    expect(page.locator("#participant-done")).to_be_visible()

    assert KnowledgeAttempt.objects.count() == 2 and Feedback.objects.count() == 1

    # The koordinator reads the gain from the activity's page.
    page.set_viewport_size(shared.DESKTOP)
    shared.log_in(page, live_server, "koordinator_ani")
    expect(page).to_have_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/kegiatan/{activity.pk}/")
    page.locator("#participant-tools").get_by_role("link", name="Tes pengetahuan").click()
    expect(page.locator("#pre-mean")).to_have_text("25,0%")
    expect(page.locator("#post-mean")).to_have_text("100,0%")
    expect(page.locator("#gain")).to_contain_text("+75,0")
    expect(page.locator("#paired-gain")).to_contain_text("+75,0")
    shared.screenshot(page, shots, "4-results")
    page.goto(f"{live_server.url}/kegiatan/{activity.pk}/umpan-balik/")
    expect(page.locator(".comment")).to_contain_text(COMMENT)
    page.goto(f"{live_server.url}/kegiatan/{activity.pk}/peserta/")
    shared.screenshot(page, shots, "5-links-and-qr")


def test_the_door_prize_draw_on_the_projector(
    page: Page, live_server, settings, school_a, peksos_budi, problems, shots
):
    from activities.models import Activity, Attendee, Draw

    settings.REQUIRE_2FA = False
    # The draw opens once the activity is recorded as held.
    activity = make_activity(school_a, Visit.Kind.ONE_DAY, state=Activity.State.HELD)
    for name in ("Ibu Sari", "Bapak Joko", "Ibu Wati"):
        Attendee.objects.create(activity=activity, name=name, group="orang_tua")
    shared.log_in(page, live_server, "peksos_budi")
    expect(page).to_have_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/kegiatan/{activity.pk}/undian/")
    page.locator("#id_name").fill("Tas sekolah")
    page.locator("#id_quantity").fill("4")
    page.get_by_role("button", name="Tambahkan hadiah").click()
    expect(page.locator("#prizes")).to_contain_text("Tas sekolah")
    page.locator("#id_tickets").fill("2")
    page.get_by_role("button", name="Jalankan undian").click()
    draw = Draw.objects.get(activity=activity)
    expect(page.locator("#digest")).to_have_text(draw.digest)
    page.get_by_role("button", name="Periksa undian ini").click()
    expect(page.locator(".alert-success")).to_contain_text("cocok")
    shared.screenshot(page, shots, "1-draw-record")
    page.get_by_role("link", name="Tampilkan di proyektor").click()
    expect(page.locator("nav.navbar")).to_have_count(0)
    names = {adult["id"]: adult["name"] for adult in draw.snapshot["adults"]}
    for row in draw.result:  # one by one, in the recorded order
        page.get_by_role("link", name="Pemenang berikutnya").click()
        winner = row["winner"]
        label = names[winner] if winner.startswith("A:") else f"Kupon nomor {winner[2:]}"
        expect(page.locator("#projector-winner")).to_have_text(label)
    # 5 entries (3 adults, tickets 1 and 2), 4 prizes: four different winners.
    winners = {row["winner"] for row in draw.result}
    assert len(winners) == 4
    expect(page.get_by_role("link", name="Pemenang berikutnya")).to_have_count(0)
    page.screenshot(path=str(shots / "2-projector.png"))
