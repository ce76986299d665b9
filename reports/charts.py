"""Tiny server-side SVG charts, shared by the dashboards (inline `<svg>`) and the PDFs.

Written by hand as SVG strings: no library, no JavaScript (WeasyPrint runs none), no `style`
attributes (the CSP forbids inline styles; `fill=`, `font-size=` are presentation attributes,
which it allows). Every label is escaped. Values may be suppressed counts ("<5"): they are
drawn as a text without a bar, never as a length that would give the number back.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = "DejaVu Sans"
INK = "#212529"
MUTED = "#6c757d"
GRID = "#dee2e6"
PRIMARY = "#0d6efd"
# 0 visits / 1 visit / 2 or more: red, amber, green (also told apart by the legend's text).
COMPLIANCE_COLOURS = ("#b02a37", "#e0a800", "#198754")
BAND_COLOURS = {"tinggi": "#b02a37", "sedang": "#fd7e14", "rendah": "#198754", "unknown": MUTED}


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | float | str  # a string is a suppressed count ("<5"): no bar is drawn
    colour: str = PRIMARY
    href: str = ""


def _short(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: int | float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}".replace(".", ",")
    return f"{int(value):,}".replace(",", ".")


def _svg(width: int, height: int, title: str, body: list[str]) -> SafeString:
    title = escape(title)
    # A chart whose bars are links is a group of links, not one picture (role="img" would
    # hide the links from screen readers: axe's nested-interactive).
    role = "group" if any(part.startswith("<a ") for part in body) else "img"
    # Not an XSS: every piece of text below went through escape() or format_html().
    return mark_safe(  # noqa: S308  # nosec B308 B703
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="{role}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="{FONT}" font-size="11" aria-label="{title}">'
        f"<title>{title}</title>{''.join(body)}</svg>"
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start", fill: str = INK) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{escape(fill)}">'
        f"{escape(text)}</text>"
    )


def _link(href: str, inner: str) -> str:
    return f'<a href="{escape(href)}">{inner}</a>' if href else inner


def hbar(
    bars: Sequence[Bar],
    *,
    title: str,
    width: int = 600,
    label_width: int = 230,
    row: int = 22,
    empty_text: str = "–",
) -> SafeString:
    """A horizontal bar chart: one row per bar, the value printed after the bar."""
    height = max(len(bars), 1) * row + 8
    numeric = [b.value for b in bars if isinstance(b.value, int | float)]
    top = max(numeric, default=0) or 1
    plot = width - label_width - 56
    body = [
        f'<line x1="{label_width}" y1="2" x2="{label_width}" y2="{height - 4}" '
        f'stroke="{GRID}" stroke-width="1"/>'
    ]
    if not bars:
        body.append(_text(label_width + 6, row * 0.7, empty_text, fill=MUTED))
    for i, bar in enumerate(bars):
        y = 4 + i * row
        middle = y + row / 2 + 4
        label_chars = max(label_width // 7, 8)
        parts = [_text(label_width - 6, middle, _short(bar.label, label_chars), anchor="end")]
        if isinstance(bar.value, int | float):
            length = plot * bar.value / top
            if bar.value and length < 2:
                length = 2
            parts.append(
                f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" '
                f'fill="{escape(bar.colour)}" rx="2"/>'
            )
            parts.append(_text(label_width + length + 5, middle, _number(bar.value)))
        else:
            parts.append(_text(label_width + 5, middle, str(bar.value), fill=MUTED))
        body.append(_link(bar.href, "".join(parts)))
    return _svg(width, height, title, body)


@dataclass(frozen=True)
class Stack:
    label: str
    values: Sequence[int]
    href: str = ""


def stacked(
    stacks: Sequence[Stack],
    *,
    title: str,
    series: Sequence[str],
    colours: Sequence[str] = COMPLIANCE_COLOURS,
    width: int = 520,
    label_width: int = 150,
    row: int = 24,
) -> SafeString:
    """One horizontal 100 % bar per row, split into the series (e.g. schools with 0 / 1 / ≥2
    visits), with the counts written in the segments wide enough to hold them."""
    legend_height = 22
    height = max(len(stacks), 1) * row + legend_height + 6
    plot = width - label_width - 44
    body = []
    x = 0.0
    for name, colour in zip(series, colours, strict=False):
        body.append(
            f'<rect x="{x:.1f}" y="4" width="11" height="11" fill="{escape(colour)}" rx="2"/>'
        )
        body.append(_text(x + 15, 14, name))
        x += 15 + 7 * len(name) + 18
    for i, stack in enumerate(stacks):
        y = legend_height + 4 + i * row
        middle = y + row / 2 + 4
        total = sum(stack.values)
        parts = [
            _text(label_width - 6, middle, _short(stack.label, label_width // 7), anchor="end")
        ]
        left = float(label_width)
        for value, colour in zip(stack.values, colours, strict=False):
            if not total or not value:
                continue
            span = plot * value / total
            parts.append(
                f'<rect x="{left:.1f}" y="{y + 3}" width="{span:.1f}" height="{row - 8}" '
                f'fill="{escape(colour)}"/>'
            )
            if span >= 8 * len(_number(value)) + 4:
                parts.append(
                    _text(left + span / 2, middle, _number(value), anchor="middle", fill="#ffffff")
                )
            left += span
        parts.append(_text(label_width + plot + 5, middle, _number(total), fill=MUTED))
        body.append(_link(stack.href, "".join(parts)))
    return _svg(width, height, title, body)
