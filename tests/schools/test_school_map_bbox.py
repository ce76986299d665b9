"""The map data bounded whatever the register's size: a box, a cap, a total, and a 400 with a
message for a box that is not one (schools/views/map.py, schools/bbox.py)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from peksos.accounts.models import Role
from schools import geo
from schools.models import Kecamatan, School, SchoolMembership
from schools.views.map import KECAMATAN_SHOWN, MAP_POINTS_MAX
from tests.factories import SCHOOL_A_NPSN, make_user

DATA_URL = reverse("schools:school-map-data")
WITH_COORDINATES = 118  # in the real register
METRO_BBOX = f"{geo.WEST},{geo.SOUTH},{geo.EAST},{geo.NORTH}"
# The real register's located schools split at this longitude: some on each side.
SPLIT = Decimal("105.30")
EXTRA = 600  # more located schools than the cap


def answer(client, **query) -> dict:
    response = client.get(DATA_URL, query)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["type"] == "FeatureCollection"
    return body


def npsns(body: dict) -> list[str]:
    return [f["properties"]["npsn"] for f in body["features"]]


def add_located_schools(count: int = EXTRA, *, kecamatan_count: int = 1) -> None:
    """`count` located schools in a grid east of Kota Metro (105.5–106.1 E), priorities varied,
    spread over `kecamatan_count` new kecamatan."""
    kecamatan = Kecamatan.objects.bulk_create(
        Kecamatan(code=f"18.99.{i:03d}", name=f"Kecamatan Uji {i}") for i in range(kecamatan_count)
    )
    School.objects.bulk_create(
        School(
            npsn=f"9{i:07d}",
            name=f"SMA UJI {i:04d}",
            level="SMA",
            status="negeri",
            kecamatan=kecamatan[i % kecamatan_count],
            latitude=Decimal("-5.1") + Decimal(i % 30) / 100,
            longitude=Decimal("105.5") + Decimal(i // 30) / 100 * 3,
            priority_rank=(i * 37) % 1000 - 1,  # -1 (unknown) among them
        )
        for i in range(count)
    )


# --- The box ---------------------------------------------------------------------------


def test_kota_metro_box_holds_the_whole_city_as_before(login, koordinator_ani, kota_metro):
    client = login(koordinator_ani)
    everything = answer(client)
    boxed = answer(client, bbox=METRO_BBOX)
    assert len(everything["features"]) == WITH_COORDINATES
    assert sorted(npsns(boxed)) == sorted(npsns(everything))
    assert boxed["total"] == everything["total"] == WITH_COORDINATES
    assert boxed["truncated"] is everything["truncated"] is False
    assert boxed["kecamatan"] == everything["kecamatan"] == geo.kecamatan_centres()


def test_bbox_keeps_only_the_schools_inside(login, koordinator_ani, kota_metro):
    client = login(koordinator_ani)
    located = School.objects.with_coordinates()
    west = set(located.filter(longitude__lte=SPLIT).values_list("npsn", flat=True))
    east = set(located.filter(longitude__gte=SPLIT).values_list("npsn", flat=True))
    assert west and east and west | east == set(located.values_list("npsn", flat=True))

    body = answer(client, bbox=f"{geo.WEST},{geo.SOUTH},{SPLIT},{geo.NORTH}")
    assert set(npsns(body)) == west and body["total"] == len(west)
    body = answer(client, bbox=f"{SPLIT},{geo.SOUTH},{geo.EAST},{geo.NORTH}")
    assert set(npsns(body)) == east and body["total"] == len(east)
    # Together with the filters; far away, nothing.
    body = answer(client, bbox=f"{SPLIT},{geo.SOUTH},{geo.EAST},{geo.NORTH}", level="SMP")
    assert set(npsns(body)) == set(
        located.filter(level="SMP", longitude__gte=SPLIT).values_list("npsn", flat=True)
    )
    body = answer(client, bbox="120,-10,121,-9")
    assert body["features"] == [] and body["total"] == 0 and body["truncated"] is False
    assert body["kecamatan"] == []


def test_bbox_keeps_the_scope_of_the_user(login, sosdesk_citra_sdn1, school_b):
    client = login(sosdesk_citra_sdn1)
    assert npsns(answer(client, bbox=METRO_BBOX)) == [SCHOOL_A_NPSN]
    assert answer(client, bbox=METRO_BBOX)["total"] == 1


# --- The cap ---------------------------------------------------------------------------


def test_a_large_register_is_capped_by_priority_then_id(login, koordinator_ani, kota_metro):
    add_located_schools()
    client = login(koordinator_ani)
    located = School.objects.with_coordinates()
    first = list(located.order_by("-priority_rank", "id").values_list("npsn", flat=True))

    body = answer(client)  # an old client without a box: the first page, never all of them
    assert npsns(body) == first[:MAP_POINTS_MAX]
    assert body["total"] == WITH_COORDINATES + EXTRA and body["truncated"] is True

    box = "105.45,-5.2,106.2,-4.7"  # the added schools only
    body = answer(client, bbox=box)
    added = located.filter(npsn__startswith="9", longitude__gte=Decimal("105.45"))
    assert body["total"] == added.count() == EXTRA and body["truncated"] is True
    assert npsns(body) == list(
        added.order_by("-priority_rank", "id").values_list("npsn", flat=True)[:MAP_POINTS_MAX]
    )

    body = answer(client, bbox="105.45,-5.2,105.6,-4.7")  # zoomed in: all of them again
    inside = added.filter(longitude__lte=Decimal("105.6"))
    assert 0 < body["total"] == inside.count() <= MAP_POINTS_MAX
    assert body["truncated"] is False and len(body["features"]) == body["total"]

    body = answer(client, bbox=METRO_BBOX)  # the city is as before
    assert body["total"] == len(body["features"]) == WITH_COORDINATES


def test_kecamatan_labels_are_capped(login, koordinator_ani, kota_metro):
    add_located_schools(kecamatan_count=KECAMATAN_SHOWN + 20)
    body = answer(login(koordinator_ani))
    assert len(body["kecamatan"]) == KECAMATAN_SHOWN
    assert len(geo.kecamatan_centres()) == KECAMATAN_SHOWN + 20 + 5  # uncapped for the placing page


# --- Refusals --------------------------------------------------------------------------

SHAPE = "four numbers"
RANGE = "out of range"
REVERSED = "reversed"


@pytest.mark.parametrize(
    ("bbox", "reason"),
    [
        ("", SHAPE),
        ("a,b,c,d", SHAPE),
        ("105,-5,106", SHAPE),
        ("105,-5,106,-4,1", SHAPE),
        ("nan,-5,106,-4", SHAPE),
        ("inf,-5,106,-4", SHAPE),
        ("1e2,-5,106,-4", SHAPE),
        ("1_05,-5,106,-4", SHAPE),
        (" 105,-5,106,-4", SHAPE),
        ("١٠٥,-5,106,-4", SHAPE),  # Arabic-Indic digits
        ("105," * 1000 + "1", SHAPE),
        ("181,-5,182,-4", RANGE),
        ("105,-91,106,-4", RANGE),
        ("105,-5,106,90.5", RANGE),
        ("106,-5,105,-4", REVERSED),
        ("105,-4,106,-5", REVERSED),
    ],
)
def test_a_bad_bbox_is_refused_with_a_message(login, koordinator_ani, bbox, reason):
    client = login(koordinator_ani)
    client.cookies["django_language"] = "en"
    response = client.get(DATA_URL, {"bbox": bbox, "level": "SMA"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert reason in response.json()["error"]


@pytest.mark.parametrize("bbox", ["105\x00,-5,106,-4", "\x00"])
def test_a_bbox_with_nul_is_a_bad_request(login, koordinator_ani, bbox):
    """Refused before the view, by peksos.core.middleware.RejectNulBytesMiddleware."""
    response = login(koordinator_ani).get(DATA_URL, {"bbox": bbox})
    assert response.status_code == 400


def test_the_refusal_is_in_the_users_language(login, koordinator_ani):
    response = login(koordinator_ani).get(DATA_URL, {"bbox": "106,-5,105,-4"})
    assert response.status_code == 400
    with translation.override("id"):
        expected = translation.gettext(
            "bbox is reversed: west must not exceed east, nor south north."
        )
    assert response.json()["error"] == expected
    assert expected.startswith("bbox terbalik")


def test_anonymous_and_teachers_get_no_map_data_whatever_the_box(client, login, guru_eka):
    for bbox in (METRO_BBOX, "nonsense"):
        response = client.get(DATA_URL, {"bbox": bbox})
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    teacher = login(guru_eka)
    for bbox in (METRO_BBOX, "nonsense"):
        assert teacher.get(DATA_URL, {"bbox": bbox}).status_code == 403


# --- Queries: a fixed number, however many schools -------------------------------------

# The session, the user, the second factor's device (programme roles), then the count, the
# schools and the kecamatan labels.
QUERIES = {Role.KOORDINATOR: 6, Role.PEKSOS: 6, Role.SOSDESK: 5}


@pytest.mark.parametrize("role", list(QUERIES))
def test_queries_are_pinned_with_and_without_many_schools(
    login, kota_metro, django_assert_num_queries, role
):
    user = make_user(f"{role}_uji", role, School.objects.get(npsn=SCHOOL_A_NPSN))
    client = login(user)
    client.get(reverse("schools:school-map"))  # the session's first request writes: not counted
    queries = [{}, {"bbox": METRO_BBOX}, {"bbox": "105.45,-5.2,106.2,-4.7", "level": "SMA"}]
    for query in queries:
        with django_assert_num_queries(QUERIES[role]):
            answer(client, **query)

    add_located_schools()
    SchoolMembership.objects.bulk_create(
        SchoolMembership(user=user, school=school)
        for school in School.objects.filter(npsn__startswith="9").exclude(memberships__user=user)
    )
    for query in queries:
        with django_assert_num_queries(QUERIES[role]):
            body = answer(client, **query)
    assert body["truncated"] is True and len(body["features"]) == MAP_POINTS_MAX
