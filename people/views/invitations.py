"""The invitation link (`/undangan/<token>/`), for anyone who holds it: the person chooses
their password (Django's validators) and is logged in; programme staff go on to enrol their
second factor. An unknown, used, withdrawn or expired link shows one and the same page."""

from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from peksos.core.refusals import Refusal

from .. import services

BACKEND = "peksos.accounts.backends.UsernameOrEmailBackend"


def _no_invitation(request: HttpRequest) -> HttpResponse:
    return render(request, "people/invitation_invalid.html", status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return _no_invitation(request)
    person = invitation.user
    form = SetPasswordForm(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.invitation_accept(
                invitation=invitation, password=form.cleaned_data["new_password1"], request=request
            )
        except Refusal:
            return _no_invitation(request)
        login(request, person, backend=BACKEND)
        if person.needs_second_factor:
            return redirect("accounts:otp-enrol")
        return redirect("home")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "person": person}
    return render(request, "people/invitation_accept.html", context, status=status)
