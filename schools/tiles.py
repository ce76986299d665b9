"""The maps' base layer: the tile server named by `MAP_TILE_URL`, and the CSP that lets the
map pages load its images.

The site-wide CSP (`SECURE_CSP`) allows images from the site only. A page that shows a map
is decorated with `allow_tiles`: when a tile URL is set, its response's `img-src` also names
that one host; without a tile URL the page keeps the site-wide policy (and the map its plain
background). Read at request time, so a changed setting needs no restart of this module.
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def tile_source(url: str) -> str | None:
    """The CSP source of a tile URL template: its scheme and host, `None` for a relative URL
    (served by the site itself, already allowed) or no URL. A `{s}` subdomain placeholder
    becomes a wildcard of that one domain (`https://*.tile.example.org`)."""
    if not url:
        return None
    parts = urlsplit(url.replace("{s}.", "placeholder-s."))
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    host = parts.netloc.replace("placeholder-s.", "*.")
    return f"{parts.scheme}://{host}"


def tile_csp() -> dict | None:
    """The site-wide CSP with the tile host added to `img-src`, or `None` when no tile host."""
    source = tile_source(settings.MAP_TILE_URL)
    if source is None or not settings.SECURE_CSP:
        return None
    policy = {name: list(values) for name, values in settings.SECURE_CSP.items()}
    policy["img-src"] = [*policy.get("img-src", []), source]
    return policy


def allow_tiles(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Widen the response's CSP for the tile host (a view that shows a map)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if (policy := tile_csp()) is not None:
            response._csp_config = policy
        return response

    return wrapped
