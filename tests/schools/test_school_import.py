"""Importing the school register: every row checked first, then all rows applied or none."""

import io
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from peksos.core.models import AuditEvent, OutboxMessage
from schools import importer
from schools.models import ImportBatch, Kelurahan, School
from schools.tasks import APPLY_IMPORT, apply_school_import
from tests.factories import SCHOOL_A_NPSN, SCHOOL_B_NPSN

DATA = Path(__file__).resolve().parents[1] / "data"
ONLY_2019 = DATA / "kota_metro_schools_2019_only.csv"  # real schools missing from the register
NEW_NPSN = "10807610"  # SMP MUHAMMADIYAH 2 METRO, in the 2019 data only
HEADER = "npsn,name,level,status,kecamatan,kelurahan,address,students,socioeconomic_share"
HEADER_COORDS = HEADER + ",latitude,longitude"
CREATE_URL = reverse("schools:import-create")

GOOD_CSV = "\n".join(
    [
        HEADER_COORDS,
        f"{SCHOOL_A_NPSN},UPTD SD NEGERI 1 METRO PUSAT,SD,negeri,Metro Pusat,Metro,,312,25,,",
        f"{SCHOOL_B_NPSN},UPTD SD NEGERI 2 METRO PUSAT,sd,NEGERI,metro pusat,METRO,,150,,,",
        "",
        f"{NEW_NPSN},SMP MUHAMMADIYAH 2 METRO,SMP,swasta,Metro Pusat,,"
        "Jl. Mr. Gele Harun 15 Kauman,,,-5.1179,105.3062",
    ]
)

# Line 1 is the header; each bad line has one problem, line 8 is empty and is skipped.
MIXED_CSV = "\n".join(
    [
        HEADER_COORDS,
        f"{SCHOOL_A_NPSN},UPTD SD NEGERI 1 METRO PUSAT,SD,negeri,Metro Pusat,Metro,,312,,,",
        "1080763,SEKOLAH NPSN PENDEK,SD,negeri,Metro Pusat,,,,,,",
        "99000001,TEST SD 001,SD,negeri,Metro Pusat,Bukan Kelurahan,,,,,",
        f"{SCHOOL_A_NPSN},UPTD SD NEGERI 1 METRO PUSAT,SD,negeri,Metro Pusat,,,,,,",
        "99000002,TEST SD 002,SD,negeri,Metro Pusat,,,seratus,,,",
        "99000003,TEST SD 003,SD,negeri,Metro Pusat,,,,12.5,,",
        ",,,,,,,,,,",
        "99000004,TEST SMU 004,SMU,negeri,Metro Pusat,,,,,,",
        "99000005,TEST SD 005,SD,negeri,Metro Pusat,,,,,-5.11,",
        "99000006,TEST SD 006,SD,negeri,Metro Pusat,,,,,-6.2,106.8",
        "99000007,TEST SD 007,SD,umum,Metro Tengah,,,,,,",
    ]
)

# As a spreadsheet program in an Indonesian locale saves it: a BOM, `;`, decimal commas.
BOM_SEMICOLON_CSV = (
    "\ufeffNPSN;Nama;Jenjang;Status;Kecamatan;Kelurahan;Alamat;Jumlah Siswa;PIP/KIP Persen;"
    "Lintang;Bujur\r\n"
    f"{SCHOOL_A_NPSN};UPTD SD NEGERI 1 METRO PUSAT;SD;negeri;Metro Pusat;Metro;;312;25;"
    "-5,1163;105,3050\r\n"
    "99000001;TEST MTS 001;mts;swasta;Metro Timur;Yosodadi;Jl. Contoh 1;;;;\r\n"
)

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def csv_file(text: str, name: str = "sekolah.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def register_snapshot() -> list[tuple]:
    return list(
        School.objects.order_by("npsn").values_list(
            "npsn", "name", "level", "status", "kecamatan", "kelurahan", "students", "latitude"
        )
    )


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Assertions read the English source strings (the Indonesian catalogue comes later)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def koordinator(login, koordinator_ani, kota_metro):
    return login(koordinator_ani)


def upload(client, file: SimpleUploadedFile):
    return client.post(CREATE_URL, {"file": file})


def upload_batch(client, file: SimpleUploadedFile) -> ImportBatch:
    response = upload(client, file)
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = ImportBatch.objects.get()
    assert response.url == reverse("schools:import-detail", args=[batch.pk])
    return batch


def apply(client, batch: ImportBatch, capture):
    with capture(execute=True):
        response = client.post(reverse("schools:import-apply", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    return response


# --- the web import ------------------------------------------------------------------------


def test_form_explains_the_columns(koordinator):
    response = koordinator.get(CREATE_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    for column in ("npsn", "jenjang", "kecamatan", "jumlah_siswa", "lintang"):
        assert column in html


def test_upload_preview_apply_updates_the_register(
    koordinator, koordinator_ani, django_capture_on_commit_callbacks
):
    untouched = School.objects.get(npsn="10811042")  # TK AISYIYAH METRO, not in the file
    before = School.objects.count()
    batch = upload_batch(koordinator, csv_file(GOOD_CSV))
    assert batch.state == ImportBatch.State.VALID
    assert batch.total == 3
    assert batch.uploaded_by == koordinator_ani
    assert School.objects.count() == before  # nothing changes on upload
    assert School.objects.get(npsn=SCHOOL_A_NPSN).students is None

    preview = koordinator.get(reverse("schools:import-detail", args=[batch.pk]))
    html = preview.content.decode()
    assert "SMP MUHAMMADIYAH 2 METRO" in html
    assert reverse("schools:import-apply", args=[batch.pk]) in html
    assert preview.context["new_count"] == 1
    assert preview.context["known_count"] == 2

    apply(koordinator, batch, django_capture_on_commit_callbacks)
    assert batch.state == ImportBatch.State.APPLIED
    assert (batch.created, batch.updated, batch.progress) == (1, 2, 3)
    assert batch.applied_at is not None
    assert School.objects.count() == before + 1
    school_a = School.objects.get(npsn=SCHOOL_A_NPSN)
    assert (school_a.students, school_a.socioeconomic_share) == (312, 25)
    assert school_a.priority_score is not None  # recomputed with the new inputs
    assert str(school_a.latitude) == "-5.1163000"  # empty cells keep known coordinates
    assert school_a.address == "Jl. Brig. Jend. Sutiyoso No.44"  # and the known address
    new = School.objects.get(npsn=NEW_NPSN)
    assert (new.level, new.status, new.kecamatan.name) == ("SMP", "swasta", "Metro Pusat")
    assert str(new.latitude) == "-5.1179000"
    assert new.source.startswith("import: sekolah.csv")
    assert School.objects.get(pk=untouched.pk).updated_at == untouched.updated_at

    actions = set(AuditEvent.objects.for_object(batch).values_list("action", flat=True))
    assert actions == {"school_import.upload", "school_import.apply", "school_import.applied"}
    message = OutboxMessage.objects.get(kind=APPLY_IMPORT)
    assert message.state == OutboxMessage.State.DONE

    done = koordinator.get(reverse("schools:import-detail", args=[batch.pk]))
    html = done.content.decode()
    assert "data-hx-get" not in html
    assert reverse("schools:import-apply", args=[batch.pk]) not in html


def test_mixed_file_reports_every_bad_line_and_changes_nothing(
    koordinator, django_capture_on_commit_callbacks
):
    before = register_snapshot()
    batch = upload_batch(koordinator, csv_file(MIXED_CSV))
    assert batch.state == ImportBatch.State.INVALID
    assert batch.total == 10  # the empty line is not a row
    errors = {error["line"]: " ".join(error["messages"]) for error in batch.errors}
    assert sorted(errors) == [3, 4, 5, 6, 7, 9, 10, 11, 12]
    assert "8 digits" in errors[3] and "1080763" in errors[3]
    assert "Bukan Kelurahan" in errors[4] and "Metro Pusat" in errors[4]
    assert "line 2" in errors[5]
    assert "seratus" in errors[6] and "whole number" in errors[6]
    assert "12.5" in errors[7] and "percent sign" in errors[7]
    assert "SMU" in errors[9] and "MTs" in errors[9]
    assert "both" in errors[10]
    assert "outside Kota Metro" in errors[11]
    assert "umum" in errors[12] and "Metro Tengah" in errors[12]
    assert [row["line"] for row in batch.rows] == [2]

    page = koordinator.get(reverse("schools:import-detail", args=[batch.pk]))
    html = page.content.decode()
    assert "Bukan Kelurahan" in html
    assert reverse("schools:import-apply", args=[batch.pk]) not in html

    apply(koordinator, batch, django_capture_on_commit_callbacks)  # refused
    assert batch.state == ImportBatch.State.INVALID
    assert not OutboxMessage.objects.exists()
    assert register_snapshot() == before


def test_bom_and_semicolons_from_an_indonesian_spreadsheet(
    koordinator, django_capture_on_commit_callbacks
):
    batch = upload_batch(koordinator, csv_file(BOM_SEMICOLON_CSV))
    assert batch.errors == []
    first, second = batch.rows
    assert first["npsn"] == SCHOOL_A_NPSN  # the BOM is not part of the first column's name
    assert (first["latitude"], first["longitude"]) == ("-5.1163000", "105.3050000")
    assert (second["level"], second["kelurahan"]) == ("MTs", "Yosodadi")
    apply(koordinator, batch, django_capture_on_commit_callbacks)
    assert (batch.created, batch.updated) == (1, 1)
    school = School.objects.get(npsn="99000001")
    assert (school.kelurahan.name, school.address) == ("Yosodadi", "Jl. Contoh 1")


def test_xlsx_with_numbers_as_numbers(koordinator, django_capture_on_commit_callbacks):
    data = xlsx_bytes(
        [
            ["NPSN", "Nama", "Jenjang", "Status", "Kecamatan", "Jumlah Siswa", "Lintang", "Bujur"],
            [int(SCHOOL_B_NPSN), "UPTD SD NEGERI 2 METRO PUSAT", "SD", "negeri", "Metro Pusat",
             480.0, -5.1157, 105.3054],
            [],
            [99000001, "TEST SMK 001", "SMK", "swasta", "Metro Barat", None, None, None],
        ]
    )  # fmt: skip
    batch = upload_batch(koordinator, SimpleUploadedFile("dapodik.xlsx", data))
    assert batch.errors == []
    assert [row["line"] for row in batch.rows] == [2, 4]
    apply(koordinator, batch, django_capture_on_commit_callbacks)
    assert School.objects.get(npsn=SCHOOL_B_NPSN).students == 480
    assert School.objects.get(npsn="99000001").kecamatan.name == "Metro Barat"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("kosong.csv", b"", "empty"),
        ("gambar.csv", PNG, "PNG"),
        ("buku.csv", xlsx_bytes([["npsn"]]), "Excel workbook"),
        ("rusak.xlsx", b"PK\x03\x04 not really a zip file", "damaged"),
        ("sekolah.xlsx", b"npsn,name\n", "not an Excel workbook"),
        ("sekolah.pdf", b"%PDF-1.4", ".csv and .xlsx"),
        ("sekolah.csv", b"npsn,name,level,status,kecamatan\n", "no school rows"),
        ("sekolah.csv", b"npsn;nama\n10807637;X\n", "status, kecamatan"),
        ("biner.csv", b"npsn,name\n\x00\x01\x02", "binary"),
    ],
)
def test_unreadable_files_are_a_form_error(koordinator, name, content, expected):
    response = upload(koordinator, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["file"])
    assert expected in errors, errors
    assert not ImportBatch.objects.exists()


def test_a_post_without_a_file_is_a_form_error(koordinator):
    response = koordinator.post(CREATE_URL, {})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not ImportBatch.objects.exists()


def test_a_file_over_the_size_limit_is_refused(koordinator, settings):
    settings.SCHOOL_IMPORT_MAX_BYTES = 1024
    big = GOOD_CSV + "\n" + "\n" * 2000
    response = upload(koordinator, csv_file(big))
    assert response.status_code == 200
    assert "at most" in " ".join(response.context["form"].errors["file"])
    assert not ImportBatch.objects.exists()


def test_notes_name_the_ignored_columns(koordinator):
    response = upload(koordinator, SimpleUploadedFile("2019.csv", ONLY_2019.read_bytes()))
    page = koordinator.get(response.url)
    assert "source" in page.content.decode()  # the note, shown as a message


def test_applying_twice_does_nothing_twice(koordinator, django_capture_on_commit_callbacks):
    batch = upload_batch(koordinator, csv_file(GOOD_CSV))
    apply(koordinator, batch, django_capture_on_commit_callbacks)
    apply(koordinator, batch, django_capture_on_commit_callbacks)
    assert OutboxMessage.objects.filter(kind=APPLY_IMPORT).count() == 1
    assert (batch.created, batch.updated) == (1, 2)
    assert School.objects.filter(npsn=NEW_NPSN).count() == 1
    actions = list(AuditEvent.objects.for_object(batch).values_list("action", flat=True))
    assert actions.count("school_import.applied") == 1

    # A message delivered again, or a second message for the same batch, is a no-op.
    message = OutboxMessage.objects.get(kind=APPLY_IMPORT)
    OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxMessage.State.DISPATCHED)
    apply_school_import.apply(args=[str(message.pk)])
    assert importer.apply_batch(batch.pk) is None
    batch.refresh_from_db()
    assert (batch.created, batch.updated) == (1, 2)


def test_an_apply_waiting_in_the_outbox_is_not_queued_again(koordinator):
    batch = upload_batch(koordinator, csv_file(GOOD_CSV))
    url = reverse("schools:import-apply", args=[batch.pk])
    koordinator.post(url)  # not relayed: on-commit callbacks do not run in this test
    koordinator.post(url)
    assert OutboxMessage.objects.filter(kind=APPLY_IMPORT).count() == 1
    page = koordinator.get(reverse("schools:import-detail", args=[batch.pk]))
    html = page.content.decode()
    assert page.context["queued"]
    assert 'data-hx-trigger="every 1s"' in html
    assert url not in html


def test_a_failed_apply_changes_nothing_and_can_be_retried(
    koordinator, monkeypatch, django_capture_on_commit_callbacks
):
    before = register_snapshot()
    batch = upload_batch(koordinator, csv_file(GOOD_CSV))

    def broken(queryset):
        raise RuntimeError("database went away")

    monkeypatch.setattr(importer.priority, "recompute", broken)
    apply(koordinator, batch, django_capture_on_commit_callbacks)
    assert batch.state == ImportBatch.State.FAILED
    assert register_snapshot() == before  # the rows written before the failure rolled back
    page = koordinator.get(reverse("schools:import-detail", args=[batch.pk]))
    assert "database went away" not in page.content.decode()

    monkeypatch.undo()
    apply(koordinator, batch, django_capture_on_commit_callbacks)
    assert batch.state == ImportBatch.State.APPLIED


def test_progress_partial_while_applying_and_when_done(koordinator):
    batch = ImportBatch.objects.create(
        filename="besar.csv", state=ImportBatch.State.APPLYING, total=1000
    )
    cache.set(importer.progress_key(batch.pk), 400)
    url = reverse("schools:import-progress", args=[batch.pk])
    html = koordinator.get(url).content.decode()
    assert '<progress id="import-progress-bar"' in html
    assert 'value="400" max="1000"' in html
    assert f'data-hx-get="{url}"' in html
    assert "<html" not in html  # only the fragment
    assert "style=" not in html

    ImportBatch.objects.filter(pk=batch.pk).update(
        state=ImportBatch.State.APPLIED, created=10, updated=20, progress=1000
    )
    html = koordinator.get(url).content.decode()
    assert "data-hx-get" not in html
    assert "<progress" not in html
    assert "970" in html  # unchanged


def test_detail_query_count(koordinator, django_assert_max_num_queries):
    """Session, user, second factor, batch, outbox, known NPSNs, the navigation's bell and
    inbox counts: however many rows."""
    rows = [f"{99000000 + i},TEST SD {i:03d},SD,negeri,Metro Pusat,,,," for i in range(1, 121)]
    batch = upload_batch(koordinator, csv_file("\n".join([HEADER, *rows])))
    with django_assert_max_num_queries(7):
        response = koordinator.get(reverse("schools:import-detail", args=[batch.pk]))
    assert response.status_code == 200
    assert len(response.context["preview"]) == 50
    assert response.context["new_count"] == 120


# --- who may import ------------------------------------------------------------------------


def url_names(batch: ImportBatch) -> list[tuple[str, str]]:
    return [
        ("get", CREATE_URL),
        ("get", reverse("schools:import-detail", args=[batch.pk])),
        ("post", reverse("schools:import-apply", args=[batch.pk])),
        ("get", reverse("schools:import-progress", args=[batch.pk])),
    ]


@pytest.fixture
def valid_batch(kota_metro) -> ImportBatch:
    result = importer.check_file("sekolah.csv", GOOD_CSV.encode())
    return importer.create_batch("sekolah.csv", result)


def test_anonymous_is_sent_to_login(client, valid_batch):
    for method, url in url_names(valid_batch):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:login")), url


@pytest.mark.parametrize("persona", ["peksos_budi", "sosdesk_citra_sdn1", "guru_eka"])
def test_other_roles_are_forbidden(request, login, persona, valid_batch):
    client = login(request.getfixturevalue(persona))
    for method, url in url_names(valid_batch):
        assert getattr(client, method)(url).status_code == 403, url
    response = client.post(CREATE_URL, {"file": csv_file(GOOD_CSV)})
    assert response.status_code == 403
    assert ImportBatch.objects.count() == 1
    assert not OutboxMessage.objects.exists()


def test_wrong_methods(koordinator, valid_batch):
    assert (
        koordinator.get(reverse("schools:import-apply", args=[valid_batch.pk])).status_code == 405
    )
    assert (
        koordinator.post(reverse("schools:import-progress", args=[valid_batch.pk])).status_code
        == 405
    )
    assert koordinator.put(CREATE_URL).status_code == 405


def test_unknown_batch_is_404(koordinator):
    url = reverse("schools:import-detail", args=["00000000-0000-0000-0000-000000000000"])
    assert koordinator.get(url).status_code == 404


# --- the importer itself -------------------------------------------------------------------


@pytest.mark.django_db
def test_tabs_and_header_aliases(kota_metro):
    text = (
        "NPSN\tNama Sekolah\tJENJANG\tStatus\tKec.\tKecamatan\n"
        "99000001\tTEST RA 001\tra\tSwasta\tx\tKec. Metro Utara\n"
    )
    result = importer.check_file("sekolah.csv", text.encode())
    assert result.errors == []
    assert result.rows[0]["level"] == "RA"
    assert result.rows[0]["kecamatan"] == "Metro Utara"
    assert "Kec." in result.notes[0]


@pytest.mark.django_db
def test_windows_1252_csv_is_read(kota_metro):
    text = f"{HEADER}\n99000001,TEST SD 001,SD,negeri,Metro Pusat,,Jl. Café,,\n"
    result = importer.check_file("sekolah.csv", text.encode("cp1252"))
    assert result.rows[0]["address"] == "Jl. Café"


@pytest.mark.django_db
def test_row_limit(kota_metro, settings):
    settings.SCHOOL_IMPORT_MAX_ROWS = 2
    lines = [HEADER] + [f"9900000{i},TEST SD 00{i},SD,negeri,Metro Pusat,,,," for i in range(1, 4)]
    with pytest.raises(importer.ImportFileError, match="more than 2 rows"):
        importer.check_file("sekolah.csv", "\n".join(lines).encode())


@pytest.mark.django_db
def test_empty_cells_keep_known_values_and_a_new_kecamatan_clears_the_kelurahan(kota_metro):
    school = School.objects.get(npsn=SCHOOL_A_NPSN)
    School.objects.filter(pk=school.pk).update(students=312, socioeconomic_share=25)
    text = f"{HEADER}\n{SCHOOL_A_NPSN},UPTD SD NEGERI 1 METRO PUSAT,SD,negeri,Metro Utara,,,,\n"
    result = importer.check_file("sekolah.csv", text.encode())
    assert importer.apply_rows(result.rows) == (0, 1)
    school.refresh_from_db()
    assert (school.students, school.socioeconomic_share) == (312, 25)
    assert school.kecamatan.name == "Metro Utara"
    assert school.kelurahan is None
    assert school.is_active

    row = f"{SCHOOL_A_NPSN},UPTD SD NEGERI 1 METRO PUSAT,SD,negeri,Metro Utara,Banjarsari,,,"
    text = f"{HEADER}\n{row}\n"
    result = importer.check_file("sekolah.csv", text.encode())
    assert importer.apply_rows(result.rows) == (0, 1)
    assert importer.apply_rows(result.rows) == (0, 0)  # nothing left to change
    assert School.objects.get(pk=school.pk).kelurahan == Kelurahan.objects.get(name="Banjarsari")


@pytest.mark.django_db
def test_progress_is_reported_through_the_cache(kota_metro, monkeypatch):
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 2)
    rows = [f"{99000000 + i},TEST SD {i:03d},SD,negeri,Metro Pusat,,,," for i in range(1, 6)]
    result = importer.check_file("sekolah.csv", "\n".join([HEADER, *rows]).encode())
    seen: list[int] = []
    assert importer.apply_rows(result.rows, on_progress=seen.append) == (5, 0)
    assert seen == [2, 4, 5]


# --- the management command ----------------------------------------------------------------


@pytest.mark.django_db
def test_command_checks_then_applies(kota_metro):
    out = StringIO()
    call_command("import_schools", str(ONLY_2019), stdout=out)
    assert "9 rows: 9 valid" in out.getvalue()
    assert "source" in out.getvalue()  # the ignored column
    assert not School.objects.filter(npsn=NEW_NPSN).exists()

    out = StringIO()
    call_command("import_schools", str(ONLY_2019), "--apply", stdout=out)
    assert "9 added, 0 updated" in out.getvalue()
    assert School.objects.filter(npsn=NEW_NPSN).exists()
    assert ImportBatch.objects.get().state == ImportBatch.State.APPLIED


@pytest.mark.django_db
def test_command_reports_errors_and_fails(kota_metro, tmp_path):
    path = tmp_path / "campur.csv"
    path.write_text(MIXED_CSV, encoding="utf-8")
    before = register_snapshot()
    out = StringIO()
    with pytest.raises(CommandError, match="9 line"):
        call_command("import_schools", str(path), "--apply", stdout=out)
    assert "line 4:" in out.getvalue() and "Bukan Kelurahan" in out.getvalue()
    assert register_snapshot() == before
    assert not ImportBatch.objects.exists()

    with pytest.raises(CommandError, match="PNG"):
        (tmp_path / "gambar.csv").write_bytes(PNG)
        call_command("import_schools", str(tmp_path / "gambar.csv"), stdout=out)
    with pytest.raises(CommandError):
        call_command("import_schools", str(tmp_path / "tidak-ada.csv"), stdout=out)
