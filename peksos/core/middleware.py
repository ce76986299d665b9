"""Request-wide plumbing: a request id for logs and audit rows, and no caching of personal pages."""

import contextvars
import logging
import re
import uuid

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import add_never_cache_headers

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID_INCOMING_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    """Tag each request with an id (a proxy's X-Request-ID if well-formed, else a new one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _VALID_INCOMING_ID.match(incoming) else uuid.uuid4().hex
        token = _request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class RejectNulBytesMiddleware:
    """A NUL byte (`\\x00`, `%00`) in a request's path, query or cookies is never legitimate,
    and PostgreSQL refuses it in text (a 500 from deep inside a query). It is answered here,
    once, before any view or session reads the database: a path with NUL names no page (404),
    a query parameter or cookie with NUL is a bad request (400); both pages are in Indonesian.
    Request bodies are left alone: forms clean their text fields, uploads are bytes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or "\x00" in request.path_info:
            raise Http404("NUL byte in the path")
        if _nul_in_query_or_cookies(request):
            raise BadRequest("NUL byte in the query or a cookie")
        return self.get_response(request)


def _nul_in_query_or_cookies(request: HttpRequest) -> bool:
    texts = [request.META.get("QUERY_STRING", "")]
    for key, values in request.GET.lists():
        texts.append(key)
        texts.extend(values)
    for key, value in request.COOKIES.items():
        texts.extend((key, value))
    return any("\x00" in text for text in texts) or "%00" in texts[0]


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class NoStoreForUsersMiddleware:
    """Pages seen by a logged-in user may hold personal data: never store them in any cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


class IndonesianFirstLocaleMiddleware(LocaleMiddleware):
    """Bahasa Indonesia unless the person chose English with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many phones in
    Indonesia are set to English while their owners read Indonesian best: the programme's
    language is the default, the switch (a cookie) is the only way to change it."""

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
