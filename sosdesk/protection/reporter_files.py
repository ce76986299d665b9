"""A reporter's photos and screenshots: sent with the public report or with a message on the
tracking page. Checked by the upload gate (peksos/core/uploads.py: JPEG, PNG or WebP by
content, re-encoded so no EXIF or GPS position survives, size and pixel limits), stored as
`CaseAttachment` rows marked `from_reporter` in the private folder, and served only by the
permission-checked download of the case (whoever handles it; always as a download).

A report is never lost to its photos: when the server cannot write them (a full disk), the
report or the message is saved without them and the reporter is told to send them again."""

import logging
from collections.abc import Sequence
from contextlib import suppress

from django import forms
from django.utils.translation import gettext_lazy as _

from peksos.core.uploads import CleanUpload, private_storage, safe_display_name, validate_image

from ..models import Case, CaseAttachment, CaseMessage

log = logging.getLogger(__name__)

MAX_PHOTOS = 3
MAX_BYTES = 10 * 1024 * 1024
PHOTO_ACCEPT = ".jpg,.jpeg,.png,.webp,image/jpeg,image/png,image/webp"
PHOTO_WARNING = _(
    "A photo can show who someone is: a face, a uniform, a name or a number on a screen. "
    "Send only what is needed, and never a photo of a child's body. The place where the "
    "photo was taken is removed from it."
)


def clean_photos(files) -> list[CleanUpload]:
    """Each file through the gate; every refusal named with its file (nothing is kept)."""
    files = files or []
    if len(files) > MAX_PHOTOS:
        raise forms.ValidationError(
            _("At most %(count)s photos; you chose %(chosen)s."),
            code="too_many",
            params={"count": MAX_PHOTOS, "chosen": len(files)},
        )
    cleaned, errors = [], []
    for upload in files:
        try:
            cleaned.append(validate_image(upload, max_bytes=MAX_BYTES, prefix="sosdesk"))
        except forms.ValidationError as exc:
            name = safe_display_name(getattr(upload, "name", ""))
            errors += [
                forms.ValidationError(
                    _("%(name)s: %(reason)s"),
                    code=exc.code or "invalid",
                    params={"name": name, "reason": reason},
                )
                for reason in exc.messages
            ]
    if errors:
        raise forms.ValidationError(errors)
    return cleaned


def write(uploads: Sequence[CleanUpload]) -> list[str] | None:
    """Write the files; their storage names, or None when the server could not (nothing
    is left behind then)."""
    storage = private_storage()
    saved: list[str] = []
    try:
        for upload in uploads:
            saved.append(storage.save(upload.storage_name, upload.as_file()))
    except OSError:
        log.exception("A reporter's photos could not be written.")
        discard([*saved, *(u.storage_name for u in uploads)])
        return None
    return saved


def discard(names: Sequence[str]) -> None:
    storage = private_storage()
    for name in set(names):
        with suppress(OSError):
            storage.delete(name)


def attach(
    case: Case,
    uploads: Sequence[CleanUpload],
    names: Sequence[str],
    message: CaseMessage | None = None,
) -> None:
    """The rows of files already written (inside the caller's transaction)."""
    CaseAttachment.objects.bulk_create(
        CaseAttachment(
            case=case,
            message=message,
            from_reporter=True,
            file=name,
            display_name=upload.display_name[:150],
            content_type=upload.content_type,
            size=upload.size,
            sha256=upload.sha256,
        )
        for upload, name in zip(uploads, names, strict=True)
    )
