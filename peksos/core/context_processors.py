from django.conf import settings
from django.http import HttpRequest


def peksos(request: HttpRequest) -> dict:
    return {
        "DEMO": settings.DEMO,
        "REQUIRE_2FA": settings.REQUIRE_2FA,
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
    }
