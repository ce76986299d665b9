"""A synthetic Indonesia for the national benchmark (bench/national.py generate, issue 22).

The register's pages group by kecamatan and kelurahan and draw schools on a map, so a data
set with every school in one city measures tables of five rows and the same map at every
size. This module builds a country with the shape of the real one:

- the 38 provinces with their Kemendagri codes (11 Aceh ... 96 Papua Barat Daya), their
  number of kabupaten/kota (514 in all) and a box of latitude/longitude around each, inside
  Indonesia's range (about 11° S to 6° N, 95° E to 141° E);
- kabupaten (codes 01...) and kota (71...) in each province, encoded in the code prefix of
  their kecamatan (`18.05.03`) and kelurahan (`18.05.03.2004`: 1xxx kelurahan, 2xxx desa),
  as the models store only those two levels. Lampung's 18.72 is the real Kota Metro, which
  the seed loads: it is never generated;
- about 7,000 kecamatan and 80,000 kelurahan at the national 450,000 schools, scaled with
  the number of schools (a tenth of the schools, a tenth of them; at least one kecamatan per
  kabupaten and one kelurahan per kecamatan);
- schools shared out by the provinces' population, each kabupaten's box cut into its
  kecamatan's and each of those into its kelurahan's, so every school's coordinates lie in
  its kelurahan's box, inside its kabupaten's, inside its province's.

Everything here is pure (no Django): `build` returns the regions and `school_places` the
schools' places; national.py writes them. tests/bench/test_country.py checks the rules.
"""

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

NATIONAL_SCHOOLS = 450_000
NATIONAL_KECAMATAN = 7_000
NATIONAL_KELURAHAN = 80_000
INDONESIA = (-11.0, 6.1, 95.0, 141.1)  # south, north, west, east
REAL_CITY = "18.72"  # Kota Metro, loaded from the real register (schools/seed.py)

# code, name, kabupaten/kota, population (millions: the schools' share), box (S, N, W, E)
PROVINCES = (
    ("11", "Aceh", 23, 5.4, (2.0, 5.9, 95.2, 98.2)),
    ("12", "Sumatera Utara", 33, 15.1, (-0.6, 4.3, 97.1, 100.4)),
    ("13", "Sumatera Barat", 19, 5.6, (-3.3, 0.9, 98.6, 101.9)),
    ("14", "Riau", 12, 6.6, (-1.1, 2.5, 100.0, 103.8)),
    ("15", "Jambi", 11, 3.6, (-2.8, -0.7, 101.1, 104.5)),
    ("16", "Sumatera Selatan", 17, 8.6, (-4.9, -1.6, 102.1, 106.1)),
    ("17", "Bengkulu", 10, 2.0, (-5.4, -2.3, 101.0, 103.7)),
    ("18", "Lampung", 15, 9.0, (-6.0, -3.7, 103.6, 106.0)),
    ("19", "Kepulauan Bangka Belitung", 7, 1.5, (-3.4, -1.5, 105.1, 108.3)),
    ("21", "Kepulauan Riau", 7, 2.1, (-0.8, 4.8, 103.3, 108.8)),
    ("31", "DKI Jakarta", 6, 10.7, (-6.4, -5.2, 106.4, 107.0)),
    ("32", "Jawa Barat", 27, 49.4, (-7.8, -5.9, 106.4, 108.8)),
    ("33", "Jawa Tengah", 35, 37.0, (-8.2, -5.7, 108.6, 111.7)),
    ("34", "DI Yogyakarta", 5, 3.7, (-8.2, -7.5, 110.0, 110.8)),
    ("35", "Jawa Timur", 38, 41.1, (-8.8, -6.8, 111.0, 114.6)),
    ("36", "Banten", 8, 12.3, (-7.0, -5.8, 105.1, 106.8)),
    ("51", "Bali", 9, 4.3, (-8.8, -8.1, 114.4, 115.7)),
    ("52", "Nusa Tenggara Barat", 10, 5.5, (-9.1, -8.1, 115.8, 119.3)),
    ("53", "Nusa Tenggara Timur", 22, 5.5, (-11.0, -8.0, 118.9, 125.2)),
    ("61", "Kalimantan Barat", 14, 5.5, (-3.1, 2.1, 108.8, 114.2)),
    ("62", "Kalimantan Tengah", 14, 2.7, (-3.6, 0.8, 110.7, 115.9)),
    ("63", "Kalimantan Selatan", 13, 4.1, (-4.2, -1.3, 114.3, 116.6)),
    ("64", "Kalimantan Timur", 10, 3.9, (-2.4, 2.6, 113.8, 119.1)),
    ("65", "Kalimantan Utara", 5, 0.7, (1.1, 4.4, 114.6, 118.0)),
    ("71", "Sulawesi Utara", 15, 2.6, (0.3, 4.7, 123.1, 127.2)),
    ("72", "Sulawesi Tengah", 13, 3.0, (-3.6, 1.4, 119.4, 124.2)),
    ("73", "Sulawesi Selatan", 24, 9.2, (-7.8, -1.9, 118.9, 122.0)),
    ("74", "Sulawesi Tenggara", 17, 2.7, (-6.2, -2.8, 120.8, 124.6)),
    ("75", "Gorontalo", 6, 1.2, (0.3, 1.0, 121.2, 123.6)),
    ("76", "Sulawesi Barat", 6, 1.4, (-3.6, -0.8, 118.7, 119.9)),
    ("81", "Maluku", 11, 1.9, (-8.3, -2.7, 125.7, 134.9)),
    ("82", "Maluku Utara", 10, 1.3, (-2.5, 2.6, 124.3, 129.7)),
    ("91", "Papua", 9, 1.0, (-3.6, -1.0, 134.4, 141.0)),
    ("92", "Papua Barat", 7, 0.6, (-4.3, -0.6, 132.0, 135.3)),
    ("93", "Papua Selatan", 4, 0.5, (-9.1, -4.8, 137.4, 141.0)),
    ("94", "Papua Tengah", 8, 1.4, (-5.1, -2.6, 134.1, 138.2)),
    ("95", "Papua Pegunungan", 8, 1.4, (-5.0, -3.3, 138.2, 141.0)),
    ("96", "Papua Barat Daya", 6, 0.6, (-2.3, -0.3, 130.5, 133.2)),
)
KOTA_SHARE = 0.18  # about 98 kota among 514

# Realistic-sounding names: a first part and a second, sometimes a direction.
FIRST = (
    "Sungai", "Tanjung", "Bukit", "Air", "Batu", "Teluk", "Muara", "Padang", "Rantau",
    "Sumber", "Karang", "Suka", "Mekar", "Sido", "Tegal", "Pasir", "Lubuk", "Talang", "Kuala",
    "Pulau", "Tanah", "Gunung", "Pematang", "Koto", "Rejo", "Wono", "Banjar", "Sri", "Labuhan",
)  # fmt: skip
SECOND = (
    "Jaya", "Makmur", "Sari", "Rejo", "Mulya", "Harapan", "Baru", "Indah", "Agung", "Asri",
    "Raya", "Damai", "Subur", "Lestari", "Kencana", "Permai", "Utama", "Sentosa", "Tengah",
    "Merah", "Putih", "Hijau", "Panjang", "Tinggi", "Lama", "Kembang", "Melati", "Mas",
    "Bening", "Luhur", "Arum", "Sejahtera", "Bahagia", "Karya", "Timbul", "Rahayu",
)  # fmt: skip
DIRECTION = ("", "", "", "", " Utara", " Selatan", " Barat", " Timur", " Ilir", " Ulu")

Box = tuple[float, float, float, float]  # south, north, west, east


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    box: Box


@dataclass(frozen=True)
class Kabupaten:
    code: str  # "18.05"
    name: str  # "Kabupaten Sukajaya" / "Kota Sukajaya"
    box: Box
    schools: int


@dataclass(frozen=True)
class Kecamatan:
    code: str  # "18.05.03"
    name: str
    box: Box
    schools: int


@dataclass(frozen=True)
class Kelurahan:
    code: str  # "18.05.03.2004"
    name: str
    kecamatan: str
    box: Box
    schools: int


@dataclass
class Country:
    provinces: list[Province]
    kabupaten: list[Kabupaten]
    kecamatan: list[Kecamatan]
    kelurahan: list[Kelurahan]

    def province_of(self, code: str) -> str:
        """The province code a kabupaten, kecamatan or kelurahan code starts with."""
        return code.split(".", 1)[0]


# --- Rules ------------------------------------------------------------------------------------


def apportion(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """`total` shared out in proportion to `weights` (largest remainders), each part at
    least `minimum` when the total allows it; the parts always sum to `total`."""
    n = len(weights)
    if n == 0:
        return []
    floor = minimum if total >= minimum * n else 0
    rest = total - floor * n
    whole = sum(weights) or 1.0
    exact = [rest * w / whole for w in weights]
    parts = [int(x) for x in exact]
    short = rest - sum(parts)
    by_remainder = sorted(range(n), key=lambda i: (exact[i] - parts[i], -i), reverse=True)
    for i in by_remainder[:short]:
        parts[i] += 1
    return [floor + p for p in parts]


def grid(box: Box, n: int) -> list[Box]:
    """`n` boxes side by side inside `box` (a grid about as wide as the box, cut in order),
    none overlapping, all inside it."""
    if n <= 0:
        return []
    south, north, west, east = box
    height, width = max(north - south, 1e-9), max(east - west, 1e-9)
    cols = max(1, min(n, round(math.sqrt(n * width / height))))
    rows = math.ceil(n / cols)
    cells = []
    for i in range(n):
        row, col = divmod(i, cols)
        in_row = cols if row < rows - 1 else n - cols * (rows - 1)  # the last row may be short
        w = width / in_row
        h = height / rows
        cells.append((south + row * h, south + (row + 1) * h, west + col * w, west + (col + 1) * w))
    return cells


def place_name(rng: random.Random, taken: set[str]) -> str:
    """A name like "Sukamakmur" or "Sungai Rejo Ilir", not in `taken` (which it joins)."""
    for attempt in range(1000):
        first, second = rng.choice(FIRST), rng.choice(SECOND)
        joined = f"{first}{second.lower()}" if first in ("Suka", "Sido", "Wono", "Sri") else None
        name = (joined or f"{first} {second}") + rng.choice(DIRECTION)
        if attempt > 50:
            name += f" {attempt - 50}"  # the combinations of a big kabupaten run out
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("no free name")


def kabupaten_codes(province: str, count: int) -> list[tuple[str, bool]]:
    """(code, is_kota) for a province: kabupaten 01, 02... and kota 71, 72...; Lampung's 72
    is the real Kota Metro and is skipped."""
    kota = round(count * KOTA_SHARE) if count > 2 else 0
    codes = [(f"{province}.{i:02d}", False) for i in range(1, count - kota + 1)]
    number = 71
    while len(codes) < count:
        code = f"{province}.{number}"
        if code != REAL_CITY:
            codes.append((code, True))
        number += 1
    return codes


def scaled(national: int, schools: int, at_least: int) -> int:
    return max(at_least, round(national * schools / NATIONAL_SCHOOLS))


# --- The country ------------------------------------------------------------------------------


def build(schools: int, seed: int = 22) -> Country:
    """The regions of a country with `schools` synthetic schools (their counts per region
    included)."""
    rng = random.Random(seed)
    provinces = [Province(code, name, box) for code, name, _k, _p, box in PROVINCES]
    # Schools per province by population, per kabupaten by a kabupaten's own size.
    per_province = apportion(schools, [p[3] for p in PROVINCES])
    kab_specs = []  # (province index, code, is_kota, weight)
    for index, (code, _name, count, _pop, _box) in enumerate(PROVINCES):
        for kab_code, is_kota in kabupaten_codes(code, count):
            kab_specs.append((index, kab_code, is_kota, rng.uniform(0.4, 1.6)))
    kab_schools = []
    for index in range(len(PROVINCES)):
        mine = [spec for spec in kab_specs if spec[0] == index]
        kab_schools += apportion(per_province[index], [w for *_x, w in mine])
    n_kec = scaled(NATIONAL_KECAMATAN, schools, len(kab_specs))
    n_kel = scaled(NATIONAL_KELURAHAN, schools, n_kec)
    kec_per_kab = apportion(n_kec, [s + 0.01 for s in kab_schools], minimum=1)

    kabupaten, kecamatan, kelurahan = [], [], []
    names: set[str] = set()
    kab_boxes = {}
    for index in range(len(PROVINCES)):
        mine = [i for i, spec in enumerate(kab_specs) if spec[0] == index]
        for i, box in zip(mine, grid(provinces[index].box, len(mine)), strict=True):
            kab_boxes[i] = box
    kec_rows = []  # (kabupaten index, Kecamatan)
    for i, (_index, code, is_kota, _w) in enumerate(kab_specs):
        name = place_name(rng, names)
        kabupaten.append(
            Kabupaten(code, f"{'Kota' if is_kota else 'Kabupaten'} {name}", kab_boxes[i], 0)
        )
        local: set[str] = set()
        counts = apportion(kab_schools[i], [rng.uniform(0.5, 1.5) for _ in range(kec_per_kab[i])])
        for j, box in enumerate(grid(kab_boxes[i], kec_per_kab[i])):
            kec_rows.append(
                Kecamatan(f"{code}.{j + 1:02d}", place_name(rng, local), box, counts[j])
            )
    kabupaten = [
        Kabupaten(k.code, k.name, k.box, s) for k, s in zip(kabupaten, kab_schools, strict=True)
    ]
    kel_per_kec = apportion(n_kel, [k.schools + 0.01 for k in kec_rows], minimum=1)
    for kec, n in zip(kec_rows, kel_per_kec, strict=True):
        kecamatan.append(kec)
        local = set()
        counts = apportion(kec.schools, [rng.uniform(0.5, 1.5) for _ in range(n)])
        for j, box in enumerate(grid(kec.box, n)):
            # Kelurahan (urban, 1001...) in a kota, desa (rural, 2001...) elsewhere.
            prefix = 1 if int(kec.code[3:5]) >= 71 else 2
            kelurahan.append(
                Kelurahan(
                    f"{kec.code}.{prefix}{j + 1:03d}",
                    place_name(rng, local),
                    kec.code,
                    box,
                    counts[j],
                )
            )
    return Country(provinces, kabupaten, kecamatan, kelurahan)


LEVELS = (  # share of the register's schools by level (Dapodik's proportions, rounded)
    ("TK", 0.21), ("KB", 0.07), ("TPA", 0.01), ("RA", 0.07), ("PAUD", 0.035), ("SD", 0.33),
    ("MI", 0.06), ("SMP", 0.09), ("MTs", 0.04), ("SMA", 0.03), ("MA", 0.02), ("SMK", 0.03),
    ("SLB", 0.005),
)  # fmt: skip


@dataclass(frozen=True)
class Place:
    kelurahan: str  # its code (the kecamatan's is its prefix)
    name: str
    level: str
    status: str
    latitude: float | None
    longitude: float | None


def school_places(country: Country, seed: int = 46, located: float = 0.9) -> Iterator[Place]:
    """Each kelurahan's schools, in code order: a level by the register's proportions, a
    name like "TEST SD NEGERI 3 SUKAMAKMUR" (clearly synthetic, as schools/fixtures/SOURCES.md
    asks; their NPSNs are given from 99000001), coordinates inside the kelurahan's box for
    `located` of them (the others unknown, as in the real register)."""
    rng = random.Random(seed)
    levels, weights = zip(*LEVELS, strict=True)
    numbers: dict[tuple[str, str, str], int] = {}
    kecamatan_names = {k.code: k.name for k in country.kecamatan}
    for kel in country.kelurahan:
        south, north, west, east = kel.box
        town = kecamatan_names[kel.kecamatan].upper()
        for _ in range(kel.schools):
            level = rng.choices(levels, weights)[0]
            status = (
                "negeri"
                if rng.random() < (0.6 if level in ("SD", "SMP", "SMA") else 0.2)
                else "swasta"
            )
            key = (kel.kecamatan, level, status)
            numbers[key] = numbers.get(key, 0) + 1
            name = f"TEST {level.upper()} {status.upper()} {numbers[key]} {town}"
            if rng.random() < located:
                lat, lon = rng.uniform(south, north), rng.uniform(west, east)
            else:
                lat = lon = None
            yield Place(kel.code, name, level, status, lat, lon)


def inside(box: Box, latitude: float, longitude: float) -> bool:
    south, north, west, east = box
    return south <= latitude <= north and west <= longitude <= east
