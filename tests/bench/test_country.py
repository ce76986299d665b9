"""The synthetic country's rules (bench/country.py): counts, codes, names, coordinates."""

import random
from collections import Counter

import country
import pytest


@pytest.fixture(scope="module")
def tenth():
    """A tenth of the country (45,000 schools): regions only, in about a second."""
    return country.build(45_000)


def test_apportion_sums_to_the_total_and_follows_the_weights():
    assert country.apportion(10, [1, 1, 2]) == [3, 2, 5]
    assert sum(country.apportion(1001, [0.3, 1.7, 5.2, 0.01])) == 1001
    # each part at least the minimum when the total allows it
    assert country.apportion(5, [100, 1, 1, 1, 1], minimum=1) == [1, 1, 1, 1, 1]
    assert country.apportion(7, [100, 0, 0], minimum=1) == [5, 1, 1]
    assert country.apportion(2, [1, 1, 1], minimum=1) in ([1, 1, 0], [1, 0, 1], [0, 1, 1])
    assert country.apportion(3, []) == []


def test_the_grid_cuts_a_box_into_cells_inside_it_without_overlap():
    box = (-8.0, -6.0, 106.0, 110.0)
    cells = country.grid(box, 7)
    assert len(cells) == 7
    area = sum((n - s) * (e - w) for s, n, w, e in cells)
    assert area == pytest.approx((box[1] - box[0]) * (box[3] - box[2]))
    for s, n, w, e in cells:
        assert box[0] <= s < n <= box[1] and box[2] <= w < e <= box[3]
    centres = {((s + n) / 2, (w + e) / 2) for s, n, w, e in cells}
    assert len(centres) == 7


def test_a_full_country_has_the_real_number_of_regions():
    full = country.build(450_000)
    assert len(full.provinces) == 38
    assert len(full.kabupaten) == 514
    assert len(full.kecamatan) == country.NATIONAL_KECAMATAN
    assert len(full.kelurahan) == country.NATIONAL_KELURAHAN
    assert sum(k.schools for k in full.kelurahan) == 450_000


def test_smaller_countries_scale_kecamatan_and_kelurahan_with_the_schools(tenth):
    assert len(tenth.provinces) == 38 and len(tenth.kabupaten) == 514
    assert len(tenth.kecamatan) == 700
    assert len(tenth.kelurahan) == 8_000
    assert sum(k.schools for k in tenth.kelurahan) == 45_000
    tiny = country.build(100)  # fewer schools than kabupaten: still one kecamatan each
    assert len(tiny.kecamatan) == 514 and len(tiny.kelurahan) == 514


def test_codes_encode_province_kabupaten_kecamatan(tenth):
    provinces = {p.code for p in tenth.provinces}
    kabupaten = {k.code for k in tenth.kabupaten}
    kecamatan = {k.code for k in tenth.kecamatan}
    assert len(kecamatan) == len(tenth.kecamatan)  # unique
    assert all(k.code[:2] in provinces for k in tenth.kabupaten)
    assert all(k.code[:5] in kabupaten and len(k.code) == 8 for k in tenth.kecamatan)
    for kel in tenth.kelurahan:
        assert kel.code.startswith(kel.kecamatan + ".") and kel.kecamatan in kecamatan
        # kelurahan (1xxx) in a kota (71...), desa (2xxx) in a kabupaten
        assert kel.code[9] == ("1" if int(kel.code[3:5]) >= 71 else "2")
    assert country.REAL_CITY not in kabupaten  # Kota Metro comes from the real register
    assert any(code.startswith("18.") for code in kabupaten)


def test_kota_and_kabupaten_are_named_and_places_have_unique_names(tenth):
    kinds = Counter(k.name.split()[0] for k in tenth.kabupaten)
    assert set(kinds) == {"Kabupaten", "Kota"} and 60 < kinds["Kota"] < 120
    by_kecamatan = Counter((k.kecamatan, k.name) for k in tenth.kelurahan)
    assert max(by_kecamatan.values()) == 1  # the model's unique (kecamatan, name)
    taken: set[str] = set()
    names = [country.place_name(random.Random(1), taken) for _ in range(3)]
    assert len(set(names)) == 3 and taken == set(names)


def test_every_region_lies_inside_its_province_inside_indonesia(tenth):
    s, n, w, e = country.INDONESIA
    boxes = {p.code: p.box for p in tenth.provinces}
    for p in tenth.provinces:
        assert s <= p.box[0] < p.box[1] <= n and w <= p.box[2] < p.box[3] <= e, p.name
    kecamatan = {k.code: k.box for k in tenth.kecamatan}
    for kel in tenth.kelurahan[::97]:
        south, north, west, east = kel.box
        for outer in (kecamatan[kel.kecamatan], boxes[tenth.province_of(kel.code)]):
            assert outer[0] <= south and north <= outer[1] + 1e-9
            assert outer[2] <= west and east <= outer[3] + 1e-9


def test_schools_are_placed_in_their_kelurahan_with_coordinates_inside_it():
    small = country.build(2_000)
    places = list(country.school_places(small))
    assert len(places) == 2_000
    boxes = {k.code: k.box for k in small.kelurahan}
    located = [p for p in places if p.latitude is not None]
    assert 0.85 < len(located) / len(places) < 0.95
    assert all(country.inside(boxes[p.kelurahan], p.latitude, p.longitude) for p in located)
    assert all(p.name.startswith(f"TEST {p.level.upper()} ") for p in places)
    levels = Counter(p.level for p in places)
    assert levels.most_common(1)[0][0] == "SD" and "SLB" in {lvl for lvl, _ in country.LEVELS}
    # the schools spread over the provinces: Java's three big provinces hold about half
    java = sum(1 for p in places if p.kelurahan[:2] in {"32", "33", "35"})
    assert 0.35 < java / len(places) < 0.6
    assert len({p.kelurahan[:2] for p in places}) == 38
