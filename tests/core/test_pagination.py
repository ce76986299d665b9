"""Keyset cursors from the address bar are untrusted input: never a 500."""

import base64
import json

import pytest

from peksos.core.pagination import _decode, _encode


def cursor(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "raw",
    [
        "%%%",
        "W10",
        cursor([[1, 2]]),
        cursor([True, 1]),
        cursor(["a\x00b", 1]),
        cursor(["\ud800", 1]),
        base64.urlsafe_b64encode(b"[" * 5000).decode(),
        "x" * 10000,
    ],
)
def test_bad_cursors_are_ignored(raw):
    assert _decode(raw, 2) is None


def test_a_cursor_round_trips():
    assert _decode(_encode(["SD NEGERI 1", 7]), 2) == ["SD NEGERI 1", 7]


def test_deeply_nested_cursor_on_a_list_page(login, koordinator_ani, kota_metro):
    nested = base64.urlsafe_b64encode(b"[" * 400).decode()
    assert login(koordinator_ani).get("/sekolah/", {"setelah": nested}).status_code == 200
