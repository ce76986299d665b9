"""A reporter's photos and screenshots, on the public form and with a message on the tracking
page (issue 19): through the upload gate (EXIF and GPS removed, type by content, at most 3),
with a plain warning that photos can identify people, stored privately and served only as a
download to whoever handles the case."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from peksos.core.models import AuditEvent
from sosdesk.models import Case, CaseAttachment
from sosdesk.services import case_refer, desk_ensure
from tests.factories import gps_jpeg, public_report

WARNING = "Foto bisa menunjukkan siapa seseorang"
TRACK = reverse("lapor:track")
TRACK_CASE = reverse("lapor:track-case")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def form_url(school_a) -> str:
    return reverse("lapor:form", args=[desk_ensure(school_a).public_code])


def report_with_photo(client, form_url, *photos, **fields):
    return client.post(form_url, {**public_report(**fields), "photos": list(photos)})


def download(case, attachment) -> str:
    return reverse("sosdesk:case-attachment", args=[case.code, attachment.pk])


def test_the_form_warns_that_photos_identify_people(client, form_url):
    html = client.get(form_url).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'name="photos"' in html and "multiple" in html
    assert WARNING in html


def test_photo_is_stored_without_gps_and_served_only_as_a_download(
    client, login, form_url, sosdesk_citra_sdn1
):
    response = report_with_photo(client, form_url, gps_jpeg("memar.jpg"))
    assert response.status_code == 302
    case = Case.objects.get()
    attachment = case.attachments.get()
    assert attachment.from_reporter and attachment.note is None and attachment.message is None
    assert attachment.uploaded_by is None
    with attachment.file.open("rb") as handle:
        assert not Image.open(io.BytesIO(handle.read())).getexif()
    page = login(sosdesk_citra_sdn1).get(reverse("sosdesk:case-detail", args=[case.code]))
    assert download(case, attachment) in page.content.decode()
    response = login(sosdesk_citra_sdn1).get(download(case, attachment))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(action="case_attachment_downloaded").count() == 1


def test_photo_download_access(
    client,
    login,
    form_url,
    school_a,
    sosdesk_dedi_sdn2,
    kepsek_indah,
    guru_eka,
    psikolog_gita,
    sosdesk_citra_sdn1,
    koordinator_ani,
):
    report_with_photo(client, form_url, gps_jpeg())
    case = Case.objects.get()
    url = download(case, case.attachments.get())
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")
    for outsider in (sosdesk_dedi_sdn2, kepsek_indah, guru_eka):
        assert login(outsider).get(url).status_code == 404
    case_refer(
        case=case, partner="psikolog", reason="x", psikolog=psikolog_gita, by=sosdesk_citra_sdn1
    )
    assert login(psikolog_gita).get(url).status_code == 403
    assert login(koordinator_ani).get(url).status_code == 200
    assert login(koordinator_ani).post(url).status_code == 405


def test_photo_of_a_dinas_only_report_is_404_to_the_school(
    client, login, form_url, sosdesk_citra_sdn1, koordinator_ani
):
    report_with_photo(client, form_url, gps_jpeg(), dinas_only="on")
    case = Case.objects.get()
    url = download(case, case.attachments.get())
    assert login(sosdesk_citra_sdn1).get(url).status_code == 404
    assert login(koordinator_ani).get(url).status_code == 200


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("gambar.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        SimpleUploadedFile("surat.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
        gps_jpeg("foto.jpg", appended=b"<script>alert(1)</script>"),
    ],
)
def test_refused_file_keeps_the_report_typed_and_says_why(client, form_url, upload):
    response = report_with_photo(client, form_url, upload, narrative="Cerita yang panjang sekali.")
    assert response.status_code == 200
    assert not Case.objects.exists() and not CaseAttachment.objects.exists()
    html = response.content.decode()
    assert "Cerita yang panjang sekali." in html
    assert response.context["form"].errors["photos"][0].startswith(upload.name + ": ")
    assert "Pilih fotomu lagi" in html


def test_at_most_three_photos(client, form_url):
    response = report_with_photo(client, form_url, *[gps_jpeg(f"f{n}.jpg") for n in range(4)])
    assert response.status_code == 200
    assert "Paling banyak 3 foto; kamu memilih 4." in response.content.decode()
    assert not Case.objects.exists()


def test_a_full_disk_loses_the_photos_not_the_report(client, form_url, monkeypatch):
    from peksos.core.uploads import PrivateStorage

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(PrivateStorage, "save", full)
    response = report_with_photo(client, form_url, gps_jpeg())
    assert response.status_code == 302
    assert Case.objects.count() == 1 and not CaseAttachment.objects.exists()


def test_double_submit_keeps_one_set_of_photos(client, form_url, private_media):
    data = public_report()
    client.post(form_url, {**data, "photos": [gps_jpeg()]})
    client.post(form_url, {**data, "photos": [gps_jpeg()]})
    assert Case.objects.count() == 1 and CaseAttachment.objects.count() == 1
    files = [p for p in private_media.rglob("*") if p.is_file()]
    assert len(files) == 1


def tracked(client, form_url) -> Case:
    client.post(form_url, public_report())
    receipt = client.session["sosdesk_receipt"]
    client.post(TRACK, {"code": receipt["code"], "pin": receipt["pin"]})
    return Case.objects.get(code=receipt["code"])


def test_tracking_page_message_with_a_photo(client, login, form_url, sosdesk_citra_sdn1):
    case = tracked(client, form_url)
    page = client.get(TRACK_CASE).content.decode()
    assert 'name="photos"' in page and WARNING in page
    response = client.post(
        TRACK_CASE, {"body": "Ini fotonya.", "photos": [gps_jpeg("ancaman.jpg")]}
    )
    assert response.status_code == 302
    attachment = case.attachments.get()
    assert attachment.message.body == "Ini fotonya." and attachment.from_reporter
    # The reporter sees the name of what they sent, never a link to the file.
    page = client.get(TRACK_CASE).content.decode()
    assert "ancaman" in page and download(case, attachment) not in page
    html = login(sosdesk_citra_sdn1).get(reverse("sosdesk:case-detail", args=[case.code]))
    assert download(case, attachment) in html.content.decode()


def test_tracking_page_refused_photo_keeps_the_message(client, form_url):
    case = tracked(client, form_url)
    response = client.post(
        TRACK_CASE, {"body": "Pesan penting.", "photos": [SimpleUploadedFile("x.svg", b"<svg/>")]}
    )
    assert response.status_code == 200
    assert "Pesan penting." in response.content.decode()
    assert not case.messages.exists()
