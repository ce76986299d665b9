"""Documentation photos of activities: validated uploads (docs/quality.md S9 rejections shown as
form errors, the caption kept), EXIF stripped, private storage served only through a
permission-checked view, and the consent rules: a photo of children without the parents'
consent is seen by programme staff only; SOS Desk officers see no photo of children."""

import html
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from activities.models import Activity, ActivityPhoto
from activities.services.sessions import photo_add
from peksos.core.models import AuditEvent
from peksos.core.uploads import validate_image
from visits.models import Visit, VisitMember

TODAY = datetime(2026, 8, 5, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


@pytest.fixture(autouse=True)
def _today(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    with time_machine.travel(TODAY, tick=False):
        yield


def jpeg(*, exif_gps: bool = False, size=(64, 48), tail: bytes = b"") -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "KameraMerek"  # Make
        exif[0x8825] = {1: "S", 2: (5.0, 7.0, 0.0)}  # GPS
        image.save(out, format="JPEG", exif=exif.tobytes())
    else:
        image.save(out, format="JPEG")
    return out.getvalue() + tail


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def activity(school_a, peksos_budi, psikolog_gita):
    visit = Visit(school=school_a, state=Visit.State.AGREED, kind=Visit.Kind.ONE_DAY)
    visit.set_date(date(2026, 8, 4))
    visit.save()
    VisitMember.objects.create(visit=visit, user=peksos_budi, role=peksos_budi.role)
    activity = Activity.objects.create(visit=visit, kind=visit.kind, date=visit.date)
    activity.facilitators.set([peksos_budi, psikolog_gita])
    return activity


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def test_upload_strips_exif_and_stores_privately(login, peksos_budi, activity, settings):
    client = login(peksos_budi)
    form_url = reverse("activities:photo-upload", args=[activity.pk])
    assert client.get(form_url).status_code == 200
    original = jpeg(exif_gps=True)
    assert b"KameraMerek" in original
    response = client.post(
        form_url,
        {
            "file": upload("foto lomba.jpg", original),
            "caption": "Lomba kelompok",
            "shows_children": "0",
        },
    )
    assert response.status_code == 302
    photo = ActivityPhoto.objects.get()
    assert photo.caption == "Lomba kelompok" and not photo.shows_children
    assert photo.uploaded_by == peksos_budi and photo.content_type == "image/jpeg"
    assert photo.file.name.startswith("activity-photos/") and "lomba" not in photo.file.name
    stored = (settings.PRIVATE_MEDIA_ROOT / photo.file.name).read_bytes()
    assert b"KameraMerek" not in stored and b"Exif" not in stored
    assert Image.open(io.BytesIO(stored)).getexif() == {}
    served = client.get(reverse("activities:photo-file", args=[photo.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content) == stored
    assert served["X-Content-Type-Options"] == "nosniff"
    download = client.get(reverse("activities:photo-file", args=[photo.pk]) + "?unduh=1")
    assert "attachment" in download["Content-Disposition"]
    assert AuditEvent.objects.filter(action="activity_photo_added").count() == 1


def test_consent_without_children_is_not_recorded(login, peksos_budi, activity):
    login(peksos_budi).post(
        reverse("activities:photo-upload", args=[activity.pk]),
        {"file": upload("a.jpg", jpeg()), "shows_children": "0", "consent_recorded": "on"},
    )
    assert not ActivityPhoto.objects.get().consent_recorded


S9_CASES = [
    ("svg.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("page.jpg", b"<html><script>alert(1)</script></html>"),
    ("polyglot.jpg", jpeg(tail=b"<script>alert(1)</script>")),
    ("program.exe", b"MZ\x90\x00" + b"\x00" * 100),
    ("png-as-jpg.png", jpeg()),  # a JPEG named .png
    ("no-extension", jpeg()),
    ("empty.jpg", b""),
    ("broken.jpg", jpeg()[:40]),
]


@pytest.mark.parametrize(("name", "content"), S9_CASES, ids=[c[0] for c in S9_CASES])
def test_unsafe_uploads_are_form_errors_and_the_caption_is_kept(
    login, peksos_budi, activity, name, content
):
    response = login(peksos_budi).post(
        reverse("activities:photo-upload", args=[activity.pk]),
        {
            "file": upload(name, content),
            "caption": "Keterangan saya",
            "shows_children": "1",
            "consent_recorded": "on",
        },
    )
    page = page_text(response)
    assert response.status_code == 200
    assert "Keterangan saya" in page
    assert "is-invalid" in page or "invalid-feedback" in page
    assert not ActivityPhoto.objects.exists()


@pytest.mark.parametrize("name", ["gpj.exe\u202e.jpg", "../../etc/passwd.jpg"])
def test_dangerous_names_never_reach_the_disk(login, peksos_budi, activity, name):
    """Django's upload parser already cuts the path and the hidden characters; whatever is
    left, the stored name is generated and the display name cleaned."""
    response = login(peksos_budi).post(
        reverse("activities:photo-upload", args=[activity.pk]),
        {"file": upload(name, jpeg()), "shows_children": "0"},
    )
    assert response.status_code in (200, 302)
    for photo in ActivityPhoto.objects.all():
        assert photo.file.name.startswith("activity-photos/") and ".." not in photo.file.name
        assert "passwd" not in photo.file.name and "\u202e" not in photo.display_name
        assert "/" not in photo.display_name


def test_too_large_is_refused(login, peksos_budi, activity, monkeypatch):
    from activities import forms as activity_forms

    monkeypatch.setattr(activity_forms, "IMAGE_MAX_BYTES", 1000)
    response = login(peksos_budi).post(
        reverse("activities:photo-upload", args=[activity.pk]),
        {
            "file": upload("big.jpg", jpeg(size=(400, 400))),
            "caption": "Besar",
            "shows_children": "0",
        },
    )
    assert response.status_code == 200 and "MB" in page_text(response)
    assert not ActivityPhoto.objects.exists()


def test_the_children_question_must_be_answered(login, peksos_budi, activity):
    response = login(peksos_budi).post(
        reverse("activities:photo-upload", args=[activity.pk]),
        {"file": upload("a.jpg", jpeg()), "caption": "Tanpa jawaban"},
    )
    assert response.status_code == 200 and not ActivityPhoto.objects.exists()


@pytest.fixture
def three_photos(activity, peksos_budi):
    def add(caption, children, consent):
        clean = validate_image(upload(f"{caption}.jpg", jpeg()), prefix="activity-photos")
        return photo_add(
            activity=activity,
            upload=clean,
            caption=caption,
            shows_children=children,
            consent_recorded=consent,
            by=peksos_budi,
        )

    return {
        "plain": add("Ruang kelas", False, False),
        "consent": add("Anak dengan izin", True, True),
        "secret": add("Anak tanpa izin", True, False),
    }


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("koordinator_ani", {"plain", "consent", "secret"}),
        ("peksos_budi", {"plain", "consent", "secret"}),
        ("psikolog_gita", {"plain", "consent", "secret"}),
        ("kepsek_indah", {"plain", "consent"}),
        ("sosdesk_citra_sdn1", {"plain"}),
    ],
)
def test_who_sees_which_photo(request, login, activity, three_photos, persona, visible):
    client = login(request.getfixturevalue(persona))
    page = page_text(client.get(reverse("activities:activity-detail", args=[activity.pk])))
    for key, photo in three_photos.items():
        url = reverse("activities:photo-file", args=[photo.pk])
        status = client.get(url).status_code
        if key in visible:
            assert status == 200 and url in page and photo.caption in page, key
        else:
            assert status == 404 and url not in page and photo.caption not in page, key


@pytest.mark.parametrize("persona", ["peksos_joko_sdn2", "sosdesk_dedi_sdn2"])
def test_other_schools_get_404(request, login, three_photos, persona):
    client = login(request.getfixturevalue(persona))
    for photo in three_photos.values():
        assert client.get(reverse("activities:photo-file", args=[photo.pk])).status_code == 404
        assert client.post(reverse("activities:photo-delete", args=[photo.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["guru_eka", "ortu_fajar"])
def test_teachers_and_parents_get_403(request, login, three_photos, persona):
    client = login(request.getfixturevalue(persona))
    assert (
        client.get(reverse("activities:photo-file", args=[three_photos["plain"].pk])).status_code
        == 403
    )


def test_anonymous_cannot_fetch_a_photo(client, three_photos):
    response = client.get(reverse("activities:photo-file", args=[three_photos["plain"].pk]))
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")


def test_delete_a_photo(login, peksos_budi, kepsek_indah, three_photos, settings):
    photo = three_photos["plain"]
    path = settings.PRIVATE_MEDIA_ROOT / photo.file.name
    url = reverse("activities:photo-delete", args=[photo.pk])
    assert login(kepsek_indah).post(url).status_code == 403
    client = login(peksos_budi)
    assert client.get(url).status_code == 405
    assert path.exists()
    assert client.post(url).status_code == 302
    assert not ActivityPhoto.objects.filter(pk=photo.pk).exists()


def test_photo_upload_refused_for_school_side(login, kepsek_indah, activity):
    response = login(kepsek_indah).post(
        reverse("activities:photo-upload", args=[activity.pk]),
        {"file": upload("a.jpg", jpeg()), "shows_children": "0"},
    )
    assert response.status_code == 403 and not ActivityPhoto.objects.exists()


def test_unknown_photo_is_404(login, koordinator_ani, db):
    assert (
        login(koordinator_ani).get(reverse("activities:photo-file", args=[999999])).status_code
        == 404
    )


def test_the_file_gone_from_disk_is_404_not_500(login, koordinator_ani, three_photos, settings):
    photo = three_photos["plain"]
    (settings.PRIVATE_MEDIA_ROOT / photo.file.name).unlink()
    assert (
        login(koordinator_ani).get(reverse("activities:photo-file", args=[photo.pk])).status_code
        == 404
    )


def test_every_view_of_a_photo_of_children_is_audited(login, peksos_budi, three_photos):
    client = login(peksos_budi)
    client.get(reverse("activities:photo-file", args=[three_photos["secret"].pk]))
    client.get(reverse("activities:photo-file", args=[three_photos["secret"].pk]) + "?unduh=1")
    client.get(reverse("activities:photo-file", args=[three_photos["plain"].pk]))
    events = AuditEvent.objects.filter(action__startswith="activity_photo_").exclude(
        action="activity_photo_added"
    )
    assert sorted(events.values_list("action", flat=True)) == [
        "activity_photo_downloaded",
        "activity_photo_viewed",
    ]
    assert {e.actor_id for e in events} == {peksos_budi.pk}
