"""Session limits per role and the second-factor gate for programme staff."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import devices_for_user

from peksos.core.time import epoch_now

SESSION_STARTED = "peksos_started"
SESSION_LAST_SEEN = "peksos_last_seen"
# Write the last-seen stamp at most this often: a session write on every request is waste.
LAST_SEEN_RESOLUTION = 60


def start_session_clock(sender, request: HttpRequest, user, **kwargs) -> None:
    """At login (the session key was just rotated) the absolute and idle clocks start."""
    now = epoch_now()
    request.session[SESSION_STARTED] = now
    request.session[SESSION_LAST_SEEN] = now


class SessionLimitsMiddleware:
    """Idle timeout and absolute lifetime, shorter for staff roles; dead accounts log out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            if "_auth_user_id" in request.session:  # the account was deactivated meanwhile
                request.session.flush()
            return self.get_response(request)
        now = epoch_now()
        started = request.session.setdefault(SESSION_STARTED, now)
        last_seen = request.session.get(SESSION_LAST_SEEN, now)
        if user.has_staff_session_limits:
            idle, absolute = settings.SESSION_IDLE_STAFF, settings.SESSION_ABSOLUTE_STAFF
        else:
            idle, absolute = settings.SESSION_IDLE_COMMUNITY, settings.SESSION_ABSOLUTE_COMMUNITY
        if now - last_seen > idle.total_seconds() or now - started > absolute.total_seconds():
            logout(request)
            messages.info(request, _("Your session has ended. Please log in again."))
            return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.path})}")
        if now - last_seen >= LAST_SEEN_RESOLUTION or SESSION_LAST_SEEN not in request.session:
            request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


# Set in the session once a user who may skip 2FA was seen without a device; cleared on enrolment.
NO_DEVICE_SEEN = "peksos_no_otp_device"

# Pages a user who still owes a second factor may open.
SECOND_FACTOR_EXEMPT = {
    "accounts:otp-enrol",
    "accounts:otp-verify",
    "accounts:logout",
    "set_language",
    "healthz",
}


class SecondFactorMiddleware:
    """Programme staff must enrol and use TOTP; anyone who enrolled must use it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is None or match.view_name in SECOND_FACTOR_EXEMPT:
            return None
        if request.path.startswith(settings.STATIC_URL):
            return None
        if settings.REQUIRE_2FA and user.needs_second_factor:
            has_device = any(devices_for_user(user, confirmed=True))
            target = "accounts:otp-verify" if has_device else "accounts:otp-enrol"
        elif request.session.get(NO_DEVICE_SEEN):
            return None  # already looked: this optional-2FA user enrolled no device
        elif any(devices_for_user(user, confirmed=True)):
            target = "accounts:otp-verify"
        else:
            request.session[NO_DEVICE_SEEN] = True
            return None
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
