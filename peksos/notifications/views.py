"""The notification centre: the user's own notifications (newest first, read one or all) and
their choice per kind. Every signed-in user has one; another user's notification is 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peksos.core.pagination import page_for, page_links

from . import services
from .forms import PreferencesForm
from .models import DEFAULT_DELIVERY, Kind, Notification, Preference

LIST_ORDER = ("-created_at", "id")


def _get_notification(request: HttpRequest, uid) -> Notification:
    return get_object_or_404(Notification, uid=uid, recipient=request.user)


def _safe_link(request: HttpRequest, link: str) -> str:
    """Only a path of this site: a stored link never sends anyone elsewhere."""
    if link.startswith("/") and url_has_allowed_host_and_scheme(
        link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return link
    return ""


@require_safe
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(recipient=request.user).only(
        "uid", "kind", "message", "link", "created_at", "read_at"
    )
    page = page_for(request, notifications, LIST_ORDER)
    context = {"page": page, **page_links(request, page)}
    return render(request, "notifications/notification_list.html", context)


@require_POST
@login_required
def notification_open(request: HttpRequest, uid) -> HttpResponse:
    """Mark it read and go to what it is about (the list when it has no link)."""
    notification = _get_notification(request, uid)
    services.mark_read(notification=notification)
    return redirect(_safe_link(request, notification.link) or "notifications:notification-list")


@require_POST
@login_required
def notification_read(request: HttpRequest, uid) -> HttpResponse:
    services.mark_read(notification=_get_notification(request, uid))
    messages.success(request, _("Marked as read."))
    return redirect("notifications:notification-list")


@require_POST
@login_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return redirect("notifications:notification-list")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    chosen = dict(Preference.objects.filter(user=request.user).values_list("kind", "delivery"))
    current = {kind.value: chosen.get(kind.value, DEFAULT_DELIVERY) for kind in Kind}
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST":
        if form.is_valid():
            services.preferences_save(user=request.user, choices=form.choices(), request=request)
            messages.success(request, _("Your choices are saved."))
            return redirect("notifications:notification-preferences")
        status = 400
    else:
        status = 200
    context = {"form": form, "has_email": bool(request.user.email)}
    return render(request, "notifications/notification_preferences.html", context, status=status)
