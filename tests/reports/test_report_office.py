"""The PDF report's letterhead and signature come from the office settings (issue #17): the
configured office name, address, logo and signer; today's texts while nothing is configured."""

import shutil

import pytest
from django.core.files.base import ContentFile

from peksos.core.models import OfficeSettings
from peksos.core.uploads import validate_image
from tests.factories import city_report, gps_jpeg
from tests.reports.pdf_helpers import build

pytestmark = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed"
)


def test_the_pdf_shows_the_configured_office_and_signature(report_data, frozen_now, media):
    logo = validate_image(gps_jpeg("logo.jpg"), prefix="office")
    OfficeSettings(
        office_name="Dinas Sosial Kota Contoh",
        address="Jl. Contoh No. 1, Metro",
        phone="(0725) 41234",
        signer_name="Dra. Siti Aminah, M.Si.",
        signer_title="Kepala Dinas Sosial Kota Contoh",
        logo=ContentFile(logo.content, name=logo.storage_name),
        logo_content_type=logo.content_type,
    ).save()
    fetchers = []
    _report, text, _figures = build(city_report(), fetchers)
    flat = " ".join(text.split())
    assert "DINAS SOSIAL KOTA CONTOH" in flat  # the letterhead (upper case by the stylesheet)
    assert "Dinas Sosial Kota Contoh · PEKSOS GO TO SCHOOL" in flat  # every page's header
    assert "Jl. Contoh No. 1, Metro · Telepon (0725) 41234" in flat
    assert "Kepala Dinas Sosial Kota Contoh" in flat and "Dra. Siti Aminah, M.Si." in flat
    assert "LOGO" not in flat  # the placeholder gave way to the logo
    assert any(url.startswith("data:image/jpeg") for url in fetchers[0].served)
    assert not fetchers[0].refused


def test_without_settings_the_pdf_reads_as_before(report_data, frozen_now, media):
    _report, text, _figures = build(city_report(), [])
    flat = " ".join(text.split())
    assert "DINAS SOSIAL KOTA METRO" in flat and "LOGO" in flat
    assert "Kepala Dinas Sosial" not in flat  # no signer configured: no signature block
