"""A staff member's private calendar feed: a secret URL for the phone's calendar app.

The feed answers without a login (calendar apps cannot log in): the token is the key, only
its hash is stored, it shows only that member's own visits, and replacing or revoking it
makes the old URL answer 404."""

from datetime import timedelta

import icalendar
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django.views.decorators.http import require_POST, require_safe

from .. import services
from ..models import CalendarFeedToken, Visit
from ..permissions import has_calendar_feed

SESSION_KEY = "activities_new_feed_token"
FEED_PAST = timedelta(days=60)
FEED_FUTURE = timedelta(days=400)
FEED_LIMIT = 1000
TOUCH_EVERY = timedelta(hours=1)


def _require_feed(user) -> None:
    if not has_calendar_feed(user):
        raise PermissionDenied


@require_safe
@login_required
def feed_detail(request: HttpRequest) -> HttpResponse:
    _require_feed(request.user)
    token = request.session.pop(SESSION_KEY, None)  # shown once, right after it is made
    context = {
        "active": CalendarFeedToken.objects.active().filter(user=request.user).first(),
        "feed_url": request.build_absolute_uri(reverse("visits:feed-ics", args=[token]))
        if token
        else None,
    }
    return render(request, "visits/feed_detail.html", context)


@require_POST
@login_required
def feed_create(request: HttpRequest) -> HttpResponse:
    _require_feed(request.user)
    request.session[SESSION_KEY] = services.feed_token_issue(user=request.user, request=request)
    messages.success(request, _("Your new calendar address is ready; the old one stopped working."))
    return redirect("visits:feed-detail")


@require_POST
@login_required
def feed_revoke(request: HttpRequest) -> HttpResponse:
    _require_feed(request.user)
    services.feed_token_revoke(user=request.user, request=request)
    messages.success(request, _("Your calendar address no longer works."))
    return redirect("visits:feed-detail")


def _event(visit: Visit) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"kunjungan-{visit.pk}@peksos.metrokota.go.id")
    event.add("dtstamp", visit.updated_at)
    event.add("dtstart", visit.date)
    event.add("dtend", visit.date + timedelta(days=1))
    event.add("summary", _("PEKSOS visit: %(school)s") % {"school": visit.school.name})
    event.add(
        "location", ", ".join(filter(None, [visit.school.address, visit.school.kecamatan.name]))
    )
    team = ", ".join(f"{m.user} ({m.get_role_display()})" for m in visit.members.all())
    event.add(
        "description",
        f"{visit.get_kind_display()} · {visit.get_state_display()}\n{team}",
    )
    agreed = visit.state in (Visit.State.AGREED, Visit.State.DONE)
    event.add("status", "CONFIRMED" if agreed else "TENTATIVE")
    return event


@require_safe
def feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    feed = CalendarFeedToken.objects.find(token)
    if feed is None or not has_calendar_feed(feed.user):
        raise Http404
    now = timezone.now()
    if feed.last_used_at is None or feed.last_used_at < now - TOUCH_EVERY:
        CalendarFeedToken.objects.filter(pk=feed.pk).update(last_used_at=now)
    today = timezone.localdate()
    visits = (
        Visit.objects.active()
        .for_staff(feed.user)
        .between(today - FEED_PAST, today + FEED_FUTURE)
        .for_list()
        .order_by("date", "id")[:FEED_LIMIT]
    )
    with override("id"):
        cal = icalendar.Calendar()
        cal.add("prodid", "-//Dinas Sosial Kota Metro//PEKSOS//ID")
        cal.add("version", "2.0")
        cal.add("x-wr-calname", _("PEKSOS visits"))
        for visit in visits:
            cal.add_component(_event(visit))
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Content-Disposition"] = 'inline; filename="peksos-kunjungan.ics"'
    return response
