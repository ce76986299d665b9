"""The small JSON search behind a long filter (`peksos.core.forms.LongModelChoiceField`).

`?q=` is matched, case-insensitively, against a few text fields; at most RESULTS rows come back
as `{"results": [{"value": ..., "text": ...}]}`, the shape static/js/searchable.js gives Tom
Select. Nothing typed or anything malformed (too long, a NUL or another control character)
answers an empty list with 200, never an error: a search box is typed into, not attacked. The
view that calls this checks who may search and passes the rows they may see; one query.
"""

from collections.abc import Callable, Iterable

from django.db.models import Q, QuerySet
from django.http import HttpRequest, JsonResponse

RESULTS = 20
MAX_QUERY = 100


def typed(request: HttpRequest) -> str:
    """The search text, or "" when missing or malformed."""
    q = " ".join(request.GET.get("q", "").split())
    if len(q) > MAX_QUERY or any(ord(ch) < 32 for ch in q):
        return ""
    return q


def search_response(
    request: HttpRequest,
    rows: QuerySet,
    *,
    fields: Iterable[str],
    value: Callable,
    text: Callable,
) -> JsonResponse:
    q = typed(request)
    if not q:
        return JsonResponse({"results": []})
    match = Q()
    for field in fields:
        match |= Q(**{f"{field}__icontains": q})
    found = rows.filter(match)[:RESULTS]
    return JsonResponse({"results": [{"value": value(r), "text": text(r)} for r in found]})
