"""A case through the whole PPKSP procedure in a real browser (issue 19): an anonymous public
report, verification, two parties and two interviews, evidence, the conclusion "proven" with a
"sedang" sanction approved by the desk's chair, the principal's decision, a recovery task
done, the examination report downloaded as a PDF (its text checked), closure.

The public report carries a photo (stripped of its EXIF by the upload gate); the desk officer
finds it on the case page as a download. Screenshots (1280 and 360 px) go to
test-results/<test>/.
"""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from sosdesk import services
from sosdesk.models import Case
from sosdesk.procedure.models import Conclusion, Decision, RecoveryTask
from tests.browser import support as shared

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARRATIVE = "Teman sekelas saya diejek dan didorong setiap hari di belakang kelas."
VICTIM = "Nama Korban Rahasia"


def in_form(page: Page, action_end: str):
    return page.locator(f"form[action$='{action_end}']")


def open_card(page: Page, title: str) -> None:
    page.locator("summary", has_text=title).first.click()


@pytest.fixture
def photo(tmp_path) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 160)).save(out, "JPEG")
    path = tmp_path / "foto-kejadian.jpg"
    path.write_bytes(out.getvalue())
    return path


def test_case_walks_through_the_procedure(
    page: Page, live_server, school_a, sosdesk_citra_sdn1, photo, problems, shots
):
    desk = services.desk_ensure(school_a)
    services.desk_member_add(
        desk=desk,
        name="Ibu Citra",
        position="guru",
        is_chair=True,
        user=sosdesk_citra_sdn1,
        by=sosdesk_citra_sdn1,
    )

    # 1. An anonymous report with a photo through the public form.
    page.goto(f"{live_server.url}/lapor/{desk.public_code}/")
    page.wait_for_load_state("networkidle")
    page.locator("#id_narrative").fill(NARRATIVE)
    page.locator("#id_violence_2").check()  # bullying
    page.locator("#id_photos").set_input_files(str(photo))
    page.locator("#report-form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/lapor/terkirim/")
    code = page.locator("#receipt-code").inner_text().strip()
    page.context.clear_cookies()

    # 2. The desk officer (the team's chair) verifies it.
    shared.log_in(page, live_server, "sosdesk_citra")
    page.goto(f"{live_server.url}/sosdesk/kasus/{code}/")
    expect(page.locator("a[download]", has_text="foto-kejadian")).to_be_visible()
    status = in_form(page, "/status/")
    open_card(page, "Ubah status")
    status.locator("select[name=to]").select_option("verifikasi")
    status.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    shared.screenshot(page, shots, "1-case-page")
    page.get_by_role("link", name="Buka prosedur").click()
    expect(page).to_have_url(f"{live_server.url}/sosdesk/kasus/{code}/prosedur/")

    # 3. Two parties: the victim and the alleged party.
    for role, category, name, age in (
        ("korban", "peserta_didik", VICTIM, "13-17"),
        ("terlapor", "peserta_didik", "Nama Terlapor Rahasia", "13-17"),
    ):
        open_card(page, "Catat pihak")
        form = in_form(page, "/prosedur/pihak/")
        form.locator("select[name=role]").select_option(role)
        form.locator("select[name=category]").select_option(category)
        form.locator("select[name=sex]").select_option("P")
        form.locator("select[name=age_band]").select_option(age)
        form.locator("input[name=name]").fill(name)
        form.locator("button[type=submit]").click()
        expect(page.locator(".alert-success")).to_contain_text("Pihak dicatat")
    expect(page.locator("main")).to_contain_text("Korban 1")
    assert VICTIM not in page.content()

    # 4. Two interviews, planned and held.
    when = (timezone.localtime() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    for label in ("Korban 1", "Terlapor 1"):
        open_card(page, "Rencanakan wawancara")
        form = in_form(page, "/prosedur/wawancara/")
        form.locator("select[name=party]").select_option(label=label)
        form.locator("input[name=planned_at]").fill(when)
        form.locator("input[name=interviewers]").fill("Ibu Citra dan Pak Budi")
        form.locator("button[type=submit]").click()
        expect(page.locator(".alert-success")).to_contain_text("Wawancara direncanakan")
        open_card(page, "Catat bahwa sudah dilakukan")
        form = (
            page.locator("form[action*='/prosedur/wawancara/'][action$='/']")
            .filter(has=page.locator("textarea[name=summary]"))
            .first
        )
        form.locator("input[name=held_at]").fill(when)
        form.locator("textarea[name=summary]").fill(f"Keterangan {label} tentang kejadian.")
        form.locator("button[type=submit]").click()
        expect(page.locator(".alert-success")).to_contain_text("Wawancara dicatat")

    # 5. Evidence, with a PDF through the upload gate.
    open_card(page, "Catat bukti")
    form = in_form(page, "/prosedur/bukti/")
    form.locator("input[name=description]").fill("Tangkapan layar pesan ejekan")
    form.locator("input[name=received_on]").fill(timezone.localdate().isoformat())
    form.locator("input[name=file]").set_input_files(
        files=[
            {
                "name": "bukti.pdf",
                "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n",
            }
        ]
    )
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("Bukti dicatat")

    # 6. The conclusion: proven, "sedang"; approved by the chair.
    open_card(page, "Susun kesimpulan")
    form = in_form(page, "/prosedur/kesimpulan/")
    form.locator("input[name=finding][value=terbukti]").check()
    form.locator("textarea[name=reasoning]").fill("Keterangan saksi dan bukti saling menguatkan.")
    form.locator("select[name=sanction_level]").select_option("sedang")
    form.locator("textarea[name=sanction]").fill("Pembinaan khusus dan teguran tertulis.")
    form.locator("textarea[name=victim_recovery]").fill("Konseling dengan guru BK.")
    form.locator("textarea[name=continued_schooling]").fill("Keduanya tetap bersekolah.")
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("Kesimpulan disimpan")
    page.get_by_role("button", name="Setujui sebagai ketua tim").click()
    expect(page.locator(".alert-success")).to_contain_text("Kesimpulan disetujui")

    # 7. The principal's decision.
    open_card(page, "Catat keputusan kepala sekolah")
    form = in_form(page, "/prosedur/keputusan/")
    form.locator("select[name=authority]").select_option("kepala_sekolah")
    form.locator("input[name=decided_by_name]").fill("Kepala SD Negeri 1")
    form.locator("textarea[name=decision]").fill("Teguran tertulis dan pembinaan dua minggu.")
    form.locator("input[name=decided_on]").fill(timezone.localdate().isoformat())
    form.locator("input[name=decree_number]").fill("421/07/SD1/2026")
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("Keputusan dicatat")

    # 8. A recovery task, done.
    open_card(page, "Tambah tugas pemulihan")
    form = in_form(page, "/prosedur/pemulihan/")
    form.locator("select[name=kind]").select_option("konseling")
    form.locator("input[name=owner]").fill("Guru BK")
    form.locator("input[name=due_on]").fill(timezone.localdate().isoformat())
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("Tugas pemulihan ditambahkan")
    open_card(page, "Tandai selesai")
    form = (
        page.locator("form[action*='/prosedur/pemulihan/']")
        .filter(has=page.locator("input[name=done_on]"))
        .first
    )
    form.locator("input[name=done_on]").fill(timezone.localdate().isoformat())
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("Tugas pemulihan selesai")

    # 9. The examination report as a PDF (rendered by the task; eager in tests).
    open_card(page, "Siapkan dokumen")
    form = in_form(page, "/prosedur/dokumen/")
    form.locator("select[name=kind]").select_option("lhp")
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("Dokumen sedang disiapkan")
    page.reload()
    link = page.locator("a[href*='/prosedur/dokumen/']")
    expect(link).to_have_count(1)
    shared.screenshot(page, shots, "2-procedure-page")
    with page.expect_download() as info:
        link.click()
    data = Path(info.value.path()).read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    (shots / "examination-report.txt").write_text(text)
    # pypdf splits some kerned pairs ("T erlapor"): compare without white space.
    flat = re.sub(r"\s+", "", text)
    assert "LAPORANHASILPEMERIKSAAN" in flat.upper()
    assert "Korban1" in flat and "Terlapor1" in flat and "sedang" in flat, text
    assert "KeteranganKorban1tentangkejadian." in flat
    assert re.sub(r"\s+", "", VICTIM) not in flat and re.sub(r"\s+", "", NARRATIVE) not in flat

    # 10. Closure on the case page.
    page.goto(f"{live_server.url}/sosdesk/kasus/{code}/")
    open_card(page, "Ubah status")
    status = in_form(page, "/status/")
    status.locator("select[name=to]").select_option("selesai")
    status.locator("select[name=outcome]").select_option("ditangani")
    status.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    page.goto(f"{live_server.url}/sosdesk/terlambat/")
    expect(page.locator("#h-steps-overdue")).to_be_visible()
    shared.screenshot(page, shots, "3-overdue-board")

    case = Case.objects.get(code=code)
    assert case.status == Case.Status.CLOSED and case.anonymous
    assert case.parties.count() == 2 and case.interviews.filter(held_at__isnull=False).count() == 2
    conclusion = Conclusion.objects.get(case=case)
    assert conclusion.finding == "terbukti" and conclusion.sanction_level == "sedang"
    assert conclusion.approved_by == sosdesk_citra_sdn1
    assert Decision.objects.get(case=case).decree_number == "421/07/SD1/2026"
    assert RecoveryTask.objects.get(case=case).done_on == timezone.localdate()
