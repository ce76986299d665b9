"""The case's text at rest (issue 19): the narrative, the reporter's identity, the messages
and the notes are Fernet tokens in the database (peksos/core/crypto.py), the data migration
encrypts rows written before it, and the key rotation command covers them."""

import importlib
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from peksos.core import crypto
from sosdesk.models import Case, CaseMessage, CaseNote
from sosdesk.services import case_message_from_desk, case_message_from_reporter, case_note
from tests.factories import file_report

NARRATIVE = "CANARY-AT-REST-NARRATIVE-6601"
MESSAGE = "CANARY-AT-REST-MESSAGE-6601"
NOTE = "CANARY-AT-REST-NOTE-6601"
REPORTER = "CANARY-AT-REST-REPORTER-6601"
CANARIES = (NARRATIVE, MESSAGE, NOTE, REPORTER)
COLUMNS = {
    "sosdesk_case": ("narrative", "reporter_name", "reporter_contact"),
    "sosdesk_casemessage": ("body",),
    "sosdesk_casenote": ("body",),
}
migration = importlib.import_module("sosdesk.migrations.0009_case_protection_encryption_retention")


@pytest.fixture
def case(school_a, sosdesk_citra_sdn1) -> Case:
    case = file_report(
        school_a,
        narrative=NARRATIVE,
        anonymous=False,
        reporter_name=REPORTER,
        reporter_contact=REPORTER + "-phone",
    )
    case_message_from_reporter(case=case, body=MESSAGE)
    case_message_from_desk(case=case, body=MESSAGE + "-reply", by=sosdesk_citra_sdn1)
    case_note(case=case, body=NOTE, by=sosdesk_citra_sdn1)
    return case


def raw_values() -> list[str]:
    values = []
    with connection.cursor() as cursor:
        for table, columns in COLUMNS.items():
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")  # noqa: S608
            values += [v for row in cursor.fetchall() for v in row]
    return values


def dump() -> str:
    """Every row of the SOS Desk's tables as SQL sees it (a stand-in for pg_dump)."""
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table.startswith("sosdesk_"):
                cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
                out += [repr(row) for row in cursor.fetchall()]
    return "\n".join(out)


def test_a_dump_holds_none_of_the_text_in_clear(case):
    text = dump()
    assert text  # the tables were read
    for canary in CANARIES:
        assert canary not in text
    for value in raw_values():
        assert value.startswith("gAAAA")  # a Fernet token, the empty ones too
    # In Python the text reads back as typed.
    case = Case.objects.get(pk=case.pk)
    assert case.narrative == NARRATIVE and case.reporter_name == REPORTER
    assert {m.body for m in case.messages.all()} == {MESSAGE, MESSAGE + "-reply"}
    assert case.notes.get().body == NOTE


def test_the_text_cannot_be_searched_in_sql(case):
    with pytest.raises(FieldError):
        list(Case.objects.filter(narrative__icontains="CANARY"))
    with pytest.raises(FieldError):
        list(CaseMessage.objects.filter(body=MESSAGE))


def test_the_data_migration_encrypts_rows_written_in_clear(case):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE sosdesk_case SET narrative = %s", ["old report in clear"])
        cursor.execute("UPDATE sosdesk_casenote SET body = %s", ["old note in clear"])

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.encrypt_case_text(None, editor)
    assert "in clear" not in dump()
    assert Case.objects.get(pk=case.pk).narrative == "old report in clear"
    assert CaseNote.objects.get().body == "old note in clear"
    before = raw_values()
    migration.encrypt_case_text(None, editor)  # a rerun changes nothing
    assert raw_values() == before
    migration.decrypt_case_text(None, editor)  # the way back
    assert "old report in clear" in dump() and NARRATIVE not in dump()
    assert MESSAGE in dump()


def test_rotation_re_encrypts_the_case_text(case, settings):
    old = settings.MONITORING_ENCRYPTION_KEYS[0]
    new = crypto.new_key()
    settings.MONITORING_ENCRYPTION_KEYS = [new, old]
    out = StringIO()
    call_command("rotate_monitoring_keys", "--check", stdout=out)
    assert int(out.getvalue().split()[0]) == 6  # 3 case columns, 2 messages, 1 note
    out = StringIO()
    call_command("rotate_monitoring_keys", stdout=out)
    assert "1 SOS Desk case(s)" in out.getvalue()
    first = Fernet(new.encode())
    for value in raw_values():
        first.decrypt(value.encode())  # opens with the new key alone
    settings.MONITORING_ENCRYPTION_KEYS = [new]
    case = Case.objects.get(pk=case.pk)
    assert case.narrative == NARRATIVE and case.notes.get().body == NOTE
    out = StringIO()
    call_command("rotate_monitoring_keys", "--check", stdout=out)
    assert out.getvalue().startswith("0 ")


def test_the_narrative_is_not_in_the_logs_of_a_report(client, school_a, caplog):
    from sosdesk.services import desk_ensure
    from tests.factories import public_report

    url = reverse("lapor:form", args=[desk_ensure(school_a).public_code])
    with caplog.at_level("DEBUG"):
        client.post(url, public_report(narrative=NARRATIVE))
    assert Case.objects.filter(channel=Case.Channel.PUBLIC_FORM).exists()
    assert NARRATIVE not in caplog.text
