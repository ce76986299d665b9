"""Media on S3-compatible object storage (docs/deployment.md), when settings.MEDIA_S3 is set.

One private bucket holds everything MEDIA_ROOT holds on one machine, under the same names:
report PDFs (`reports/`, expired by a lifecycle rule after REPORT_FILE_DAYS), consent forms
(`monitoring/consent/`) through Django's default storage, and the validated uploads (case
attachments, photos, letterhead, visit letters: `private/`) through
`peksos.core.uploads.PrivateStorage`, which asks `private_backend()` here. Objects carry no
ACL (the bucket's private default) and the bucket blocks every public ACL and policy
(`set_up_bucket`, `manage.py media_bucket`). Downloads go through the permission-checked
views (`attachment_response` streams the object); `signed_url` gives a short-lived pre-signed
URL instead, to be handed out only after the same check.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

PRIVATE_PREFIX = "private"
REPORTS_PREFIX = "reports/"
REPORTS_RULE = "peksos-report-files"


def enabled() -> bool:
    return bool(getattr(settings, "MEDIA_S3", None))


def _options() -> tuple:
    return tuple(sorted((k, v) for k, v in settings.MEDIA_S3.items() if v is not None))


@lru_cache(maxsize=4)
def _backend(options: tuple, location: str):
    from storages.backends.s3 import S3Storage

    return S3Storage(**dict(options), location=location)


def private_backend():
    """The S3 storage of the validated uploads (under private/)."""
    return _backend(_options(), PRIVATE_PREFIX)


def media_backend():
    """The S3 storage of the default storage's files (report PDFs, consent forms)."""
    return _backend(_options(), "")


def signed_url(field_file, seconds: int | None = None) -> str | None:
    """A pre-signed GET URL of the stored file, valid `seconds` (MEDIA_S3_URL_SECONDS by
    default); None on a disk (the views stream the file then). Call it only after the view's
    permission check, exactly where the view would otherwise stream the file."""
    if not enabled() or not field_file:
        return None
    storage = field_file.storage
    backend = getattr(storage, "backend", None)
    backend = backend() if callable(backend) else storage
    expire = seconds or settings.MEDIA_S3["querystring_expire"]
    return backend.url(field_file.name, expire=expire)


def client():
    return media_backend().connection.meta.client


def set_up_bucket(report_days: int | None = None) -> dict:
    """Create the bucket if it is missing, block every public access to it, and expire report
    files `report_days` (REPORT_FILE_DAYS) after they were written. Idempotent."""
    days = report_days or settings.REPORT_FILE_DAYS
    s3 = client()
    bucket = settings.MEDIA_S3["bucket_name"]
    created = False
    try:
        s3.head_bucket(Bucket=bucket)
    except s3.exceptions.ClientError:
        region = settings.MEDIA_S3.get("region_name")
        extra = (
            {"CreateBucketConfiguration": {"LocationConstraint": region}}
            if region and region != "us-east-1"
            else {}
        )
        s3.create_bucket(Bucket=bucket, **extra)
        created = True
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": REPORTS_RULE,
                    "Filter": {"Prefix": REPORTS_PREFIX},
                    "Status": "Enabled",
                    "Expiration": {"Days": days},
                }
            ]
        },
    )
    return {"bucket": bucket, "created": created, "report_days": days}
