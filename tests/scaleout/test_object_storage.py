"""Media on S3-compatible storage (settings.MEDIA_S3, peksos/core/objectstore.py) against
moto's S3 server: every kind of stored file goes in and comes back out through the bucket,
the permission-checked views stream it from there, and no object can be read without
credentials (docs/deployment.md)."""

import io
import uuid
from datetime import timedelta

import pytest
import requests
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from peksos.core import objectstore
from peksos.core.models import OfficeSettings
from peksos.core.uploads import PrivateStorage, attachment_response, private_storage
from reports import builder
from reports.tasks import purge_expired_files
from sosdesk.models import CaseAttachment
from tests.factories import make_case, school_report

pytestmark = pytest.mark.services

FAKE_PDF = b"%PDF-1.7\n% laporan\n%%EOF\n"
# Every stored file of the project, by model field: a new one must be added here (and to the
# bucket's layout in docs/deployment.md) or this test fails.
STORED_FILES = {
    "sosdesk.caseattachment.file",
    "activities.activityphoto.file",
    "forum.postimage.file",
    "core.officesettings.logo",
    "visits.visitagreement.letter",
    "reports.report.file",
    "monitoring.consent.form_file",
    "sosdesk.evidence.file",
    "sosdesk.casedocument.file",
}


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def file_fields() -> dict[str, models.FileField]:
    return {
        f"{model._meta.label_lower}.{field.name}": field
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }


def key_of(field: models.FileField, name: str) -> str:
    private = isinstance(field.storage, PrivateStorage)
    return f"{objectstore.PRIVATE_PREFIX}/{name}" if private else name


def assert_private(s3_media, key: str) -> None:
    """Anonymous GET of the object's address is refused, and it carries no public grant."""
    url = f"{s3_media['endpoint_url']}/{s3_media['bucket_name']}/{key}"
    assert requests.get(url, timeout=5).status_code == 403
    acl = objectstore.client().get_object_acl(Bucket=s3_media["bucket_name"], Key=key)
    public = {
        "http://acs.amazonaws.com/groups/global/AllUsers",
        "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
    }
    assert not [g for g in acl["Grants"] if g["Grantee"].get("URI") in public]


def test_the_bucket_is_private_and_report_files_expire(s3_media, settings):
    s3 = objectstore.client()
    bucket = s3_media["bucket_name"]
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    (rule,) = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rule["Filter"] == {"Prefix": "reports/"} and rule["Status"] == "Enabled"
    assert rule["Expiration"]["Days"] == settings.REPORT_FILE_DAYS
    # Run again (each release): the same, nothing created.
    assert objectstore.set_up_bucket()["created"] is False
    assert len(s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]) == 1


def test_media_bucket_refuses_to_run_without_a_bucket(settings):
    from django.core.management.base import CommandError

    settings.MEDIA_S3 = {}
    with pytest.raises(CommandError, match="MEDIA_S3_BUCKET"):
        call_command("media_bucket")


def test_every_kind_of_stored_file_round_trips_through_the_bucket(s3_media):
    fields = file_fields()
    assert set(fields) == STORED_FILES
    s3 = objectstore.client()
    for label, field in sorted(fields.items()):
        data = jpeg() if label.endswith(("photo.file", "image.file", ".logo")) else FAKE_PDF
        name = f"{label.split('.')[0]}/2026/12/{uuid.uuid4().hex}.bin"
        stored = field.storage.save(name, ContentFile(data))
        assert stored == name, label
        key = key_of(field, name)
        body = s3.get_object(Bucket=s3_media["bucket_name"], Key=key)["Body"].read()
        assert body == data, label
        with field.storage.open(name, "rb") as handle:
            assert handle.read() == data, label
        assert_private(s3_media, key)
        field.storage.delete(name)
        assert not field.storage.exists(name), label


def test_a_case_attachment_is_uploaded_to_and_downloaded_from_the_bucket(
    s3_media, login, sosdesk_citra_sdn1, koordinator_ani, school_a
):
    case = make_case(school_a, ["fisik"], timezone.now(), channel="langsung")
    client = login(sosdesk_citra_sdn1)
    pdf = FAKE_PDF.replace(b"laporan", b"surat polres")
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("Surat.pdf", pdf, content_type="application/pdf")
    response = client.post(
        reverse("sosdesk:case-note", args=[case.code]),
        {"body": "Catatan dengan lampiran.", "attachments": [upload]},
    )
    assert response.status_code == 302
    attachment = CaseAttachment.objects.get(case=case)
    key = f"private/{attachment.file.name}"
    stored = objectstore.client().get_object(Bucket=s3_media["bucket_name"], Key=key)
    assert stored["Body"].read() == pdf
    assert_private(s3_media, key)
    # Served only by the permission-checked view, streamed from the bucket.
    download = reverse("sosdesk:case-attachment", args=[case.code, attachment.pk])
    response = login(koordinator_ani).get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == pdf
    client.logout()
    assert client.get(download).status_code == 302  # anonymous: to the login page
    with pytest.raises(ValueError):
        private_storage().url(attachment.file.name)  # never a URL of its own


def test_a_report_pdf_is_written_to_the_bucket_downloaded_and_purged(
    s3_media, login, koordinator_ani, peksos_budi, school_a, monkeypatch
):
    monkeypatch.setattr("reports.pdf.render_pdf", lambda html, **kw: FAKE_PDF)
    report = school_report(school_a, by=koordinator_ani)
    assert builder.run(report.pk)
    report.refresh_from_db()
    assert report.file.name == f"reports/{report.pk}.pdf"
    bucket = s3_media["bucket_name"]
    s3 = objectstore.client()
    assert s3.get_object(Bucket=bucket, Key=report.file.name)["Body"].read() == FAKE_PDF
    assert_private(s3_media, report.file.name)
    response = login(peksos_budi).get(reverse("reports:report-download", args=[report.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == FAKE_PDF
    # A pre-signed URL, short-lived, for a view that prefers one after the same check.
    signed = objectstore.signed_url(report.file)
    assert "X-Amz-Expires=60" in signed and "X-Amz-Signature=" in signed
    assert requests.get(signed, timeout=5).content == FAKE_PDF
    # Past its keeping date: the object goes, the row stays.
    type(report).objects.filter(pk=report.pk).update(expires_at=timezone.now() - timedelta(1))
    assert purge_expired_files() == 1
    assert s3.list_objects_v2(Bucket=bucket, Prefix="reports/").get("KeyCount", 0) == 0


def test_the_letterhead_logo_is_read_back_from_the_bucket_for_the_pdf(s3_media, db):
    office = OfficeSettings.from_database()
    office.logo.save(f"office/{uuid.uuid4().hex}.jpg", ContentFile(jpeg()), save=False)
    office.logo_content_type = "image/jpeg"
    office.save()
    assert office.logo_data_uri().startswith("data:image/jpeg;base64,")
    assert_private(s3_media, f"private/{office.logo.name}")
    served = attachment_response(office.logo, "logo.jpg", "image/jpeg", inline=True)
    assert b"".join(served.streaming_content) == jpeg()
