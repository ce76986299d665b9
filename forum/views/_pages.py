"""Keyset pages for the forum's lists: a cursor that does not decode is the first page."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from peksos.core.pagination import KeysetPage, keyset_page


def page_of(queryset: QuerySet, order: tuple[str, ...], request: HttpRequest) -> KeysetPage:
    try:
        return keyset_page(
            queryset, order, after=request.GET.get("setelah"), before=request.GET.get("sebelum")
        )
    except (ValidationError, ValueError, TypeError, OverflowError):
        return keyset_page(queryset, order)


def page_urls(request: HttpRequest, page: KeysetPage) -> dict:
    query = request.GET.copy()
    for key in ("setelah", "sebelum"):
        query.pop(key, None)
    base = query.urlencode()

    def url(key: str, cursor: str | None) -> str | None:
        if not cursor:
            return None
        return f"{request.path}?{base}&{key}={cursor}" if base else f"{request.path}?{key}={cursor}"

    return {
        "filter_query": base,
        "next_url": url("setelah", page.next_cursor),
        "previous_url": url("sebelum", page.previous_cursor),
    }
