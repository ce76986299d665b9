"""The office settings page (`/pengaturan/`) and its logo, for the Koordinator only
(`home.office.require_office_manager`: 403 for every other role)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from peksos.core.models import OfficeSettings
from peksos.core.uploads import attachment_response

from .office import OfficeSettingsForm, office_settings_update, require_office_manager


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def office_settings(request: HttpRequest) -> HttpResponse:
    require_office_manager(request.user)
    office = OfficeSettings.from_database()
    form = OfficeSettingsForm(request.POST or None, request.FILES or None, instance=office)
    if request.method == "POST" and form.is_valid():
        changed = office_settings_update(form=form, by=request.user, request=request)
        if changed:
            messages.success(request, _("The office settings were saved."))
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("office-settings")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "office_settings": OfficeSettings.from_database()}
    return render(request, "home/office_settings.html", context, status=status)


@require_safe
@login_required
def office_logo(request: HttpRequest) -> HttpResponse:
    """The letterhead logo, inline for the settings page."""
    require_office_manager(request.user)
    office = OfficeSettings.from_database()
    if not office.logo:
        raise Http404
    try:
        return attachment_response(
            office.logo, "logo", office.logo_content_type or "image/png", inline=True
        )
    except FileNotFoundError as exc:
        raise Http404 from exc
