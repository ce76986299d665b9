"""Load the real Kota Metro regions and schools shipped in `schools/fixtures/` (idempotent)."""

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from peksos.core import tallies

from .models import Kecamatan, Kelurahan, School

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REGIONS_CSV = FIXTURES / "kota_metro_regions.csv"
SCHOOLS_CSV = FIXTURES / "kota_metro_schools.csv"


@dataclass
class SeedResult:
    kecamatan: int
    kelurahan: int
    schools_created: int
    schools_updated: int


def _decimal(value: str) -> Decimal | None:
    return Decimal(value) if value.strip() else None


@transaction.atomic
def load_kota_metro() -> SeedResult:
    with REGIONS_CSV.open(newline="", encoding="utf-8") as f:
        regions = list(csv.DictReader(f))
    kecamatan_by_name: dict[str, Kecamatan] = {}
    for row in regions:
        if not row["kelurahan"]:
            kec, _ = Kecamatan.objects.update_or_create(
                code=row["code"], defaults={"name": row["kecamatan"]}
            )
            kecamatan_by_name[kec.name] = kec
    kelurahan_by_key: dict[tuple[str, str], Kelurahan] = {}
    for row in regions:
        if row["kelurahan"]:
            kel, _ = Kelurahan.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name": row["kelurahan"],
                    "kecamatan": kecamatan_by_name[row["kecamatan"]],
                },
            )
            kelurahan_by_key[(row["kecamatan"], kel.name)] = kel

    existing = {s.npsn: s for s in School.objects.all()}
    created = updated = 0
    # Each school saved counts in the register-wide figures: all of them once, at the end.
    with tallies.deferred(), SCHOOLS_CSV.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            values = {
                "name": row["name"],
                "level": row["level"],
                "status": row["status"],
                "kecamatan": kecamatan_by_name[row["kecamatan"]],
                "kelurahan": kelurahan_by_key.get((row["kecamatan"], row["kelurahan"])),
                "address": row["address"],
                "latitude": _decimal(row["latitude"]),
                "longitude": _decimal(row["longitude"]),
                "source": row["source"][:300],
            }
            school = existing.get(row["npsn"])
            if school is None:
                School.objects.create(npsn=row["npsn"], **values)
                created += 1
                continue
            if school.latitude is not None:  # coordinates staff set or corrected are kept
                del values["latitude"], values["longitude"]
            if any(getattr(school, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(school, key, value)
                school.save()
                updated += 1
    return SeedResult(
        kecamatan=Kecamatan.objects.count(),
        kelurahan=Kelurahan.objects.count(),
        schools_created=created,
        schools_updated=updated,
    )
