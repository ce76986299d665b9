"""The school map in a real browser (Debian's Chromium through Playwright).

Any console error fails a test (CSP violations show up there). Screenshots at desktop and
phone sizes go to test-results/<test>/.
"""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from peksos.core.models import AuditEvent
from schools.geo import in_kota_metro
from schools.models import Kecamatan, PriorityBand, School
from schools.views.map import MAP_POINTS_MAX
from tests.browser import support as shared

# The fixtures of the other browser tests, found by pytest under these names: the audit log
# made flushable after a transactional test, an Indonesian browser, console errors failing
# the test, and the screenshot folder.
DESKTOP, PHONE, log_in = shared.DESKTOP, shared.PHONE, shared.log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WITH_COORDINATES = 118
MARKERS = "#school-map path.leaflet-interactive"


@pytest.fixture
def koordinator(settings, koordinator_ani, kota_metro):
    settings.REQUIRE_2FA = False  # this test is about the map, not the second factor
    # A few bands, so the screenshots show every colour.
    located = School.objects.with_coordinates().order_by("npsn")
    for band, start in ((PriorityBand.HIGH, 0), (PriorityBand.MEDIUM, 10), (PriorityBand.LOW, 30)):
        npsns = located.values_list("npsn", flat=True)[start : start + 10]
        School.objects.filter(npsn__in=list(npsns)).update(priority_band=band)
    return koordinator_ani


def open_map(page: Page, live_server, query: str = "") -> None:
    page.goto(f"{live_server.url}/sekolah/peta/{query}")
    expect(page.locator("html")).to_have_attribute("lang", "id")


def test_koordinator_sees_schools_on_the_map_and_locates_one(
    page: Page, live_server, koordinator, problems, shots
):
    log_in(page, live_server, "koordinator_ani")
    expect(page).to_have_url(f"{live_server.url}/")

    open_map(page, live_server)
    expect(page.locator(MARKERS)).to_have_count(WITH_COORDINATES)
    colours = page.eval_on_selector_all(
        MARKERS, "els => [...new Set(els.map(e => e.getAttribute('fill')))]"
    )
    assert sorted(colours) == ["#198754", "#6c757d", "#b02a37", "#fd7e14"]
    assert page.locator("#school-map").bounding_box()["height"] > 300
    expect(page.locator(".leaflet-tile")).to_have_count(0)  # no tile server configured

    # A marker's popup names the school and links to it.
    page.locator(MARKERS).first.click(force=True)
    link = page.locator(".leaflet-popup-content a")
    expect(link).to_have_attribute("href", re.compile(r"^/sekolah/\d{8}/$"))
    page.screenshot(path=str(shots / "map-desktop.png"), full_page=True)

    # Locate a school without coordinates: open its form, "Pick on map", click the map.
    school = School.objects.without_coordinates().order_by("name", "id").first()
    item = page.locator("li", has=page.locator(f"#id_{school.npsn}_latitude"))
    item.locator("summary").click()
    item.locator(".pick-on-map").click()
    expect(page.locator("#map-status")).to_contain_text(school.name)
    box = page.locator("#school-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.55)
    latitude = item.locator(f"#id_{school.npsn}_latitude")
    expect(latitude).not_to_have_value("")
    typed = (
        Decimal(latitude.input_value()),
        Decimal(item.locator(f"#id_{school.npsn}_longitude").input_value()),
    )
    assert all(len(str(v).split(".")[1]) == 7 for v in typed)  # rounded to 7 decimals
    assert in_kota_metro(*typed)
    item.locator("button[type=submit]").click()

    expect(page.locator(".alert-success")).to_contain_text(school.name)
    expect(page.locator(MARKERS)).to_have_count(WITH_COORDINATES + 1)
    school.refresh_from_db()
    assert (school.latitude, school.longitude) == typed
    assert AuditEvent.objects.filter(action="school_coordinates_set").count() == 1

    # On a phone the map comes first, full width, and the list below it; nothing scrolls sideways.
    page.set_viewport_size(PHONE)
    open_map(page, live_server)
    expect(page.locator(MARKERS)).to_have_count(WITH_COORDINATES + 1)
    map_box = page.locator("#school-map").bounding_box()
    list_box = page.locator("#missing-title").bounding_box()
    assert map_box["width"] > 300 and map_box["height"] > 300
    assert list_box["y"] > map_box["y"] + map_box["height"]
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    page.screenshot(path=str(shots / "map-phone.png"), full_page=False)
    page.screenshot(path=str(shots / "map-phone-full.png"), full_page=True)


def test_filters_and_a_typed_point_outside_kota_metro(
    page: Page, live_server, koordinator, problems, shots
):
    log_in(page, live_server, "koordinator_ani")
    open_map(page, live_server, "?level=SMA")
    expected = School.objects.with_coordinates().filter(level="SMA").count()
    expect(page.locator(MARKERS)).to_have_count(expected)

    school = School.objects.without_coordinates().filter(level="SMA").first()
    item = page.locator("li", has=page.locator(f"#id_{school.npsn}_latitude"))
    item.locator("summary").click()
    item.locator(f"#id_{school.npsn}_latitude").fill("-5,4295")
    item.locator(f"#id_{school.npsn}_longitude").fill("105,2610")
    item.locator("button[type=submit]").click()

    # Back on the map with the error, what was typed, and the same filter.
    focus = page.locator("section.card form.coordinates-form")
    expect(focus.locator(".alert-danger")).to_be_visible()
    expect(focus.locator(f"#id_{school.npsn}_latitude")).to_have_value("-5,4295")
    expect(page.locator(MARKERS)).to_have_count(expected)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(shots / "map-error-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(shots / "map-error-phone.png"), full_page=True)
    school.refresh_from_db()
    assert school.latitude is None


def test_tiles_and_attribution_from_settings(
    page: Page, live_server, koordinator, problems, settings
):
    # Any same-origin image stands in for a tile server (CSP img-src allows 'self').
    settings.MAP_TILE_URL = "/static/vendor/leaflet/images/layers.png?z={z}&x={x}&y={y}"
    settings.MAP_TILE_ATTRIBUTION = (
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
    )
    log_in(page, live_server, "koordinator_ani")
    open_map(page, live_server)
    expect(page.locator(MARKERS)).to_have_count(WITH_COORDINATES)
    expect(page.locator(".leaflet-tile-loaded").first).to_be_visible()
    expect(page.locator(".leaflet-control-attribution a", has_text="OpenStreetMap")).to_be_visible()


# --- A tile host of its own (stubbed: no internet), kecamatan labels, placing schools -----

STUB_TILES = "http://tiles.peksos.test/{z}/{x}/{y}.png"
TILE_IMAGE = (
    Path(__file__).resolve().parents[2] / "static/vendor/leaflet/images/layers.png"
).read_bytes()
KECAMATAN = ["Metro Pusat", "Metro Utara", "Metro Barat", "Metro Timur", "Metro Selatan"]


@pytest.fixture
def stub_tiles(page: Page, settings) -> list[str]:
    """A tile server on another host, answered by the browser itself; returns the requests'
    Referer headers (the tiles must send the site's origin, never a page's path)."""
    settings.MAP_TILE_URL = STUB_TILES
    settings.MAP_TILE_ATTRIBUTION = "&copy; Peta Uji"
    referers: list[str] = []

    def answer(route):
        referers.append(route.request.headers.get("referer", ""))
        route.fulfill(status=200, content_type="image/png", body=TILE_IMAGE)

    page.route("http://tiles.peksos.test/**", answer)
    return referers


def test_tiles_from_another_host_pass_the_csp_and_kecamatan_are_labelled(
    page: Page, live_server, koordinator, problems, shots, stub_tiles
):
    log_in(page, live_server, "koordinator_ani")
    open_map(page, live_server)
    expect(page.locator(MARKERS)).to_have_count(WITH_COORDINATES)
    expect(page.locator(".leaflet-tile-loaded").first).to_be_visible()
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("Peta Uji")
    # A CSP that refused the host would have failed the test through `problems`.
    assert stub_tiles and all(r == f"{live_server.url}/" for r in stub_tiles)
    labels = page.locator(".kecamatan-label")
    expect(labels).to_have_count(5)
    assert sorted(labels.all_inner_texts()) == sorted(k.upper() for k in KECAMATAN)
    page.screenshot(path=str(shots / "map-tiles-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator(".leaflet-tile-loaded").first).to_be_visible()
    page.screenshot(path=str(shots / "map-tiles-phone.png"), full_page=False)


def test_koordinator_searches_a_school_places_it_and_gets_the_next_on_a_phone(
    page: Page, live_server, koordinator, problems, shots, stub_tiles
):
    log_in(page, live_server, "koordinator_ani")
    page.set_viewport_size(PHONE)
    open_map(page, live_server)
    page.get_by_role("link", name="Tempatkan sekolah tanpa koordinat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tempatkan sekolah di peta")
    expect(page.locator(".kecamatan-label")).to_have_count(5)

    # Type part of a school's name in the searchable picker and choose it.
    school = School.objects.get(name="MTSS ROUDHOTUT THOLIBIN")
    assert school.latitude is None
    page.locator(".ts-control input").fill("tholib")
    option = page.locator(".ts-dropdown .option", has_text=school.name)
    expect(option).to_be_visible()
    page.screenshot(path=str(shots / "place-search-phone.png"), full_page=False)
    option.click()
    expect(page).to_have_url(re.compile(rf"sekolah={school.npsn}$"))
    expect(page.locator("#place-title")).to_have_text(school.name)
    expect(page.locator("#map-status")).to_contain_text(school.name)

    # Click the map, save with the button under the map, and the next school comes.
    page.locator("#school-map").scroll_into_view_if_needed()
    box = page.locator("#school-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.4)
    expect(page.locator("#id_latitude")).not_to_have_value("")
    page.screenshot(path=str(shots / "place-picked-phone.png"), full_page=True)
    page.locator("#school-map ~ div button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text(f"Koordinat {school.name} tersimpan")
    expect(page.locator("#place-title")).not_to_have_text(school.name)
    school.refresh_from_db()
    assert school.latitude is not None and in_kota_metro(school.latitude, school.longitude)
    assert AuditEvent.objects.filter(action="school_coordinates_set").count() == 1
    # No sideways scroll once the next school's page has settled (under load the map and the
    # picker are still laying out for a moment after the save; 236 px in one CI run).
    page.wait_for_function(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth",
        timeout=5000,
    )
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(shots / "place-next-desktop.png"), full_page=True)


def test_placing_refuses_a_point_outside_kota_metro(
    page: Page, live_server, koordinator, problems, shots
):
    log_in(page, live_server, "koordinator_ani")
    page.goto(f"{live_server.url}/sekolah/peta/tempatkan/")
    school_name = page.locator("#place-title").inner_text()
    page.locator("#id_latitude").fill("-5,4295")
    page.locator("#id_longitude").fill("105,2610")
    page.locator("#place-form button[type=submit]").click()
    expect(page.locator("#place-form .alert-danger")).to_contain_text("di luar Kota Metro")
    expect(page.locator("#place-title")).to_have_text(school_name)
    expect(page.locator("#id_latitude")).to_have_value("-5,4295")
    page.screenshot(path=str(shots / "place-refused-desktop.png"), full_page=True)


# --- A register larger than the map data's cap -------------------------------------------


def test_a_large_register_says_zoom_in_and_zooming_in_shows_every_school_of_the_view(
    page: Page, live_server, koordinator, problems, shots
):
    """600 more located schools in a grid over Kota Metro: the first answer is cut at
    MAP_POINTS_MAX with a notice and no kecamatan labels; zoomed in, the view's box holds fewer,
    the notice goes and the labels of the view come back."""
    kecamatan = Kecamatan.objects.get(code="18.72.01")
    School.objects.bulk_create(
        School(
            npsn=f"9{i:07d}", name=f"SD UJI {i:04d}", level="SD", status="negeri",
            kecamatan=kecamatan,
            latitude=Decimal("-5.16") + Decimal(i % 24) / 240,
            longitude=Decimal("105.26") + Decimal(i // 24) / 250,
        )
        for i in range(600)
    )  # fmt: skip
    log_in(page, live_server, "koordinator_ani")
    # The first answer (no box) is cut short, so the map asks again for its view's box.
    with page.expect_response(lambda response: "bbox=" in response.url):
        open_map(page, live_server)
    notice = page.locator("#map-notice")
    expect(page.locator(MARKERS)).to_have_count(MAP_POINTS_MAX)
    expect(notice).to_be_visible()
    expect(notice).to_have_text("Perbesar peta untuk melihat semua sekolah.")
    expect(page.locator(".kecamatan-label")).to_have_count(0)
    page.screenshot(path=str(shots / "map-truncated-desktop.png"), full_page=False)

    # Zoom in around the middle until the view holds fewer than the cap (Leaflet ignores a zoom
    # asked during a zoom's animation: one click at a time).
    for _ in range(6):
        page.locator(".leaflet-control-zoom-in").click()
        page.wait_for_timeout(700)
        if notice.is_hidden():
            break
    expect(notice).to_be_hidden()
    shown = page.locator(MARKERS).count()
    assert 0 < shown < MAP_POINTS_MAX
    # The labels of the view again: at least that of the added schools' kecamatan.
    expect(page.locator(".kecamatan-label", has_text=kecamatan.name)).to_have_count(1)
    page.screenshot(path=str(shots / "map-zoomed-desktop.png"), full_page=False)
