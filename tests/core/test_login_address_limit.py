"""S3 login abuse: at most 20 failed logins an hour from one address, across accounts, on top
of django-axes' per-account lockout; kept in the database (works with Redis down)."""

import re

import time_machine
from django.urls import reverse
from django.utils import timezone

from peksos.accounts.models import LoginFailure, Role
from peksos.core.models import AuditEvent
from tests.factories import PASSWORD, make_user

LOGIN = "/masuk/"
WRONG = "salah-sekali-123"
ADDRESS_PAUSED = "Terlalu banyak percobaan"


def post_login(client, username, password=PASSWORD, address="198.51.100.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def spray(client, count, address="198.51.100.7"):
    """`count` failures, each against a different account (known or not): no account lock."""
    for i in range(count):
        response = post_login(client, f"orang_{i}", WRONG, address=address)
        assert response.status_code == 200  # the usual "wrong username or password" form


def test_thirty_accounts_from_one_address_stop_after_twenty(client, guru_eka, broker_down):
    """docs/quality.md S3: 30 users from one address. With Redis down, as the limit lives in the
    database. After 20 failures the right password of an untouched account is refused too."""
    spray(client, 20)
    response = post_login(client, "guru_eka")
    assert response.status_code == 429
    assert ADDRESS_PAUSED in response.content.decode()
    assert "_auth_user_id" not in client.session
    for i in range(20, 30):
        assert post_login(client, f"orang_{i}", WRONG).status_code == 429
    assert LoginFailure.objects.filter(address="198.51.100.7").count() == 31


def test_nineteen_failures_still_let_the_right_password_in(client, guru_eka):
    spray(client, 19)
    assert post_login(client, "guru_eka").status_code == 302
    assert client.session["_auth_user_id"] == str(guru_eka.pk)


def test_same_answer_for_known_and_unknown_accounts_when_paused(client, guru_eka):
    spray(client, 20)
    known = post_login(client, "guru_eka", WRONG)
    unknown = post_login(client, "tidak_ada_sama_sekali", WRONG)
    right = post_login(client, "guru_eka")
    assert known.status_code == unknown.status_code == right.status_code == 429
    assert page(known) == page(unknown) == page(right)


def page(response) -> str:
    """The page without its per-response CSP nonces and CSRF tokens."""
    return re.sub(r'(nonce|value)="[^"]*"', "", response.content.decode())


def test_other_addresses_are_not_affected(client, guru_eka):
    spray(client, 20)
    assert post_login(client, "guru_eka").status_code == 429
    assert post_login(client, "guru_eka", address="203.0.113.9").status_code == 302


def test_the_pause_ends_after_an_hour_and_old_failures_are_forgotten(client, guru_eka):
    with time_machine.travel("2026-11-27 08:00 +07:00", tick=False) as traveller:
        spray(client, 20)
        assert post_login(client, "guru_eka").status_code == 429
        traveller.shift(61 * 60)
        assert post_login(client, "guru_eka").status_code == 302
        client.logout()
        post_login(client, "orang_x", WRONG)  # a new failure prunes the expired rows
        assert list(LoginFailure.objects.values_list("at", flat=True)) == [timezone.now()]


def test_the_address_behind_a_trusted_proxy_is_counted(client, guru_eka, settings):
    settings.PROXY_COUNT = 1
    for i in range(20):
        client.post(
            LOGIN,
            {"username": f"orang_{i}", "password": WRONG},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}, 198.51.100.7",
        )
    response = client.post(
        LOGIN,
        {"username": "guru_eka", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert response.status_code == 429
    other = client.post(
        LOGIN,
        {"username": "guru_eka", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )
    assert other.status_code == 302


def test_the_technical_admin_login_is_limited_too(client, db):
    admin = make_user("admin_teknis", Role.KOORDINATOR)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    spray(client, 20)
    response = client.post(
        reverse("admin:login"),
        {"username": "admin_teknis", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.7",
    )
    assert response.status_code == 200  # the admin's own generic "wrong" answer
    assert "_auth_user_id" not in client.session


def test_failed_logins_stay_out_of_the_audit_of_successes(client, guru_eka):
    spray(client, 20)
    post_login(client, "guru_eka")
    assert not AuditEvent.objects.filter(action="login").exists()
