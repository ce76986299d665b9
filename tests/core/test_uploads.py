"""The shared upload checks (peksos/core/uploads.py): every case of docs/quality.md S9.

Files are built here with Pillow (and by hand for the crafted ones), so each test shows the
exact bytes it refuses or accepts."""

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, TiffImagePlugin

from peksos.core import uploads
from peksos.core.uploads import attachment_response, validate_document, validate_image

# from shared/testdata
XSS_PAYLOADS = Path(__file__).resolve().parents[1] / "data" / "xss-payloads.txt"
STORAGE_NAME = re.compile(r"^[a-z]+/\d{4}/\d{2}/[0-9a-f]{32}\.(jpg|png|webp|pdf)$")


class RawUpload(io.BytesIO):
    """An upload with its name exactly as sent: Django's UploadedFile would cut the folder
    part off, and the module must hold even when a caller hands it a raw name."""

    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name
        self.size = len(data)


def image_bytes(fmt="JPEG", size=(64, 48), mode="RGB", **save) -> bytes:
    im = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else 1)
    out = io.BytesIO()
    im.save(out, format=fmt, **save)
    return out.getvalue()


def gps_jpeg() -> bytes:
    """A phone photo: 60x40 pixels, rotated by EXIF (orientation 6), with a GPS position
    (Kota Metro, 5.11 S 105.30 E), camera make and a comment."""
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x010F] = "CANARY-CAMERA"
    gps = {
        1: "S",
        2: (TiffImagePlugin.IFDRational(5), TiffImagePlugin.IFDRational(6), 0),
        3: "E",
        4: (TiffImagePlugin.IFDRational(105), TiffImagePlugin.IFDRational(18), 0),
    }
    exif[0x8825] = gps
    im = Image.new("RGB", (60, 40), (10, 120, 200))
    out = io.BytesIO()
    im.save(out, format="JPEG", exif=exif.tobytes(), comment=b"CANARY-COMMENT")
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def huge_header_png(width: int, height: int) -> bytes:
    """A 100-byte PNG that claims width × height pixels (a decompression bomb's header)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def pdf_bytes(body: bytes = b"", *, stream: bytes | None = None) -> bytes:
    """A small valid-looking PDF with an optional extra dictionary entry and a Flate stream."""
    parts = [
        b"%PDF-1.7\n",
        b"1 0 obj << /Type /Catalog /Pages 2 0 R " + body + b" >> endobj\n",
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n",
    ]
    if stream is not None:
        packed = zlib.compress(stream)
        parts.append(
            b"3 0 obj << /Type /ObjStm /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed)
            + packed
            + b"\nendstream endobj\n"
        )
    parts.append(b"trailer << /Root 1 0 R >>\n%%EOF\n")
    return b"".join(parts)


def refused(validate, data: bytes, name: str, code: str | None = None, **kwargs):
    with pytest.raises(ValidationError) as caught:
        validate(RawUpload(data, name), **kwargs)
    if code:
        assert caught.value.code == code, caught.value
    return caught.value


# --- accepted photos -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "name", "content_type"),
    [
        ("JPEG", "foto kunjungan.jpg", "image/jpeg"),
        ("JPEG", "IMG_0001.JPEG", "image/jpeg"),
        ("PNG", "layar.png", "image/png"),
        ("WEBP", "foto.webp", "image/webp"),
    ],
)
def test_photos_are_accepted_reencoded_and_stored_under_a_generated_name(fmt, name, content_type):
    data = image_bytes(fmt)
    clean = validate_image(SimpleUploadedFile(name, data, content_type="text/html"))
    assert clean.content_type == content_type  # from the content, not from the browser
    assert STORAGE_NAME.match(clean.storage_name)
    assert name.rsplit(".", 1)[0] not in clean.storage_name
    assert clean.display_name == name.rsplit(".", 1)[0] + "." + name.rsplit(".", 1)[1].lower()
    with Image.open(io.BytesIO(clean.content)) as im:
        assert im.format == fmt and im.size == (64, 48)
    assert clean.size == len(clean.content)
    assert len(clean.sha256) == 64
    assert validate_image(RawUpload(data, name)).storage_name != clean.storage_name


def test_gps_exif_and_every_other_metadata_is_stripped_and_orientation_kept():
    original = gps_jpeg()
    with Image.open(io.BytesIO(original)) as im:
        assert im.getexif().get_ifd(0x8825)  # the test photo really carries a GPS position
        assert im.size == (60, 40)
    clean = validate_image(RawUpload(original, "rumah.jpg"))
    with Image.open(io.BytesIO(clean.content)) as im:
        assert im.size == (40, 60)  # turned upright before the orientation tag was dropped
        assert dict(im.getexif()) == {}
        assert not im.getexif().get_ifd(0x8825)
        assert "exif" not in im.info and "comment" not in im.info and "icc_profile" not in im.info
    for marker in (b"Exif", b"CANARY-CAMERA", b"CANARY-COMMENT", b"GPS"):
        assert marker not in clean.content


def test_png_text_chunks_and_webp_exif_are_stripped():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "CANARY-PNG-TEXT")
    data = image_bytes("PNG", pnginfo=info)
    assert b"CANARY-PNG-TEXT" in data
    assert b"CANARY-PNG-TEXT" not in validate_image(RawUpload(data, "a.png")).content

    exif = Image.Exif()
    exif[0x010F] = "CANARY-WEBP-EXIF"
    data = image_bytes("WEBP", exif=exif.tobytes())
    assert b"CANARY-WEBP-EXIF" in data
    assert b"CANARY-WEBP-EXIF" not in validate_image(RawUpload(data, "a.webp")).content


@pytest.mark.parametrize(
    ("mode", "fmt", "name"),
    [
        ("CMYK", "JPEG", "a.jpg"),
        ("L", "JPEG", "a.jpg"),
        ("P", "PNG", "a.png"),
        ("RGBA", "PNG", "a.png"),
        ("I;16", "PNG", "a.png"),
        ("1", "PNG", "a.png"),
        ("LA", "PNG", "a.png"),
        ("RGBA", "WEBP", "a.webp"),
    ],
)
def test_unusual_pixel_formats_are_reencoded_or_refused_never_crash(mode, fmt, name):
    im = Image.new(mode, (20, 10))
    out = io.BytesIO()
    im.save(out, format=fmt)
    try:
        clean = validate_image(RawUpload(out.getvalue(), name))
    except ValidationError as exc:
        assert exc.code == "not_image"
    else:
        with Image.open(io.BytesIO(clean.content)) as reread:
            assert reread.format == fmt and reread.size == (20, 10)


def test_a_palette_png_keeps_its_transparency():
    im = Image.new("P", (10, 10), 0)
    im.putpalette([255, 0, 0, 0, 255, 0])
    out = io.BytesIO()
    im.save(out, "PNG", transparency=0)
    clean = validate_image(RawUpload(out.getvalue(), "a.png"))
    with Image.open(io.BytesIO(clean.content)) as reread:
        assert reread.convert("RGBA").getpixel((0, 0))[3] == 0


# --- size ------------------------------------------------------------------------------


def test_a_file_at_the_limit_passes_and_one_byte_more_is_refused():
    data = image_bytes()
    assert validate_image(RawUpload(data, "a.jpg"), max_bytes=len(data)).size > 0
    error = refused(validate_image, data, "a.jpg", "too_big", max_bytes=len(data) - 1)
    assert error.messages[0].endswith(f"{len(data) - 1} B.")
    pdf = pdf_bytes()
    assert validate_document(RawUpload(pdf, "a.pdf"), max_bytes=len(pdf)).content == pdf
    refused(validate_document, pdf, "a.pdf", "too_big", max_bytes=len(pdf) - 1)


def test_a_file_whose_size_attribute_lies_is_still_cut_at_the_limit():
    data = image_bytes()
    upload = RawUpload(data, "a.jpg")
    upload.size = 10  # a caller's wrong size must not let more bytes through
    with pytest.raises(ValidationError) as caught:
        validate_image(upload, max_bytes=len(data) - 1)
    assert caught.value.code == "too_big"


def test_the_default_limit_is_ten_megabytes():
    big = RawUpload(b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024 - 2), "a.jpg")
    with pytest.raises(ValidationError) as caught:
        validate_image(big)
    assert caught.value.code == "too_big"


def test_an_empty_file_is_refused():
    refused(validate_image, b"", "a.jpg", "empty")
    refused(validate_document, b"", "a.pdf", "empty")


# --- type by content -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("PNG", "a.jpg"), ("JPEG", "a.png"), ("WEBP", "a.jpg"), ("JPEG", "a.gif"), ("JPEG", "a.exe")],
)
def test_an_extension_that_does_not_match_the_content_is_refused(fmt, name):
    refused(validate_image, image_bytes(fmt), name, "extension_mismatch")


def test_documents_check_the_extension_against_the_content_both_ways():
    refused(validate_document, pdf_bytes(), "surat.jpg", "extension_mismatch")
    refused(validate_document, image_bytes(), "surat.pdf", "extension_mismatch")


def test_a_name_without_extension_is_refused():
    refused(validate_image, image_bytes(), "foto", "no_extension")
    refused(validate_image, image_bytes(), ".jpg", "no_extension")


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        b"BM" + b"\x00" * 60,
        b"not an image at all",
        b"\xff\xd8\xff\xe0" + b"\x00" * 40,  # a JPEG header with nothing behind it
    ],
)
def test_other_or_damaged_images_are_refused(data):
    refused(validate_image, data, "a.jpg", "not_image")


SVG_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)


@pytest.mark.parametrize("name", ["gambar.svg", "gambar.png", "gambar.jpg"])
def test_svg_with_script_is_refused_whatever_its_name(name):
    refused(validate_image, SVG_SCRIPT, name, "svg")
    refused(validate_document, SVG_SCRIPT, name if name != "gambar.png" else "a.svg", "svg")


def test_a_harmless_svg_is_refused_too():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'
    refused(validate_image, svg, "a.svg", "svg")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<!doctype html><html><script>alert(1)</script></html>", "a.html"),
        (b"<html><body>hi</body></html>", "a.jpg"),
        (b"MZ\x90\x00" + b"\x00" * 100, "setup.exe"),
        (b"\x7fELF" + b"\x00" * 100, "a.bin"),
        (b"PK\x03\x04" + b"\x00" * 100, "laporan.docm"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "surat.doc"),
        (b"#!/bin/sh\nrm -rf /\n", "a.sh"),
    ],
)
def test_documents_other_than_pdf_and_photos_are_refused(data, name):
    error = refused(validate_document, data, name)
    assert error.code in {"unsupported", "svg"}


# --- polyglots -------------------------------------------------------------------------


def zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.js", "alert(1)")
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
@pytest.mark.parametrize(
    "payload",
    [
        b"<html><script>alert(document.cookie)</script></html>",
        b"<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        b"<?php system($_GET['c']); ?>",
        b"%PDF-1.4\n1 0 obj << /JavaScript (app.alert(1)) >> endobj",
        b"<svg onload=alert(1)>",
        None,  # a ZIP archive appended (a JAR/DOCX-style polyglot)
    ],
)
def test_polyglots_are_refused(fmt, payload):
    data = image_bytes(fmt) + (zip_archive() if payload is None else payload)
    with Image.open(io.BytesIO(data)) as im:  # still a valid image to an image reader
        im.load()
    refused(validate_image, data, "a.jpg" if fmt == "JPEG" else "a.png", "polyglot")
    refused(validate_document, data, "a.jpg" if fmt == "JPEG" else "a.png", "polyglot")


def test_large_noisy_photos_are_not_mistaken_for_polyglots():
    """Compressed pixels are near-random bytes: the markers must be long enough not to turn
    up in them by chance (24 MB of JPEG data here)."""
    for seed in range(3):
        bands = [Image.effect_noise((2400, 1800), 90 + seed * 10) for _ in range(3)]
        out = io.BytesIO()
        Image.merge("RGB", bands).save(out, "JPEG", quality=97)
        data = out.getvalue()
        assert len(data) > 4 * 1024 * 1024
        clean = validate_image(RawUpload(data, f"noise{seed}.jpg"))
        assert clean.content_type == "image/jpeg"


def test_script_hidden_in_a_jpeg_comment_is_refused():
    data = image_bytes("JPEG", comment=b"<script>alert(1)</script>")
    refused(validate_image, data, "a.jpg", "polyglot")


def test_a_motion_photo_trailer_is_dropped_not_refused():
    """Android motion photos append a video after the JPEG: harmless bytes that the
    re-encoding leaves behind."""
    trailer = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8
    clean = validate_image(RawUpload(image_bytes() + trailer, "PXL_0001.MP.jpg"))
    assert b"ftypmp42" not in clean.content


# --- names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../evil.jpg",
        "../../etc/passwd.jpg",
        "folder/evil.jpg",
        "..\\..\\evil.jpg",
        "C:\\Users\\a.jpg",
        "evil\x00.jpg",
        "evil.jpg\x00.png",
        "bell\x07.jpg",
        "new\nline.jpg",
        "photo\u202egpj.exe",  # shows as "photoexe.jpg"
        "photo\u202dx.jpg",
        "photo\u2066x\u2069.jpg",
        "photo\u200f.jpg",
        "zero\u200bwidth.jpg",
        "..",
    ],
)
def test_dangerous_names_are_refused(name):
    error = refused(validate_image, image_bytes(), name)
    assert error.code in {"bad_name", "no_extension"}
    error = refused(validate_document, pdf_bytes(), name)
    assert error.code in {"bad_name", "no_extension"}


def test_django_cuts_folders_off_and_the_name_is_still_never_used_on_disk():
    upload = SimpleUploadedFile("../../evil.jpg", image_bytes())
    clean = validate_image(upload)
    assert clean.display_name == "evil.jpg"
    assert "evil" not in clean.storage_name and ".." not in clean.storage_name


def test_display_names_are_cleaned_and_shortened():
    clean = validate_image(RawUpload(image_bytes(), "  Foto   Sekolah " + "x" * 300 + ".JPG"))
    assert clean.display_name.startswith("Foto Sekolah x")
    assert clean.display_name.endswith(".jpg") and len(clean.display_name) <= 120
    assert uploads.safe_display_name("a\u202eb/c\\d\x00.pdf") == "abcd.pdf"
    assert uploads.safe_display_name("\u202e") == "berkas"


def test_xss_payloads_as_file_names_never_break_the_checks():
    payloads = [p for p in XSS_PAYLOADS.read_text(errors="replace").splitlines() if p][:400]
    assert len(payloads) >= 100
    accepted = 0
    for payload in payloads:
        try:
            clean = validate_image(RawUpload(image_bytes(), payload + ".jpg"))
        except ValidationError as exc:
            assert exc.code in {"bad_name", "no_extension"}
            continue
        accepted += 1
        assert "/" not in clean.display_name and "\\" not in clean.display_name
        assert STORAGE_NAME.match(clean.storage_name)
    assert accepted > 0


# --- decompression bombs ---------------------------------------------------------------


def test_an_image_over_the_pixel_cap_is_refused():
    big = image_bytes("PNG", size=(8000, 5001), mode="1")  # 40.008 megapixels, a few KB
    assert len(big) < 200_000
    error = refused(validate_image, big, "a.png", "too_many_pixels")
    assert "40" in error.messages[0]
    ok = image_bytes("PNG", size=(100, 100), mode="1")
    refused(validate_image, ok, "a.png", "too_many_pixels", max_pixels=9_999)
    assert validate_image(RawUpload(ok, "a.png"), max_pixels=10_000).content_type == "image/png"


@pytest.mark.parametrize(("width", "height"), [(100_000, 100_000), (2**31 - 1, 2**31 - 1)])
def test_a_crafted_header_claiming_billions_of_pixels_is_refused_without_decoding(width, height):
    refused(validate_image, huge_header_png(width, height), "bom.png", "too_many_pixels")


def test_pillows_decompression_bomb_warning_becomes_a_refusal(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000)
    data = image_bytes("PNG", size=(50, 50))
    refused(validate_image, data, "a.png", "too_many_pixels", max_pixels=10**9)


# --- PDFs ------------------------------------------------------------------------------


def real_pdf(**metadata) -> bytes:
    """A real one-page PDF written by pypdf, with a compressed content stream."""
    from pypdf import PdfWriter
    from pypdf.generic import ContentStream

    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    content = ContentStream(None, writer)
    content.set_data(b"BT /F1 12 Tf 20 100 Td (Surat) Tj ET")
    page.replace_contents(content)
    page.compress_content_streams()
    if metadata:
        writer.add_metadata(metadata)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_object_stream(hidden: bytes, encode) -> bytes:
    """A PDF whose catalog opens object 4, kept in a cross-reference-listed object stream
    encoded by `encode` (returns the filter name and the encoded bytes)."""
    header = b"4 0 "
    filter_name, encoded = encode(header + hidden)
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        2: b"<< /Type /Pages /Kids [] /Count 0 >>",
        3: b"<< /Type /ObjStm /N 1 /First %d /Filter %s /Length %d >>\nstream\n%s\nendstream"
        % (len(header), filter_name, len(encoded), encoded),
    }
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    for number, body in objects.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    offsets[5] = len(out)
    rows = [struct.pack(">BIH", 0, 0, 0xFFFF)]
    rows += [struct.pack(">BIH", 1, offsets[n], 0) for n in (1, 2, 3)]
    rows += [struct.pack(">BIH", 2, 3, 0), struct.pack(">BIH", 1, offsets[5], 0)]
    table = b"".join(rows)
    out += (
        b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % len(table)
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[5]
    )
    return bytes(out)


def ascii_hex(data: bytes):
    return b"/ASCIIHexDecode", data.hex().encode() + b">"


def ascii85(data: bytes):
    import base64

    return b"/ASCII85Decode", base64.a85encode(data) + b"~>"


def hex_then_flate(data: bytes):
    return b"[/ASCIIHexDecode /FlateDecode]", zlib.compress(data).hex().encode() + b">"


def raw_deflate(data: bytes):
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return b"/FlateDecode", packer.compress(data) + packer.flush()


def plain(data: bytes):
    return b"/FlateDecode", zlib.compress(data)


def test_the_object_stream_builder_makes_readable_pdfs():
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf_with_object_stream(b"<< /S /GoTo /D [0] >>", ascii_hex)))
    assert reader.get_object(4)["/S"] == "/GoTo"
    validate_document(RawUpload(pdf_with_object_stream(b"<< /S /GoTo /D [0] >>", plain), "a.pdf"))


@pytest.mark.parametrize("encode", [ascii_hex, ascii85, hex_then_flate, raw_deflate, plain])
@pytest.mark.parametrize(
    "action",
    [
        b"<< /S /JavaScript /JS (app.alert(1)) >>",
        b"<< /S /SubmitForm /F (https://contoh.example/terima) >>",
        b"<< /S /URI /URI (https://contoh.example/) >>",
        b"<< /S /Launch /F (cmd.exe) >>",
    ],
)
def test_actions_hidden_in_encoded_object_streams_are_refused(encode, action):
    """Issue #21, finding 3: the byte scan let these through."""
    data = pdf_with_object_stream(action, encode)
    refused(validate_document, data, "a.pdf", "pdf_active")


def test_a_cr_only_stream_keyword_does_not_hide_a_script():
    packed = zlib.compress(b"4 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj")
    data = pdf_bytes().replace(
        b"trailer",
        b"3 0 obj << /Filter /FlateDecode /Length %d >>\rstream\r%s\rendstream endobj\ntrailer"
        % (len(packed), packed),
    )
    refused(validate_document, data, "a.pdf", "pdf_active")


def test_an_encrypted_pdf_written_by_pypdf_is_refused():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt(user_password="", owner_password="rahasia", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    refused(validate_document, out.getvalue(), "a.pdf", "pdf_encrypted")


def test_an_embedded_file_written_by_pypdf_is_refused():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_attachment("isi.exe", b"MZ\x90\x00")
    out = io.BytesIO()
    writer.write(out)
    refused(validate_document, out.getvalue(), "a.pdf", "pdf_active")


def test_a_plain_pdf_is_kept_as_sent():
    data = real_pdf(**{"/Title": "Surat", "/Lang": "id-ID"})
    clean = validate_document(RawUpload(data, "Surat Kepolisian.PDF"))
    assert clean.content == data
    assert clean.content_type == "application/pdf"
    assert clean.display_name == "Surat Kepolisian.pdf"
    assert STORAGE_NAME.match(clean.storage_name)


@pytest.mark.parametrize(
    "body",
    [
        b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
        b"/AA << /O << /JS (x) >> >>",
        b"/OpenAction << /S /Launch /F (cmd.exe) >>",
        b"/Names << /EmbeddedFiles 5 0 R >>",
        b"/EmbeddedFile 6 0 R",
        b"/RichMedia 7 0 R",
        b"/AcroForm << /XFA 8 0 R >>",
        b"/OpenAction << /S /J#61vaScript /J#53 (x) >>",  # hex-escaped names
    ],
)
def test_pdfs_with_active_content_are_refused(body):
    refused(validate_document, pdf_bytes(body), "a.pdf", "pdf_active")


def test_javascript_hidden_in_a_compressed_object_stream_is_refused():
    data = pdf_bytes(stream=b"4 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj")
    assert b"JavaScript" not in data
    refused(validate_document, data, "a.pdf", "pdf_active")


def test_an_encrypted_pdf_is_refused():
    refused(validate_document, pdf_bytes(b"/Encrypt 9 0 R"), "a.pdf", "pdf_encrypted")


def test_photos_are_accepted_as_documents_and_reencoded():
    clean = validate_document(RawUpload(gps_jpeg(), "bukti.jpg"))
    assert clean.content_type == "image/jpeg" and b"Exif" not in clean.content


# --- messages --------------------------------------------------------------------------


def test_messages_are_in_indonesian():
    with translation.override("id"):
        error = refused(validate_image, b"", "a.jpg", "empty")
        assert error.messages == ["Berkas kosong."]
        error = refused(validate_image, image_bytes(), "a.jpg", "too_big", max_bytes=10)
        assert "terlalu besar" in error.messages[0]


# --- serving ---------------------------------------------------------------------------


def test_attachment_response_forces_a_download_with_safe_headers(tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    storage = uploads.private_storage()
    clean = validate_document(RawUpload(pdf_bytes(), 'Surat ñ "x".pdf'))
    name = storage.save(clean.storage_name, clean.as_file())
    assert name == clean.storage_name
    stored = tmp_path / name
    assert stored.read_bytes() == clean.content
    assert stored.stat().st_mode & 0o077 == 0  # owner-only
    response = attachment_response(name, clean.display_name, clean.content_type)
    assert b"".join(response.streaming_content) == clean.content
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''Surat%20%C3%B1" in disposition
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]


def test_attachment_response_never_serves_a_risky_type_or_a_path_outside(tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "x.html").write_text("<script>alert(1)</script>")
    (tmp_path / "secret.txt").write_text("secret")
    response = attachment_response("x.html", "x.html", "text/html")
    assert response["Content-Type"] == "application/octet-stream"
    response.file_to_stream.close()
    with pytest.raises(FileNotFoundError):
        attachment_response("../secret.txt", "s.txt", "text/plain")
    with pytest.raises(ValueError):
        uploads.private_storage().url("x.html")
