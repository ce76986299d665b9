"""Re-authentication before exports: a session whose password is not recent is asked for it
again before a file leaves the application (docs/quality.md, ASVS level 3)."""

import pytest
from django.conf import settings
from django.urls import reverse

from peksos.accounts import reauth
from peksos.core.models import AuditEvent
from tests.factories import PASSWORD

EXPORT = "/sekolah/ekspor.csv"
PROMPT = reverse("accounts:reauth")


def make_stale(client) -> None:
    session = client.session
    session[reauth.SESSION_KEY] = session[reauth.SESSION_KEY] - settings.REAUTH_MAX_AGE - 1
    session.save()


@pytest.fixture
def stale(login, koordinator_ani, kota_metro):
    client = login(koordinator_ani)
    make_stale(client)
    return client


def test_a_fresh_login_exports_at_once(login, koordinator_ani, kota_metro):
    response = login(koordinator_ani).get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")


def test_a_stale_session_is_asked_for_the_password_and_comes_back(stale):
    response = stale.get(EXPORT + "?kecamatan=metro-pusat")
    assert response.status_code == 302
    assert response["Location"].startswith(PROMPT + "?next=")
    page = stale.get(response["Location"])
    assert page.status_code == 200
    assert "kata sandi" in page.content.decode().lower()
    done = stale.post(PROMPT, {"password": PASSWORD, "next": EXPORT + "?kecamatan=metro-pusat"})
    assert done.status_code == 302
    assert done["Location"] == EXPORT + "?kecamatan=metro-pusat"
    assert stale.get(EXPORT).status_code == 200
    assert AuditEvent.objects.filter(action="password_confirmed").count() == 1


def test_a_wrong_password_is_refused_and_the_export_still_asks(stale):
    response = stale.post(PROMPT, {"password": "salah-sekali", "next": EXPORT})
    assert response.status_code == 400
    assert "tidak benar" in response.content.decode()
    assert stale.get(EXPORT).status_code == 302
    assert not AuditEvent.objects.filter(action="password_confirmed").exists()


def test_an_empty_password_is_a_form_error(stale):
    response = stale.post(PROMPT, {"password": "", "next": EXPORT})
    assert response.status_code == 400
    assert response.context["form"].errors["password"]


def test_next_never_leaves_the_site(stale):
    response = stale.post(PROMPT, {"password": PASSWORD, "next": "https://evil.example/x"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_anonymous_goes_to_login(client, db):
    response = client.get(PROMPT)
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


def test_prompt_refuses_other_methods(login, koordinator_ani):
    assert login(koordinator_ani).put(PROMPT).status_code == 405


def test_a_person_without_the_export_gets_403_not_a_prompt(login, guru_eka):
    client = login(guru_eka)
    make_stale(client)
    assert client.get(EXPORT).status_code == 403


def test_the_window_is_a_setting(login, koordinator_ani, kota_metro, settings):
    settings.REAUTH_MAX_AGE = 0
    client = login(koordinator_ani)
    session = client.session
    session[reauth.SESSION_KEY] -= 5
    session.save()
    assert client.get(EXPORT).status_code == 302
