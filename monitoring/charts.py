"""Line charts as server-rendered SVG: no JavaScript, no inline style (the CSP forbids it),
numbers only from the database, every text escaped. The same markup can go into a PDF.

Each series is drawn as a line with a marker per point (a different marker shape per series,
so the chart does not rely on colour alone), and each point has a <title> with its date and
value for screen readers and hover.
"""

from datetime import date

from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .measures import Series

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 56
COLOURS = ["#0d6efd", "#d63384", "#198754", "#fd7e14"]
MARKERS = ["circle", "square", "diamond", "triangle"]


def _x(day: date, first: date, last: date) -> float:
    span = (last - first).days
    inner = WIDTH - LEFT - RIGHT
    if span == 0:
        return LEFT + inner / 2
    return LEFT + inner * (day - first).days / span


def _y(value: float, low: int, high: int) -> float:
    inner = HEIGHT - TOP - BOTTOM
    return TOP + inner * (high - value) / (high - low)


def _n(value: float) -> str:
    """A coordinate as text (format_html escapes its arguments, so numbers are formatted
    first)."""
    return f"{value:.1f}"


def _marker(shape: str, x: float, y: float, colour: str, title: str) -> SafeString:
    r = 4.5
    if shape == "circle":
        body = format_html('<circle cx="{}" cy="{}" r="{}"', _n(x), _n(y), r)
    elif shape == "square":
        body = format_html(
            '<rect x="{}" y="{}" width="{}" height="{}"', _n(x - r), _n(y - r), 2 * r, 2 * r
        )
    else:
        if shape == "diamond":
            points = [(x, y - r - 1), (x + r + 1, y), (x, y + r + 1), (x - r - 1, y)]
        else:
            points = [(x, y - r - 1), (x + r + 1, y + r), (x - r - 1, y + r)]
        body = format_html(
            '<polygon points="{}"', " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        )
    return format_html('{} fill="{}"><title>{}</title></{}>', body, colour, title, _tag(shape))


def _tag(shape: str) -> str:
    return {"circle": "circle", "square": "rect"}.get(shape, "polygon")


def line_chart(
    series: list[Series], *, low: int, high: int, step: int, title: str, description: str
) -> SafeString:
    """An SVG line chart of dated values between `low` and `high` (gridlines every `step`)."""
    days = [day for s in series for day, _value in s.points]
    if not days:
        return mark_safe("")  # nosec B308
    first, last = min(days), max(days)
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" '
            'class="img-fluid" aria-label="{}"><title>{}</title><desc>{}</desc>',
            WIDTH,
            HEIGHT,
            title,
            title,
            description,
        )
    ]
    for tick in range(low, high + 1, step):
        y = _y(tick, low, high)
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#dee2e6"/>'
                '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#6c757d">{}'
                "</text>",
                LEFT,
                WIDTH - RIGHT,
                _n(y),
                _n(y),
                LEFT - 6,
                _n(y + 4),
                tick,
            )
        )
    # The first date under the left edge, the last under the right one (inside the box); a
    # single date under its point in the middle.
    labels = [(first, "middle")] if first == last else [(first, "start"), (last, "end")]
    for day, anchor in labels:
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" text-anchor="{}" fill="#6c757d">{}</text>',
                _n(_x(day, first, last)),
                HEIGHT - BOTTOM + 16,
                anchor,
                date_format(day, "j M Y"),
            )
        )
    for i, line in enumerate(series):
        colour, shape = COLOURS[i % len(COLOURS)], MARKERS[i % len(MARKERS)]
        coords = [(_x(d, first, last), _y(v, low, high), d, v) for d, v in line.points]
        if len(coords) > 1:
            parts.append(
                format_html(
                    '<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>',
                    colour,
                    " ".join(f"{x:.1f},{y:.1f}" for x, y, _d, _v in coords),
                )
            )
        for x, y, day, value in coords:
            point = f"{line.label}: {value} ({date_format(day, 'j M Y')})"
            parts.append(_marker(shape, x, y, colour, point))
        legend_x = LEFT + i * 150
        parts.append(
            format_html(
                '<g transform="translate({},{})">{}<text x="10" y="4" font-size="12">{}</text></g>',
                legend_x,
                HEIGHT - 14,
                _marker(shape, 0, 0, colour, line.label),
                line.label,
            )
        )
    parts.append(mark_safe("</svg>"))  # nosec B308
    # Not an XSS: every part was built with format_html() (or is a constant).
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703
