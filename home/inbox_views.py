"""The approvals inbox page (`/persetujuan/`): what waits for the user's decision, oldest first
(home/inbox.py). Decisions are the apps' own POST views; their forms carry `next` so the
person comes back here (peksos.core.actions.safe_next)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from . import inbox


@require_safe
@login_required
def inbox_page(request: HttpRequest) -> HttpResponse:
    if not inbox.has_inbox(request.user):
        raise PermissionDenied
    context = {"items": inbox.items_for(request.user), "inbox_url": reverse("inbox")}
    return render(request, "home/inbox.html", context)
