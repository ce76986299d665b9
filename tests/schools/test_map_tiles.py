"""The maps' base layer: the tile URL in the pages, and the CSP widened for its host only when a
tile URL is set (schools/tiles.py). The tile host is a name that resolves nowhere: nothing here
fetches a tile."""

import pytest
from django.urls import reverse

from schools.tiles import tile_csp, tile_source
from tests.factories import SCHOOL_A_NPSN

TILES = "https://tiles.example.test/{z}/{x}/{y}.png"
HOST = "https://tiles.example.test"
ATTRIBUTION = "&copy; Peta Uji"


def csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def map_pages() -> list[str]:
    return [
        reverse("schools:school-map"),
        reverse("schools:school-detail", args=[SCHOOL_A_NPSN]),  # school A has coordinates
        reverse("schools:school-place"),
    ]


@pytest.fixture
def tiles(settings):
    settings.MAP_TILE_URL = TILES
    settings.MAP_TILE_ATTRIBUTION = ATTRIBUTION


def test_without_tiles_the_pages_keep_the_site_wide_policy(login, koordinator_ani, kota_metro):
    client = login(koordinator_ani)
    for url in map_pages():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert 'data-tile-url=""' in html, url
        assert csp(response)["img-src"] == ["'self'", "data:"], url


def test_with_tiles_the_url_is_in_the_page_and_its_host_in_the_csp(
    login, koordinator_ani, kota_metro, tiles
):
    client = login(koordinator_ani)
    for url in map_pages():
        response = client.get(url)
        html = response.content.decode()
        assert f'data-tile-url="{TILES}"' in html, url
        assert 'data-tile-attribution="&amp;copy; Peta Uji"' in html, url
        policy = csp(response)
        assert policy["img-src"] == ["'self'", "data:", HOST], url
        # Only images: scripts, styles and requests stay on the site.
        for directive in ("script-src", "style-src", "connect-src", "default-src"):
            assert HOST not in policy[directive], (url, directive)


def test_pages_without_a_map_never_name_the_tile_host(login, koordinator_ani, kota_metro, tiles):
    client = login(koordinator_ani)
    for url in [reverse("schools:school-list"), reverse("home")]:
        response = client.get(url)
        assert response.status_code == 200
        assert HOST not in response["Content-Security-Policy"], url


def test_a_refused_save_on_the_place_page_still_shows_the_tiles(
    login, koordinator_ani, kota_metro, tiles
):
    url = reverse("schools:school-place-save", args=[SCHOOL_A_NPSN])
    response = login(koordinator_ani).post(url, {"latitude": "x", "longitude": "y"})
    assert response.status_code == 200
    assert HOST in csp(response)["img-src"]


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("", None),
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        ("http://localhost:8080/tiles/{z}/{x}/{y}.png", "http://localhost:8080"),
        ("/static/tiles/{z}/{x}/{y}.png", None),  # the site itself: already allowed
        ("javascript:alert(1)//{z}", None),
    ],
)
def test_tile_source(url, source):
    assert tile_source(url) == source


def test_tile_csp_copies_the_site_wide_policy(settings):
    settings.MAP_TILE_URL = TILES
    before = {name: list(values) for name, values in settings.SECURE_CSP.items()}
    policy = tile_csp()
    assert policy["img-src"][-1] == HOST
    assert before == settings.SECURE_CSP  # the site-wide policy itself is untouched
    settings.MAP_TILE_URL = ""
    assert tile_csp() is None


def test_osm_shorthand_sets_the_standard_tiles_and_their_attribution(monkeypatch):
    """`MAP_TILE_URL=osm` in the environment: OpenStreetMap's standard tiles, credited."""
    import importlib

    import peksos.settings as module

    monkeypatch.setenv("MAP_TILE_URL", "osm")
    monkeypatch.delenv("MAP_TILE_ATTRIBUTION", raising=False)
    fresh = importlib.reload(module)
    try:
        assert fresh.MAP_TILE_URL == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        assert "OpenStreetMap" in fresh.MAP_TILE_ATTRIBUTION
        assert tile_source(fresh.MAP_TILE_URL) == "https://tile.openstreetmap.org"
    finally:
        monkeypatch.delenv("MAP_TILE_URL")
        importlib.reload(module)


def test_detail_shows_coordinates_with_decimal_points(login, koordinator_ani, school_a):
    """ "-5,1163000, 105,3050000" (Indonesian decimal commas) read as four numbers."""
    html = login(koordinator_ani).get(map_pages()[1]).content.decode()
    assert f"{school_a.latitude}, {school_a.longitude} ·" in html
    assert "." in str(school_a.latitude)
