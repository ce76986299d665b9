"""TOTP second factor: enrolment on first login, use on later logins, recovery codes."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from peksos.core.models import AuditEvent
from tests.factories import PASSWORD

HOME = "/"


def log_in(client, user):
    response = client.post("/masuk/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def enrol(client, user) -> list[str]:
    log_in(client, user)
    client.get(reverse("accounts:otp-enrol"))
    device = TOTPDevice.objects.get(user=user)
    response = client.post(reverse("accounts:otp-enrol"), {"token": code_for(device)})
    assert response.status_code == 302
    page = client.get(response["Location"])
    return page.context["codes"]


@pytest.mark.parametrize(
    "persona", ["koordinator_ani", "peksos_budi", "psikolog_gita", "pendamping_hadi"]
)
def test_programme_staff_must_enrol_before_anything_else(client, persona, request):
    user = request.getfixturevalue(persona)
    log_in(client, user)
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp-enrol"))
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["qr"].startswith("data:image/svg+xml")


def test_school_roles_need_no_second_factor(client, guru_eka):
    log_in(client, guru_eka)
    assert client.get(HOME).status_code == 200


def test_enrolment_with_a_wrong_code_keeps_the_device_unconfirmed(client, koordinator_ani):
    log_in(client, koordinator_ani)
    client.get(reverse("accounts:otp-enrol"))
    response = client.post(reverse("accounts:otp-enrol"), {"token": "000000"})
    assert response.status_code == 200
    assert "Kode itu tidak benar" in response.content.decode()
    assert not TOTPDevice.objects.get(user=koordinator_ani).confirmed


def test_enrolment_shows_ten_recovery_codes_once(client, koordinator_ani):
    codes = enrol(client, koordinator_ani)
    assert len(codes) == 10
    assert client.get(HOME).status_code == 200
    again = client.get(reverse("accounts:recovery-codes"))
    assert again.context["codes"] is None
    assert AuditEvent.objects.filter(action="otp_enrolled", actor=koordinator_ani).exists()


def test_later_login_asks_for_the_code(client, koordinator_ani):
    enrol(client, koordinator_ani)
    client.post(reverse("accounts:logout"))
    log_in(client, koordinator_ani)
    response = client.get(HOME)
    assert response["Location"].startswith(reverse("accounts:otp-verify"))
    bad = client.post(reverse("accounts:otp-verify"), {"token": "123456", "next": "/"})
    assert bad.status_code == 200
    device = TOTPDevice.objects.get(user=koordinator_ani)
    device.throttle_reset()
    # a code from the next time step: the one used at enrolment cannot be replayed
    device.last_t = -1
    device.save()
    ok = client.post(reverse("accounts:otp-verify"), {"token": code_for(device), "next": "/"})
    assert ok.status_code == 302
    assert client.get(HOME).status_code == 200


def test_a_recovery_code_works_once(client, koordinator_ani):
    codes = enrol(client, koordinator_ani)
    for _ in range(2):
        client.post(reverse("accounts:logout"))
        log_in(client, koordinator_ani)
        response = client.post(reverse("accounts:otp-verify"), {"token": codes[0], "next": "/"})
    assert response.status_code == 200  # the second use is refused
    assert StaticToken.objects.filter(device__user=koordinator_ani).count() == 9


def test_verify_ignores_an_offsite_next(client, koordinator_ani):
    codes = enrol(client, koordinator_ani)
    client.post(reverse("accounts:logout"))
    log_in(client, koordinator_ani)
    response = client.post(
        reverse("accounts:otp-verify"), {"token": codes[1], "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_renewing_recovery_codes_replaces_them(client, koordinator_ani):
    old = enrol(client, koordinator_ani)
    assert client.get(reverse("accounts:recovery-codes-renew")).status_code == 405
    response = client.post(reverse("accounts:recovery-codes-renew"))
    new = client.get(response["Location"]).context["codes"]
    assert set(new).isdisjoint(old)
    assert StaticToken.objects.filter(device__user=koordinator_ani).count() == 10


def test_rule_can_be_switched_off(client, koordinator_ani, settings):
    settings.REQUIRE_2FA = False
    log_in(client, koordinator_ani)
    assert client.get(HOME).status_code == 200


def test_demo_login_page_says_the_second_factor_is_off(client, db, settings):
    settings.REQUIRE_2FA = False
    settings.DEMO = True
    html = client.get("/masuk/").content.decode()
    assert "dimatikan" in html  # "switched off" in Indonesian


def test_anyone_who_enrolled_must_use_it(client, guru_eka):
    enrol(client, guru_eka)
    client.post(reverse("accounts:logout"))
    log_in(client, guru_eka)
    assert client.get(HOME)["Location"].startswith(reverse("accounts:otp-verify"))


def test_enrol_page_needs_login(client, db):
    response = client.get(reverse("accounts:otp-enrol"))
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


def test_password_alone_cannot_replace_an_enrolled_authenticator(client, koordinator_ani):
    enrol(client, koordinator_ani)
    client.post(reverse("accounts:logout"))
    log_in(client, koordinator_ani)  # the password, without the code
    response = client.get(reverse("accounts:otp-enrol"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp-verify"))
    assert TOTPDevice.objects.filter(user=koordinator_ani).count() == 1
    assert StaticToken.objects.filter(device__user=koordinator_ani).count() == 10


def test_technical_superusers_need_the_second_factor(client, db):
    from peksos.accounts.models import User

    admin = User.objects.create_superuser("admin_teknis", "admin@example.org", PASSWORD)
    log_in(client, admin)
    assert client.get("/admin-teknis/")["Location"].startswith(reverse("accounts:otp-enrol"))
