"""Retention and destruction of closed children's records (UU PDP; issue #7): with time travel,
a record closed longer ago than MONITORING_RETENTION_DAYS is destroyed by the scheduled job,
with everything under it, leaving a destruction record and an audit row, never the data."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from monitoring import observations, services
from monitoring.models import (
    ChildRecord,
    Consent,
    DestructionRecord,
    ObservationRequest,
    ProgressNote,
    WellbeingRating,
)
from monitoring.tasks import destroy_expired_records
from peksos.core.models import AuditEvent
from tests.factories import CANARY, CANARY_GUARDIAN, open_record

PDF = b"%PDF-1.4\n% a signed consent form\n"


@pytest.fixture(autouse=True)
def _retention(settings, tmp_path):
    settings.MONITORING_RETENTION_DAYS = 365
    settings.MEDIA_ROOT = tmp_path


def closed_record(school, peksos, koordinator, observer, *, name=CANARY) -> ChildRecord:
    """A record with a consent form, a note, ratings and an answered observation; closed."""
    record = open_record(school, peksos, name=name, peksos=peksos)
    services.consent_record(
        record=record,
        purpose=Consent.Purpose.SUPPORT,
        given_by=Consent.Relation.MOTHER,
        given_on=timezone.localdate(),
        method=Consent.Method.PAPER,
        form_bytes=PDF,
        form_content_type="application/pdf",
        by=peksos,
    )
    services.note_add(
        record=record, noted_on=timezone.localdate(), source="sesi", text=CANARY, by=peksos
    )
    services.wellbeing_add(
        record=record, rater="guru", rated_on=timezone.localdate(), score=3, by=peksos
    )
    observation = observations.observation_request(
        record=record, addressee=observer, child_label=f"{name} label", by=peksos
    )
    observations.observation_answer(
        observation=observation, cheerful=3, gets_along=3, calm=3, wellbeing=7, by=observer
    )
    services.record_close_request(
        record=record, outcome="tujuan_tercapai", note="Goals met.", by=peksos
    )
    return services.record_close_approve(record=record, by=koordinator)


@pytest.fixture
def record(school_a, peksos_budi, koordinator_ani, guru_eka):
    return closed_record(school_a, peksos_budi, koordinator_ani, guru_eka)


def test_nothing_is_destroyed_before_the_period(record):
    with time_machine.travel(record.closed_at + timedelta(days=364)):
        assert destroy_expired_records() == 0
    assert ChildRecord.objects.filter(pk=record.pk).exists()
    assert not DestructionRecord.objects.exists()


def test_open_records_are_never_destroyed(school_a, peksos_budi):
    old = open_record(school_a, peksos_budi, name="Lama Sekali")
    with time_machine.travel(timezone.now() + timedelta(days=4000)):
        assert destroy_expired_records() == 0
    assert ChildRecord.objects.filter(pk=old.pk).exists()


def test_destroyed_after_the_period_with_a_destruction_record(
    record, school_a, django_capture_on_commit_callbacks
):
    form_name = Consent.objects.get(record=record).form_file.name
    assert default_storage.exists(form_name)
    with time_machine.travel(record.closed_at + timedelta(days=365, hours=1)):
        with django_capture_on_commit_callbacks(execute=True):
            assert destroy_expired_records() == 1
        assert destroy_expired_records() == 0  # idempotent
    assert not ChildRecord.objects.filter(pk=record.pk).exists()
    for model in (Consent, ProgressNote, WellbeingRating, ObservationRequest):
        assert not model.objects.filter(record_id=record.pk).exists(), model
    assert not default_storage.exists(form_name)
    row = DestructionRecord.objects.get()
    assert row.record_uuid == record.pk and row.school == school_a
    assert "365 days" in row.rule
    assert (row.tier, row.sex, row.outcome) == (record.tier, record.sex, "tujuan_tercapai")
    assert row.wellbeing_improved is True
    assert row.opened_month.day == 1 and row.closed_month.day == 1
    audit = AuditEvent.objects.get(action="child_record_destroyed")
    assert audit.object_id == str(record.pk) and audit.actor is None
    # Nothing of the child is left anywhere in the database.
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from Django)
            for values in cursor.fetchall():
                text = repr(values)
                assert CANARY not in text and CANARY_GUARDIAN not in text, table


def test_the_page_of_a_destroyed_record_is_gone(login, record, koordinator_ani):
    code = record.code
    with time_machine.travel(record.closed_at + timedelta(days=400)):
        destroy_expired_records()
        response = login(koordinator_ani).get(reverse("monitoring:record-detail", args=[code]))
    assert response.status_code == 404


def test_dry_run_changes_nothing(record):
    out = StringIO()
    with time_machine.travel(record.closed_at + timedelta(days=366)):
        call_command("destroy_expired_child_records", "--dry-run", stdout=out)
    text = out.getvalue()
    assert record.code in text and "Dry run: 1 record(s)" in text
    assert CANARY not in text
    assert ChildRecord.objects.filter(pk=record.pk).exists()
    assert not DestructionRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="child_record_destroyed").exists()


def test_the_command_destroys_only_what_is_due(
    record, school_a, peksos_budi, koordinator_ani, guru_eka
):
    with time_machine.travel(record.closed_at + timedelta(days=200)):
        recent = closed_record(school_a, peksos_budi, koordinator_ani, guru_eka, name="Baru Saja")
    out = StringIO()
    with time_machine.travel(record.closed_at + timedelta(days=366)):
        call_command("destroy_expired_child_records", stdout=out)
    assert "Destroyed 1 record(s)" in out.getvalue()
    assert ChildRecord.objects.filter(pk=recent.pk).exists()
    assert not ChildRecord.objects.filter(pk=record.pk).exists()


def test_the_period_is_configurable(settings, record):
    settings.MONITORING_RETENTION_DAYS = 30
    with time_machine.travel(record.closed_at + timedelta(days=31)):
        assert destroy_expired_records() == 1
    assert "30 days" in DestructionRecord.objects.get().rule


def test_the_job_is_scheduled(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "monitoring.tasks.destroy_expired_records" in tasks
    assert "monitoring.tasks.remind_observations" in tasks


def test_a_pending_closure_is_not_a_closure(school_a, peksos_budi):
    record = open_record(school_a, peksos_budi, name="Menunggu Persetujuan")
    services.record_close_request(record=record, outcome="pindah", note="Moved.", by=peksos_budi)
    with time_machine.travel(timezone.now() + timedelta(days=4000)):
        assert destroy_expired_records() == 0


def test_uploaded_forms_survive_for_other_records(
    record, school_a, peksos_budi, django_capture_on_commit_callbacks
):
    keep = open_record(school_a, peksos_budi, name="Tetap Ada")
    upload = SimpleUploadedFile("f.pdf", PDF, content_type="application/pdf")
    services.consent_record(
        record=keep,
        purpose=Consent.Purpose.SUPPORT,
        given_by=Consent.Relation.FATHER,
        given_on=timezone.localdate(),
        method=Consent.Method.PAPER,
        form_bytes=upload.read(),
        form_content_type="application/pdf",
        by=peksos_budi,
    )
    kept = Consent.objects.get(record=keep).form_file.name
    gone = Consent.objects.get(record=record).form_file.name
    moment = record.closed_at + timedelta(days=366)
    with time_machine.travel(moment), django_capture_on_commit_callbacks(execute=True):
        destroy_expired_records()
    assert default_storage.exists(kept) and not default_storage.exists(gone)
