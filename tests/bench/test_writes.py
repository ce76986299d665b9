"""The choice of schools for the writes of the page benchmark (bench/writes.py `spread`)."""

import random

import pytest
import writes


def register(kabupaten: int, per: int) -> list[tuple[int, str]]:
    """`per` schools in each of `kabupaten` kabupaten (one kecamatan each, two kelurahan)."""
    return [
        (k * per + i, f"{11 + k // 90}.{k % 90 + 1:02d}.01.{1001 + i % 2}")
        for k in range(kabupaten)
        for i in range(per)
    ]


def test_k_schools_in_k_different_kabupaten_when_there_are_enough():
    schools = register(120, 5)
    chosen = writes.spread(schools, 100, random.Random(1))
    assert len(set(chosen)) == 100
    assert writes.regions_of(chosen, schools, 5) == 100


def test_finer_regions_when_kabupaten_are_too_few():
    # the city: one kabupaten; 10 kelurahan codes per kecamatan... as in Kota Metro
    schools = [(i, f"18.72.0{i % 5 + 1}.{1001 + i % 4}") for i in range(300)]
    chosen = writes.spread(schools, 16, random.Random(2))
    assert len(set(chosen)) == 16
    assert writes.regions_of(chosen, schools, 13) == 16  # 20 kelurahan: 16 different ones
    hundred = writes.spread(schools, 100, random.Random(3))
    assert len(set(hundred)) == 100  # fewer regions than writes: distinct schools, round robin
    per_region = {}
    for pk in hundred:
        code = dict(schools)[pk]
        per_region[code] = per_region.get(code, 0) + 1
    assert max(per_region.values()) - min(per_region.values()) <= 1


def test_one_write_and_too_many():
    schools = register(3, 2)
    assert len(writes.spread(schools, 1, random.Random(0))) == 1
    with pytest.raises(ValueError):
        writes.spread(schools, 7, random.Random(0))
