"""The people import (issue #17): a messy file is refused whole, naming every bad line; a good
file creates the accounts and memberships and invites them; applying it twice changes nothing."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import Workbook

from peksos.accounts.models import Role, User
from people.models import Invitation, UserImport
from schools.models import SchoolMembership

pytestmark = pytest.mark.django_db

GOOD = (
    "\ufeffnama;peran;email;telepon;npsn\n"
    "Sri Wahyuni;Kepala Sekolah;sri@example.org;;10807637\n"
    "Bayu Saputra;Petugas SOS Desk;;0812 3456 7890;10807637\n"
    "Rina Marlina;sosdesk;rina@example.org;;10807637\n"
    "Rina Marlina;sosdesk;RINA@example.org;;10807680\n"
)
MESSY = (
    "name,role,e-mail,phone,npsn\n"
    "Sri Wahyuni,Kepala Sekolah,sri@example.org,,10807637\n"
    ",Kepala Sekolah,x@example.org,,10807637\n"
    "Bayu,Tukang Kebun,bayu@example.org,,10807637\n"
    "Cici,Guru,bukan-email,,10807637\n"
    "Dodi,Guru,dodi@example.org,,99999999\n"
    "Sri Wahyuni,Kepala Sekolah,sri@example.org,,10807637\n"
)


def _write(tmp_path, text, name="orang.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_messy_file_is_refused_whole_naming_every_bad_line(tmp_path, school_a, capsys):
    with pytest.raises(CommandError):
        call_command("import_users", str(_write(tmp_path, MESSY)), "--apply")
    out = capsys.readouterr().out
    for line in (3, 4, 5, 6, 7):
        assert f"line {line}:" in out or f"baris {line}:" in out
    assert "line 2:" not in out and "baris 2:" not in out
    assert not User.objects.filter(email="sri@example.org").exists()


def test_good_file_creates_invites_and_twice_changes_nothing(tmp_path, school_a, school_b):
    path = _write(tmp_path, GOOD)
    call_command("import_users", str(path))  # a check only
    assert not User.objects.filter(email="sri@example.org").exists()
    call_command("import_users", str(path), "--apply")
    sri = User.objects.get(email="sri@example.org")
    assert sri.role == Role.KEPALA_SEKOLAH and not sri.has_usable_password()
    bayu = User.objects.get(phone="081234567890")
    assert bayu.role == Role.SOSDESK
    rina = User.objects.get(email="rina@example.org")
    assert set(rina.school_memberships.values_list("school__npsn", flat=True)) == {
        school_a.npsn,
        school_b.npsn,
    }
    assert Invitation.objects.count() == 3
    counts = (User.objects.count(), SchoolMembership.objects.count(), Invitation.objects.count())
    call_command("import_users", str(path), "--apply")
    assert counts == (
        User.objects.count(),
        SchoolMembership.objects.count(),
        Invitation.objects.count(),
    )


def test_a_known_person_with_another_role_is_an_error(tmp_path, kepsek_indah, school_a):
    text = f"nama,peran,email,npsn\nIndah,Guru,{kepsek_indah.email},{school_a.npsn}\n"
    with pytest.raises(CommandError):
        call_command("import_users", str(_write(tmp_path, text)), "--apply")
    kepsek_indah.refresh_from_db()
    assert kepsek_indah.role == Role.KEPALA_SEKOLAH


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_web_import_preview_and_apply(login, koordinator_ani, school_a):
    client = login(koordinator_ani)
    data = _xlsx(
        [
            ["Nama", "Peran", "E-mail", "NPSN"],
            ["Sri Wahyuni", "Kepala Sekolah", "sri@example.org", 10807637],
            ["Bayu", "Petugas SOS Desk", "bayu@example.org", 10807637],
        ]
    )
    upload = io.BytesIO(data)
    upload.name = "orang.xlsx"
    response = client.post(reverse("people:import-create"), {"file": upload})
    batch = UserImport.objects.get()
    assert response.status_code == 302 and batch.state == UserImport.State.VALID
    assert client.get(reverse("people:import-detail", args=[batch.pk])).status_code == 200
    client.post(reverse("people:import-apply", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == UserImport.State.APPLIED and batch.people_created == 2
    client.post(reverse("people:import-apply", args=[batch.pk]))  # a second click
    assert User.objects.filter(email__in=["sri@example.org", "bayu@example.org"]).count() == 2


def test_web_import_bad_file_is_a_form_error(login, koordinator_ani):
    client = login(koordinator_ani)
    upload = io.BytesIO(b"%PDF-1.4 nope")
    upload.name = "orang.csv"
    response = client.post(reverse("people:import-create"), {"file": upload})
    assert response.status_code == 400 and not UserImport.objects.exists()


def test_web_import_is_koordinator_only(login, peksos_budi):
    assert login(peksos_budi).get(reverse("people:import-create")).status_code == 403
