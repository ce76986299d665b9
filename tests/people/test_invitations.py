"""Invitations (issue #17): single use, hashed, expiring; one page for every bad link; the
person sets their own password and is logged in; programme staff go on to enrol 2FA."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peksos.accounts.models import Role
from people import services
from people.models import Invitation, hash_token

pytestmark = pytest.mark.django_db
PASSWORD = "Sandi-Baru-yang-Panjang-42"


def _invite(koordinator, role=Role.SOSDESK, **kwargs):
    return services.person_create(
        name="Dewi Lestari", role=role, email="dewi@example.org", by=koordinator, **kwargs
    )


def _accept(client, token, password=PASSWORD):
    url = reverse("invitation-accept", args=[token])
    return client.post(url, {"new_password1": password, "new_password2": password})


def test_accept_sets_the_password_and_logs_in(client, koordinator_ani):
    person, token = _invite(koordinator_ani)
    assert Invitation.objects.get(user=person).token_hash == hash_token(token)
    assert client.get(reverse("invitation-accept", args=[token])).status_code == 200
    response = _accept(client, token)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    # Used: the same link now shows the page that reveals nothing.
    assert _accept(client, token).status_code == 404


def test_programme_staff_go_to_enrolment(client, koordinator_ani):
    _person, token = _invite(koordinator_ani, role=Role.PEKSOS)
    response = _accept(client, token)
    assert response["Location"] == reverse("accounts:otp-enrol")


def test_weak_password_is_refused_and_the_link_still_works(client, koordinator_ani):
    person, token = _invite(koordinator_ani)
    response = _accept(client, token, password="123")
    assert response.status_code == 400
    assert Invitation.objects.get(user=person).is_pending


def test_unknown_expired_resent_and_withdrawn_links_look_the_same(client, koordinator_ani):
    person, token = _invite(koordinator_ani)
    unknown = client.get(reverse("invitation-accept", args=["x" * 43]))
    new_token = services.invitation_send(user=person, by=koordinator_ani)
    resent = client.get(reverse("invitation-accept", args=[token]))
    Invitation.objects.filter(user=person).update(expires_at=timezone.now() - timedelta(1))
    expired = client.get(reverse("invitation-accept", args=[new_token]))
    third = services.invitation_send(user=person, by=koordinator_ani)
    services.invitation_withdraw(user=person, by=koordinator_ani)
    withdrawn = client.get(reverse("invitation-accept", args=[third]))
    pages = [
        r.content.decode().split("csrfmiddlewaretoken")[0]
        for r in (unknown, resent, expired, withdrawn)
    ]
    assert {r.status_code for r in (unknown, resent, expired, withdrawn)} == {404}
    assert all("dewi" not in page.lower() for page in pages)
    assert len({r.templates[0].name for r in (unknown, resent, expired, withdrawn)}) == 1


def test_deactivated_person_cannot_accept(client, koordinator_ani):
    person, token = _invite(koordinator_ani)
    services.person_deactivate(user=person, by=koordinator_ani)
    assert _accept(client, token).status_code == 404


def test_invitation_days_setting(settings, koordinator_ani):
    settings.INVITATION_DAYS = 2
    person, _token = _invite(koordinator_ani)
    invitation = Invitation.objects.get(user=person)
    assert timedelta(days=1) < invitation.expires_at - timezone.now() <= timedelta(days=2)
