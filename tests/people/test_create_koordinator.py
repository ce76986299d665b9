"""`manage.py create_koordinator` (issue #17): a real installation's first administrator, from
prompts or, for automation, from the environment; bad input is refused and creates nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from peksos.accounts.models import Role, User
from peksos.core.models import AuditEvent

pytestmark = pytest.mark.django_db
GOOD_PASSWORD = "Lampung-Metro-2026-aman"
ENV = "PEKSOS_KOORDINATOR_"


def _env(monkeypatch, username="sari", email="sari@example.org", password=GOOD_PASSWORD):
    for name, value in (("USERNAME", username), ("EMAIL", email), ("PASSWORD", password)):
        if value is None:
            monkeypatch.delenv(ENV + name, raising=False)
        else:
            monkeypatch.setenv(ENV + name, value)


def test_reads_the_environment_without_prompts(monkeypatch):
    _env(monkeypatch)
    monkeypatch.setattr("builtins.input", lambda _prompt: pytest.fail("prompted"))
    out = StringIO()
    call_command("create_koordinator", "--no-input", stdout=out)
    user = User.objects.get(username="sari")
    assert (user.role, user.email, user.is_active) == (Role.KOORDINATOR, "sari@example.org", True)
    assert user.check_password(GOOD_PASSWORD)
    assert user.needs_second_factor  # enrols at the first login
    assert "sari" in out.getvalue()
    event = AuditEvent.objects.get(action="koordinator_created")
    assert GOOD_PASSWORD not in str(event.__dict__)


def test_prompts_when_asked_interactively(monkeypatch):
    answers = iter(["rudi", "rudi@example.org"])
    monkeypatch.setattr("builtins.input", lambda _prompt: next(answers))
    monkeypatch.setattr("getpass.getpass", lambda _prompt: GOOD_PASSWORD)
    call_command("create_koordinator", stdout=StringIO())
    assert User.objects.get(username="rudi").role == Role.KOORDINATOR


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"username": None}, "PEKSOS_KOORDINATOR_USERNAME"),
        ({"password": ""}, "PEKSOS_KOORDINATOR_PASSWORD"),
        ({"password": "123"}, "terlalu pendek"),  # Django's password validators
        ({"password": "password123"}, "terlalu umum"),
    ],
)
def test_refuses_bad_input_from_the_environment(monkeypatch, env, message):
    _env(monkeypatch, **env)
    with pytest.raises(CommandError, match=message):
        call_command("create_koordinator", "--no-input", stdout=StringIO())
    assert not User.objects.filter(role=Role.KOORDINATOR).exists()


def test_refuses_a_taken_name_or_address(monkeypatch, koordinator_ani):
    _env(monkeypatch, username="KOORDINATOR_ANI", email="baru@example.org")
    with pytest.raises(CommandError, match="taken"):
        call_command("create_koordinator", "--no-input", stdout=StringIO())
    _env(monkeypatch, username="baru", email=koordinator_ani.email.upper())
    with pytest.raises(CommandError, match="e-mail"):
        call_command("create_koordinator", "--no-input", stdout=StringIO())
    assert User.objects.filter(role=Role.KOORDINATOR).count() == 1


def test_refuses_passwords_that_differ(monkeypatch):
    answers = iter(["rudi", ""])
    passwords = iter([GOOD_PASSWORD, GOOD_PASSWORD + "x"])
    monkeypatch.setattr("builtins.input", lambda _prompt: next(answers))
    monkeypatch.setattr("getpass.getpass", lambda _prompt: next(passwords))
    with pytest.raises(CommandError, match="differ"):
        call_command("create_koordinator", stdout=StringIO())
    assert not User.objects.filter(username="rudi").exists()
