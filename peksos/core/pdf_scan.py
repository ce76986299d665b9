"""Whether a PDF can act when opened: scripts, programs, forms sent elsewhere, links out,
files inside it, or encryption that hides all of that (the PDF rule of
peksos/core/uploads.py, which calls `has_active_content` and `is_encrypted`).

The file is parsed with pypdf: every object, also those inside object streams, and every
stream decoded through its whole filter chain is checked, as well as the raw bytes
(hex-escaped names such as `/J#61vaScript`), with a budget of inflated bytes against zip
bombs.
"""

import contextlib
import io
import re
import zlib

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

MB = 1024 * 1024
# Names that make a PDF act when opened or clicked: scripts, programs, forms sent elsewhere,
# links out, other files inside it.
PDF_ACTIVE_NAMES = frozenset(
    {"JavaScript", "JS", "Launch", "SubmitForm", "ImportData", "URI", "GoToR", "GoToE"}
    | {"EmbeddedFile", "EmbeddedFiles", "RichMedia", "XFA"}
)
PDF_ACTIVE = re.compile(
    rb"/(?:" + b"|".join(n.encode() for n in sorted(PDF_ACTIVE_NAMES)) + rb")(?=[\s/<>\[\]()%{}]|$)"
)
PDF_ENCRYPT = re.compile(rb"/Encrypt(?=[\s/<>\[\]()%{}]|$)")
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_STREAM = re.compile(rb"stream(?:\r\n|\r|\n)(.*?)endstream", re.S)  # CR alone too
PDF_MAX_INFLATED = 64 * MB  # total bytes inflated while scanning one PDF (zip-bomb guard)


def has_active_content(data: bytes) -> bool:
    """Parsed with pypdf: every object (also those inside object streams) and every stream
    decoded through its whole filter chain. A PDF pypdf cannot read is accepted only when it has
    no stream at all (nothing can be encoded then, and the byte scan sees every name)."""
    if _bytes_show_active_content(data):
        return True
    structure = _pdf_structure_is_active(data)
    if structure is None:  # pypdf cannot read it
        return b"stream" in data
    return structure


def is_encrypted(data: bytes) -> bool:
    if PDF_ENCRYPT.search(data):
        return True
    with contextlib.suppress(Exception):
        return PdfReader(io.BytesIO(data), strict=False).is_encrypted
    return False


def _pdf_structure_is_active(data: bytes) -> bool | None:
    """True/False from pypdf's reading of every object; None when pypdf cannot read the file.
    A file that pypdf opens but cannot walk to the end is treated as active (it cannot be
    checked)."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return True
        numbers = {(idnum, gen) for gen, ids in reader.xref.items() for idnum in ids}
        numbers |= {(idnum, 0) for idnum in reader.xref_objStm}
    except Exception:
        return None
    budget = [PDF_MAX_INFLATED]
    seen: set[int] = set()
    try:
        roots = [reader.trailer] + [
            reader.get_object(IndirectObject(idnum, gen, reader)) for idnum, gen in numbers
        ]
        return any(_pdf_object_is_active(obj, budget, seen) for obj in roots)
    except Exception:
        return True


def _pdf_object_is_active(obj, budget: list[int], seen: set[int]) -> bool:
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject) or id(item) in seen:
            continue  # every indirect object is visited from the cross-reference list
        seen.add(id(item))
        if isinstance(item, NameObject):
            if item.lstrip("/") in PDF_ACTIVE_NAMES:
                return True
        elif isinstance(item, DictionaryObject):
            for key, value in item.items():
                if key.lstrip("/") in PDF_ACTIVE_NAMES:
                    return True
                stack.append(value)
            if isinstance(item, StreamObject):
                decoded = item.get_data()
                budget[0] -= len(decoded)
                if budget[0] < 0 or _bytes_show_active_content(decoded):
                    return True  # a zip bomb inside a PDF is not an honest letter either
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return False


def _bytes_show_active_content(data: bytes) -> bool:
    def scan(chunk: bytes) -> bool:
        unescaped = PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), chunk)
        return bool(PDF_ACTIVE.search(unescaped))

    if scan(data):
        return True
    budget = PDF_MAX_INFLATED
    for match in PDF_STREAM.finditer(data):
        raw = match.group(1)
        inflated = b""
        for wbits in (zlib.MAX_WBITS, -zlib.MAX_WBITS):  # zlib-wrapped, then raw deflate
            with contextlib.suppress(zlib.error):
                inflated = zlib.decompressobj(wbits).decompress(raw, budget + 1)
                break
        budget -= len(inflated)
        if budget < 0:
            return True  # a zip bomb inside a PDF is not an honest letter either
        if scan(inflated):
            return True
    return False
