"""The levels above kecamatan: province and kabupaten/kota, read from the kecamatan's
Kemendagri code ("18.72.01" lies in kabupaten/kota "18.72" of province "18").

Register-wide tables (the compliance board, the SOS Desk figures, the dashboard's chart)
show one level at a time, so that a national register shows 38 provinces, then one
province's kabupaten/kota, then one kabupaten's kecamatan, never thousands of rows
(issue 22). A register in one kabupaten/kota (Kota Metro) opens at its kecamatan, as before.

A drill-down position is a *parent*: "" (the country: rows are provinces), a province code
(rows are its kabupaten/kota) or a kabupaten/kota code (rows are its kecamatan).
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import UpperRegion

PROVINCE, KABUPATEN, KECAMATAN = "prov", "kab", "kec"
LEVEL_TITLES = {
    PROVINCE: gettext_lazy("Province"),
    KABUPATEN: gettext_lazy("Kabupaten/kota"),
    KECAMATAN: gettext_lazy("Kecamatan"),
}
PARENT = re.compile(r"\d{2}(\.\d{2})?", re.ASCII)
PARAM = "wilayah"  # the query parameter of a drill-down position


def parents(kecamatan_code: str) -> tuple[str, str]:
    """(province code, kabupaten/kota code) of a kecamatan code; a code without dots is its
    own province and kabupaten (a register that uses other codes still groups)."""
    parts = kecamatan_code.split(".")
    return parts[0], ".".join(parts[:2])


def level_below(parent: str) -> str:
    """The level of the rows under `parent`."""
    if not parent:
        return PROVINCE
    return KABUPATEN if "." not in parent else KECAMATAN


def group_name(parent: str) -> str:
    """The tallies' group of the rows under `parent`: "prov", "kab:18", "kec:18.72"."""
    level = level_below(parent)
    return level if level == PROVINCE else f"{level}:{parent}"


def groups_of(kecamatan_code: str, kecamatan_id: int) -> tuple[tuple[str, str], ...]:
    """A school's (group, row key) at each level: its province among the provinces, its
    kabupaten/kota in its province, its kecamatan (by id: a renamed kecamatan keeps its
    counts) in its kabupaten/kota."""
    province, kabupaten = parents(kecamatan_code)
    return (
        (PROVINCE, province),
        (f"{KABUPATEN}:{province}", kabupaten),
        (f"{KECAMATAN}:{kabupaten}", str(kecamatan_id)),
    )


def parent_param(text: str | None) -> str:
    """The drill-down position asked for in the query string; "" (the country) for anything
    that is not a province or kabupaten/kota code."""
    text = (text or "").strip()
    return text if PARENT.fullmatch(text) else ""


def names(codes) -> dict[str, str]:
    """Code -> name of provinces and kabupaten/kota (one query); unnamed codes show as a
    labelled code ("Kabupaten/kota 35.12")."""
    codes = set(codes)
    found = dict(UpperRegion.objects.filter(code__in=codes).values_list("code", "name"))
    for code in codes - set(found):
        level = PROVINCE if "." not in code else KABUPATEN
        found[code] = f"{LEVEL_TITLES[level]} {code}"
    return found


@dataclass(frozen=True)
class Crumb:
    code: str  # "" for the country
    name: str


def trail(parent: str, top: str = "") -> list[Crumb]:
    """The way down to `parent` from `top` (where the table opens: the country, or the
    single province or kabupaten/kota of a smaller register), for links back up; empty when
    `parent` is the top. One query."""
    if parent == top:
        return []
    codes = [parent.split(".")[0]] if parent else []
    if "." in parent:
        codes.append(parent)
    named = names(codes)
    crumbs = [Crumb("", _("All regions")), *(Crumb(code, named[code]) for code in codes)]
    return [crumb for crumb in crumbs if len(crumb.code) >= len(top)]
