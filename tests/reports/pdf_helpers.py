"""Reading the impact report's PDF (pdftotext) for the report tests; where a PDF's first page is
kept for a person to see (test-results/reports/)."""

import subprocess
from pathlib import Path

from django.utils import translation

from peksos.core import pdf
from reports import builder
from reports.models import Report

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results" / "reports"


def pdf_text(path: Path, *, layout: bool = True) -> str:
    args = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, capture_output=True, check=True, timeout=60).stdout.decode()


def id_(text: str) -> str:
    """A label as the PDF prints it: in Indonesian, once the catalogue translates it."""
    with translation.override("id"):
        return translation.gettext(text)


def key_figures(report: Report, raw: str) -> dict[str, str]:
    """The key figures, checked against the PDF's text: the boxes go three a row, and in
    reading order a row reads as its three values, then its three labels."""
    tables = [t for t in report.figures["tables"] if t["title"] == id_("Key figures")]
    pairs = [(label, str(value)) for t in tables for label, value in t["rows"]]
    flat = " ".join(raw.split())
    for start in range(0, len(pairs), 3):
        row = pairs[start : start + 3]
        printed = " ".join([v for _l, v in row] + [label for label, _v in row])
        assert printed in flat, f"key figures not printed as expected: {printed!r}"
    return dict(pairs)


def build(report: Report, fetchers: list) -> tuple[Report, str, str]:
    """Run the report, keeping the fetcher that WeasyPrint used."""
    original = pdf.StaticOnlyFetcher

    class Recording(original):
        def __init__(self):
            super().__init__()
            fetchers.append(self)

    pdf.StaticOnlyFetcher = Recording
    try:
        assert builder.run(report.pk)
    finally:
        pdf.StaticOnlyFetcher = original
    report.refresh_from_db()
    assert report.state == Report.State.DONE, report.error
    path = Path(report.file.path)
    return report, pdf_text(path), key_figures(report, pdf_text(path, layout=False))
