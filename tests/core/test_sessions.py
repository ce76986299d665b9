"""Session limits: idle timeout and absolute limit per role group; deactivation ends sessions."""

import time_machine
from django.urls import reverse

from tests.factories import PASSWORD

START = "2026-11-27 08:00 +07:00"


def log_in(client, user):
    assert (
        client.post("/masuk/", {"username": user.username, "password": PASSWORD}).status_code == 302
    )


def test_staff_session_ends_after_thirty_idle_minutes(client, sosdesk_citra_sdn1):
    with time_machine.travel(START, tick=False) as t:
        log_in(client, sosdesk_citra_sdn1)
        assert client.get("/").status_code == 200
        t.shift(29 * 60)
        assert client.get("/").status_code == 200  # activity resets the idle clock
        t.shift(29 * 60)
        assert client.get("/").status_code == 200
        t.shift(31 * 60)
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        assert "_auth_user_id" not in client.session


def test_community_session_survives_an_idle_hour(client, ortu_fajar):
    with time_machine.travel(START, tick=False) as t:
        log_in(client, ortu_fajar)
        t.shift(60 * 60)
        assert client.get("/").status_code == 200


def test_staff_session_has_an_absolute_limit(client, sosdesk_citra_sdn1):
    with time_machine.travel(START, tick=False) as t:
        log_in(client, sosdesk_citra_sdn1)
        for _ in range(12 * 3):  # keep it busy every 20 minutes for 12 hours
            t.shift(20 * 60)
            client.get("/")
        t.shift(20 * 60)
        assert client.get("/").status_code == 302


def test_deactivating_an_account_ends_its_sessions(client, guru_eka):
    log_in(client, guru_eka)
    assert client.get("/").status_code == 200
    guru_eka.deactivate()
    response = client.get("/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_logging_out_kills_the_old_session_key(client, guru_eka):
    log_in(client, guru_eka)
    old = client.cookies["sessionid"].value
    client.post(reverse("accounts:logout"))
    client.cookies["sessionid"] = old
    assert client.get("/").status_code == 302
