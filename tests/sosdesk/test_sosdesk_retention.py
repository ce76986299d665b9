"""Retention of SOS Desk cases (issue 19, sosdesk/retention.py): a closed case is destroyed by
the daily job `SOSDESK_RETENTION_DAYS` after its closure, with everything under it; a
destruction record (what, when, by which rule) and an audit row are kept; an open case is
never destroyed. Time travels with time-machine."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from peksos.core.models import AuditEvent
from peksos.core.uploads import private_storage
from sosdesk import tasks
from sosdesk.models import (
    Case,
    CaseAttachment,
    CaseDestruction,
    CaseEvent,
    CaseMessage,
    CaseNote,
)
from sosdesk.services import case_message_from_reporter, case_note, case_transition
from tests.factories import file_report, gps_jpeg

DAYS = 30


@pytest.fixture(autouse=True)
def short_retention(settings, tmp_path):
    settings.SOSDESK_RETENTION_DAYS = DAYS
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def closed_case(school, by) -> Case:
    case = file_report(school, forms=["perundungan"], narrative="CANARY-RETENTION-4410")
    case_message_from_reporter(case=case, body="Tolong")
    case_note(case=case, body="Catatan", by=by)
    case_transition(case=case, to=Case.Status.CLOSED, outcome=Case.Outcome.RESOLVED, by=by)
    case.refresh_from_db()
    return case


def with_file(case: Case) -> str:
    from peksos.core.uploads import validate_image

    clean = validate_image(gps_jpeg(), prefix="sosdesk")
    name = private_storage().save(clean.storage_name, clean.as_file())
    CaseAttachment.objects.create(
        case=case,
        from_reporter=True,
        file=name,
        display_name="foto.jpg",
        content_type=clean.content_type,
        size=clean.size,
        sha256=clean.sha256,
    )
    return name


def test_closed_case_is_destroyed_after_the_period_and_the_record_kept(
    school_a, sosdesk_citra_sdn1, django_capture_on_commit_callbacks
):
    case = closed_case(school_a, sosdesk_citra_sdn1)
    name = with_file(case)
    pk, code = case.pk, case.code
    with time_machine.travel(case.closed_at + timedelta(days=DAYS - 1)):
        assert tasks.destroy_expired_cases.delay().get() == 0
    assert Case.objects.filter(pk=pk).exists()
    moment = case.closed_at + timedelta(days=DAYS, minutes=1)
    with (
        time_machine.travel(moment, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.destroy_expired_cases.delay().get() == 1
    assert not Case.objects.filter(pk=pk).exists()
    for model in (CaseEvent, CaseMessage, CaseNote, CaseAttachment):
        assert not model.objects.filter(case_id=pk).exists(), model
    assert not private_storage().exists(name)
    record = CaseDestruction.objects.get()
    assert record.case_uuid == pk
    assert record.destroyed_at == moment
    assert record.rule == f"closed + {DAYS} days (SOSDESK_RETENTION_DAYS)"
    assert record.forms == ["perundungan"] and record.outcome == Case.Outcome.RESOLVED
    assert record.files == 1 and record.school_id == school_a.pk
    audit = AuditEvent.objects.get(action="case_destroyed")
    assert audit.object_id == str(pk)
    # Nothing of the case's text or code is left in the record or the audit row.
    left = repr(list(CaseDestruction.objects.values())) + repr(audit.__dict__)
    assert "CANARY-RETENTION-4410" not in left and code not in left
    # Run again: nothing to do, the record stays.
    with time_machine.travel(moment + timedelta(days=1)):
        assert tasks.destroy_expired_cases.delay().get() == 0
    assert CaseDestruction.objects.count() == 1


def test_an_open_case_is_never_destroyed(school_a):
    case = file_report(school_a)
    with time_machine.travel(timezone.now() + timedelta(days=DAYS * 100)):
        assert tasks.destroy_expired_cases.delay().get() == 0
    assert Case.objects.filter(pk=case.pk).exists()
    assert not CaseDestruction.objects.exists()


def test_a_case_a_child_record_refers_to_is_kept(school_a, sosdesk_citra_sdn1, peksos_budi):
    from tests.factories import open_record

    case = closed_case(school_a, sosdesk_citra_sdn1)
    record = open_record(school_a, peksos_budi)
    type(record).objects.filter(pk=record.pk).update(case=case)
    out = StringIO()
    with time_machine.travel(case.closed_at + timedelta(days=DAYS + 1)):
        call_command("destroy_expired_cases", stdout=out)
    assert Case.objects.filter(pk=case.pk).exists()
    assert f"{case.code} kept" in out.getvalue()
    assert not CaseDestruction.objects.exists()


def test_dry_run_lists_and_changes_nothing(school_a, sosdesk_citra_sdn1):
    case = closed_case(school_a, sosdesk_citra_sdn1)
    out = StringIO()
    with time_machine.travel(case.closed_at + timedelta(days=DAYS + 1)):
        call_command("destroy_expired_cases", "--dry-run", stdout=out)
    assert case.code in out.getvalue() and "1 case(s)" in out.getvalue()
    assert Case.objects.filter(pk=case.pk).exists()


def test_the_job_is_scheduled_daily(settings):
    jobs = [job["task"] for job in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "sosdesk.tasks.destroy_expired_cases" in jobs


def test_the_procedure_records_and_their_files_go_with_the_case(
    school_a, sosdesk_citra_sdn1, django_capture_on_commit_callbacks
):
    """Parties, an interview (which protects its party), evidence with its file."""
    from peksos.core.uploads import validate_image
    from sosdesk.procedure import examination
    from sosdesk.procedure.models import CaseParty, Evidence, Interview
    from tests.factories import add_party, held_interview

    case = file_report(school_a)
    party = add_party(case, sosdesk_citra_sdn1)
    held_interview(case, party, sosdesk_citra_sdn1)
    examination.evidence_add(
        case=case,
        description="Foto memar",
        received_from="wali kelas",
        received_on=timezone.localdate(),
        upload=validate_image(gps_jpeg(), prefix="sosdesk"),
        by=sosdesk_citra_sdn1,
    )
    case_transition(
        case=case, to=Case.Status.CLOSED, outcome=Case.Outcome.RESOLVED, by=sosdesk_citra_sdn1
    )
    case.refresh_from_db()
    names = [e.file.name for e in Evidence.objects.filter(case=case) if e.file]
    assert len(names) == 1 and private_storage().exists(names[0])
    with (
        time_machine.travel(case.closed_at + timedelta(days=DAYS + 1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.destroy_expired_cases.delay().get() == 1
    for model in (CaseParty, Interview, Evidence):
        assert not model.objects.exists(), model
    assert not any(private_storage().exists(name) for name in names)
    assert CaseDestruction.objects.get().files == len(names)
