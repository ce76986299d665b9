"""Re-authentication before exports (docs/quality.md: ASVS level 3 item).

A file that leaves the application (a report PDF, figures as CSV/XLSX, the register export)
asks for the password again unless the person typed it in the last `REAUTH_MAX_AGE` seconds,
in this session. A stolen session left open on a shared office computer can browse, but not
carry the data away in bulk.

Views call `needs_reauth(request)` after their own permission checks (so a person who may not
have the file gets their 403/404 first, not a password prompt):

    if (prompt := needs_reauth(request)) is not None:
        return prompt
"""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from peksos.core import audit

from .views import _next_url

SESSION_KEY = "peksos_password_at"


def max_age() -> int:
    return settings.REAUTH_MAX_AGE


def mark_password_typed(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = int(timezone.now().timestamp())


def on_login(sender, request, user, **kwargs) -> None:
    """Logging in is typing the password: a fresh login may export at once."""
    if request is not None and hasattr(request, "session"):
        mark_password_typed(request)


def is_recent(request: HttpRequest) -> bool:
    typed = request.session.get(SESSION_KEY)
    if not isinstance(typed, int):
        return False
    return 0 <= timezone.now().timestamp() - typed <= max_age()


def needs_reauth(request: HttpRequest) -> HttpResponse | None:
    """None when the password is recent; otherwise the redirect to the password prompt."""
    if is_recent(request):
        return None
    query = urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(f"{reverse('accounts:reauth')}?{query}")


class PasswordAgainForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def reauth(request: HttpRequest) -> HttpResponse:
    form = PasswordAgainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Through authenticate(), so that wrong passwords count towards the account lockout.
        user = authenticate(
            request, username=request.user.get_username(), password=form.cleaned_data["password"]
        )
        if user is not None and user.pk == request.user.pk:
            mark_password_typed(request)
            with transaction.atomic():
                audit.record("password_confirmed", request=request)
            return HttpResponseRedirect(_next_url(request))
        form.add_error("password", _("That password is not right."))
    minutes = max_age() // 60
    return render(
        request,
        "accounts/reauth.html",
        {"form": form, "next": _next_url(request), "minutes": minutes},
        status=200 if request.method == "GET" or form.is_valid() else 400,
    )
