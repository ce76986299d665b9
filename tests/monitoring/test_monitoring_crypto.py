"""Encryption at rest of children's identifying fields: a database dump does not reveal them,
key rotation keeps old data readable and re-encrypts it with the new key, production refuses
to start without keys (docs/quality.md S2; docs/monitoring.md)."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.core.exceptions import FieldError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from monitoring import services
from monitoring.models import ChildRecord, Consent
from peksos.core import crypto
from peksos.core.models import AuditEvent

CANARY = "CANARY-CHILD-5531"
CANARY_GUARDIAN = "CANARY-GUARDIAN-0813"
ROOT = Path(__file__).resolve().parents[2]


def open_record(school, by, name=CANARY) -> ChildRecord:
    return services.record_open(
        school=school,
        class_level="5",
        sex="L",
        birth_year=timezone.localdate().year - 11,
        name=name,
        guardian_contact=CANARY_GUARDIAN,
        by=by,
    )


def raw_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM monitoring_childrecord")
        return cursor.fetchall()


def raw_tokens(record) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, guardian_contact FROM monitoring_childrecord WHERE code = %s",
            [record.code],
        )
        return cursor.fetchone()


def test_a_database_dump_does_not_contain_the_name(school_a, peksos_budi):
    record = open_record(school_a, peksos_budi)
    dump = repr(raw_rows())
    assert record.code in dump
    assert CANARY not in dump and CANARY_GUARDIAN not in dump
    assert "CANARY" not in dump.upper()
    name, contact = raw_tokens(record)
    assert crypto.decrypt(name) == CANARY and crypto.decrypt(contact) == CANARY_GUARDIAN
    assert ChildRecord.objects.get(pk=record.pk).name == CANARY


def test_equal_names_give_different_tokens_and_cannot_be_searched(school_a, peksos_budi):
    first, second = open_record(school_a, peksos_budi), open_record(school_a, peksos_budi)
    assert raw_tokens(first)[0] != raw_tokens(second)[0]
    with pytest.raises(FieldError):
        list(ChildRecord.objects.filter(name=CANARY))
    with pytest.raises(FieldError):
        list(ChildRecord.objects.filter(name__icontains="CANARY"))
    assert ChildRecord.objects.filter(name__isnull=False).count() == 2


def test_an_empty_contact_is_encrypted_too(school_a, peksos_budi):
    record = services.record_open(
        school=school_a, class_level="1", sex="P", birth_year=2018, name="Ani", by=peksos_budi
    )
    assert raw_tokens(record)[1] != ""
    assert ChildRecord.objects.get(pk=record.pk).guardian_contact == ""


def test_lists_never_load_the_encrypted_columns(school_a, peksos_budi):
    from monitoring.permissions import children_visible_to

    open_record(school_a, peksos_budi)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(crypto, "decrypt", lambda token: pytest.fail("decrypted in a list"))
        list(children_visible_to(peksos_budi).select_related("school"))


def test_a_value_no_key_opens_is_an_error_not_garbage(settings, school_a, peksos_budi):
    record = open_record(school_a, peksos_budi)
    settings.MONITORING_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.UndecryptableValue):
        ChildRecord.objects.get(pk=record.pk).name  # noqa: B018


def test_key_rotation(settings, school_a, peksos_budi, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.MONITORING_ENCRYPTION_KEYS = [old]
    record = open_record(school_a, peksos_budi)
    consent = services.consent_record(
        record=record,
        purpose=Consent.Purpose.SUPPORT,
        given_by=Consent.Relation.FATHER,
        given_on=timezone.localdate(),
        method=Consent.Method.PAPER,
        form_bytes=b"%PDF-1.4 signed",
        form_content_type="application/pdf",
        by=peksos_budi,
    )
    old_file = consent.form_file.name

    # Step 1: the new key first, the old one after it. Old data stays readable, new data
    # is written with the new key.
    settings.MONITORING_ENCRYPTION_KEYS = [new, old]
    assert ChildRecord.objects.get(pk=record.pk).name == CANARY
    second = open_record(school_a, peksos_budi, name="Baru Saja")
    assert Fernet(new.encode()).decrypt(raw_tokens(second)[0].encode()) == b"Baru Saja"
    out = StringIO()
    call_command("rotate_monitoring_keys", "--check", stdout=out)
    assert out.getvalue().startswith("3 value(s)")  # record's two fields and the form

    # Step 2: re-encrypt everything with the first key.
    out = StringIO()
    call_command("rotate_monitoring_keys", stdout=out)
    assert "2 record(s), 1 consent form(s) and 0 SOS Desk case(s)" in out.getvalue()
    name, contact = raw_tokens(record)
    assert Fernet(new.encode()).decrypt(name.encode()).decode() == CANARY
    assert Fernet(new.encode()).decrypt(contact.encode()).decode() == CANARY_GUARDIAN
    consent.refresh_from_db()
    assert consent.form_file.name != old_file and not (tmp_path / old_file).exists()
    out = StringIO()
    call_command("rotate_monitoring_keys", "--check", stdout=out)
    assert out.getvalue().startswith("0 value(s)")
    assert AuditEvent.objects.filter(action="monitoring_keys_rotated").count() == 1

    # Step 3: the old key is dropped; everything is still readable.
    settings.MONITORING_ENCRYPTION_KEYS = [new]
    assert ChildRecord.objects.get(pk=record.pk).name == CANARY
    assert ChildRecord.objects.get(pk=second.pk).name == "Baru Saja"
    with consent.form_file.open("rb") as handle:
        assert crypto.decrypt_bytes(handle.read()) == b"%PDF-1.4 signed"
    assert CANARY not in repr(raw_rows())


def test_rotation_twice_is_harmless(settings, school_a, peksos_budi):
    record = open_record(school_a, peksos_budi)
    call_command("rotate_monitoring_keys", stdout=StringIO())
    call_command("rotate_monitoring_keys", stdout=StringIO())
    assert ChildRecord.objects.get(pk=record.pk).name == CANARY


def test_a_bad_key_fails_the_system_check(settings):
    settings.MONITORING_ENCRYPTION_KEYS = ["not-a-fernet-key"]
    errors = [e for e in run_checks(tags=["monitoring"]) if e.id == "monitoring.E001"]
    assert errors and "not a Fernet key" in errors[0].msg
    settings.MONITORING_ENCRYPTION_KEYS = []
    assert [e.id for e in run_checks(tags=["monitoring"])] == ["monitoring.E001"]
    settings.MONITORING_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    assert not run_checks(tags=["monitoring"])


def test_bytes_round_trip():
    token = crypto.encrypt_bytes(b"\x00\xff data")
    assert b"data" not in token and crypto.decrypt_bytes(token) == b"\x00\xff data"
    with pytest.raises(crypto.UndecryptableValue):
        crypto.decrypt_bytes(ContentFile(b"garbage").read())


def _settings_in_subprocess(env: dict, code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "peksos.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRINT_KEYS = "import peksos.settings as s; print(s.MONITORING_ENCRYPTION_KEYS)"


def test_production_refuses_to_start_without_keys():
    env = {"PEKSOS_HTTPS": "1", "SECRET_KEY": "s" * 60}
    result = _settings_in_subprocess(env, PRINT_KEYS)
    assert result.returncode != 0
    assert "MONITORING_ENCRYPTION_KEYS must be set" in result.stderr
    key = Fernet.generate_key().decode()
    result = _settings_in_subprocess({**env, "MONITORING_ENCRYPTION_KEYS": f" {key} ,"}, PRINT_KEYS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr([key])


def test_the_development_key_is_derived_from_the_secret_key_never_a_constant():
    one = _settings_in_subprocess({"SECRET_KEY": "a" * 50}, PRINT_KEYS)
    two = _settings_in_subprocess({"SECRET_KEY": "b" * 50}, PRINT_KEYS)
    assert one.returncode == two.returncode == 0, one.stderr + two.stderr
    assert one.stdout != two.stdout
    key = eval(one.stdout)[0]  # noqa: S307 (our own repr of a list of strings)
    Fernet(key.encode())  # a valid key


def test_list_and_record_pages_never_decrypt(login, koordinator_ani, school_a, peksos_budi):
    from django.urls import reverse

    record = open_record(school_a, peksos_budi)
    client = login(koordinator_ani)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(crypto, "decrypt", lambda token: pytest.fail("decrypted outside a reveal"))
        assert client.get(reverse("monitoring:record-list")).status_code == 200
        assert (
            client.get(reverse("monitoring:record-detail", args=[record.code])).status_code == 200
        )
        with pytest.raises(pytest.fail.Exception):
            client.post(reverse("monitoring:record-reveal", args=[record.code]))
