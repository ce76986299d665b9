"""The people pages (issue #17): list, export, create and invite, edit, memberships,
deactivate, unlock, second-factor reset; Koordinator only."""

import time

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from peksos.accounts import reauth
from peksos.accounts.models import Role, User
from peksos.core.models import AuditEvent
from people.models import Invitation, PastMembership
from schools.models import SchoolMembership
from tests.factories import make_user

pytestmark = pytest.mark.django_db
LIST = reverse("people:person-list")


def _password_long_ago(client):
    """Logging in counts as typing the password: forget it, so the prompt shows."""
    session = client.session
    session.pop(reauth.SESSION_KEY, None)
    session.save()


def _fresh_password(client):
    session = client.session
    session[reauth.SESSION_KEY] = int(time.time())
    session.save()


def test_list_search_and_filters(login, koordinator_ani, sosdesk_citra_sdn1, kepsek_indah):
    client = login(koordinator_ani)
    page = client.get(LIST, {"q": "citra"}).content.decode()
    assert "sosdesk_citra" in page and "kepsek_indah" not in page
    page = client.get(LIST, {"role": Role.KEPALA_SEKOLAH}).content.decode()
    assert "kepsek_indah" in page and "sosdesk_citra" not in page
    page = client.get(LIST, {"npsn": "10807637", "state": "active"}).content.decode()
    assert "kepsek_indah" in page and "koordinator_ani" not in page


def test_list_bad_filters_are_not_a_500(login, koordinator_ani):
    client = login(koordinator_ani)
    response = client.get(LIST, {"state": "x", "kecamatan": "nope", "setelah": "%%%"})
    assert response.status_code == 200


def test_other_roles_get_403_and_anonymous_the_login(client, login, peksos_budi):
    assert client.get(LIST).status_code == 302
    assert login(peksos_budi).get(LIST).status_code == 403


def test_wrong_method(login, koordinator_ani):
    assert login(koordinator_ani).post(LIST).status_code == 405


@pytest.mark.parametrize("n", [3, 30])
def test_list_query_count_is_constant(
    login, koordinator_ani, school_a, n, django_assert_max_num_queries
):
    for i in range(n):
        make_user(f"ortu_x{i}", Role.ORANG_TUA, school_a)
    client = login(koordinator_ani)
    with django_assert_max_num_queries(12):
        assert client.get(LIST).status_code == 200


def test_export_is_formula_safe_and_asks_the_password(login, koordinator_ani, school_a):
    evil = make_user("ortu_evil", Role.ORANG_TUA, school_a)
    evil.first_name = "=HYPERLINK(1)"
    evil.save()
    client = login(koordinator_ani)
    _password_long_ago(client)
    assert client.get(reverse("people:person-export", args=["csv"])).status_code == 302
    _fresh_password(client)
    response = client.get(reverse("people:person-export", args=["csv"]))
    body = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK(1)" in body
    assert "pbkdf2" not in body and "md5" not in body
    xlsx = client.get(reverse("people:person-export", args=["xlsx"]))
    assert xlsx.status_code == 200
    assert AuditEvent.objects.filter(action="people_export_csv").exists()


def test_create_invites_by_email_and_shows_the_whatsapp_text(
    login, koordinator_ani, school_a, django_capture_on_commit_callbacks
):
    client = login(koordinator_ani)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("people:person-create"),
            {
                "name": "Sri Wahyuni",
                "role": Role.KEPALA_SEKOLAH,
                "email": "sri@example.org",
                "phone": "0812 3456 7890",
                "schools": school_a.npsn,
            },
        )
    assert response.status_code == 200
    person = User.objects.get(email="sri@example.org")
    assert not person.has_usable_password() and person.phone == "081234567890"
    assert SchoolMembership.objects.filter(user=person, school=school_a).exists()
    invitation = Invitation.objects.get(user=person)
    page = response.content.decode()
    token = page.split("/undangan/")[1].split("/")[0]
    assert invitation.token_hash != token and token not in str(invitation.__dict__)
    assert "wa.me/6281234567890" in page
    assert len(mail.outbox) == 1 and token in mail.outbox[0].body
    assert not AuditEvent.objects.filter(object_id=token).exists()
    assert AuditEvent.objects.filter(action="person_created", object_id=str(person.pk)).exists()


def test_create_bad_input_keeps_what_was_typed(login, koordinator_ani):
    client = login(koordinator_ani)
    response = client.post(
        reverse("people:person-create"),
        {"name": "Budi Typo", "role": Role.SOSDESK, "schools": "99999999"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Budi Typo" in page and "99999999" in page
    assert not User.objects.filter(first_name="Budi").exists()


def test_role_change_and_own_koordinator_role_kept(login, koordinator_ani, guru_eka):
    client = login(koordinator_ani)
    data = {"name": "Eka Guru", "role": Role.SOSDESK, "email": guru_eka.email, "phone": ""}
    response = client.post(reverse("people:person-edit", args=[guru_eka.pk]), data)
    assert response.status_code == 302
    guru_eka.refresh_from_db()
    assert guru_eka.role == Role.SOSDESK
    assert AuditEvent.objects.filter(action="person_role_changed").exists()
    mine = {"name": "Ani", "role": Role.PEKSOS, "email": koordinator_ani.email, "phone": ""}
    response = client.post(reverse("people:person-edit", args=[koordinator_ani.pk]), mine)
    assert response.status_code == 400
    koordinator_ani.refresh_from_db()
    assert koordinator_ani.role == Role.KOORDINATOR


def test_memberships_added_by_kecamatan_and_ended_with_history(
    login, koordinator_ani, peksos_budi, school_a, school_b
):
    client = login(koordinator_ani)
    url = reverse("people:membership-add", args=[peksos_budi.pk])
    client.post(url, {"kecamatan": school_b.kecamatan.code})
    assert peksos_budi.school_memberships.filter(school=school_b).exists()
    membership = peksos_budi.school_memberships.get(school=school_a)
    client.post(reverse("people:membership-end", args=[peksos_budi.pk, membership.pk]))
    assert not peksos_budi.school_memberships.filter(school=school_a).exists()
    assert PastMembership.objects.filter(user=peksos_budi, school=school_a).exists()


def test_deactivated_session_is_refused_on_its_next_request(
    client, login, koordinator_ani, kepsek_indah, school_a
):
    from django.test import Client

    victim = Client()
    victim.force_login(kepsek_indah, backend="peksos.accounts.backends.UsernameOrEmailBackend")
    assert victim.get(reverse("home")).status_code == 200
    login(koordinator_ani).post(reverse("people:person-deactivate", args=[kepsek_indah.pk]))
    kepsek_indah.refresh_from_db()
    assert not kepsek_indah.is_active
    assert not SchoolMembership.objects.filter(user=kepsek_indah).exists()
    assert PastMembership.objects.filter(user=kepsek_indah, school=school_a).exists()
    response = victim.get(reverse("home"))
    assert response.status_code == 302 and "/masuk/" in response["Location"]
    assert "_auth_user_id" not in victim.session


def test_koordinator_cannot_deactivate_themselves(login, koordinator_ani):
    client = login(koordinator_ani)
    client.post(reverse("people:person-deactivate", args=[koordinator_ani.pk]))
    koordinator_ani.refresh_from_db()
    assert koordinator_ani.is_active


def test_unlock_removes_the_lockout(login, koordinator_ani, guru_eka):
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(
        username=f"account:{guru_eka.pk}",
        ip_address="1.2.3.4",
        user_agent="x",
        failures_since_start=9,
        get_data="",
        post_data="",
    )
    client = login(koordinator_ani)
    assert (
        "text-bg-danger"
        in client.get(reverse("people:person-detail", args=[guru_eka.pk])).content.decode()
    )
    page = client.get(LIST, {"state": "locked"}).content.decode()
    assert "guru_eka" in page
    client.post(reverse("people:person-unlock", args=[guru_eka.pk]))
    assert not AccessAttempt.objects.filter(username=f"account:{guru_eka.pk}").exists()


def test_second_factor_reset_needs_password_and_reason(login, koordinator_ani, peksos_budi):
    TOTPDevice.objects.create(user=peksos_budi, name="TOTP", confirmed=True)
    client = login(koordinator_ani)
    url = reverse("people:second-factor-reset", args=[peksos_budi.pk])
    _password_long_ago(client)
    assert client.get(url).status_code == 302  # to the password prompt
    _fresh_password(client)
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "HP hilang, dicek lewat telepon"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=peksos_budi).exists()
    assert AuditEvent.objects.filter(action="second_factor_reset").exists()
