"""Photos in forum posts: trusted accounts only, cleaned by peksos.core.uploads (no EXIF),
always held for a moderator, served only to those who may see the post (docs/quality.md S9)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from forum import permissions
from forum.models import Answer, ModerationNote, PostImage, Question
from tests.factories import FORUM_ASK as ASK
from tests.factories import ask, relax_new_account_rules, topic
from tests.factories import post_url as url
from tests.factories import question_detail as detail


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path


def jpeg(name="foto.jpg", exif=True) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    info = Image.Exif()
    info[0x010F] = "CANARY-CAMERA-MAKER"
    image.save(buffer, "JPEG", exif=info.tobytes() if exif else b"")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def question_data(**changes):
    data = {
        "category": topic().pk,
        "title": "Bagaimana menata sudut belajar di rumah?",
        "body": "Ini foto meja belajar kami, apakah sudah cukup terang?",
        "private": "",
    }
    data.update(changes)
    return data


def test_a_trusted_parent_adds_a_photo_held_for_a_moderator(
    monkeypatch, login, ortu_fajar, guru_eka, koordinator_ani
):
    relax_new_account_rules(monkeypatch)
    client = login(ortu_fajar)
    response = client.post(ASK, question_data(image=jpeg()))
    question = Question.objects.get()
    assert response["Location"] == detail(question)
    assert question.is_pending
    note = ModerationNote.objects.get(question=question)
    assert note.reasons == ["image"] and note.held_for_image
    photo = PostImage.objects.get()
    stored = photo.file.read()
    assert b"CANARY-CAMERA-MAKER" not in stored and stored.startswith(b"\xff\xd8")
    assert photo.file.name.startswith("forum-photos/") and "foto" not in photo.file.name
    # The author and the moderators see it; another member does not (404 like the post).
    photo_url = url("post-image", photo)
    assert photo_url in client.get(detail(question)).content.decode()
    assert client.get(photo_url).status_code == 200
    assert login(koordinator_ani).get(photo_url)["Content-Type"] == "image/jpeg"
    queue = login(koordinator_ani).get("/forum/moderasi/").content.decode()
    assert photo_url in queue
    assert login(guru_eka).get(photo_url).status_code == 404
    login(koordinator_ani).post(url("question-approve", question))
    response = login(guru_eka).get(photo_url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == stored


def test_new_accounts_have_no_photo_field_and_cannot_send_one(login, ortu_fajar):
    assert not permissions.may_post_images(ortu_fajar)
    client = login(ortu_fajar)
    assert "image" not in client.get(ASK).context["form"].fields
    client.post(ASK, question_data(image=jpeg()))
    assert not PostImage.objects.exists()  # the field is not there: the file is ignored


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("x.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"),
        SimpleUploadedFile("x.svg", b"<svg onload=alert(1)></svg>", "image/svg+xml"),
        SimpleUploadedFile("x.png", b"", "image/png"),
        SimpleUploadedFile("x.pdf", b"%PDF-1.4 hello", "application/pdf"),
    ],
)
def test_bad_files_are_refused_and_the_text_kept(monkeypatch, login, ortu_fajar, upload):
    relax_new_account_rules(monkeypatch)
    response = login(ortu_fajar).post(ASK, question_data(image=upload))
    assert response.status_code == 200
    assert "image" in response.context["form"].errors
    assert "meja belajar" in response.content.decode()
    assert not Question.objects.exists() and not PostImage.objects.exists()


def test_an_answer_with_a_photo(monkeypatch, login, ortu_fajar, psikolog_gita):
    relax_new_account_rules(monkeypatch)
    question = ask(ortu_fajar)
    client = login(psikolog_gita)
    response = client.post(
        url("answer-create", question), {"body": "Contoh jadwal harian.", "image": jpeg("j.png")}
    )
    # The name says PNG but the file is a JPEG: refused, the text kept.
    assert response.status_code == 200 and "Contoh jadwal" in response.content.decode()
    response = client.post(
        url("answer-create", question), {"body": "Contoh jadwal harian.", "image": jpeg()}
    )
    answer = Answer.objects.get()
    assert response.status_code == 302 and answer.is_pending
    assert PostImage.objects.get().answer == answer


def test_photo_view_anonymous_method_and_unknown(client, login, ortu_fajar, monkeypatch):
    relax_new_account_rules(monkeypatch)
    login(ortu_fajar).post(ASK, question_data(image=jpeg()))
    photo = PostImage.objects.get()
    assert login(ortu_fajar).post(url("post-image", photo)).status_code == 405
    assert client.get("/forum/foto/00000000-0000-0000-0000-000000000000/").status_code == 404
    client.logout()
    assert client.get(url("post-image", photo))["Location"].startswith("/masuk/")


def test_a_private_questions_photo_is_for_staff_only(
    monkeypatch, login, ortu_fajar, guru_eka, psikolog_gita, koordinator_ani
):
    relax_new_account_rules(monkeypatch)
    login(ortu_fajar).post(ASK, question_data(image=jpeg(), private="on"))
    question = Question.objects.get()
    login(koordinator_ani).post(url("question-approve", question))
    photo = PostImage.objects.get()
    assert login(psikolog_gita).get(url("post-image", photo)).status_code == 200
    assert login(guru_eka).get(url("post-image", photo)).status_code == 404
