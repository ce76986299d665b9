"""Setting schools' coordinates, and the Koordinator's round of placing the register's schools
that have none yet (the "place the next school" page, schools/views/placing.py).

The round goes through the active schools without coordinates in the register's order (name,
then id), so "next" is the same for everyone and wraps to the first after the last.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest

from peksos.core import audit

from .models import School, SchoolQuerySet


def unplaced() -> SchoolQuerySet:
    """Active schools without coordinates, in the round's order."""
    return School.objects.active().without_coordinates().order_by("name", "id")


def next_unplaced(after: School | None = None) -> School | None:
    """The first school of the round after `after` (wrapping), or the first; None when every
    active school has coordinates. `after` itself is never the answer unless it is alone."""
    schools = unplaced().select_related("kecamatan", "kelurahan")
    if after is not None:
        later = Q(name__gt=after.name) | Q(name=after.name, id__gt=after.pk)
        following = schools.filter(later).first()
        if following is not None:
            return following
        return schools.exclude(pk=after.pk).first() or schools.filter(pk=after.pk).first()
    return schools.first()


def set_coordinates(
    *,
    school: School,
    latitude: Decimal,
    longitude: Decimal,
    request: HttpRequest | None = None,
) -> School:
    """Save a school's position (the form has checked that it lies in Kota Metro: geo.py),
    with its audit row in the same transaction."""
    with transaction.atomic():
        school.latitude = latitude
        school.longitude = longitude
        school.save(update_fields=["latitude", "longitude", "updated_at"])
        audit.record("school_coordinates_set", request=request, obj=school)
    return school
