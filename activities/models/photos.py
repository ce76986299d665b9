"""Documentation photos of an activity (manual Bab 2: the outputs are documented).

A photo is stored in private media under a generated name, re-encoded without metadata by
`peksos.core.uploads.validate_image`, and served only by a permission-checked view. A photo
that shows children carries the parents' consent flag: without consent it is seen by the
programme's staff only (never by school-side roles, never in reports).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peksos.core.uploads import private_storage

from .sessions import Activity


class ActivityPhotoQuerySet(models.QuerySet):
    def publishable(self) -> "ActivityPhotoQuerySet":
        """Photos that may leave the staff pages (school pages, reports): no children, or
        children with the parents' consent recorded."""
        return self.filter(models.Q(shows_children=False) | models.Q(consent_recorded=True))

    def without_children(self) -> "ActivityPhotoQuerySet":
        return self.filter(shows_children=False)


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), storage=private_storage, max_length=200)
    display_name = models.CharField(max_length=120, blank=True)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    shows_children = models.BooleanField(_("children can be recognised in the photo"))
    consent_recorded = models.BooleanField(_("parents' consent recorded"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    objects = ActivityPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.caption or self.display_name or f"foto {self.pk}"

    @property
    def publishable(self) -> bool:
        return not self.shows_children or self.consent_recorded
