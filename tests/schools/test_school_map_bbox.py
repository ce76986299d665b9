"""The map data bounded whatever the register's size: a box, a cap on the schools and on the
schools the labels are computed over, a total only when everything came, and a 400 with a
message for a box that is not one (schools/views/map.py, schools/geo.py, schools/bbox.py)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from peksos.accounts.models import Role
from schools import geo
from schools.bbox import Box
from schools.models import Kecamatan, School, SchoolMembership
from schools.views import map as map_views
from schools.views.map import KECAMATAN_SCHOOLS_MAX, KECAMATAN_SHOWN, MAP_POINTS_MAX
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

    body = answer(client)  # the page's first request, without a box: never all of them
    assert npsns(body) == first[:MAP_POINTS_MAX]
    # Cut short: no count of them all, and no labels over them all.
    assert body["truncated"] is True and body["total"] is None and body["kecamatan"] == []

    box = "105.45,-5.2,106.2,-4.7"  # the added schools only
    body = answer(client, bbox=box)
    added = located.filter(npsn__startswith="9", longitude__gte=Decimal("105.45"))
    assert added.count() == EXTRA > MAP_POINTS_MAX
    assert body["truncated"] is True and body["total"] is None and body["kecamatan"] == []
    assert npsns(body) == list(
        added.order_by("-priority_rank", "id").values_list("npsn", flat=True)[:MAP_POINTS_MAX]
    )

    body = answer(client, bbox="105.45,-5.2,105.6,-4.7")  # zoomed in: all of them again
    inside = added.filter(longitude__lte=Decimal("105.6"))
    assert 0 < body["total"] == inside.count() <= MAP_POINTS_MAX
    assert body["truncated"] is False and len(body["features"]) == body["total"]
    zoomed = Box(
        west=Decimal("105.45"), south=Decimal("-5.2"), east=Decimal("105.6"), north=Decimal("-4.7")
    )
    assert body["kecamatan"] == geo.kecamatan_centres(zoomed)
    assert [k["name"] for k in body["kecamatan"]] == ["Kecamatan Uji 0"]

    body = answer(client, bbox=METRO_BBOX)  # the city is as before
    assert body["total"] == len(body["features"]) == WITH_COORDINATES
    metro = Box(west=geo.WEST, south=geo.SOUTH, east=geo.EAST, north=geo.NORTH)
    assert body["kecamatan"] == geo.kecamatan_centres(metro) and len(body["kecamatan"]) == 5


def test_truncated_means_more_than_the_cap(login, koordinator_ani, kota_metro, monkeypatch):
    """Exactly the cap: everything came, with its total and labels; one fewer: cut short."""
    client = login(koordinator_ani)
    monkeypatch.setattr(map_views, "MAP_POINTS_MAX", WITH_COORDINATES)
    body = answer(client)
    assert body["truncated"] is False and body["total"] == len(body["features"]) == WITH_COORDINATES
    assert body["kecamatan"] == geo.kecamatan_centres() and len(body["kecamatan"]) == 5

    monkeypatch.setattr(map_views, "MAP_POINTS_MAX", WITH_COORDINATES - 1)
    body = answer(client)
    assert len(body["features"]) == WITH_COORDINATES - 1
    assert body["truncated"] is True and body["total"] is None and body["kecamatan"] == []


def test_kecamatan_labels_are_capped(login, koordinator_ani, kota_metro):
    many = KECAMATAN_SHOWN + 20
    add_located_schools(many, kecamatan_count=many)  # one school each: the answer is whole
    body = answer(login(koordinator_ani))
    assert body["truncated"] is False and len(body["kecamatan"]) == KECAMATAN_SHOWN
    assert len(geo.kecamatan_centres()) == many + 5  # uncapped for the placing page
    # The most populous kept (Kota Metro's five, with many schools each), in code order.
    codes = [k["code"] for k in body["kecamatan"]]
    assert codes == sorted(codes) and {f"18.72.0{i}" for i in range(1, 6)} <= set(codes)


def test_labels_are_computed_over_a_bounded_number_of_schools(
    login, koordinator_ani, kota_metro, monkeypatch
):
    """A box holding more located schools than KECAMATAN_SCHOOLS_MAX has no labels, even when
    the filtered schools all came; up to it, the labels are those of every school as before."""
    assert KECAMATAN_SCHOOLS_MAX >= MAP_POINTS_MAX
    client = login(koordinator_ani)
    monkeypatch.setattr(map_views, "KECAMATAN_SCHOOLS_MAX", WITH_COORDINATES)
    body = answer(client, level="SMA")
    assert body["truncated"] is False and body["kecamatan"] == geo.kecamatan_centres()

    monkeypatch.setattr(map_views, "KECAMATAN_SCHOOLS_MAX", WITH_COORDINATES - 1)
    body = answer(client, level="SMA")
    assert body["truncated"] is False and body["total"] == len(body["features"]) > 0
    assert body["kecamatan"] == []
    west = answer(client, bbox=f"{geo.WEST},{geo.SOUTH},{SPLIT},{geo.NORTH}")  # fewer inside
    assert 0 < len(west["kecamatan"]) <= 5


def test_kecamatan_centres_reads_at_most_schools_max_plus_one(kota_metro):
    located = School.objects.with_coordinates()
    box = Box(west=geo.WEST, south=geo.SOUTH, east=SPLIT, north=geo.NORTH)
    inside = located.filter(longitude__lte=SPLIT).count()
    assert geo.kecamatan_centres(box, schools_max=inside) == geo.kecamatan_centres(box)
    assert geo.kecamatan_centres(box, schools_max=inside - 1) == []
    # The limit in Python gives the same labels as the limit in SQL.
    assert geo.kecamatan_centres(schools_max=WITH_COORDINATES, limit=2) == geo.kecamatan_centres(
        limit=2
    )


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

# The session, the user, the second factor's device (programme roles), then the schools and
# the kecamatan labels (none, and no query, when the answer is cut short).
QUERIES = {Role.KOORDINATOR: 5, Role.PEKSOS: 5, Role.SOSDESK: 4}


@pytest.mark.parametrize("role", list(QUERIES))
def test_queries_are_pinned_with_and_without_many_schools(
    login, kota_metro, django_assert_num_queries, monkeypatch, role
):
    """Small caps instead of thousands of schools: the same queries whatever the register's
    size, none counting all the schools, and each reading at most a cap's worth."""
    monkeypatch.setattr(map_views, "MAP_POINTS_MAX", 150)
    monkeypatch.setattr(map_views, "KECAMATAN_SCHOOLS_MAX", 200)
    user = make_user(f"{role}_uji", role, School.objects.get(npsn=SCHOOL_A_NPSN))
    client = login(user)
    client.get(reverse("schools:school-map"))  # the session's first request writes: not counted
    wide, smp = {}, {"level": "SMP"}
    city, east_sma = {"bbox": METRO_BBOX}, {"bbox": "105.45,-5.2,106.2,-4.7", "level": "SMA"}

    def ask(query: dict, *, truncated: bool) -> dict:
        expected = QUERIES[role] - (1 if truncated else 0)  # cut short: no labels, no query
        with django_assert_num_queries(expected) as captured:
            body = answer(client, **query)
        assert body["truncated"] is truncated
        for sql in (q["sql"] for q in captured.captured_queries):
            assert "COUNT(*)" not in sql.upper()
            if '"schools_school"' in sql:
                assert "LIMIT" in sql.upper(), sql
        return body

    for query in (wide, smp, city, east_sma):
        ask(query, truncated=False)

    add_located_schools(250)  # SMA, east of Kota Metro: beyond both caps with the city's
    SchoolMembership.objects.bulk_create(
        SchoolMembership(user=user, school=school)
        for school in School.objects.filter(npsn__startswith="9").exclude(memberships__user=user)
    )
    assert len(ask(wide, truncated=True)["features"]) == 150
    assert len(ask(east_sma, truncated=True)["features"]) == 150
    assert ask(city, truncated=False)["kecamatan"]
    # All the SMP came: labels asked, but the register holds too many schools for them.
    assert ask(smp, truncated=False)["kecamatan"] == []
