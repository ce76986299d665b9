"""Keyset ("cursor") pagination: constant cost at any depth, no COUNT(*), no OFFSET.

The ordering must end with a unique ascending `id` and its fields must be non-null.
A cursor is the sort values of the row next to the page edge, base64-encoded JSON; a cursor
that does not decode is ignored (first page), never a 500.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

PER_PAGE = 25
MAX_CURSOR_LENGTH = 600  # a cursor holds a few short values; anything longer is not ours


@dataclass
class KeysetPage:
    items: list
    next_cursor: str | None
    previous_cursor: str | None


def _encode(values: list) -> str:
    raw = json.dumps([str(v) if isinstance(v, (Decimal, date, UUID)) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, size: int) -> list | None:
    if len(cursor) > MAX_CURSOR_LENGTH:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(values, list) or len(values) != size:
        return None
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            return None
        if isinstance(value, str) and not _storable(value):
            return None
    return values


def _storable(text: str) -> bool:
    """No NUL and no lone surrogates: neither can reach a database query."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _after(order: tuple[str, ...], values: list, *, backwards: bool) -> Q:
    """Rows strictly after `values` in `order` (before, when going backwards).

    The OR of (a > x) | (a = x & b > y) is wrapped in a plain range on the first field
    (a >= x), which lets the database walk the (a, b) index from x instead of scanning."""
    condition = Q()
    for i, field in enumerate(order):
        name = field.lstrip("-")
        descending = field.startswith("-") != backwards
        step = Q(**{f"{name}__{'lt' if descending else 'gt'}": values[i]})
        for earlier, value in zip(order[:i], values[:i], strict=False):
            step &= Q(**{earlier.lstrip("-"): value})
        condition |= step
    first = order[0].lstrip("-")
    first_descending = order[0].startswith("-") != backwards
    return Q(**{f"{first}__{'lte' if first_descending else 'gte'}": values[0]}) & condition


def _reversed(order: tuple[str, ...]) -> list[str]:
    return [f[1:] if f.startswith("-") else f"-{f}" for f in order]


def keyset_page(
    queryset: QuerySet,
    order: tuple[str, ...],
    *,
    after: str | None = None,
    before: str | None = None,
    per_page: int = PER_PAGE,
) -> KeysetPage:
    names = [f.lstrip("-") for f in order]
    before_values = _decode(before, len(order)) if before else None
    after_values = None if before_values else (_decode(after, len(order)) if after else None)
    if before_values is not None:
        rows = list(
            queryset.filter(_after(order, before_values, backwards=True)).order_by(
                *_reversed(order)
            )[: per_page + 1]
        )
        has_more_before = len(rows) > per_page
        items = rows[:per_page][::-1]
        has_more_after = True
    else:
        qs = queryset.order_by(*order)
        if after_values is not None:
            qs = qs.filter(_after(order, after_values, backwards=False))
        rows = list(qs[: per_page + 1])
        items = rows[:per_page]
        has_more_after = len(rows) > per_page
        has_more_before = after_values is not None

    def key(row) -> str:
        return _encode([getattr(row, n) for n in names])

    return KeysetPage(
        items=items,
        next_cursor=key(items[-1]) if items and has_more_after else None,
        previous_cursor=key(items[0]) if items and has_more_before else None,
    )


# --- In views: the page a request asks for, and the links to its neighbours ---------------
AFTER, BEFORE = "setelah", "sebelum"  # query parameters, in the users' language


def page_for(request, queryset: QuerySet, order: tuple[str, ...], **kwargs) -> KeysetPage:
    """The keyset page of `request`; a cursor whose values do not fit the sort fields (a
    date where a number should be, a number out of range) is the first page, never a 500."""
    try:
        return keyset_page(
            queryset,
            order,
            after=request.GET.get(AFTER),
            before=request.GET.get(BEFORE),
            **kwargs,
        )
    except (ValidationError, ValueError, TypeError, OverflowError):
        return keyset_page(queryset, order, **kwargs)


def page_links(request, page: KeysetPage) -> dict:
    """`next_url`, `previous_url` (keeping the other query parameters) and `filter_query`."""
    query = request.GET.copy()
    for key in (AFTER, BEFORE):
        query.pop(key, None)
    base = query.urlencode()

    def url(key: str, cursor: str | None) -> str | None:
        if not cursor:
            return None
        return f"{request.path}?{base}&{key}={cursor}" if base else f"{request.path}?{key}={cursor}"

    return {
        "filter_query": base,
        "next_url": url(AFTER, page.next_cursor),
        "previous_url": url(BEFORE, page.previous_cursor),
    }
