"""Joining the forum with a school's invitation code, e-mail confirmation, and the
invitation-code pages of the Koordinator and PEKSOS (docs/design.md §3.10)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from forum import registration
from forum.models import InviteCode, Registration
from peksos.accounts.models import User
from peksos.core.models import AuditEvent
from schools.models import SchoolMembership

JOIN = reverse("forum:registration-create")
SENT = reverse("forum:registration-sent")
RESEND = reverse("forum:registration-resend")
INDEX = reverse("forum:invitecode-index")


@pytest.fixture
def invite(school_a):
    return InviteCode.objects.create(school=school_a, code="KMTR2345", label="Poster 2025")


def join_data(**overrides) -> dict:
    data = {
        "invite_code": "kmtr-2345",
        "role": "orang_tua",
        "first_name": "Bu Sari",
        "username": "sari_metro",
        "email": "Sari.Metro@Example.org",
        "password1": "lebah-madu-pagi-77",
        "password2": "lebah-madu-pagi-77",
        "rules": "on",
    }
    data.update(overrides)
    return data


def join(client, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(JOIN, join_data(**overrides))


def link_in(message) -> str:
    return re.search(r"http://testserver(/forum/daftar/konfirmasi/[^/\s]+/)", message.body).group(1)


# --- Registration ------------------------------------------------------------------------------


def test_join_confirm_and_log_in(client, invite, school_a, django_capture_on_commit_callbacks):
    assert client.get(JOIN).status_code == 200
    response = join(client, django_capture_on_commit_callbacks)
    assert response["Location"] == SENT
    assert client.get(SENT).status_code == 200
    user = User.objects.get(username="sari_metro")
    assert not user.is_active and user.role == "orang_tua" and user.first_name == "Bu Sari"
    assert user.email == "sari.metro@example.org"
    assert SchoolMembership.objects.filter(user=user, school=school_a).exists()
    registration = Registration.objects.get(user=user)
    assert registration.invite_code == invite and not registration.is_confirmed
    # Closed until confirmed: the login answers as for a wrong password.
    credentials = {"username": "sari_metro", "password": "lebah-madu-pagi-77"}
    refused = client.post(reverse("accounts:login"), credentials)
    assert refused.status_code == 200 and refused.context["form"].errors
    # The e-mail holds the link; opening it (GET) changes nothing, the button does.
    assert [m.to for m in mail.outbox] == [["sari.metro@example.org"]]
    link = link_in(mail.outbox[0])
    assert client.get(link).status_code == 200
    assert not User.objects.get(pk=user.pk).is_active
    response = client.post(link)
    assert response["Location"] == reverse("accounts:login")
    user.refresh_from_db()
    assert user.is_active
    assert client.post(reverse("accounts:login"), credentials).status_code == 302
    assert client.get(reverse("forum:question-list")).status_code == 200
    actions = list(AuditEvent.objects.filter(actor=user).values_list("action", flat=True))
    assert sorted(actions) == ["forum_registered", "forum_registration_confirmed", "login"]


def test_a_used_link_never_reopens_a_deactivated_account(
    client, invite, django_capture_on_commit_callbacks
):
    join(client, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    client.post(link)
    user = User.objects.get(username="sari_metro")
    user.deactivate()
    response = client.post(link)
    assert response["Location"] == reverse("accounts:login")
    user.refresh_from_db()
    assert not user.is_active


def test_the_confirmation_e_mail_is_neutral(client, invite, django_capture_on_commit_callbacks):
    """Issue #21: the e-mail went to any typed address greeting with the typed display name, a
    way to send someone else's inbox a text of one's choosing. Now nothing typed is in it."""
    bait = "Menang hadiah! Telepon 0812-0000-0000"
    join(client, django_capture_on_commit_callbacks, first_name=bait)
    (message,) = mail.outbox
    assert bait not in message.body and "Menang" not in message.subject
    assert message.body.startswith("Halo,\n\nSeseorang meminta bergabung")
    assert link_in(message)


def test_bad_and_expired_links_are_a_page_not_an_error(
    client, invite, django_capture_on_commit_callbacks
):
    for token in ["x", "eyJhIjoxfQ:1abc:zzz", "a" * 300]:
        response = client.get(reverse("forum:registration-confirm", args=[token]))
        assert response.status_code == 200 and response.context["valid"] is False
    join(client, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert client.get(link).context["valid"] is False
        client.post(link)
    assert not User.objects.get(username="sari_metro").is_active


def test_a_taken_email_looks_the_same_but_makes_nothing(
    client, invite, guru_eka, django_capture_on_commit_callbacks
):
    response = join(client, django_capture_on_commit_callbacks, email="GURU_EKA@example.org")
    assert response["Location"] == SENT  # no account enumeration
    assert not User.objects.filter(username="sari_metro").exists()
    assert [m.to for m in mail.outbox] == [["guru_eka@example.org"]]
    assert "konfirmasi" not in mail.outbox[0].body


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("invite_code", "SALAH999"),
        ("invite_code", ""),
        ("username", "guru_EKA"),  # taken, whatever the case
        ("username", "nama dengan spasi"),
        ("username", "x" * 31),
        ("email", "bukan-email"),
        ("first_name", ""),
        ("first_name", "n" * 41),
        ("first_name", "nol\x00"),
        ("password2", "lain-sekali-12345"),
        ("password1", "123"),
        ("role", "koordinator"),  # nobody makes themselves staff
        ("rules", ""),
    ],
)
def test_bad_input_is_a_form_error_and_keeps_the_text(client, invite, guru_eka, field, value):
    data = join_data(**{field: value})
    if field == "password1":
        data["password2"] = value
    response = client.post(JOIN, data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "Bu Sari" in response.content.decode() or field == "first_name"
    assert not User.objects.filter(email__iexact="sari.metro@example.org").exists()


def test_a_switched_off_code_does_not_work(client, invite):
    invite.is_active = False
    invite.save()
    response = client.post(JOIN, join_data())
    assert "invite_code" in response.context["form"].errors


def test_wrong_codes_are_limited_per_address(client, invite):
    for n in range(registration.BAD_CODES_PER_HOUR):
        response = client.post(JOIN, join_data(invite_code=f"SALAH{n:03d}"))
        assert "invite_code" in response.context["form"].errors
    # Now even the right code is refused from this address, without telling it is right.
    response = client.post(JOIN, join_data())
    assert "invite_code" in response.context["form"].errors
    assert not User.objects.filter(username="sari_metro").exists()
    other = client.post(JOIN, join_data(), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_accounts_per_address_are_limited(
    client, invite, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(registration, "REGISTRATIONS_PER_HOUR", 2)
    for n in range(2):
        join(
            client,
            django_capture_on_commit_callbacks,
            username=f"ortu_{n}",
            email=f"o{n}@example.org",
        )
    response = client.post(JOIN, join_data())
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert User.objects.filter(username__startswith="ortu_").count() == 2


def test_logged_in_users_are_sent_to_the_forum(login, ortu_fajar):
    assert login(ortu_fajar).get(JOIN)["Location"] == reverse("forum:question-list")


def test_wrong_methods_on_registration_pages(client, db):
    assert client.put(JOIN).status_code == 405
    assert client.post(SENT).status_code == 405
    assert client.delete(RESEND).status_code == 405


def test_resend_is_the_same_for_every_address_and_rate_limited(
    client, invite, django_capture_on_commit_callbacks
):
    join(client, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(RESEND, {"email": "sari.metro@example.org"})["Location"] == SENT
        assert client.post(RESEND, {"email": "tidak-ada@example.org"})["Location"] == SENT
    assert len(mail.outbox) == 1  # too soon: nothing sent
    later = timezone.now() + timedelta(minutes=6)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        client.post(RESEND, {"email": "SARI.metro@example.org"})
    assert len(mail.outbox) == 2
    response = client.post(RESEND, {"email": "bukan email"})
    assert response.status_code == 200 and "email" in response.context["form"].errors


# --- Invitation codes --------------------------------------------------------------------------


def codes_url(school) -> str:
    return reverse("forum:invitecode-list", args=[school.npsn])


def new_code_url(school) -> str:
    return reverse("forum:invitecode-create", args=[school.npsn])


def off_url(code) -> str:
    return reverse("forum:invitecode-deactivate", args=[code.pk])


@pytest.mark.parametrize("persona", ["koordinator_ani", "peksos_budi"])
def test_koordinator_and_the_schools_peksos_manage_codes(login, request, persona, school_a, invite):
    client = login(request.getfixturevalue(persona))
    assert client.get(INDEX).status_code == 200
    page = client.get(codes_url(school_a))
    assert page.status_code == 200 and "KMTR-2345" in page.content.decode()
    response = client.post(new_code_url(school_a), {"label": "Pertemuan wali murid"})
    assert response["Location"] == codes_url(school_a)
    new = InviteCode.objects.exclude(pk=invite.pk).get()
    assert len(new.code) == 8 and new.is_active and new.school == school_a
    assert client.post(off_url(invite))["Location"] == codes_url(school_a)
    invite.refresh_from_db()
    assert not invite.is_active and invite.deactivated_at
    assert AuditEvent.objects.for_object(invite).get().action == "forum_invite_code_deactivated"


def test_koordinator_searches_schools(login, koordinator_ani, school_a):
    response = login(koordinator_ani).get(INDEX, {"q": "1 METRO PUSAT"})
    assert school_a in response.context["schools"]
    assert login(koordinator_ani).get(INDEX, {"q": "\x1f" * 200}).status_code == 200
    # NUL: 400 before the database (tests/core/test_nul_bytes.py)
    assert login(koordinator_ani).get(INDEX, {"q": "\x00" * 200}).status_code == 400


def test_peksos_of_another_school_gets_403(login, peksos_joko_sdn2, school_a, invite):
    client = login(peksos_joko_sdn2)
    assert client.get(codes_url(school_a)).status_code == 403
    assert client.post(new_code_url(school_a), {"label": "x"}).status_code == 403
    assert client.post(off_url(invite)).status_code == 403
    invite.refresh_from_db()
    assert invite.is_active and InviteCode.objects.count() == 1


@pytest.mark.parametrize(
    "persona", ["psikolog_gita", "pendamping_hadi", "sosdesk_citra_sdn1", "kepsek_indah"]
)
def test_roles_that_see_the_register_but_not_codes_get_403(
    login, request, persona, school_a, invite
):
    client = login(request.getfixturevalue(persona))
    assert client.get(INDEX).status_code == 403
    assert client.get(codes_url(school_a)).status_code == 403
    assert client.post(off_url(invite)).status_code == 403


@pytest.mark.parametrize("persona", ["guru_eka", "ortu_fajar"])
def test_parents_and_teachers_get_404_for_a_schools_codes(
    login, request, persona, school_a, invite
):
    client = login(request.getfixturevalue(persona))
    assert client.get(INDEX).status_code == 403
    assert client.get(codes_url(school_a)).status_code == 404
    assert client.post(off_url(invite)).status_code == 404


def test_code_pages_refuse_anonymous_and_wrong_methods(
    client, login, koordinator_ani, school_a, invite
):
    for target in [INDEX, codes_url(school_a)]:
        assert client.get(target)["Location"].startswith("/masuk/")
    assert client.post(off_url(invite))["Location"].startswith("/masuk/")
    client = login(koordinator_ani)
    assert client.post(codes_url(school_a)).status_code == 405
    assert client.get(new_code_url(school_a)).status_code == 405
    assert client.get(off_url(invite)).status_code == 405
    assert client.get(reverse("forum:invitecode-list", args=["00000000"])).status_code == 404
    assert client.post(reverse("forum:invitecode-deactivate", args=[999999])).status_code == 404


def test_bad_label_is_a_form_error(login, koordinator_ani, school_a):
    response = login(koordinator_ani).post(new_code_url(school_a), {"label": "L" * 101})
    assert response.status_code == 200 and "label" in response.context["form"].errors
    assert not InviteCode.objects.exists()


def test_codes_are_typed_the_way_people_read_them():
    assert InviteCode.normalise(" kmtr-2345 ") == "KMTR2345"
    assert InviteCode(code="KMTR2345").display == "KMTR-2345"
    codes = {InviteCode.generate() for _ in range(200)}
    assert len(codes) == 200
    assert not any(set(code) & set("01IO") for code in codes)
