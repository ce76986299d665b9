from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import OfficeSettings


def peksos(request: HttpRequest) -> dict:
    return {
        "DEMO": settings.DEMO,
        "REQUIRE_2FA": settings.REQUIRE_2FA,
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
        # The office's settings (numbers of the public pages...): read only when a template
        # uses them, from the default cache.
        "office": SimpleLazyObject(OfficeSettings.current),
    }
