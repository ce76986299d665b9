"""A Koordinator asks for the city report in a real browser, watches the progress bar move
(htmx polling, no reload) and downloads the PDF.

The worker is played by the test: the request only queues the report (the outbox relay is
held back), the test moves the report's progress as a worker would, then builds it. Any
console error (a CSP violation) fails the test. Screenshots go to test-results/<test>/.
"""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from reports import builder
from reports.models import Report
from tests.browser import support as shared

DESKTOP, log_in = shared.DESKTOP, shared.log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def koordinator(settings, koordinator_ani, kota_metro, tmp_path, monkeypatch):
    settings.REQUIRE_2FA = False  # this test is about reports, not the second factor
    settings.MEDIA_ROOT = tmp_path / "media"
    # No worker here: the request queues the report, the test plays the worker.
    monkeypatch.setattr("peksos.core.outbox.nudge_relay", lambda: None)
    return koordinator_ani


def test_request_watch_the_progress_and_download(
    page: Page, live_server, koordinator, problems, shots
):
    log_in(page, live_server, "koordinator_ani")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator(".dashboard-tile").first).to_be_visible()
    shared.screenshot(page, shots, "0-home")  # the dashboard fits a phone too
    page.goto(f"{live_server.url}/laporan/minta/")
    page.locator("#id_kind").select_option("kota")
    page.locator("#id_period").select_option("tahun")
    page.locator("#id_school_year").select_option("2025")
    page.screenshot(path=str(shots / "1-form.png"), full_page=True)
    page.get_by_role("button", name=builder_label("Prepare the report")).click()

    report = Report.objects.get()
    expect(page).to_have_url(f"{live_server.url}/laporan/{report.pk}/")
    progress = page.locator("progress.report-progress")
    expect(progress).to_be_visible()
    page.screenshot(path=str(shots / "2-queued.png"), full_page=True)

    # The worker starts: the bar follows without a reload.
    page.evaluate("window.__notReloaded = true")
    Report.objects.filter(pk=report.pk).update(
        state=Report.State.RUNNING, sections_total=7, sections_done=3
    )
    expect(progress).to_have_attribute("value", "3", timeout=8000)
    assert page.evaluate("window.__notReloaded") is True
    page.screenshot(path=str(shots / "3-running.png"), full_page=True)

    # The worker finishes (after a restart: a fresh claim of a report older than the limit).
    Report.objects.filter(pk=report.pk).update(state=Report.State.QUEUED)
    assert builder.run(report.pk)
    download = page.locator(f'a[href="/laporan/{report.pk}/unduh/"]')
    expect(download).to_be_visible(timeout=8000)
    expect(progress).to_have_count(0)
    assert page.evaluate("window.__notReloaded") is True
    page.screenshot(path=str(shots / "4-ready.png"), full_page=True)

    with page.expect_download() as info:
        download.click()
    path = Path(info.value.path())
    assert path.read_bytes().startswith(b"%PDF")
    assert info.value.suggested_filename.startswith("laporan-kota-metro-20250701")


def builder_label(text: str) -> str:
    from django.utils import translation

    with translation.override("id"):
        return translation.gettext(text)
