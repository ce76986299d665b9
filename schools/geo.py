"""Kota Metro's area, for validating coordinates typed, clicked or imported. A school of a
region added later (outside Kota Metro's Kemendagri code 18.72) is only checked to lie in
Indonesia."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count
from django.utils.translation import gettext_lazy as _

from .bbox import Box
from .models import School

# A box around Kota Metro (73.2 km², about -5.17..-5.06 S, 105.26..105.37 E) with ~2 km margin;
# the 118 coordinates of the register all lie well inside it.
SOUTH, NORTH = Decimal("-5.19"), Decimal("-5.03")
WEST, EAST = Decimal("105.23"), Decimal("105.40")
CENTRE = (Decimal("-5.1135"), Decimal("105.3070"))
KOTA_METRO_CODE = "18.72"  # Kemendagri: Lampung 18, Kota Metro 72
# Indonesia from Sabang to Merauke, Rote to Miangas, with a margin.
INDONESIA = (Decimal("-11.5"), Decimal("6.5"), Decimal("94.5"), Decimal("141.5"))


def in_kota_metro(latitude: Decimal, longitude: Decimal) -> bool:
    return SOUTH <= latitude <= NORTH and WEST <= longitude <= EAST


def validate_in_kota_metro(latitude: Decimal, longitude: Decimal) -> None:
    if not in_kota_metro(latitude, longitude):
        raise ValidationError(
            _(
                "This point is outside Kota Metro. Latitude must be between %(south)s and "
                "%(north)s, longitude between %(west)s and %(east)s."
            ),
            code="outside_kota_metro",
            params={"south": SOUTH, "north": NORTH, "west": WEST, "east": EAST},
        )


def kecamatan_centres(
    box: Box | None = None, limit: int | None = None, schools_max: int | None = None
) -> list[dict]:
    """Each kecamatan's label point on the map: the mean of its schools' coordinates.

    No public boundary data of Kota Metro's kecamatan is in the repository, so the map shows
    labelled centres rather than areas. Geography, not a record: computed over the register
    whoever looks (one query); a kecamatan with no located school has no label.

    The map data passes its box (schools.bbox.Box), a limit and `schools_max`, so the labels
    cost the same on a national register as on the city's: the mean is then of the schools
    inside the box (for Kota Metro, whose schools all lie in the first view, the same points),
    the most populous kecamatan first; and the query reads at most `schools_max` + 1 located
    schools of the box (a LIMIT in a subquery): a box holding more than `schools_max` gets no
    labels, as a view that wide has too many for labels to help.
    """
    schools = School.objects.with_coordinates()
    if box is not None:
        schools = schools.filter(
            latitude__range=(box.south, box.north), longitude__range=(box.west, box.east)
        )
    if schools_max is not None:
        # Any schools_max + 1 of the box: when they are all of it, the means are over every one.
        sample = schools.order_by().values("pk")[: schools_max + 1]
        schools = School.objects.filter(pk__in=sample)
    rows = (
        schools.values("kecamatan__code", "kecamatan__name")
        .annotate(lat=Avg("latitude"), lng=Avg("longitude"), schools=Count("pk"))
        .order_by("kecamatan__code")
    )
    if schools_max is not None:
        # At most schools_max + 1 groups: counted here rather than in a second query.
        rows = list(rows)
        if sum(row["schools"] for row in rows) > schools_max:
            return []
        if limit is not None:
            rows = sorted(rows, key=lambda row: (-row["schools"], row["kecamatan__code"] or ""))
            rows = sorted(rows[:limit], key=lambda row: row["kecamatan__code"] or "")
    elif limit is not None:  # the most populous, then shown in code order as without a limit
        rows = sorted(
            rows.order_by("-schools", "kecamatan__code")[:limit],
            key=lambda row: row["kecamatan__code"] or "",
        )
    return [
        {
            "code": row["kecamatan__code"],
            "name": row["kecamatan__name"],
            "latitude": round(float(row["lat"]), 5),
            "longitude": round(float(row["lng"]), 5),
        }
        for row in rows
        if row["kecamatan__code"]
    ]


def in_kota_metro_region(kecamatan_code: str) -> bool:
    return kecamatan_code == KOTA_METRO_CODE or kecamatan_code.startswith(KOTA_METRO_CODE + ".")


def validate_in_area(latitude: Decimal, longitude: Decimal, kecamatan_code: str) -> None:
    """Kota Metro's box for its own kecamatan; Indonesia for a region added later."""
    if in_kota_metro_region(kecamatan_code):
        validate_in_kota_metro(latitude, longitude)
        return
    south, north, west, east = INDONESIA
    if not (south <= latitude <= north and west <= longitude <= east):
        raise ValidationError(
            _(
                "This point is outside Indonesia. Latitude must be between %(south)s and "
                "%(north)s, longitude between %(west)s and %(east)s."
            ),
            code="outside_indonesia",
            params={"south": south, "north": north, "west": west, "east": east},
        )
