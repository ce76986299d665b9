"""The school map: the page, its GeoJSON, and setting a school's coordinates."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from peksos.accounts.models import Role
from peksos.core.models import AuditEvent
from schools.forms import CoordinatesForm
from schools.models import Kecamatan, PriorityBand, School, SchoolMembership
from schools.permissions import can_set_coordinates
from schools.seed import load_kota_metro
from schools.views.map import MISSING_SHOWN, _coordinates_settable
from tests.factories import SCHOOL_A_NPSN, SCHOOL_B_NPSN, make_user

MAP_URL = reverse("schools:school-map")
DATA_URL = reverse("schools:school-map-data")
WITH_COORDINATES = 118  # in the real register loaded by the `kota_metro` fixture
INSIDE = {"latitude": "-5.1100000", "longitude": "105.3000000"}


def coordinates_url(npsn: str) -> str:
    return reverse("schools:school-coordinates", args=[npsn])


def features(client, query: str = "") -> list[dict]:
    response = client.get(f"{DATA_URL}?{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    return body["features"]


def npsns(found: list[dict]) -> set[str]:
    return {f["properties"]["npsn"] for f in found}


# --- The page ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona",
    [
        "koordinator_ani",
        "peksos_budi",
        "psikolog_gita",
        "pendamping_hadi",
        "sosdesk_citra_sdn1",
        "kepsek_indah",
    ],
)
def test_map_page_for_roles_with_the_register(request, login, kota_metro, persona):
    client = login(request.getfixturevalue(persona))
    response = client.get(MAP_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="school-map"' in html
    assert f'data-url="{DATA_URL}"' in html
    assert "vendor/leaflet/leaflet.js" in html
    assert "js/school_map.js" in html
    assert " style=" not in html  # the CSP blocks inline styles
    nonce = response.context["csp_nonce"]
    assert html.count("<script ") == html.count(f'nonce="{nonce}"')


@pytest.mark.parametrize("persona", ["guru_eka", "ortu_fajar"])
def test_map_is_forbidden_to_teachers_and_parents(request, login, persona):
    client = login(request.getfixturevalue(persona))
    assert client.get(MAP_URL).status_code == 403
    assert client.get(DATA_URL).status_code == 403


@pytest.mark.parametrize("url", [MAP_URL, DATA_URL])
def test_anonymous_is_sent_to_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url", [MAP_URL, DATA_URL])
def test_map_reads_refuse_post(login, koordinator_ani, url):
    assert login(koordinator_ani).post(url).status_code == 405


def test_page_counts_and_lists_schools_without_coordinates(login, koordinator_ani, kota_metro):
    response = login(koordinator_ani).get(MAP_URL)
    total = School.objects.count()
    assert response.context["on_map_count"] == WITH_COORDINATES
    assert response.context["missing_count"] == total - WITH_COORDINATES
    missing = response.context["missing"]
    assert len(missing) == MISSING_SHOWN
    assert response.context["missing_more"] == total - WITH_COORDINATES - MISSING_SHOWN
    assert all(not school.has_coordinates and form is not None for school, form in missing)
    html = response.content.decode()
    first = missing[0][0]
    assert coordinates_url(first.npsn) in html
    assert f'id="id_{first.npsn}_latitude"' in html  # labels stay unique among many forms
    assert 'name="next" value="/sekolah/peta/"' in html


def test_filters_apply_to_the_page_and_to_the_data_url(login, koordinator_ani, kota_metro):
    response = login(koordinator_ani).get(MAP_URL, {"level": "SMA", "kecamatan": "18.72.01"})
    schools = School.objects.filter(level="SMA", kecamatan__code="18.72.01")
    assert response.context["on_map_count"] == schools.with_coordinates().count()
    assert response.context["missing_count"] == schools.without_coordinates().count()
    assert {s.npsn for s, _ in response.context["missing"]} == set(
        schools.without_coordinates().values_list("npsn", flat=True)
    )
    assert response.context["data_url"] == f"{DATA_URL}?level=SMA&kecamatan=18.72.01"
    # The filter form keeps the choice and the "list" link carries it over.
    html = response.content.decode()
    assert '<option value="SMA" selected>' in html
    assert f"{reverse('schools:school-list')}?level=SMA&amp;kecamatan=18.72.01" in html


def test_peksos_gets_forms_only_for_the_schools_they_serve(login, kota_metro):
    served = School.objects.without_coordinates().order_by("name", "id").first()
    peksos = make_user("peksos_rina", Role.PEKSOS, served)
    response = login(peksos).get(MAP_URL)
    forms = {school.npsn: form for school, form in response.context["missing"]}
    assert forms[served.npsn] is not None
    assert all(form is None for npsn, form in forms.items() if npsn != served.npsn)


def test_sosdesk_sees_only_their_school_and_no_forms(login, sosdesk_citra_sdn1):
    response = login(sosdesk_citra_sdn1).get(MAP_URL)
    assert response.context["on_map_count"] == 1  # school A has coordinates
    assert response.context["missing_count"] == 0
    assert SCHOOL_B_NPSN not in response.content.decode()


@pytest.mark.parametrize(
    "persona",
    ["koordinator_ani", "peksos_budi", "peksos_joko_sdn2", "sosdesk_citra_sdn1", "psikolog_gita"],
)
def test_bulk_rule_agrees_with_can_set_coordinates(request, kota_metro, persona):
    user = request.getfixturevalue(persona)
    schools = list(School.objects.filter(npsn__in=[SCHOOL_A_NPSN, SCHOOL_B_NPSN]))
    expected = {s.pk for s in schools if can_set_coordinates(user, s)}
    assert _coordinates_settable(user, schools) == expected


# --- The GeoJSON ---------------------------------------------------------------------------


def test_geojson_has_every_visible_school_with_coordinates(login, koordinator_ani, kota_metro):
    found = features(login(koordinator_ani))
    assert len(found) == WITH_COORDINATES
    school_a = School.objects.get(npsn=SCHOOL_A_NPSN)
    (feature,) = [f for f in found if f["properties"]["npsn"] == SCHOOL_A_NPSN]
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {
        "type": "Point",
        "coordinates": [float(school_a.longitude), float(school_a.latitude)],  # GeoJSON: lon, lat
    }
    assert feature["properties"] == {
        "npsn": SCHOOL_A_NPSN,
        "name": "UPTD SD NEGERI 1 METRO PUSAT",
        "level": "SD",
        "kecamatan": "Metro Pusat",
        "band": school_a.priority_band,
        "band_label": str(PriorityBand(school_a.priority_band).label),
        "score": None if school_a.priority_score is None else float(school_a.priority_score),
        "url": reverse("schools:school-detail", args=[SCHOOL_A_NPSN]),
    }


def test_geojson_band_label_is_in_the_users_language(login, koordinator_ani, school_a):
    School.objects.filter(pk=school_a.pk).update(priority_band=PriorityBand.HIGH)
    client = login(koordinator_ani)
    (feature,) = features(client, f"q={SCHOOL_A_NPSN}")
    assert feature["properties"]["band"] == "tinggi"
    with translation.override("id"):
        assert feature["properties"]["band_label"] == translation.gettext("high")
    client.cookies["django_language"] = "en"
    (feature,) = features(client, f"q={SCHOOL_A_NPSN}")
    assert feature["properties"]["band_label"] == "high"


def test_geojson_filters_level_kecamatan_and_band(login, koordinator_ani, kota_metro):
    client = login(koordinator_ani)
    located = School.objects.with_coordinates()

    found = features(client, "level=SMP")
    assert found and {f["properties"]["level"] for f in found} == {"SMP"}
    assert npsns(found) == set(located.filter(level="SMP").values_list("npsn", flat=True))

    kecamatan = Kecamatan.objects.get(code="18.72.02")
    found = features(client, "kecamatan=18.72.02")
    assert found and {f["properties"]["kecamatan"] for f in found} == {kecamatan.name}
    assert npsns(found) == set(located.filter(kecamatan=kecamatan).values_list("npsn", flat=True))

    high = list(located.order_by("npsn").values_list("npsn", flat=True)[:3])
    School.objects.filter(npsn__in=high).update(priority_band=PriorityBand.HIGH)
    School.objects.without_coordinates().update(priority_band=PriorityBand.HIGH)
    found = features(client, "band=tinggi")
    assert npsns(found) == set(high)  # schools without coordinates are never features
    assert {f["properties"]["band"] for f in found} == {"tinggi"}

    assert features(client, "level=SMP&band=tinggi&kecamatan=18.72.02") == [
        f
        for f in features(client, "level=SMP&kecamatan=18.72.02")
        if f["properties"]["npsn"] in high
    ]


def test_geojson_ignores_an_invalid_filter(login, koordinator_ani, kota_metro):
    assert len(features(login(koordinator_ani), "level=XYZ&kecamatan=nope")) == WITH_COORDINATES


def test_geojson_holds_no_hidden_school(login, sosdesk_citra_sdn1, school_b):
    client = login(sosdesk_citra_sdn1)
    assert npsns(features(client)) == {SCHOOL_A_NPSN}
    assert features(client, f"q={SCHOOL_B_NPSN}") == []


# --- Query counts: the same with a handful of schools as with the whole register ----------


def small_register() -> None:
    """Two schools instead of the real register (the test's transaction restores it)."""
    School.objects.all().delete()
    kecamatan, _ = Kecamatan.objects.get_or_create(code="18.72.01", name="Metro Pusat")
    School.objects.create(
        npsn="99000001",
        name="SD UJI BERKOORDINAT",
        level="SD",
        status="negeri",
        kecamatan=kecamatan,
        latitude=Decimal("-5.11"),
        longitude=Decimal("105.30"),
    )
    School.objects.create(
        npsn="99000002", name="SD UJI TANPA KOORDINAT", level="SD", status="negeri",
        kecamatan=kecamatan,
    )  # fmt: skip


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", [Role.KOORDINATOR, Role.PEKSOS, Role.SOSDESK])
def test_query_counts_do_not_grow_with_the_register(db, login, django_assert_num_queries, role):
    small_register()
    user = make_user(f"{role}_uji", role, School.objects.get(npsn="99000002"))
    client = login(user)
    client.get(MAP_URL)  # the session's first request writes its timestamps: not counted
    filtered = "?level=SD&kecamatan=18.72.01&band=unknown"
    urls = [MAP_URL, MAP_URL + filtered, DATA_URL, DATA_URL + filtered]
    counts = {url: count_queries(client, url) for url in urls}

    load_kota_metro()  # 308 more schools, 118 with coordinates
    SchoolMembership.objects.bulk_create(
        SchoolMembership(user=user, school=school)
        for school in School.objects.exclude(npsn="99000002")
    )

    for url in urls:
        with django_assert_num_queries(counts[url]):
            response = client.get(url)
        if url.startswith(DATA_URL):
            assert len(response.json()["features"]) > 1
        else:
            assert len(response.context["missing"]) > 1


# --- Setting coordinates -------------------------------------------------------------------


def test_koordinator_sets_coordinates(login, koordinator_ani, kota_metro):
    school = School.objects.without_coordinates().first()
    next_url = f"{MAP_URL}?level={school.level}"
    response = login(koordinator_ani).post(
        coordinates_url(school.npsn), {**INSIDE, "next": next_url}
    )
    assert response.status_code == 302
    assert response.url == next_url
    school.refresh_from_db()
    assert (school.latitude, school.longitude) == (Decimal("-5.11"), Decimal("105.3"))
    event = AuditEvent.objects.get(action="school_coordinates_set")
    assert (event.actor, event.object_type, event.object_id) == (
        koordinator_ani,
        "schools.school",
        str(school.pk),
    )
    # The message is shown on the page redirected to.
    page = login(koordinator_ani).get(next_url)
    assert school.name in next(str(m) for m in page.context["messages"])


def test_peksos_of_the_school_sets_them_with_a_comma(login, peksos_budi, school_a):
    response = login(peksos_budi).post(
        coordinates_url(SCHOOL_A_NPSN), {"latitude": " -5,11634567 ", "longitude": "105,305"}
    )
    assert response.status_code == 302
    assert response.url == MAP_URL  # no `next`: back to the map
    school_a.refresh_from_db()
    assert school_a.latitude == Decimal("-5.1163457")  # rounded to 7 decimals
    assert school_a.longitude == Decimal("105.3050000")
    assert AuditEvent.objects.filter(action="school_coordinates_set").count() == 1


def test_peksos_of_another_school_is_forbidden(login, peksos_joko_sdn2, school_a):
    before = (school_a.latitude, school_a.longitude)
    response = login(peksos_joko_sdn2).post(coordinates_url(SCHOOL_A_NPSN), INSIDE)
    assert response.status_code == 403  # PEKSOS see the whole register: visible, not theirs
    school_a.refresh_from_db()
    assert (school_a.latitude, school_a.longitude) == before
    assert not AuditEvent.objects.filter(action="school_coordinates_set").exists()


@pytest.mark.parametrize("persona", ["sosdesk_citra_sdn1", "psikolog_gita", "kepsek_indah"])
def test_read_only_roles_are_forbidden(request, login, school_a, persona):
    client = login(request.getfixturevalue(persona))
    assert client.post(coordinates_url(SCHOOL_A_NPSN), INSIDE).status_code == 403


@pytest.mark.parametrize("persona", ["sosdesk_dedi_sdn2", "guru_eka"])
def test_hidden_school_is_not_found(request, login, school_a, persona):
    client = login(request.getfixturevalue(persona))
    assert client.post(coordinates_url(SCHOOL_A_NPSN), INSIDE).status_code == 404


def test_unknown_school_is_not_found(login, koordinator_ani):
    assert login(koordinator_ani).post(coordinates_url("00000000"), INSIDE).status_code == 404


def test_coordinates_refuse_get(login, koordinator_ani, school_a):
    assert login(koordinator_ani).get(coordinates_url(SCHOOL_A_NPSN)).status_code == 405


def test_anonymous_cannot_set_coordinates(client, school_a):
    response = client.post(coordinates_url(SCHOOL_A_NPSN), INSIDE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_outside_kota_metro_is_a_form_error(login, koordinator_ani, school_b):
    School.objects.filter(pk=school_b.pk).update(latitude=None, longitude=None)
    next_url = f"{MAP_URL}?kecamatan=18.72.01"
    response = login(koordinator_ani).post(
        coordinates_url(SCHOOL_B_NPSN),
        {"latitude": "-5.4295", "longitude": "105.2610", "next": next_url},  # Bandar Lampung
    )
    assert response.status_code == 200
    school, form = response.context["focus"]
    assert school == school_b
    assert form.has_error("__all__", "outside_kota_metro")
    html = response.content.decode()
    assert 'value="-5.4295"' in html and 'value="105.2610"' in html  # what was typed is kept
    assert f'value="{next_url}"' in html  # and where to go after a correct try
    # The page keeps the filters of the map it came from, and lists the school only once.
    assert response.context["data_url"] == f"{DATA_URL}?kecamatan=18.72.01"
    assert html.count(f'id="id_{SCHOOL_B_NPSN}_latitude"') == 1
    school_b.refresh_from_db()
    assert school_b.latitude is None
    assert not AuditEvent.objects.filter(action="school_coordinates_set").exists()


def test_text_is_a_form_error_in_indonesian(login, koordinator_ani, school_a):
    response = login(koordinator_ani).post(
        coordinates_url(SCHOOL_A_NPSN), {"latitude": "lima", "longitude": ""}
    )
    assert response.status_code == 200
    form = response.context["focus"][1]
    assert form.has_error("latitude", "invalid")
    assert form.has_error("longitude", "required")
    html = response.content.decode()
    assert "Masukkan sebuah bilangan." in html
    assert 'value="lima"' in html


def test_unsafe_next_is_ignored(login, koordinator_ani, school_a):
    response = login(koordinator_ani).post(
        coordinates_url(SCHOOL_A_NPSN), {**INSIDE, "next": "https://evil.example/peta/"}
    )
    assert response.status_code == 302
    assert response.url == MAP_URL


def test_correcting_coordinates_opens_a_prefilled_form(login, koordinator_ani, school_a):
    response = login(koordinator_ani).get(MAP_URL, {"atur": SCHOOL_A_NPSN, "level": "SD"})
    assert response.status_code == 200
    school, form = response.context["focus"]
    assert school == school_a
    assert form["latitude"].value() == school_a.latitude
    assert response.context["data_url"] == f"{DATA_URL}?level=SD"
    assert 'name="next" value="/sekolah/peta/?level=SD"' in response.content.decode()


def test_correcting_is_offered_only_to_who_may(login, sosdesk_citra_sdn1, sosdesk_dedi_sdn2):
    response = login(sosdesk_citra_sdn1).get(MAP_URL, {"atur": SCHOOL_A_NPSN})
    assert response.status_code == 200
    assert response.context["focus"] is None
    assert login(sosdesk_dedi_sdn2).get(MAP_URL, {"atur": SCHOOL_A_NPSN}).status_code == 404


@pytest.mark.parametrize(
    ("latitude", "longitude", "valid"),
    [
        ("-5.1163", "105.3050", True),
        ("-5,1163", "105,3050", True),
        ("\u22125.1163", "105.3050", True),
        ("-5.19", "105.23", True),  # corner of the accepted box
        ("-5.1901", "105.3050", False),
        ("105.3050", "-5.1163", False),  # swapped
        ("NaN", "105.3", False),
        ("Infinity", "105.3", False),
        ("1e400", "105.3", False),
        ("-5.1.1", "105.3", False),
    ],
)
def test_coordinates_form(latitude, longitude, valid):
    form = CoordinatesForm({"latitude": latitude, "longitude": longitude})
    assert form.is_valid() is valid, form.errors
