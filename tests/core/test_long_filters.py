"""Filters over a long list (docs/benchmarks.md "First run: a tenth of the country"): a list page
lists a region or staff filter's options only while they are few (Kota Metro unchanged); beyond
FEW it lists the chosen one and the first SHOWN and points the picker at a JSON search. The
field still accepts any valid value. The search endpoints: scoped, bounded, never a 500."""

import re

import pytest
from django.urls import reverse

from peksos.accounts.models import Role, User
from peksos.core.forms import FEW, SHOWN
from peksos.core.search import RESULTS
from schools.models import Kecamatan, Kelurahan, School

KECAMATAN_SEARCH = reverse("regions:kecamatan-search")
KELURAHAN_SEARCH = reverse("regions:kelurahan-search")
STAFF_SEARCH = reverse("people:staff-search")
METRO_PUSAT = "18.72.01"


def select(html: str, name: str) -> str:
    match = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert match, f"no select {name}"
    return match.group(0)


def options(html: str, name: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"', select(html, name))


@pytest.fixture
def many_regions(kota_metro):
    """300 kecamatan whose codes sort before Kota Metro's (so Metro's are "far away"), and 300
    kelurahan in the first of them."""
    Kecamatan.objects.bulk_create(
        Kecamatan(code=f"11.01.{i:03d}", name=f"Kecamatan Jauh {i:03d}") for i in range(300)
    )
    first = Kecamatan.objects.get(code="11.01.000")
    Kelurahan.objects.bulk_create(
        Kelurahan(code=f"11.01.000.{i:04d}", name=f"Desa Jauh {i:03d}", kecamatan=first)
        for i in range(300)
    )


@pytest.fixture
def many_staff(db):
    User.objects.bulk_create(
        User(username=f"staf_{i:03d}", first_name=f"Staf{i:03d}", role=Role.PSIKOLOG)
        for i in range(FEW + 50)
    )


# --- the city: unchanged -----------------------------------------------------------------------


def test_the_city_lists_every_region_as_before(login, koordinator_ani, kota_metro):
    html = login(koordinator_ani).get("/sekolah/").content.decode()
    assert len(options(html, "kecamatan")) == 1 + 5  # "all" and Kota Metro's 5
    assert len(options(html, "kelurahan")) == 1 + 22
    assert "data-search-url" not in html


def test_the_city_lists_every_staff_member_on_the_visit_list(login, koordinator_ani, kota_metro):
    staff = User.objects.filter(is_active=True, role__in=[Role.PEKSOS, Role.PSIKOLOG]).count()
    html = login(koordinator_ani).get(reverse("visits:visit-list")).content.decode()
    assert "data-search-url" not in select(html, "staff")
    assert len(options(html, "staff")) >= 1 + staff


# --- a country: bounded ---------------------------------------------------------------------------


def test_the_schools_list_lists_a_bounded_number_of_regions(
    login, koordinator_ani, many_regions, django_assert_max_num_queries
):
    client = login(koordinator_ani)
    html = client.get("/sekolah/").content.decode()
    assert Kecamatan.objects.count() == 305
    assert len(options(html, "kecamatan")) == 1 + SHOWN  # before: 1 + 305
    assert f'data-search-url="{KECAMATAN_SEARCH}"' in select(html, "kecamatan")
    # The kelurahan (322) too; its search sends the chosen kecamatan along.
    assert len(options(html, "kelurahan")) == 1 + SHOWN
    assert 'data-search-depends="kecamatan"' in select(html, "kelurahan")


def test_a_far_away_region_still_filters_and_shows_as_chosen(login, koordinator_ani, many_regions):
    response = login(koordinator_ani).get("/sekolah/", {"kecamatan": METRO_PUSAT})
    html = response.content.decode()
    assert not response.context["form"].errors
    items = response.context["page"].items
    assert items and {s.kecamatan.code for s in items} == {METRO_PUSAT}
    listed = options(html, "kecamatan")
    assert METRO_PUSAT in listed and len(listed) <= 2 + SHOWN
    assert re.search(rf'<option value="{METRO_PUSAT}" selected>', select(html, "kecamatan"))
    # The chosen kecamatan's kelurahan are few: all listed, as a plain select.
    kelurahan = options(html, "kelurahan")
    assert len(kelurahan) == 1 + Kelurahan.objects.filter(kecamatan__code=METRO_PUSAT).count()
    assert "data-search-url" not in select(html, "kelurahan")


def test_a_far_away_kelurahan_filters(login, koordinator_ani, many_regions):
    school = School.objects.filter(kelurahan__isnull=False).order_by("npsn").first()
    response = login(koordinator_ani).get("/sekolah/", {"kelurahan": school.kelurahan.code})
    assert not response.context["form"].errors
    assert {s.kelurahan_id for s in response.context["page"].items} == {school.kelurahan_id}


@pytest.mark.parametrize("value", ["99.99.99", "x" * 500, "18.72\x01", "18.72\x00"])
def test_an_unknown_or_malformed_region_is_an_error_not_a_500(
    login, koordinator_ani, many_regions, value
):
    response = login(koordinator_ani).get("/sekolah/", {"kecamatan": value, "kelurahan": value})
    if "\x00" in value:  # refused before any view (peksos/core/middleware.py)
        assert response.status_code == 400
        return
    assert response.status_code == 200
    assert "kecamatan" in response.context["form"].errors


def test_the_visit_and_activity_lists_bound_staff_and_regions(
    login, koordinator_ani, many_regions, many_staff
):
    client = login(koordinator_ani)
    far = User.objects.get(username=f"staf_{FEW + 49:03d}")
    html = client.get(reverse("visits:visit-list"), {"staff": far.pk}).content.decode()
    assert len(options(html, "staff")) <= 2 + SHOWN  # before: every active staff member
    assert f'data-search-url="{STAFF_SEARCH}"' in select(html, "staff")
    assert re.search(rf'<option value="{far.pk}" selected>', select(html, "staff"))
    assert len(options(html, "kecamatan")) == 1 + SHOWN
    response = client.get(reverse("activities:activity-list"), {"fasilitator": far.pk})
    html = response.content.decode()
    assert not response.context["form"].errors
    assert len(options(html, "fasilitator")) <= 2 + SHOWN
    assert len(options(html, "kecamatan")) == 1 + SHOWN


# --- the search endpoints ----------------------------------------------------------------------


def results(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["results"]


def test_kecamatan_search_by_name_and_code(login, peksos_budi, many_regions):
    client = login(peksos_budi)
    assert results(client.get(KECAMATAN_SEARCH, {"q": "metro pus"})) == [
        {"value": METRO_PUSAT, "text": "Metro Pusat"}
    ]
    by_code = results(client.get(KECAMATAN_SEARCH, {"q": "18.72.0"}))
    assert sorted(r["value"] for r in by_code) == [f"18.72.0{i}" for i in range(1, 6)]
    assert len(results(client.get(KECAMATAN_SEARCH, {"q": "Jauh"}))) == RESULTS


def test_kelurahan_search_within_a_kecamatan(login, sosdesk_citra_sdn1, many_regions):
    client = login(sosdesk_citra_sdn1)
    found = results(client.get(KELURAHAN_SEARCH, {"q": "o", "kecamatan": METRO_PUSAT}))
    assert found and all(r["value"].startswith(METRO_PUSAT + ".") for r in found)
    assert results(client.get(KELURAHAN_SEARCH, {"q": "Yosomulyo"}))[0]["text"] == (
        "Yosomulyo (Metro Pusat)"
    )


def test_staff_search_finds_programme_staff_only(
    login, peksos_budi, psikolog_gita, koordinator_ani, many_staff
):
    client = login(peksos_budi)
    assert [r["value"] for r in results(client.get(STAFF_SEARCH, {"q": "gita"}))] == [
        psikolog_gita.pk
    ]
    assert results(client.get(STAFF_SEARCH, {"q": "ani"})) == []  # the Koordinator: no filter
    assert len(results(client.get(STAFF_SEARCH, {"q": "staf"}))) == RESULTS
    psikolog_gita.is_active = False
    psikolog_gita.save()
    assert results(client.get(STAFF_SEARCH, {"q": "gita"})) == []


@pytest.mark.parametrize("url", [KECAMATAN_SEARCH, KELURAHAN_SEARCH, STAFF_SEARCH])
def test_anonymous_goes_to_login(client, db, url):
    response = client.get(url, {"q": "a"})
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("guru_eka", KECAMATAN_SEARCH),
        ("ortu_fajar", KELURAHAN_SEARCH),
        ("sosdesk_citra_sdn1", STAFF_SEARCH),
        ("kepsek_indah", STAFF_SEARCH),
    ],
)
def test_wrong_role_is_refused(login, request, persona, url):
    client = login(request.getfixturevalue(persona))
    assert client.get(url, {"q": "a"}).status_code == 403


@pytest.mark.parametrize("url", [KECAMATAN_SEARCH, KELURAHAN_SEARCH, STAFF_SEARCH])
@pytest.mark.parametrize(
    "params",
    [{}, {"q": ""}, {"q": "a" * 101}, {"q": "Metro\x01"}, {"q": "a", "kecamatan": "18\x01"}],
)
def test_bad_input_is_an_empty_answer(login, koordinator_ani, kota_metro, url, params):
    found = results(login(koordinator_ani).get(url, params))
    if "kecamatan" not in params:
        assert found == []


@pytest.mark.parametrize("url", [KECAMATAN_SEARCH, KELURAHAN_SEARCH, STAFF_SEARCH])
def test_a_nul_byte_is_a_bad_request(login, koordinator_ani, url):
    client = login(koordinator_ani)
    assert client.get(url, {"q": "Metro\x00"}).status_code == 400
    assert client.get(url, {"q": "a", "kecamatan": "18\x00"}).status_code == 400


@pytest.mark.parametrize("url", [KECAMATAN_SEARCH, KELURAHAN_SEARCH, STAFF_SEARCH])
def test_a_search_is_one_query_after_the_session(
    login, koordinator_ani, many_regions, many_staff, url, django_assert_num_queries
):
    client = login(koordinator_ani)
    client.get(url, {"q": "a"})  # warm: the session's own reads settle
    with django_assert_num_queries(QUERIES):
        assert results(client.get(url, {"q": "a"}))


QUERIES = 4  # the session, the user, their second-factor device, the search
