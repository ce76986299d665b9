"""The named attendance list of an activity (adults): staff add and remove names, show the QR
code of the self check-in, and the public check-in page itself (/ikut/<code>/hadir/), filled on
a phone without an account, once per device, only while the activity's forms are open."""

import io
import secrets

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peksos.core.refusals import Refusal

from ..forms import AttendeeForm, CheckInForm
from ..models import Activity, Attendee
from ..permissions import can_edit_activity, get_activity_for_user
from ..services import sessions as services
from .activities import activity_checkin_path

DEVICE_COOKIE = "peksos_perangkat"
DEVICE_COOKIE_AGE = 365 * 24 * 3600


@require_POST
@login_required
def attendee_add(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk, check=can_edit_activity)
    form = AttendeeForm(request.POST)
    if form.is_valid():
        try:
            services.attendee_add(
                activity=activity, by=request.user, request=request, **form.cleaned_data
            )
        except Refusal as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("%(name)s is on the attendance list.") % {"name": form.cleaned_data["name"]},
            )
            return redirect("activities:activity-detail", pk=activity.pk)
    # Shown again with what was typed and the errors.
    context = {"activity": activity, "form": form}
    return render(request, "activities/activity_attendee_form.html", context)


@require_POST
@login_required
def attendee_remove(request: HttpRequest, pk: int, attendee_pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk, check=can_edit_activity)
    attendee = get_object_or_404(Attendee, pk=attendee_pk, activity=activity)
    services.attendee_remove(attendee=attendee, by=request.user, request=request)
    messages.success(request, _("%(name)s was removed from the list.") % {"name": attendee.name})
    return redirect("activities:activity-detail", pk=activity.pk)


@require_safe
@login_required
def checkin_poster(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR code to show on the day (on a projector or a phone held up), with the link."""
    activity = get_activity_for_user(request.user, pk, check=can_edit_activity)
    url = request.build_absolute_uri(activity_checkin_path(activity))
    context = {
        "activity": activity,
        "checkin_url": url,
        "short_url": url.split("://", 1)[-1],
        "self_count": activity.attendees.filter(source=Attendee.Source.SELF).count(),
    }
    return render(request, "activities/activity_qr.html", context)


@require_safe
@login_required
def checkin_qr(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk, check=can_edit_activity)
    url = request.build_absolute_uri(activity_checkin_path(activity))
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=10, border=4, desc=url)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- the public page -------------------------------------------------------------------------


def _device_token(request: HttpRequest) -> str | None:
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    if (
        20 <= len(value) <= 64
        and value.isascii()
        and value.replace("-", "").replace("_", "").isalnum()
    ):
        return value
    return None


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, private"
    return response


@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, code: str) -> HttpResponse:
    if not (code.isascii() and len(code) <= 16):
        raise Http404
    activity = Activity.objects.select_related("school").filter(public_code=code).first()
    if activity is None:
        raise Http404
    token = _device_token(request)
    mine = services.checked_in(activity, token)
    is_open = activity.participant_forms_open and activity.state != Activity.State.CANCELLED
    form = CheckInForm(request.POST if request.method == "POST" and not mine else None)
    status = 200
    if request.method == "POST" and not mine:
        if not is_open:
            status = 409
        elif form.is_valid():
            new_token = token or secrets.token_urlsafe(24)
            try:
                services.self_check_in(
                    activity=activity, device_token=new_token, **form.cleaned_data
                )
            except Refusal as exc:
                form.add_error(None, exc)
                status = 409
            else:
                response = redirect(request.path)
                if token is None:
                    response.set_cookie(
                        DEVICE_COOKIE,
                        new_token,
                        max_age=DEVICE_COOKIE_AGE,
                        path="/ikut/",
                        httponly=True,
                        samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE,
                    )
                return _no_store(response)
    context = {"activity": activity, "form": form, "mine": mine, "is_open": is_open}
    return _no_store(render(request, "activities/activity_checkin.html", context, status=status))
