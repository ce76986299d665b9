"""NUL bytes in paths, query parameters and cookies (issue #21, finding 6).

PostgreSQL refuses NUL in text (psycopg.DataError, a 500); SQLite stores it. One middleware
(peksos.core.middleware.RejectNulBytesMiddleware) answers before any view or session reads the
database, on both engines: a path with NUL names no page (404), a query parameter or a cookie
with NUL is a bad request (400), each page in Indonesian. Every path of the URL configuration
with a text parameter is tried, so a new URL is covered without anyone remembering it.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

LISTED = [  # the URLs of the outside test
    "/forum/tanya/?kategori=%00",
    "/sekolah/%00/",
    "/sosdesk/sekolah/%00/",
    "/sosdesk/sekolah/%00/qr.svg",
    "/forum/sekolah/%00/kode-undangan/",
]
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
FILL = {"int": "1", "uuid": "4f6c2a10-6a8e-4c41-9d3b-0d1c2e3f4a5b"}


def routes(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if not isinstance(entry.pattern, RoutePattern):
            continue  # admin's and static files' regular expressions
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def with_nul(route: str) -> str | None:
    """The route with a NUL byte in each text parameter (None if it has none)."""
    converters = [m["converter"] or "str" for m in PARAMETER.finditer(route)]
    if not any(c not in FILL for c in converters):
        return None
    return "/" + PARAMETER.sub(lambda m: FILL.get(m["converter"] or "str", "x%00y"), route)


TEXT_ROUTES = sorted({url for route in routes() if (url := with_nul(route))})


def test_text_routes_are_found():
    assert "/sekolah/x%00y/" in TEXT_ROUTES and len(TEXT_ROUTES) >= 10


def assert_refused(response):
    assert response.status_code == 400
    assert "Permintaan tidak dapat dipahami" in response.content.decode()


def assert_not_found(response):
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


@pytest.mark.parametrize("url", LISTED)
def test_the_listed_urls_answer_in_indonesian_never_500(login, koordinator_ani, url):
    response = login(koordinator_ani).get(url)
    if "?" in url:
        assert_refused(response)
    else:
        assert_not_found(response)


@pytest.mark.parametrize("url", TEXT_ROUTES)
def test_every_text_parameter_refuses_nul(client, koordinator_ani, login, url):
    login(koordinator_ani)
    client.raise_request_exception = False
    assert_not_found(client.get(url))
    assert_not_found(client.post(url))


@pytest.mark.parametrize(
    "query", ["?q=%00", "?%00=1", "?halaman=1%00", "?sekolah=a&sekolah=%00", "?q=%C0%80%00"]
)
def test_query_parameters_refuse_nul(client, db, query):
    assert_refused(client.get("/masuk/" + query))


def test_a_nul_in_the_session_cookie_is_refused(client, db):
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert_refused(client.get("/masuk/"))


def test_ordinary_requests_pass(client, login, koordinator_ani):
    assert client.get("/masuk/?next=/sekolah/").status_code == 200
    assert login(koordinator_ani).get("/sekolah/?q=100%25").status_code == 200
