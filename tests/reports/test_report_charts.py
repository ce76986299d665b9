"""Server-side SVG charts: valid SVG, escaped labels, no inline styles, no bar for a
suppressed count."""

from xml.etree import ElementTree

import pytest

from reports import charts

# No database needed, but conftest's session setup loads the register whenever pytest-django
# sets up: run alone, this file would otherwise meet a database without tables.
pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(str(svg))  # noqa: S314 - our own SVG


def test_hbar_draws_one_bar_per_number_and_escapes_labels():
    svg = charts.hbar(
        [
            charts.Bar('<script>alert("x")</script>', 12),
            charts.Bar("fisik", 3, href="/sosdesk/?q=a&b=c"),
            charts.Bar("kecil", "<5"),
            charts.Bar("nol", 0),
        ],
        title="Bentuk <kekerasan>",
    )
    root = parse(svg)  # well-formed XML: every label was escaped
    # A bar is a link, so the chart is a group of links (role="img" would hide them: axe).
    assert root.get("role") == "group" and root.get("font-family") == "DejaVu Sans"
    assert parse(charts.hbar([charts.Bar("fisik", 3)], title="t")).get("role") == "img"
    assert root.find(f"{SVG}title").text == "Bentuk <kekerasan>"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert '<script>alert("x")</script>' in texts  # as text, not as markup
    assert "<script" not in str(svg)
    assert "<5" in texts
    bars = [r for r in root.iter(f"{SVG}rect")]
    assert len(bars) == 3  # 12, 3 and 0 (zero wide): none for the suppressed count
    widths = [float(r.get("width")) for r in bars]
    assert widths[0] > widths[1] > widths[2] == 0
    assert root.find(f"{SVG}a").get("href") == "/sosdesk/?q=a&b=c"
    assert "style" not in str(svg)


def test_stacked_splits_each_row_into_its_series():
    svg = charts.stacked(
        [charts.Stack("Metro Pusat", [5, 3, 12]), charts.Stack("Metro <Barat>", [0, 0, 0])],
        title="Kunjungan",
        series=["0", "1", "≥2"],
    )
    root = parse(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Metro <Barat>" in texts and "20" in texts  # the row total
    segments = [r for r in root.iter(f"{SVG}rect") if float(r.get("height")) > 11]
    assert len(segments) == 3  # the empty row draws nothing
    assert "style" not in str(svg)


def test_long_labels_are_shortened():
    svg = charts.hbar([charts.Bar("x" * 200, 1)], title="t")
    label = next(t.text for t in parse(svg).iter(f"{SVG}text") if t.text.startswith("x"))
    assert len(label) < 60 and label.endswith("…")


def test_numbers_are_written_the_indonesian_way():
    texts = [
        t.text for t in parse(charts.hbar([charts.Bar("a", 1234)], title="t")).iter(f"{SVG}text")
    ]
    assert "1.234" in texts
