"""The map's bounding box query parameter, `bbox=west,south,east,north` in degrees (the order
of GeoJSON and OpenStreetMap), checked strictly: the map data answers 400 with a message for
anything else, never 500."""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

# A plain decimal number: no exponent, no "nan"/"inf", no spaces or underscores (which
# float() would take), at most 10 decimals.
NUMBER = re.compile(r"-?\d{1,3}(\.\d{1,10})?", re.ASCII)
MAX_LENGTH = 100


class BoxError(ValueError):
    """A bbox that is not four numbers in range, in order; str() is the translated message."""


@dataclass(frozen=True)
class Box:
    west: Decimal
    south: Decimal
    east: Decimal
    north: Decimal


def parse_bbox(text: str) -> Box:
    shape = _(
        "bbox must be four numbers in degrees, west,south,east,north "
        "(for example 105.23,-5.19,105.40,-5.03)."
    )
    parts = text.split(",") if len(text) <= MAX_LENGTH else []
    if len(parts) != 4 or not all(NUMBER.fullmatch(part) for part in parts):
        raise BoxError(shape)
    west, south, east, north = (Decimal(part) for part in parts)
    if not all(-180 <= value <= 180 for value in (west, east)) or not all(
        -90 <= value <= 90 for value in (south, north)
    ):
        raise BoxError(_("bbox is out of range: longitudes lie within ±180, latitudes within ±90."))
    if west > east or south > north:
        raise BoxError(_("bbox is reversed: west must not exceed east, nor south north."))
    return Box(west, south, east, north)
