"""The Koordinator's round of placing schools without coordinates (schools/views/placing.py):
the page shows one school, a save checks the point lies in Kota Metro, audits it, and the next
school of the round comes."""

from decimal import Decimal

import pytest
from django.urls import reverse

from peksos.core.models import AuditEvent
from schools.models import School
from schools.placing import next_unplaced, unplaced
from tests.factories import SCHOOL_A_NPSN, SCHOOL_B_NPSN

PLACE_URL = reverse("schools:school-place")
INSIDE = {"latitude": "-5.1100000", "longitude": "105.3000000"}
BANDAR_LAMPUNG = {"latitude": "-5.4295", "longitude": "105.2610"}


def save_url(npsn: str) -> str:
    return reverse("schools:school-place-save", args=[npsn])


# --- The page ------------------------------------------------------------------------------


def test_page_shows_the_first_school_without_coordinates(login, koordinator_ani, kota_metro):
    response = login(koordinator_ani).get(PLACE_URL)
    assert response.status_code == 200
    first = unplaced().first()
    assert response.context["school"] == first
    assert len(response.context["remaining"]) == unplaced().count() == 190
    html = response.content.decode()
    assert f'action="{save_url(first.npsn)}"' in html
    # The search is a plain select (works without JavaScript), marked for the searchable box.
    assert 'name="sekolah" data-searchable data-searchable-submit' in html
    assert html.count('<option value="') == 1 + 190  # the empty choice, then the schools
    assert f"?setelah={first.npsn}" in html  # skip
    assert "190 sekolah aktif belum punya koordinat." in html
    assert " style=" not in html


def test_page_centres_on_the_schools_kecamatan(login, koordinator_ani, kota_metro):
    response = login(koordinator_ani).get(PLACE_URL)
    latitude, longitude = (Decimal(v) for v in response.context["focus"].split(","))
    assert Decimal("-5.19") < latitude < Decimal("-5.03")
    assert Decimal("105.23") < longitude < Decimal("105.40")


def test_a_searched_school_opens_prefilled_and_warns_it_has_coordinates(
    login, koordinator_ani, school_a
):
    response = login(koordinator_ani).get(PLACE_URL, {"sekolah": SCHOOL_A_NPSN})
    assert response.context["school"] == school_a
    assert response.context["form"]["latitude"].value() == school_a.latitude
    assert "sudah punya koordinat: menyimpan akan menggantinya" in response.content.decode()


def test_skip_goes_to_the_next_school_and_wraps(login, koordinator_ani, kota_metro):
    client = login(koordinator_ani)
    schools = list(unplaced())
    response = client.get(PLACE_URL, {"setelah": schools[0].npsn})
    assert response.context["school"] == schools[1]
    response = client.get(PLACE_URL, {"setelah": schools[-1].npsn})
    assert response.context["school"] == schools[0]


def test_unknown_school_is_not_found(login, koordinator_ani, kota_metro):
    client = login(koordinator_ani)
    assert client.get(PLACE_URL, {"sekolah": "99999999"}).status_code == 404
    assert client.get(PLACE_URL, {"setelah": "99999999"}).status_code == 404


def test_when_every_school_is_placed_the_page_says_so(login, koordinator_ani, kota_metro):
    School.objects.update(latitude=Decimal("-5.11"), longitude=Decimal("105.30"))
    response = login(koordinator_ani).get(PLACE_URL)
    assert response.status_code == 200
    assert response.context["school"] is None
    html = response.content.decode()
    assert "Semua sekolah aktif sudah punya koordinat." in html
    assert "leaflet.js" not in html


def test_page_queries_do_not_grow_with_the_schools_left(
    login, koordinator_ani, kota_metro, django_assert_max_num_queries
):
    client = login(koordinator_ani)
    client.get(PLACE_URL)  # the session's first request writes its timestamps
    with django_assert_max_num_queries(12):
        response = client.get(PLACE_URL)
    assert len(response.context["remaining"]) == 190


@pytest.mark.parametrize(
    "persona",
    [
        "peksos_budi",
        "psikolog_gita",
        "pendamping_hadi",
        "sosdesk_citra_sdn1",
        "kepsek_indah",
        "guru_eka",
        "ortu_fajar",
    ],
)
def test_only_the_koordinator_places_schools(request, login, persona, school_b):
    client = login(request.getfixturevalue(persona))
    assert client.get(PLACE_URL).status_code == 403
    assert client.post(save_url(SCHOOL_B_NPSN), INSIDE).status_code == 403
    school_b.refresh_from_db()
    assert school_b.latitude != Decimal("-5.11")


def test_anonymous_is_sent_to_log_in(client, school_b):
    for response in (client.get(PLACE_URL), client.post(save_url(SCHOOL_B_NPSN), INSIDE)):
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_wrong_methods(login, koordinator_ani, school_b):
    client = login(koordinator_ani)
    assert client.post(PLACE_URL).status_code == 405
    assert client.get(save_url(SCHOOL_B_NPSN)).status_code == 405


# --- Saving --------------------------------------------------------------------------------


def test_saving_audits_and_brings_the_next_school(login, koordinator_ani, kota_metro):
    client = login(koordinator_ani)
    first, second = list(unplaced()[:2])
    response = client.post(save_url(first.npsn), INSIDE)
    assert response.status_code == 302
    assert response.url == f"{PLACE_URL}?sekolah={second.npsn}"
    first.refresh_from_db()
    assert (first.latitude, first.longitude) == (Decimal("-5.11"), Decimal("105.3"))
    event = AuditEvent.objects.get(action="school_coordinates_set")
    assert (event.actor, event.object_id) == (koordinator_ani, str(first.pk))
    page = client.get(response.url)
    assert page.context["school"] == second
    message = next(str(m) for m in page.context["messages"])
    assert message == f"Koordinat {first.name} tersimpan. Berikutnya: {second.name}."
    assert len(page.context["remaining"]) == 189


def test_saving_the_last_school_ends_the_round(login, koordinator_ani, kota_metro):
    last = unplaced().last()
    unplaced().exclude(pk=last.pk).update(latitude=Decimal("-5.11"), longitude=Decimal("105.3"))
    response = login(koordinator_ani).post(save_url(last.npsn), INSIDE)
    assert response.status_code == 302
    assert response.url == PLACE_URL
    assert next_unplaced() is None


def test_a_point_outside_kota_metro_is_refused_in_indonesian(login, koordinator_ani, kota_metro):
    school = unplaced().first()
    response = login(koordinator_ani).post(save_url(school.npsn), BANDAR_LAMPUNG)
    assert response.status_code == 200
    assert response.context["school"] == school
    html = response.content.decode()
    assert "Titik ini berada di luar Kota Metro." in html
    assert 'value="-5.4295"' in html and 'value="105.2610"' in html  # what was typed is kept
    school.refresh_from_db()
    assert school.latitude is None
    assert not AuditEvent.objects.filter(action="school_coordinates_set").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"latitude": "lima", "longitude": "105.3"}, "Masukkan sebuah bilangan."),
        ({"latitude": "", "longitude": ""}, "Bidang ini tidak boleh kosong."),
        ({"latitude": "105.30", "longitude": "-5.11"}, "Titik ini berada di luar Kota Metro."),
    ],
)
def test_bad_coordinates_are_form_errors(login, koordinator_ani, school_b, data, message):
    School.objects.filter(pk=school_b.pk).update(latitude=None, longitude=None)
    response = login(koordinator_ani).post(save_url(SCHOOL_B_NPSN), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    school_b.refresh_from_db()
    assert school_b.latitude is None


def test_unknown_school_save_is_not_found(login, koordinator_ani, kota_metro):
    assert login(koordinator_ani).post(save_url("99999999"), INSIDE).status_code == 404


# --- The round's order ---------------------------------------------------------------------


def test_next_unplaced_skips_inactive_and_placed_schools(kota_metro):
    schools = list(unplaced())
    School.objects.filter(pk=schools[1].pk).update(is_active=False)
    assert next_unplaced(after=schools[0]) == schools[2]
    assert next_unplaced(after=School.objects.get(npsn=SCHOOL_A_NPSN)) is not None
