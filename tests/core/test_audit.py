"""The audit log: written with what it records, append-only for the application."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from peksos.core import audit
from peksos.core.models import AuditEvent, AuditLogIsAppendOnly

DATABASE_REFUSALS = DatabaseError  # a trigger's error: ProgrammingError on PostgreSQL


@pytest.fixture
def event(koordinator_ani, school_a):
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
    request.user = koordinator_ani
    request.request_id = "req-12345678"
    return audit.record("school_viewed", request=request, obj=school_a)


def test_record_keeps_who_what_when_where(event, koordinator_ani, school_a):
    assert event.actor == koordinator_ani
    assert event.actor_role == "koordinator"
    assert (event.object_type, event.object_id) == ("schools.school", str(school_a.pk))
    assert event.ip == "10.1.2.3"
    assert event.request_id == "req-12345678"
    assert event.at.utcoffset().total_seconds() == 0  # stored in UTC


def test_model_refuses_update_and_delete(event):
    event.action = "changed"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditevent SET action = 'forged'",
        "DELETE FROM core_auditevent",
    ],
)
def test_database_refuses_update_and_delete(event, sql):
    with pytest.raises(DATABASE_REFUSALS), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEvent.objects.get(pk=event.pk).action == "school_viewed"


def test_audit_row_rolls_back_with_its_transaction(koordinator_ani):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record("something", actor=koordinator_ani)
        raise RuntimeError
    assert not AuditEvent.objects.exists()
