"""The one place where uploaded files are checked, cleaned, stored and served (docs/quality.md S9).

Every upload in PEKSOS (activity photos, SOS Desk attachments, ...) goes through
`validate_image` or `validate_document`; both return a `CleanUpload` or raise a Django
`ValidationError` whose message a form shows as a field error.

Rules (the same for every caller):

- **Size**: an empty file is refused; a file of `max_bytes + 1` bytes is refused (the file is
  read at most `max_bytes + 1` bytes far, so an oversized upload is not read into memory).
- **Name**: the user's file name is never used on disk. A name with a path (`/`, `\\`, `..`),
  a NUL or other control character, or a bidirectional override (U+202E "RTLO" and friends,
  used to make `gpj.exe` look like `exe.jpg`) is refused. The extension must match the
  content. The name is kept only as a cleaned *display name* for the download header.
- **Type by content**, never by the name or the browser's content type: images must be JPEG,
  PNG or WebP as detected by Pillow; documents must start with `%PDF-`. SVG is never accepted
  (it is XML that can carry script). Everything else (HTML, executables, Office files,
  archives) is refused.
- **Images are always re-encoded** from their pixels (after applying the EXIF orientation), so
  the stored file holds no metadata at all: no EXIF, no GPS position, no XMP, no ICC profile,
  no text chunks, no trailing bytes. Whatever was appended to or hidden in the original
  (HTML, a ZIP, a PDF, a script) cannot survive into the stored file.
- **Polyglots are refused as well**, not just neutralised: an image whose bytes contain
  markup or script markers (`<script`, `<html>`, `<svg xmlns`, `<?php`, `<iframe`,
  `javascript:`, `onerror=`, ... all at least 6 bytes long, so that they do not turn up by
  chance in compressed pixels), a PDF header, or a ZIP archive directory is refused.
  (Phone "motion photos" append an MP4 video after the JPEG; that is not refused, it is
  simply dropped by the re-encoding.)
- **Decompression bombs**: the pixel count is read from the header before any decoding;
  images over `max_pixels` (40 megapixels by default) are refused, and Pillow's own
  `DecompressionBombWarning`/`Error` are turned into a refusal.
- **PDFs** are stored as sent but refused if they are encrypted or contain active content:
  `/JavaScript`, `/JS`, `/Launch`, `/SubmitForm`, `/ImportData`, `/URI`, `/GoToR`, `/GoToE`,
  `/EmbeddedFile(s)`, `/RichMedia` or `/XFA` (peksos/core/pdf_scan.py). The file is parsed
  with pypdf: every object, also those inside object streams, and every stream decoded
  through its whole filter chain (Flate, ASCIIHex, ASCII85, LZW, RunLength...) is checked, as
  well as the raw bytes (hex-escaped names such as `/J#61vaScript`). A PDF that pypdf cannot
  read is accepted only if it has no stream at all; one it cannot walk to the end is refused.

Storage: `private_storage` (settings.PRIVATE_MEDIA_ROOT, by default under MEDIA_ROOT, which
no URL serves: WhiteNoise serves STATIC_ROOT only and there is no /media/ route; or the
private bucket's private/ prefix when MEDIA_S3 is set, peksos/core/objectstore.py). Files get
generated names (`<prefix>/<yyyy>/<mm>/<uuid4>.<ext>`), mode 0600. They are served only by
permission-checked views through `attachment_response`.

Consent forms (monitoring.forms.ConsentForm) go through `validate_document` too; their bytes are
then encrypted at rest and served, decrypted, through `attachment_response` as bytes.
tests/core/test_upload_gate.py finds every upload field and stored file of the project and
proves each goes through this module.

Usage (see sosdesk: CaseAttachment, forms.NoteForm, services.case_note, views.case_attachment):

    # model
    photo = models.FileField(storage=private_storage, max_length=200, blank=True)
    # form: clean_<field>() returns validate_image(self.cleaned_data["photo"], prefix="visits")
    # service: obj.photo = clean.as_file(); obj.save()   (stored under clean.storage_name)
    #          keep clean.display_name / content_type / sha256 on the row if you serve it
    # view (after the permission check and an audit row):
    return attachment_response(obj.photo, display_name, content_type)
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import unicodedata
import uuid
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from . import pdf_scan

MB = 1024 * 1024
IMAGE_MAX_BYTES = 10 * MB
DOCUMENT_MAX_BYTES = 10 * MB
MAX_PIXELS = 40_000_000

# Detected format -> (content type, canonical extension, extensions accepted in the name).
IMAGE_TYPES = {
    "JPEG": ("image/jpeg", "jpg", {"jpg", "jpeg", "jpe", "jfif"}),
    "PNG": ("image/png", "png", {"png"}),
    "WEBP": ("image/webp", "webp", {"webp"}),
}
PDF_TYPE = ("application/pdf", "pdf", {"pdf"})
SAFE_CONTENT_TYPES = {t[0] for t in IMAGE_TYPES.values()} | {PDF_TYPE[0]}

# Unicode bidirectional controls: embeddings, overrides (U+202E RTLO), isolates, marks.
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")

# Byte sequences that make an image something else as well (compared lower-cased). Each is
# at least 6 bytes long: a shorter one would turn up by chance in the compressed data of
# large photos (a 4-byte marker in about 2 of 100 photos of 10 MB), refusing honest files.
POLYGLOT_MARKERS = (
    b"<script",
    b"</script",
    b"<html>",
    b"<html ",
    b"<!doctype",
    b"<svg xmlns",
    b"<svg onload",
    b"<?php ",
    b"<?php\n",
    b"<iframe",
    b"<object",
    b"<embed ",
    b"<body>",
    b"<body ",
    b"<meta http-equiv",
    b"<img src",
    b"<a href",
    b"onload=",
    b"onerror=",
    b"javascript:",
)
PDF_HEADER = b"%PDF-"  # compared as is: PDF readers need it upper-case
DISPLAY_NAME_MAX = 120


@dataclass(frozen=True)
class CleanUpload:
    """A checked upload, ready to store: `content` is what goes to disk (re-encoded for
    images), `storage_name` a generated path, `display_name` the cleaned original name."""

    content: bytes
    content_type: str
    extension: str
    storage_name: str
    display_name: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    def as_file(self) -> ContentFile:
        """A ContentFile named with the generated storage name, for `FileField.save()` or
        for assigning to a FileField before `Model.save()`."""
        return ContentFile(self.content, name=self.storage_name)


class _PrivateDisk(FileSystemStorage):
    """The validated uploads on a disk: owner-only permissions, under PRIVATE_MEDIA_ROOT
    (read at call time: tests override it)."""

    def __init__(self):
        super().__init__(file_permissions_mode=0o600, directory_permissions_mode=0o700)

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


_private_disk = _PrivateDisk()


class PrivateStorage(Storage):
    """Files only permission-checked views may serve: no URL. On a disk (`_PrivateDisk`), or
    in the private bucket under private/ when settings.MEDIA_S3 is set
    (peksos/core/objectstore.py), decided at each call."""

    def backend(self) -> Storage:
        from . import objectstore

        return objectstore.private_backend() if objectstore.enabled() else _private_disk

    def _open(self, name, mode="rb"):
        return self.backend()._open(name, mode)

    def _save(self, name, content):
        return self.backend()._save(name, content)

    def get_available_name(self, name, max_length=None):
        return self.backend().get_available_name(name, max_length=max_length)

    def delete(self, name):
        return self.backend().delete(name)

    def exists(self, name):
        return self.backend().exists(name)

    def size(self, name):
        return self.backend().size(name)

    def listdir(self, path):
        return self.backend().listdir(path)

    def path(self, name):
        return self.backend().path(name)

    def get_modified_time(self, name):
        return self.backend().get_modified_time(name)

    def url(self, name):
        raise ValueError("Private uploads have no URL; serve them with attachment_response().")

    def deconstruct(self):
        return ("peksos.core.uploads.PrivateStorage", (), {})


_private_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    """The storage for every validated upload (use as `FileField(storage=private_storage)`)."""
    return _private_storage


# --- name checks ------------------------------------------------------------------------


def _check_name(raw_name: str) -> tuple[str, str]:
    """Refuse dangerous names; return (display name, lower-case extension)."""
    name = raw_name or ""
    if any(ch in name for ch in "/\\\x00") or name.strip() in {".", ".."}:
        raise ValidationError(
            _("The file name must not contain a folder path or special characters."),
            code="bad_name",
        )
    for ch in name:
        if ch in BIDI_CONTROLS or unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"}:
            raise ValidationError(
                _("The file name contains hidden or control characters. Rename the file."),
                code="bad_name",
            )
    name = unicodedata.normalize("NFC", name).strip().strip(".")
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem.strip() or not ext:
        raise ValidationError(
            _("The file name must end in an extension such as .jpg, .png or .pdf."),
            code="no_extension",
        )
    ext = ext.lower()
    stem = re.sub(r"\s+", " ", stem).strip()
    stem = stem[: DISPLAY_NAME_MAX - len(ext) - 1]
    return f"{stem}.{ext}", ext


def safe_display_name(raw_name: str, fallback: str = "berkas") -> str:
    """A name fit for a header or a page; never raises (for names stored earlier)."""
    cleaned = "".join(
        ch
        for ch in unicodedata.normalize("NFC", raw_name or "")
        if ch not in BIDI_CONTROLS
        and ch not in "/\\"
        and unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
    )
    cleaned = re.sub(r"\s+", " ", cleaned).strip().strip(".")
    return cleaned[-DISPLAY_NAME_MAX:] or fallback


def _storage_name(prefix: str, ext: str) -> str:
    now = timezone.now()
    prefix = re.sub(r"[^a-z0-9_-]", "", prefix.lower()) or "uploads"
    return f"{prefix}/{now:%Y}/{now:%m}/{uuid.uuid4().hex}.{ext}"


# --- reading --------------------------------------------------------------------------


def _read_limited(uploaded_file, max_bytes: int) -> bytes:
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > max_bytes:
        raise _too_big(max_bytes)
    if hasattr(uploaded_file, "seek"):
        with contextlib.suppress(OSError, ValueError):
            uploaded_file.seek(0)
    data = uploaded_file.read(max_bytes + 1)
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    if len(data) > max_bytes:
        raise _too_big(max_bytes)
    return bytes(data)


def _too_big(max_bytes: int) -> ValidationError:
    if max_bytes >= MB:
        limit = f"{max_bytes / MB:.0f} MB" if max_bytes % MB == 0 else f"{max_bytes / MB:.1f} MB"
    else:
        limit = f"{max(1, max_bytes // 1024)} KB" if max_bytes >= 1024 else f"{max_bytes} B"
    return ValidationError(
        _("The file is too large: at most %(limit)s."), code="too_big", params={"limit": limit}
    )


def _looks_like_svg_or_markup(data: bytes) -> bool:
    """SVG, HTML and any other markup start with "<" (after a byte-order mark or spaces)."""
    return data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n\x0c").startswith(b"<")


def _polyglot(data: bytes) -> bool:
    lowered = data.lower()
    if PDF_HEADER in data or any(marker in lowered for marker in POLYGLOT_MARKERS):
        return True
    try:
        return zipfile.is_zipfile(io.BytesIO(data))
    except Exception:  # a broken "archive" is still not an image
        return True


# --- images -----------------------------------------------------------------------------


def _reencode(data: bytes, max_pixels: int) -> tuple[bytes, str]:
    """Decode the pixels and write a fresh file; returns (bytes, Pillow format)."""
    not_image = ValidationError(
        _("This is not a JPEG, PNG or WebP photo, or the file is damaged."),
        code="not_image",
    )
    too_many_pixels = ValidationError(
        _("The image is too large: at most %(mp)s megapixels."),
        code="too_many_pixels",
        params={"mp": max_pixels // 1_000_000},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=list(IMAGE_TYPES)) as im:
                fmt = im.format
                width, height = im.size
                if width <= 0 or height <= 0 or width * height > max_pixels:
                    raise too_many_pixels
                im.seek(0)  # animated images: the first frame only
                im.load()
                im = ImageOps.exif_transpose(im)
                im.load()
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_many_pixels from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise not_image from None
        except Exception:  # a crafted file must never become a 500
            raise not_image from None

    try:
        return _write_pixels(im, fmt), fmt
    except Exception:  # an odd pixel format Pillow cannot write back: refuse, never a 500
        raise not_image from None


def _write_pixels(im: Image.Image, fmt: str) -> bytes:
    """A new file with the pixels only (and the palette): nothing from `info` (EXIF, XMP,
    ICC profile, text chunks, comments) can be written back by the encoder."""
    if im.mode == "P" and "transparency" in im.info:
        im = im.convert("RGBA")  # keep transparency without carrying `info` over
    if fmt == "JPEG":
        if im.mode not in ("RGB", "L"):
            im = im.convert("RGB")
        save_args = {"quality": 88, "optimize": True}
    elif fmt == "PNG":
        if im.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            im = im.convert("RGBA" if "A" in im.getbands() else "RGB")
        save_args = {"optimize": False}
    else:  # WEBP
        if im.mode not in ("RGB", "RGBA"):
            im = im.convert("RGBA" if "A" in im.getbands() else "RGB")
        save_args = {"quality": 88}
    clean = Image.new(im.mode, im.size)
    clean.paste(im)
    if im.mode == "P":
        clean.putpalette(im.getpalette() or [])
    clean.info = {}
    out = io.BytesIO()
    clean.save(out, format=fmt, **save_args)
    return out.getvalue()


def validate_image(
    uploaded_file,
    *,
    max_bytes: int = IMAGE_MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    prefix: str = "images",
) -> CleanUpload:
    """Check a photo upload (JPEG, PNG or WebP) and return it re-encoded without metadata."""
    display_name, ext = _check_name(getattr(uploaded_file, "name", "") or "")
    data = _read_limited(uploaded_file, max_bytes)
    return _clean_image(data, display_name, ext, max_pixels, prefix)


def _clean_image(data, display_name, ext, max_pixels, prefix) -> CleanUpload:
    if _looks_like_svg_or_markup(data) or ext in {"svg", "svgz"}:
        raise ValidationError(
            _("SVG images and web pages are not accepted. Send a JPEG, PNG or WebP photo."),
            code="svg",
        )
    if _polyglot(data):
        raise ValidationError(
            _("The image contains hidden content (for example a web page or an archive)."),
            code="polyglot",
        )
    content, fmt = _reencode(data, max_pixels)
    content_type, canonical_ext, accepted_exts = IMAGE_TYPES[fmt]
    if ext not in accepted_exts:
        raise ValidationError(
            _("The file name ends in .%(ext)s but the file is a %(kind)s image."),
            code="extension_mismatch",
            params={"ext": ext, "kind": fmt},
        )
    return CleanUpload(
        content=content,
        content_type=content_type,
        extension=canonical_ext,
        storage_name=_storage_name(prefix, canonical_ext),
        display_name=display_name,
        sha256=hashlib.sha256(content).hexdigest(),
    )


# --- documents --------------------------------------------------------------------------


def validate_document(
    uploaded_file,
    *,
    max_bytes: int = DOCUMENT_MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    prefix: str = "documents",
) -> CleanUpload:
    """Check an attachment: a PDF without active content, or a photo (re-encoded)."""
    display_name, ext = _check_name(getattr(uploaded_file, "name", "") or "")
    data = _read_limited(uploaded_file, max_bytes)
    if data.startswith(b"%PDF-"):
        if ext not in PDF_TYPE[2]:
            raise ValidationError(
                _("The file name ends in .%(ext)s but the file is a PDF."),
                code="extension_mismatch",
                params={"ext": ext},
            )
        if pdf_scan.is_encrypted(data):
            raise ValidationError(
                _("Password-protected PDF files are not accepted."), code="pdf_encrypted"
            )
        if pdf_scan.has_active_content(data):
            raise ValidationError(
                _(
                    "This PDF contains scripts, embedded files or actions and is not "
                    "accepted. Print it to a new PDF or scan it, then try again."
                ),
                code="pdf_active",
            )
        return CleanUpload(
            content=data,
            content_type=PDF_TYPE[0],
            extension=PDF_TYPE[1],
            storage_name=_storage_name(prefix, PDF_TYPE[1]),
            display_name=display_name,
            sha256=hashlib.sha256(data).hexdigest(),
        )
    if ext in {"pdf"}:
        raise ValidationError(
            _("The file name ends in .pdf but the file is not a PDF."), code="extension_mismatch"
        )
    if _looks_like_svg_or_markup(data) or ext in {"svg", "svgz", "html", "htm", "xhtml"}:
        raise ValidationError(
            _("SVG images and web pages are not accepted. Send a PDF, JPEG, PNG or WebP file."),
            code="svg",
        )
    image_ext = set().union(*(t[2] for t in IMAGE_TYPES.values()))
    if ext not in image_ext:
        raise ValidationError(
            _("Only PDF, JPEG, PNG and WebP files are accepted."), code="unsupported"
        )
    try:
        return _clean_image(data, display_name, ext, max_pixels, prefix)
    except ValidationError as exc:
        if exc.code == "not_image":
            raise ValidationError(
                _("Only PDF, JPEG, PNG and WebP files are accepted."), code="unsupported"
            ) from None
        raise


# --- serving ----------------------------------------------------------------------------


def attachment_response(
    file_field_or_path, display_name: str, content_type: str, *, inline: bool = False
) -> FileResponse:
    """Serve a stored upload, for permission-checked views: every upload is served here.

    `file_field_or_path` is a FieldFile, a name relative to PRIVATE_MEDIA_ROOT, or the bytes
    themselves (a file decrypted by its view). A download (`Content-Disposition: attachment`)
    unless `inline` is asked for an image (re-encoded by `validate_image`) shown in an
    `<img>`; a PDF is never inline. Raises FileNotFoundError (let the view turn it into a
    404) when the file is gone."""
    if isinstance(file_field_or_path, bytes):
        handle = io.BytesIO(file_field_or_path)
    elif hasattr(file_field_or_path, "open") and hasattr(file_field_or_path, "name"):
        handle = file_field_or_path.storage.open(file_field_or_path.name, "rb")
    elif not isinstance(_private_storage.backend(), FileSystemStorage):
        name = str(file_field_or_path)
        if name.startswith("/") or ".." in name.split("/"):
            raise FileNotFoundError(name)
        if not _private_storage.exists(name):
            raise FileNotFoundError(name)
        handle = _private_storage.open(name, "rb")
    else:
        root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
        target = (root / str(file_field_or_path)).resolve()
        if not target.is_relative_to(root):
            raise FileNotFoundError(str(file_field_or_path))
        handle = open(target, "rb")  # noqa: SIM115 - FileResponse closes it
    if content_type not in SAFE_CONTENT_TYPES:
        content_type = "application/octet-stream"
    image_types = {t[0] for t in IMAGE_TYPES.values()}
    response = FileResponse(
        handle,
        as_attachment=not (inline and content_type in image_types),
        filename=safe_display_name(display_name),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Frame-Options"] = "DENY"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
