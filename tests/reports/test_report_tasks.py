"""Rendering reports in the worker: claims, progress, failures, retries, files, the monthly
report and the housekeeping. WeasyPrint is replaced by a fake here (the PDF tests render)."""

import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from peksos.core.models import AuditEvent, OutboxMessage
from reports import services, tasks
from reports.builder import runner as builder
from reports.models import STALE_AFTER, Report
from tests.factories import WIB, city_report

FAKE_PDF = b"%PDF-1.7\n% fake report\n%%EOF\n"


@pytest.fixture
def renders(monkeypatch):
    """Count the PDFs rendered, and record the progress the row showed at each call."""
    calls = []

    def fake_render(html, **kwargs):
        calls.append(html)
        return FAKE_PDF

    monkeypatch.setattr("reports.pdf.render_pdf", fake_render)
    return calls


def files_in(media) -> list[str]:
    folder = Path(media) / "reports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def dispatched(report: Report) -> OutboxMessage:
    """The report's outbox message, as the relay leaves it just before the task starts."""
    message = OutboxMessage.objects.create(
        kind=tasks.RENDER_TASK, payload={"report": str(report.pk)}
    )
    OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxMessage.State.DISPATCHED)
    return message


def test_a_message_delivered_twice_renders_one_pdf(kota_metro, media, renders):
    report = city_report()
    message = dispatched(report)
    tasks.render_report(str(message.pk))
    tasks.render_report(str(message.pk))  # redelivered: the outbox claim refuses it
    report.refresh_from_db()
    assert report.state == Report.State.DONE
    assert len(renders) == 1
    assert files_in(media) == [f"{report.pk}.pdf"]  # no temporary file left behind
    assert Path(report.file.path).read_bytes() == FAKE_PDF
    assert report.sections_done == report.sections_total > 1
    assert report.expires_at > timezone.now() + timedelta(days=29)
    assert OutboxMessage.objects.get(pk=message.pk).state == OutboxMessage.State.DONE


def test_a_report_claimed_twice_renders_once(kota_metro, media, renders):
    report = city_report()
    assert builder.run(report.pk) is True
    assert builder.run(report.pk) is False  # done: nothing to claim
    assert len(renders) == 1


def test_a_fresh_running_report_is_not_taken_over(kota_metro, media, renders):
    report = city_report()
    Report.objects.filter(pk=report.pk).update(
        state=Report.State.RUNNING, started_at=timezone.now(), run_token=uuid.uuid4()
    )
    assert builder.run(report.pk) is False
    assert renders == []


def test_a_report_left_running_by_a_killed_worker_is_finished_by_the_retry(
    kota_metro, media, renders
):
    """F2: the worker died mid-report (its row says running, a partial file may exist); the
    redelivered message, after the time limit, ends with exactly one valid PDF."""
    report = city_report()
    Report.objects.filter(pk=report.pk).update(
        state=Report.State.RUNNING,
        started_at=timezone.now() - STALE_AFTER - timedelta(seconds=1),
        run_token=uuid.uuid4(),
        sections_done=2,
        sections_total=6,
    )
    folder = Path(media) / "reports"
    folder.mkdir(parents=True)
    (folder / f".{report.pk}.dead.part").write_bytes(b"%PDF-1.7 half")  # the dead run's temp
    message = dispatched(report)
    tasks.render_report(str(message.pk))
    report.refresh_from_db()
    assert report.state == Report.State.DONE
    assert report.attempts == 1
    assert Path(report.file.path).read_bytes() == FAKE_PDF
    assert f"{report.pk}.pdf" in files_in(media)
    assert len(renders) == 1


def test_a_run_that_lost_its_claim_stops_without_writing(kota_metro, media, renders, monkeypatch):
    report = city_report()
    other = uuid.uuid4()
    real = builder.STEPS[0]

    def taken_over(scope):
        # Meanwhile the report was judged dead and claimed by another run.
        Report.objects.filter(pk=report.pk).update(run_token=other)
        return real.build(scope)

    monkeypatch.setattr(
        builder, "STEPS", [builder.Step(real.key, real.title, taken_over, real.available)]
    )
    assert builder.run(report.pk) is False
    report.refresh_from_db()
    assert report.state == Report.State.RUNNING and report.run_token == other
    assert renders == [] and files_in(media) == []


def broken_steps(monkeypatch, key="cases"):
    def explode(scope):
        raise RuntimeError("database detail CANARY-EXCEPTION-TEXT")

    steps = [
        builder.Step(s.key, s.title, explode, s.available) if s.key == key else s
        for s in builder.STEPS
    ]
    monkeypatch.setattr(builder, "STEPS", steps)


def test_a_failing_section_fails_the_report_with_a_safe_message_and_it_can_run_again(
    kota_metro,
    media,
    renders,
    monkeypatch,
    login,
    koordinator_ani,
    django_capture_on_commit_callbacks,
):
    broken_steps(monkeypatch)
    report = city_report(by=koordinator_ani)
    message = dispatched(report)
    tasks.render_report(str(message.pk))
    report.refresh_from_db()
    assert report.state == Report.State.FAILED
    assert "CANARY-EXCEPTION-TEXT" not in report.error
    assert "SOS Desk" in report.error  # which section, in words
    assert report.run_token is None and report.finished_at is not None
    assert files_in(media) == [] and renders == []
    # The message is done: a failed report waits for a person, not for the outbox's back-off.
    assert OutboxMessage.objects.get(pk=message.pk).state == OutboxMessage.State.DONE
    page = login(koordinator_ani).get(reverse("reports:report-detail", args=[report.pk]))
    assert "CANARY-EXCEPTION-TEXT" not in page.content.decode()
    assert reverse("reports:report-run-again", args=[report.pk]) in page.content.decode()

    monkeypatch.undo()
    monkeypatch.setattr("reports.pdf.render_pdf", lambda html, **kw: FAKE_PDF)
    client = login(koordinator_ani)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report-run-again", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == Report.State.DONE, report.error
    assert report.error == "" and report.attempts == 2
    assert (
        AuditEvent.objects.filter(action="report_run_again", object_id=str(report.pk)).count() == 1
    )


def test_an_unexpected_error_fails_the_report_too(kota_metro, media, monkeypatch):
    def crash(html, **kwargs):
        raise ValueError("CANARY-EXCEPTION-TEXT")

    monkeypatch.setattr("reports.pdf.render_pdf", crash)
    report = city_report()
    assert builder.run(report.pk) is False
    report.refresh_from_db()
    assert report.state == Report.State.FAILED
    assert report.error and "CANARY" not in report.error


def test_a_full_disk_leaves_no_partial_file(kota_metro, media, renders, monkeypatch):
    def no_space(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(builder.os, "fsync", no_space)
    report = city_report()
    assert builder.run(report.pk) is False
    report.refresh_from_db()
    assert report.state == Report.State.FAILED
    assert "disk" in report.error.lower()
    assert files_in(media) == []
    assert not report.file


def test_progress_is_recorded_section_by_section(kota_metro, media, monkeypatch, renders):
    seen = []
    steps = []
    for step in builder.STEPS:

        def watch(scope, step=step):
            row = Report.objects.get(pk=scope.report.pk)
            seen.append((row.sections_done, row.current_section))
            return step.build(scope)

        steps.append(builder.Step(step.key, step.title, watch, step.available))
    monkeypatch.setattr(builder, "STEPS", steps)
    report = city_report()
    builder.run(report.pk)
    assert [done for done, _section in seen] == list(range(len(seen)))
    assert seen[0][1] == str(builder.STEPS[0].title)
    report.refresh_from_db()
    assert report.sections_total == len(seen) + 1  # the sections and the PDF


def test_request_writes_the_report_its_message_and_the_audit_row_together(
    kota_metro, koordinator_ani
):
    fields = {
        "kind": Report.Kind.CITY,
        "period_kind": "bulan",
        "period_start": datetime(2026, 4, 1).date(),
        "period_end": datetime(2026, 4, 30).date(),
        "idempotency_key": uuid.uuid4(),
    }
    first = services.report_request(fields=fields, by=koordinator_ani)
    again = services.report_request(fields=fields, by=koordinator_ani)
    assert again.pk == first.pk
    assert Report.objects.count() == 1
    assert OutboxMessage.objects.filter(kind=tasks.RENDER_TASK).count() == 1
    assert AuditEvent.objects.filter(action="report_requested").count() == 1


# --- Monthly report and housekeeping --------------------------------------------------------


def test_the_monthly_city_report_is_created_once(kota_metro):
    import time_machine

    with time_machine.travel(datetime(2026, 6, 1, 1, 5, tzinfo=WIB), tick=False):
        first = tasks.monthly_city_report()
        second = tasks.monthly_city_report()
    assert first and second is None
    report = Report.objects.get()
    assert report.monthly and report.kind == Report.Kind.CITY and report.requested_by is None
    assert (report.period_start.isoformat(), report.period_end.isoformat()) == (
        "2026-05-01",
        "2026-05-31",
    )
    assert not report.outside_office
    assert OutboxMessage.objects.filter(kind=tasks.RENDER_TASK).count() == 1


def test_the_monthly_report_is_visible_to_every_koordinator(kota_metro, login, koordinator_ani):
    import time_machine

    with time_machine.travel(datetime(2026, 6, 1, 1, 5, tzinfo=WIB), tick=False):
        tasks.monthly_city_report()
    report = Report.objects.get()
    page = login(koordinator_ani).get(reverse("reports:report-list")).content.decode()
    assert reverse("reports:report-detail", args=[report.pk]) in page


def test_expired_files_are_deleted_and_the_reports_kept(kota_metro, media, renders):
    report = city_report()
    builder.run(report.pk)
    report.refresh_from_db()
    path = Path(report.file.path)
    assert path.exists()
    assert tasks.purge_expired_files(report.expires_at - timedelta(days=1)) == 0
    assert tasks.purge_expired_files(report.expires_at + timedelta(seconds=1)) == 1
    report.refresh_from_db()
    assert not path.exists() and not report.file
    assert report.state == Report.State.DONE and report.is_expired and report.can_run_again


def test_reports_abandoned_in_running_are_failed(kota_metro):
    report = city_report()
    Report.objects.filter(pk=report.pk).update(
        state=Report.State.RUNNING, started_at=timezone.now() - timedelta(hours=3)
    )
    fresh = city_report()
    Report.objects.filter(pk=fresh.pk).update(state=Report.State.RUNNING, started_at=timezone.now())
    assert tasks.fail_abandoned() == 1
    report.refresh_from_db()
    assert report.state == Report.State.FAILED and report.error
    assert Report.objects.get(pk=fresh.pk).state == Report.State.RUNNING


def test_file_days_come_from_the_setting(kota_metro, media, renders, settings):
    settings.REPORT_FILE_DAYS = 3
    report = city_report()
    builder.run(report.pk)
    report.refresh_from_db()
    assert timedelta(days=2, hours=23) < report.expires_at - report.finished_at <= timedelta(days=3)


def test_children_are_counted_never_named(kota_metro, school_a, media, renders, frozen_now):
    from monitoring.models import ChildRecord

    for name in ("CANARY-CHILD-Budi-Santoso", "CANARY-CHILD-Sari-Dewi"):
        ChildRecord.objects.create(
            school=school_a, class_level="4", sex="L", birth_year=2016, name=name, tier=3
        )
    report = city_report(outside=True)
    builder.run(report.pk)
    report.refresh_from_db()
    with override("id"):
        title = gettext("Children by tier")
    by_tier = next(t for t in report.figures["tables"] if t["title"] == title)
    assert [row[1] for row in by_tier["rows"]] == [0, "<5"]  # tier 2, tier 3
    assert "CANARY-CHILD" not in str(report.figures) and "CANARY-CHILD" not in renders[0]
