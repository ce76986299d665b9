"""Regions for growth (issue #17): kecamatan and kelurahan added, renamed and imported from a
file by the Koordinator at /wilayah/, audited; then the school register import accepts the
schools of the new area."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peksos.core.models import AuditEvent
from schools import importer, region_import
from schools.models import Kecamatan, Kelurahan, RegionImport, School

pytestmark = pytest.mark.django_db
LIST = reverse("regions:region-list")
IMPORT = reverse("regions:import-create")
KEC_NEW = reverse("regions:kecamatan-create")
KEL_NEW = reverse("regions:kelurahan-create")

GOOD = "\n".join(
    [
        "kode;nama;induk",
        "18.06.01.2001;Sumber Makmur;Kec. Batanghari Baru",  # parent by name, added below
        "18.06.01;Batanghari Baru;",
        "18.06.01.2002;Tanjung Harapan;18.06.01",
        "18.72.01;Metro Pusat;",  # known, unchanged
    ]
)
MESSY = "\n".join(
    [
        "code,name,parent",
        "18.06.01,Batanghari Baru,",
        "1806,Kota Salah,",  # bad kecamatan code
        "18.06.01.2001,,18.06.01",  # no name
        "18.06.01.2002,Tanjung,Tidak Ada",  # unknown parent
        "18.06.02.2003,Salah Induk,18.06.01",  # code not under its parent
        "18.06.01,Dua Kali,",  # the same code twice
        "18.72.02,Metro Pusat,",  # another kecamatan's name
        "18.72.01.1001,Yosomulyo,18.72.01",  # Metro renamed as another of its kelurahan
        "18.06.01.2004,Ganda,18.06.01",
        "18.06.01.2005,ganda,18.06.01",  # the same kelurahan name twice
    ]
)


def _upload(client, text: str, name: str = "wilayah.csv"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, text.encode("utf-8"))})


def _xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_list_shows_every_kecamatan_with_its_kelurahan(
    login, koordinator_ani, kota_metro, django_assert_max_num_queries
):
    client = login(koordinator_ani)
    with django_assert_max_num_queries(12):
        page = client.get(LIST)
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count("18.72.0") >= 5 + Kelurahan.objects.count()
    assert "Hadimulyo Timur" in text and "Tambah kelurahan" in text


def test_import_preview_apply_and_again_changes_nothing(login, koordinator_ani, kota_metro):
    client = login(koordinator_ani)
    before = Kecamatan.objects.count() + Kelurahan.objects.count()
    response = _upload(client, GOOD)
    batch = RegionImport.objects.get()
    assert response.status_code == 302 and batch.state == RegionImport.State.VALID
    assert Kecamatan.objects.count() + Kelurahan.objects.count() == before  # preview only
    page = client.get(reverse("regions:import-detail", args=[batch.pk]))
    assert "Sumber Makmur" in page.content.decode()
    assert client.post(reverse("regions:import-apply", args=[batch.pk])).status_code == 302
    batch.refresh_from_db()
    assert (batch.state, batch.created, batch.updated) == (RegionImport.State.APPLIED, 3, 0)
    new = Kecamatan.objects.get(code="18.06.01")
    assert set(new.kelurahan.values_list("name", flat=True)) == {"Sumber Makmur", "Tanjung Harapan"}
    assert AuditEvent.objects.filter(action="region_import_applied").count() == 1
    # A second click does nothing; the same file again adds and changes nothing.
    client.post(reverse("regions:import-apply", args=[batch.pk]))
    _upload(client, GOOD)
    again = RegionImport.objects.exclude(pk=batch.pk).get()
    client.post(reverse("regions:import-apply", args=[again.pk]))
    again.refresh_from_db()
    assert (again.created, again.updated) == (0, 0)
    assert Kecamatan.objects.count() + Kelurahan.objects.count() == before + 3


def test_messy_file_is_refused_whole_naming_every_bad_line(login, koordinator_ani, kota_metro):
    client = login(koordinator_ani)
    before = Kecamatan.objects.count() + Kelurahan.objects.count()
    _upload(client, MESSY)
    batch = RegionImport.objects.get()
    assert batch.state == RegionImport.State.INVALID
    bad = {error["line"]: " ".join(error["messages"]) for error in batch.errors}
    assert set(bad) == {3, 4, 5, 6, 7, 8, 9, 11}, bad
    assert "18.72.01" in bad[3]
    assert "kosong" in bad[4]  # Indonesian
    assert "Tidak Ada" in bad[5]
    assert "18.06.01.1001" in bad[6]
    assert "baris 2" in bad[7]
    assert "Metro Pusat" in bad[8]
    assert "sudah memiliki kelurahan bernama Yosomulyo" in bad[9]
    assert "baris 10" in bad[11]
    response = client.post(reverse("regions:import-apply", args=[batch.pk]), follow=True)
    assert "kesalahan" in response.content.decode()
    assert Kecamatan.objects.count() + Kelurahan.objects.count() == before


def test_a_workbook_is_read_too(login, koordinator_ani, kota_metro):
    data = _xlsx([["Kode", "Nama", "Induk"], ["18.06.01", "Batanghari Baru", None]])
    response = login(koordinator_ani).post(
        IMPORT, {"file": SimpleUploadedFile("wilayah.xlsx", data)}
    )
    assert response.status_code == 302
    assert RegionImport.objects.get().rows[0]["name"] == "Batanghari Baru"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("wilayah.csv", b"", "kosong"),
        ("wilayah.pdf", b"%PDF-1.4", ".csv"),
        ("wilayah.csv", b"nama\nBatanghari\n", "code"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(
    login, koordinator_ani, kota_metro, name, content, message
):
    response = login(koordinator_ani).post(IMPORT, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RegionImport.objects.exists()


def test_koordinator_adds_and_renames_by_hand_audited(login, koordinator_ani, kota_metro):
    client = login(koordinator_ani)
    response = client.post(KEC_NEW, {"code": "18.06.01", "name": "Batanghari Baru"})
    assert response.status_code == 302
    response = client.post(
        KEL_NEW, {"kecamatan": "18.06.01", "code": "18.06.01.2001", "name": "Sumber Makmur"}
    )
    assert response.status_code == 302
    kelurahan = Kelurahan.objects.get(code="18.06.01.2001")
    assert kelurahan.kecamatan.name == "Batanghari Baru"
    edit = reverse("regions:kelurahan-edit", args=[kelurahan.code])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit, {"kecamatan": "18.06.01", "code": "99.99.99.9999", "name": "Sumber Makmur Jaya"}
    )
    assert response.status_code == 302
    kelurahan.refresh_from_db()
    assert (kelurahan.code, kelurahan.name) == ("18.06.01.2001", "Sumber Makmur Jaya")
    actions = list(AuditEvent.objects.filter(action__startswith="region_").values_list("action"))
    assert actions.count(("region_created",)) == 2 and ("region_changed",) in actions
    page = client.get(KEL_NEW + "?kecamatan=18.06.01")
    assert 'value="18.06.01" selected' in page.content.decode()


def test_bad_input_is_refused_in_indonesian_and_kept(login, koordinator_ani, kota_metro):
    client = login(koordinator_ani)
    response = client.post(KEC_NEW, {"code": "18.72.09", "name": "Metro Timur"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Kecamatan lain sudah bernama Metro Timur" in text
    assert 'value="18.72.09"' in text  # what was typed is kept
    assert not Kecamatan.objects.filter(code="18.72.09").exists()
    response = client.post(
        KEL_NEW, {"kecamatan": "18.72.01", "code": "18.72.02.1009", "name": "Baru"}
    )
    assert response.status_code == 400 and "18.72.01.1001" in response.content.decode()


def test_a_kelurahan_keeps_its_kecamatan(login, koordinator_ani, school_a):
    """Its code holds its kecamatan's: the form does not move it, nor does a file."""
    kelurahan = school_a.kelurahan
    other = Kecamatan.objects.exclude(pk=kelurahan.kecamatan_id).first()
    response = login(koordinator_ani).post(
        reverse("regions:kelurahan-edit", args=[kelurahan.code]),
        {"kecamatan": other.code, "name": kelurahan.name + " Baru"},
    )
    assert response.status_code == 302
    kelurahan.refresh_from_db()
    assert kelurahan.kecamatan_id == school_a.kecamatan_id
    assert kelurahan.name.endswith(" Baru")
    rows = [{"line": 2, "code": kelurahan.code, "name": "X", "parent": other.code}]
    assert region_import.check_rows(rows).errors


def test_the_school_import_accepts_schools_of_a_new_area(koordinator_ani, kota_metro):
    header = "npsn,nama,jenjang,status,kecamatan,kelurahan,lintang,bujur"
    school = "69990001,SD NEGERI 1 BATANGHARI BARU,SD,negeri,Batanghari Baru,Sumber Makmur"
    text = f"{header}\n{school},-5.05,105.45\n".encode()
    refused = importer.check_file("sekolah.csv", text)
    assert "Batanghari Baru" in refused.errors[0]["messages"][0]
    region_import.apply_rows(
        region_import.check_rows(
            [
                {"line": 2, "code": "18.06.01", "name": "Batanghari Baru", "parent": ""},
                {"line": 3, "code": "18.06.01.2001", "name": "Sumber Makmur", "parent": "18.06.01"},
            ]
        ).rows
    )
    result = importer.check_file("sekolah.csv", text)  # outside Kota Metro's box, in Indonesia
    assert result.is_valid, result.errors
    importer.apply_rows(result.rows)
    added = School.objects.get(npsn="69990001")
    assert (added.kecamatan.code, added.kelurahan.name) == ("18.06.01", "Sumber Makmur")
    # Kota Metro's own schools are still held to Kota Metro's box.
    metro = f"{header}\n69990002,SD X,SD,negeri,Metro Pusat,,-5.05,105.45\n".encode()
    assert not importer.check_file("sekolah.csv", metro).is_valid


def test_wrong_method_and_unknown_region(login, koordinator_ani, kota_metro):
    client = login(koordinator_ani)
    assert client.post(LIST).status_code == 405
    assert client.get(reverse("regions:kecamatan-edit", args=["99.99.99"])).status_code == 404
    assert (
        client.get(
            reverse("regions:import-apply", args=["00000000-0000-0000-0000-000000000000"])
        ).status_code
        == 405
    )


def test_only_the_koordinator(client, login, peksos_budi, kepsek_indah, kota_metro):
    for url in (LIST, KEC_NEW, KEL_NEW, IMPORT):
        assert client.get(url).status_code == 302  # anonymous: to the login page
        assert "/masuk/" in client.get(url)["Location"]
    for user in (peksos_budi, kepsek_indah):
        client = login(user)
        for url in (LIST, KEC_NEW, IMPORT):
            assert client.get(url).status_code == 403
        assert client.post(KEC_NEW, {"code": "18.06.01", "name": "X"}).status_code == 403
        client.logout()
    assert not Kecamatan.objects.filter(code="18.06.01").exists()


def test_the_command_loads_kota_metro_on_a_new_installation_once(tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    School.objects.all().delete()  # a new installation: no register, no regions
    Kelurahan.objects.all().delete()
    Kecamatan.objects.all().delete()
    out = StringIO()
    call_command("import_regions", "--kota-metro", stdout=out)  # a check only
    assert not Kecamatan.objects.exists()
    call_command("import_regions", "--kota-metro", "--apply", stdout=out)
    assert Kecamatan.objects.count() == 5 and Kelurahan.objects.count() == 22
    call_command("import_regions", "--kota-metro", "--apply", stdout=out)
    assert RegionImport.objects.order_by("-created_at").first().created == 0  # run twice
    messy = tmp_path / "wilayah.csv"
    messy.write_text(MESSY, encoding="utf-8")
    with pytest.raises(CommandError, match=r"wilayah\.csv"):
        call_command("import_regions", str(messy), "--apply", stdout=out)
    assert Kecamatan.objects.count() == 5
