"""Login, second factor, password change and reset. Django's auth views do the heavy lifting."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token

from peksos.core import audit

from . import otp, throttle
from .backends import ADDRESS_BLOCKED
from .forms import LoginForm, OutboxPasswordResetForm, TokenForm
from .middleware import NO_DEVICE_SEEN

RECOVERY_CODES_SESSION_KEY = "peksos_recovery_codes"


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["demo"] = settings.DEMO
        context["second_factor_off"] = not settings.REQUIRE_2FA
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record("login", request=self.request)
        return response

    def form_invalid(self, form):
        if getattr(self.request, ADDRESS_BLOCKED, False):
            # The same page whatever account was typed: nothing to learn about accounts here.
            return render(self.request, "registration/address_locked_out.html", status=429)
        return super().form_invalid(form)


class PasswordResetView(auth_views.PasswordResetView):
    """Reset e-mails are limited per typed address and per client address (throttle.py); over
    a limit nothing is sent and the answer is the same page."""

    form_class = OutboxPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        if throttle.reset_email_allowed(self.request, form.cleaned_data["email"]):
            return super().form_valid(form)
        return redirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record("password_changed", request=self.request)
        return response


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse_lazy("home")


@login_required
@require_http_methods(["GET", "POST"])
def otp_enrol(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():
        return redirect("home")
    if otp.has_confirmed_device(request.user):
        # A password alone must not replace the owner's authenticator: prove the factor first.
        query = urlencode({"next": _next_url(request)})
        return redirect(f"{reverse('accounts:otp-verify')}?{query}")
    device = otp.pending_totp_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = otp.new_recovery_codes(request.user)
                audit.record("otp_enrolled", request=request)
            otp_login(request, device)
            request.session.pop(NO_DEVICE_SEEN, None)
            request.session[RECOVERY_CODES_SESSION_KEY] = codes
            return redirect("accounts:recovery-codes")
        form.add_error(
            "token", _("That code is not right. Check the time on your phone and try again.")
        )
    context = {
        "form": form,
        "qr": otp.qr_data_uri(device),
        "secret": otp.secret_base32(device),
        "next": _next_url(request),
    }
    return render(request, "accounts/otp_enrol.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            audit.record("otp_verified", request=request)
            return redirect(_next_url(request))
        audit.record("otp_failed", request=request)
        form.add_error("token", _("That code is not right."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Shows freshly made recovery codes once; afterwards only a button to make new ones."""
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


@login_required
@require_POST
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    if not request.user.is_verified():
        return redirect("accounts:otp-verify")
    with transaction.atomic():
        codes = otp.new_recovery_codes(request.user)
        audit.record("recovery_codes_renewed", request=request)
    request.session[RECOVERY_CODES_SESSION_KEY] = codes
    messages.success(request, _("New recovery codes were made. The old ones no longer work."))
    return redirect("accounts:recovery-codes")


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account.html")
