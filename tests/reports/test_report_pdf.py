"""The impact report's PDF, checked by its text (pdftotext): the figures of a known data set,
suppression in a report that leaves the office, no canary (docs/quality.md S2), no fetch outside
the allowlist (S8). Page 1 is kept as a PNG under test-results/reports/ for a person to see."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from peksos.core import pdf
from reports.models import Report
from tests.factories import (
    CANARY_CONTACT,
    CANARY_NARRATIVE,
    CANARY_REPORTER,
    city_report,
    school_report,
)
from tests.reports.pdf_helpers import ARTIFACTS, build, id_

pytestmark = pytest.mark.skipif(
    not shutil.which("pdftotext") or not shutil.which("pdftoppm"),
    reason="poppler-utils (pdftotext, pdftoppm) not installed",
)


def number_after(text: str, label: str) -> str:
    """The figure printed after `label` in a table row (columns are 2+ spaces apart in
    pdftotext's layout; two small tables may share a line)."""
    value = r"(<\d+|–|\d[\d.,]*(?: %)?)(?!\S)"
    match = re.search(rf"(?<![\w-]){re.escape(label)}\s{{2,}}{value}", text)
    assert match, f"no row for {label!r}"
    return match.group(1)


def headline(figures: dict[str, str], label: str) -> str:
    return figures[label]


def keep_page_one(report: Report, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(report.file.path, ARTIFACTS / f"{name}.pdf")
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            report.file.path,
            str(ARTIFACTS / f"{name}-page1"),
        ],
        check=True,
        timeout=60,
    )
    return ARTIFACTS / f"{name}-page1.png"


def test_internal_city_report_has_the_figures_of_the_data_set(report_data, frozen_now, media):
    fetchers = []
    report, text, raw = build(city_report(), fetchers)
    # Visits: 3 done, 1 agreed (+1 cancelled); school A has two, school B one.
    assert headline(raw, id_("Visits done")) == "3"
    assert headline(raw, id_("Schools with two or more visits")) == "1"
    assert number_after(text, "selesai") == "3"
    assert number_after(text, "dibatalkan") == "1"
    # Cases: 9 received; 4 physical (A twice, B, C); the sexual violence case reported in time.
    assert headline(raw, id_("Cases received")) == "9"
    assert number_after(text, "kekerasan fisik") == "4"
    assert number_after(text, id_("reported to the police within 72 hours")) == "1"
    assert "308" in text  # the register's schools
    # Page numbers in the margin boxes and a table of contents with page numbers.
    assert re.search(rf"{id_('Page')} 1 {id_('of')} \d+", text)
    assert re.search(rf"{id_('Methodology')}\s*\.[ .]*\d+", text)  # contents, page number
    assert "Dinas Sosial Kota Metro" in text
    for canary in (CANARY_REPORTER, CANARY_CONTACT, CANARY_NARRATIVE):
        assert canary not in text
    # Only the project's stylesheet was fetched.
    (fetcher,) = fetchers
    assert fetcher.refused == []
    assert fetcher.served and all(url.endswith("/reports/report.css") for url in fetcher.served)
    png = keep_page_one(report, "city-internal")
    assert png.stat().st_size > 10_000


def test_report_for_outside_the_office_suppresses_small_counts(
    report_data, frozen_now, media, school_a
):
    """And S8: URLs put into a school's name reach the PDF as text, never as a fetch."""
    school_a.name = (
        'SD <img src="file:///etc/passwd"> <link rel=stylesheet href="http://127.0.0.1:9/x.css">'
        " url(http://127.0.0.1:8000/track.png) @import 'file:///etc/shadow';"
    )
    school_a.save()
    fetchers = []
    report, text, raw = build(city_report(outside=True, with_appendix=True), fetchers)
    assert headline(raw, id_("Cases received")) == "9"  # 9 is not small
    assert number_after(text, "kekerasan fisik") == "<5"  # 4 is
    assert number_after(text, "perundungan") == "<5"
    assert number_after(text, "lainnya") in {"0", "<5"}
    assert number_after(text, id_("reported to the police within 72 hours")) == "<5"
    assert "<5" in text
    # Schools and visits are not counts of people: shown in full.
    assert headline(raw, id_("Visits done")) == "3"
    for canary in (CANARY_REPORTER, CANARY_CONTACT, CANARY_NARRATIVE):
        assert canary not in text
    # The hostile name is printed as text (appendix) and nothing was fetched because of it.
    assert "file:///etc/passwd" in text.replace("\n", " ")
    (fetcher,) = fetchers
    assert fetcher.refused == []
    assert all(url.endswith("/reports/report.css") for url in fetcher.served)
    keep_page_one(report, "city-outside")


def test_school_report_is_about_one_school(report_data, frozen_now, media, school_a, school_b):
    fetchers = []
    report, text, raw = build(school_report(school_a), fetchers)
    assert school_a.name in text
    assert school_b.name not in text
    assert headline(raw, id_("Cases received")) == "6"
    assert headline(raw, id_("Visits done")) == "2"
    assert number_after(text, "kekerasan fisik") == "<5"
    for canary in (CANARY_REPORTER, CANARY_CONTACT, CANARY_NARRATIVE):
        assert canary not in text
    keep_page_one(report, "school-outside")


# --- The fetcher on its own (S8) -----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file:///work/main/static/../peksos/settings.py",
        "http://127.0.0.1:8000/admin-teknis/",
        "https://example.org/logo.png",
        "ftp://127.0.0.1/x",
        "file://evil.example/static/css/peksos.css",
    ],
)
def test_the_fetcher_refuses_and_records(url, settings):
    fetcher = pdf.StaticOnlyFetcher()
    with pytest.raises(pdf.RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]
    assert fetcher.served == []


def test_the_fetcher_serves_data_and_static_files(settings):
    fetcher = pdf.StaticOnlyFetcher()
    response = fetcher.fetch(pdf.static_uri("reports/report.css"))
    assert b"DejaVu Sans" in response.read()
    assert fetcher.fetch("data:text/plain;base64,aGFsbw==").read() == b"halo"
    assert fetcher.refused == []


def test_markup_that_escaped_the_templates_still_fetches_nothing(settings):
    """The second fence: raw HTML with hostile URLs (as if autoescaping had been turned off)."""
    fetcher = pdf.StaticOnlyFetcher()
    html = (
        '<p>x</p><img src="file:///etc/passwd"><img src="http://127.0.0.1:9/a.png">'
        '<div style="background: url(http://127.0.0.1:9/b.png)">y</div>'
        '<link rel="stylesheet" href="../../../etc/passwd">'
    )
    assert pdf.render_pdf(html, fetcher=fetcher).startswith(b"%PDF")
    assert fetcher.served == []
    assert "file:///etc/passwd" in fetcher.refused
    assert "http://127.0.0.1:9/a.png" in fetcher.refused
    assert "http://127.0.0.1:9/b.png" in fetcher.refused


def test_a_demos_report_says_data_contoh_on_every_page(report_data, frozen_now, media, settings):
    settings.DEMO = True
    _report, text, _raw = build(city_report(), [])
    pages = [page for page in text.split("\f") if page.strip()]
    assert len(pages) > 1
    assert all("DATA CONTOH" in page for page in pages)


def test_a_real_report_does_not_say_data_contoh(report_data, frozen_now, media, settings):
    settings.DEMO = False
    _report, text, _raw = build(city_report(), [])
    assert "DATA CONTOH" not in text
