"""Joining the forum with a school's invitation code, and confirming the e-mail address.

The account is made inactive and opens when the link sent by e-mail is used: until then it
cannot log in (the login page answers as for a wrong password, like for every closed account).
The link's page asks for a button press, so a mail scanner fetching the link opens nothing.
Wrong codes and new accounts are counted per address in the audit log (in the database, so
the limits hold with Redis down); the login itself stays behind django-axes.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from peksos.core.audit import client_ip

from .. import registration as signup
from ..forms import RegistrationForm, ResendForm


@require_http_methods(["GET", "POST"])
def registration_create(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("forum:question-list")
    ip = client_ip(request)
    blocked = request.method == "POST" and signup.too_many_bad_codes(ip)
    form = RegistrationForm(request.POST or None, blocked=blocked)
    if request.method == "POST":
        if form.is_valid():
            if signup.too_many_registrations(ip):
                form.add_error(
                    None, _("Too many accounts were made from this connection. Try again later.")
                )
            else:
                data = form.cleaned_data
                signup.registration_create(
                    invite_code=form.invite,
                    username=data["username"],
                    email=data["email"],
                    display_name=data["first_name"],
                    password=data["password1"],
                    role=data["role"],
                    request=request,
                )
                return redirect("forum:registration-sent")
        elif form.bad_code:
            signup.record_bad_invite_code(request)
    return render(request, "forum/registration_form.html", {"form": form})


@require_safe
def registration_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "forum/registration_sent.html")


@require_http_methods(["GET", "POST"])
def registration_confirm(request: HttpRequest, token: str) -> HttpResponse:
    registration = signup.registration_for_token(token)
    if registration is None:
        return render(request, "forum/registration_confirm.html", {"valid": False})
    if registration.is_confirmed:
        messages.info(request, _("Your e-mail address was already confirmed. Please log in."))
        return redirect("accounts:login")
    if request.method == "POST":
        signup.registration_confirm(registration=registration, request=request)
        messages.success(request, _("Your e-mail address is confirmed. You can log in now."))
        return redirect("accounts:login")
    return render(request, "forum/registration_confirm.html", {"valid": True})


@require_http_methods(["GET", "POST"])
def registration_resend(request: HttpRequest) -> HttpResponse:
    form = ResendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        signup.registration_resend(email=form.cleaned_data["email"], request=request)
        return redirect("forum:registration-sent")
    return render(request, "forum/registration_resend.html", {"form": form})
