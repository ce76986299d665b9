"""The public self check-in of adults (/ikut/<code>/hadir/): on a phone, without an account,
once per device (a random cookie, stored only as a keyed hash), only while the activity's
forms are open, and never more than MAX_SELF_CHECKINS per activity."""

import html
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from activities.models import Activity, Attendee
from activities.services import sessions as activity_services
from activities.views.attendance import DEVICE_COOKIE
from peksos.core.models import AuditEvent
from visits.models import Visit

TODAY = datetime(2026, 8, 4, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 10; SM-A105F) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36"
)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def activity(school_a, peksos_budi):
    visit = Visit(school=school_a, state=Visit.State.AGREED, kind=Visit.Kind.TRAINING)
    visit.set_date(date(2026, 8, 4))
    visit.save()
    activity = Activity.objects.create(
        visit=visit, kind=visit.kind, date=visit.date, participant_forms_open=True
    )
    activity.facilitators.set([peksos_budi])
    return activity


def url(activity) -> str:
    return reverse("participant:checkin", args=[activity.public_code])


def phone() -> Client:
    return Client(HTTP_USER_AGENT=PHONE_UA)


def text(response) -> str:
    return html.unescape(response.content.decode())


DATA = {"name": "Ibu Sari", "group": "orang_tua", "sex": "P"}


def test_check_in_on_a_phone_without_an_account(activity):
    client = phone()
    form = client.get(url(activity))
    assert form.status_code == 200
    assert "Saya hadir" in text(form) or "I am here" in text(form)
    assert form["Cache-Control"] == "no-store, private"
    response = client.post(url(activity), DATA)
    assert response.status_code == 302 and response["Location"] == url(activity)
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["path"] == "/ikut/" and len(cookie.value) >= 20
    attendee = Attendee.objects.get()
    assert (attendee.name, attendee.group, attendee.sex) == ("Ibu Sari", "orang_tua", "P")
    assert attendee.source == Attendee.Source.SELF and attendee.entered_by is None
    # Only a keyed hash of the cookie is stored, never the cookie itself.
    assert attendee.device_hash and cookie.value not in attendee.device_hash
    assert len(attendee.device_hash) == 64
    done = client.get(url(activity))
    assert "Ibu Sari" in text(done) and 'id="checkin-done"' in text(done)
    # The audit row names no address and no person.
    event = AuditEvent.objects.get(action="activity_self_check_in")
    assert event.actor is None and event.ip is None


def test_one_check_in_per_device(activity):
    client = phone()
    client.post(url(activity), DATA)
    again = client.post(url(activity), {"name": "Orang Lain", "group": "guru", "sex": "L"})
    assert again.status_code == 200 and "Ibu Sari" in text(again)
    assert Attendee.objects.count() == 1
    # Another phone is another person.
    phone().post(url(activity), {"name": "Pak Budi", "group": "guru", "sex": "L"})
    assert Attendee.objects.count() == 2


def test_the_same_phone_may_check_in_at_another_activity(activity, peksos_budi):
    other = Activity.objects.create(
        visit=activity.visit, kind=activity.kind, date=activity.date, participant_forms_open=True
    )
    client = phone()
    client.post(url(activity), DATA)
    assert client.post(url(other), DATA).status_code == 302
    hashes = set(Attendee.objects.values_list("device_hash", flat=True))
    assert len(hashes) == 2  # unlinkable between activities


def test_closed_forms_refuse_check_in(activity):
    Activity.objects.filter(pk=activity.pk).update(participant_forms_open=False)
    client = phone()
    page = client.get(url(activity))
    assert page.status_code == 200 and 'id="checkin-closed"' in text(page)
    assert 'name="name"' not in text(page)
    response = client.post(url(activity), DATA)
    assert response.status_code == 409 and 'id="checkin-closed"' in text(response)
    assert not Attendee.objects.exists()


def test_a_cancelled_activity_is_closed(activity):
    Activity.objects.filter(pk=activity.pk).update(state=Activity.State.CANCELLED)
    response = phone().post(url(activity), DATA)
    assert response.status_code == 409 and not Attendee.objects.exists()


def test_the_list_cannot_be_flooded(activity, monkeypatch):
    monkeypatch.setattr(activity_services, "MAX_SELF_CHECKINS", 3)
    for i in range(3):
        assert phone().post(url(activity), {**DATA, "name": f"Orang {i}"}).status_code == 302
    response = phone().post(url(activity), {**DATA, "name": "Orang 4"})
    assert response.status_code == 409
    assert "Orang 4" in text(response)  # what was typed is kept
    assert Attendee.objects.count() == 3


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "group": "guru", "sex": "L"}, "name"),
        ({"name": "A", "group": "guru", "sex": "L"}, "name"),
        ({"name": "Ibu Sari", "group": "siswa_sd", "sex": "P"}, "group"),  # adults only
        ({"name": "Ibu Sari", "group": "guru", "sex": "X"}, "sex"),
        ({"name": "Ibu Sari", "group": "orang_tua"}, "sex"),
        ({"name": "x" * 500, "group": "guru", "sex": "L"}, "name"),
    ],
)
def test_bad_input_is_refused_with_what_was_typed(activity, data, field):
    response = phone().post(url(activity), data)
    page = text(response)
    assert response.status_code == 200
    assert "is-invalid" in page
    if data.get("name") and len(data["name"]) < 200:
        assert f'value="{data["name"]}"' in page
    assert not Attendee.objects.exists()


def test_control_characters_are_dropped(activity):
    phone().post(url(activity), {"name": "Ibu\x00 Sari\u0007", "group": "guru", "sex": "P"})
    assert Attendee.objects.get().name == "Ibu Sari"


@pytest.mark.parametrize("code", ["nope", "x" * 40, "%00", "ÄÖÜ"])
def test_unknown_code_is_404(db, code):
    assert phone().get(f"/ikut/{code}/hadir/").status_code == 404


def test_a_forged_cookie_is_replaced(activity):
    client = phone()
    client.cookies[DEVICE_COOKIE] = "<script>"
    response = client.post(url(activity), DATA)
    assert response.status_code == 302
    assert response.cookies[DEVICE_COOKIE].value != "<script>"


def test_wrong_method(activity):
    assert phone().put(url(activity)).status_code == 405


def test_staff_see_self_check_ins_on_the_list(login, peksos_budi, activity):
    phone().post(url(activity), DATA)
    page = text(login(peksos_budi).get(reverse("activities:activity-detail", args=[activity.pk])))
    assert "Ibu Sari" in page
