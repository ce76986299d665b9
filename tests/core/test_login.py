"""Login, logout, lockout, password change and reset (through the outbox)."""

import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from peksos.accounts.models import PasswordResetRequest
from peksos.core.models import AuditEvent, OutboxMessage
from tests.factories import PASSWORD

LOGIN = "/masuk/"


def post_login(client, username, password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def test_login_page_is_indonesian(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert "Nama pengguna atau e-mail" in html
    assert "Lupa kata sandi?" in html


def test_login_with_username_then_home(client, guru_eka):
    response = post_login(client, "guru_eka")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action="login", actor=guru_eka).count() == 1


def test_login_with_email_any_case(client, guru_eka):
    response = post_login(client, "GURU_EKA@example.org")
    assert response.status_code == 302


def test_login_rotates_the_session_key(client, guru_eka):
    client.get(LOGIN)
    client.cookies["sessionid"] = "x" * 32
    post_login(client, "guru_eka")
    assert client.cookies["sessionid"].value != "x" * 32


def test_wrong_password_and_unknown_user_get_the_same_answer(client, guru_eka):
    wrong = post_login(client, "guru_eka", "salah-sekali-123")
    unknown = post_login(client, "tidak_ada", "salah-sekali-123")
    assert wrong.status_code == unknown.status_code == 200
    message = "Nama pengguna/e-mail atau kata sandi salah."
    assert message in wrong.content.decode()
    assert message in unknown.content.decode()


def test_inactive_account_cannot_log_in(client, guru_eka):
    guru_eka.deactivate()
    response = post_login(client, "guru_eka")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("username", ["guru_eka", "tidak_ada"])
def test_lockout_after_five_failures_even_with_the_right_password(client, guru_eka, username):
    for _ in range(5):
        post_login(client, username, "salah-sekali-123")
    response = post_login(client, username, PASSWORD)
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account(client, guru_eka, ortu_fajar):
    for _ in range(5):
        post_login(client, "guru_eka", "salah-sekali-123")
    assert post_login(client, "ortu_fajar").status_code == 302


def test_lockout_ends_after_thirty_minutes(client, guru_eka):
    import time_machine

    with time_machine.travel("2026-11-27 08:00 +07:00", tick=False) as traveller:
        for _ in range(5):
            post_login(client, "guru_eka", "salah-sekali-123")
        assert post_login(client, "guru_eka").status_code == 429
        traveller.shift(31 * 60)
        assert post_login(client, "guru_eka").status_code == 302


def test_logout_needs_post_and_ends_the_session(client, guru_eka):
    post_login(client, "guru_eka")
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_anonymous_home_redirects_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_password_change(login, guru_eka):
    client = login(guru_eka)
    url = reverse("accounts:password_change")
    bad = client.post(url, {"old_password": "salah", "new_password1": "a", "new_password2": "b"})
    assert bad.status_code == 200
    assert "is-invalid" in bad.content.decode()
    new = "Kopi-Tubruk-Metro-2026"
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    guru_eka.refresh_from_db()
    assert guru_eka.check_password(new)


def test_password_reset_goes_through_the_outbox(
    client, guru_eka, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:password_reset"), {"email": "guru_eka@example.org"}
        )
    assert response.status_code == 302
    message = OutboxMessage.objects.get()
    assert message.kind == "peksos.core.tasks.send_email"
    assert message.state == OutboxMessage.State.DONE
    assert message.payload == {}  # the reset link does not stay in the database
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/lupa-sandi/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]  # Django swaps the token for a session marker
    new = "Kopi-Tubruk-Metro-2026"
    done = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    guru_eka.refresh_from_db()
    assert guru_eka.check_password(new)


def test_password_reset_for_unknown_address_looks_the_same(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "siapa@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_lockout_counts_one_account_however_it_is_spelled(client, guru_eka):
    for login in [
        "guru_eka",
        "GURU_EKA",
        "Guru_Eka",
        "guru_eka@example.org",
        "GURU_EKA@example.org",
    ]:
        post_login(client, login, "salah-sekali-123")
    assert post_login(client, "gUrU_eKa").status_code == 429


def test_client_address_behind_a_trusted_proxy(settings):
    from django.test import RequestFactory

    from peksos.core.audit import client_ip

    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    assert client_ip(request) == "10.0.0.2"  # no proxy trusted: a header is not believed
    settings.PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # the address our proxy saw, not a forged one


def reset(client, email: str, address: str = "198.51.100.20"):
    return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_password_reset_is_limited_per_email_with_the_same_answer(
    client, guru_eka, settings, django_capture_on_commit_callbacks
):
    """Issue #21: 20 requests for one address sent 20 e-mails. Now 3 an hour, per address in
    the database; the fourth request looks exactly like the first."""
    answers = []
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(20):
            answers.append(reset(client, "GURU_EKA@example.org", f"198.51.100.{n + 1}"))
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, reverse("accounts:password_reset_done"))
    }
    assert len(mail.outbox) == settings.PASSWORD_RESET_EMAIL_LIMIT == 3
    assert PasswordResetRequest.objects.count() == 20
    assert not PasswordResetRequest.objects.filter(email_hash__icontains="guru").exists()


def test_password_reset_is_limited_per_client_address(
    client, guru_eka, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(settings.PASSWORD_RESET_ADDRESS_LIMIT):
            reset(client, f"orang{n}@example.org")
        assert reset(client, "guru_eka@example.org")["Location"] == reverse(
            "accounts:password_reset_done"
        )
        assert mail.outbox == []
        reset(client, "guru_eka@example.org", address="203.0.113.9")  # another address
    assert len(mail.outbox) == 1


def test_password_reset_limits_end_after_the_window(
    client, guru_eka, django_capture_on_commit_callbacks
):
    with time_machine.travel("2026-11-27 08:00 +07:00", tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(4):
                reset(client, "guru_eka@example.org")
        assert len(mail.outbox) == 3
        traveller.shift(61 * 60)
        with django_capture_on_commit_callbacks(execute=True):
            reset(client, "guru_eka@example.org")
    assert len(mail.outbox) == 4
    assert PasswordResetRequest.objects.count() == 1  # old requests are forgotten
