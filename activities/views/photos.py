"""Documentation photos of an activity: upload (validated by peksos.core.uploads: re-encoded,
EXIF stripped, S9 rejections as form errors), serve (permission-checked, never a public URL),
delete. Who sees which photo is decided by `permissions.photos_visible_to`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peksos.core import audit
from peksos.core.refusals import Refusal
from peksos.core.uploads import attachment_response, safe_display_name

from ..forms import PhotoForm
from ..models import ActivityPhoto
from ..permissions import can_edit_activity, get_activity_for_user, photos_visible_to
from ..services import sessions as services


@require_http_methods(["GET", "POST"])
@login_required
def photo_upload(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk, check=can_edit_activity)
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.photo_add(
                activity=activity,
                upload=data["file"],
                caption=data["caption"],
                shows_children=data["shows_children"],
                consent_recorded=data["consent_recorded"],
                by=request.user,
                request=request,
            )
        except Refusal as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The photo was added."))
            return redirect("activities:activity-detail", pk=activity.pk)
    context = {"activity": activity, "form": form}
    return render(request, "activities/activity_photo_form.html", context)


def _visible_photo(request: HttpRequest, photo_pk: int) -> ActivityPhoto:
    activity_id = (
        ActivityPhoto.objects.filter(pk=photo_pk).values_list("activity_id", flat=True).first()
    )
    if activity_id is None:
        raise Http404
    activity = get_activity_for_user(request.user, activity_id)
    photo = photos_visible_to(request.user, activity).filter(pk=photo_pk).first()
    if photo is None:
        raise Http404
    return photo


@require_safe
@login_required
def photo_file(request: HttpRequest, photo_pk: int) -> HttpResponse:
    """The photo for an <img> on the staff pages; `?unduh=1` downloads it."""
    photo = _visible_photo(request, photo_pk)
    name = safe_display_name(photo.display_name, fallback=f"foto-{photo.pk}.jpg")
    download = request.GET.get("unduh") == "1"
    if photo.shows_children:
        # A photo of children is personal data of children (UU PDP): every view is logged.
        with transaction.atomic():
            audit.record(
                "activity_photo_downloaded" if download else "activity_photo_viewed",
                request=request,
                obj=photo,
            )
    try:
        return attachment_response(photo.file, name, photo.content_type, inline=not download)
    except FileNotFoundError:
        raise Http404 from None


@require_POST
@login_required
def photo_delete(request: HttpRequest, photo_pk: int) -> HttpResponse:
    photo = _visible_photo(request, photo_pk)
    activity = get_activity_for_user(request.user, photo.activity_id, check=can_edit_activity)
    services.photo_delete(photo=photo, by=request.user, request=request)
    messages.success(request, _("The photo was deleted."))
    return redirect("activities:activity-detail", pk=activity.pk)
