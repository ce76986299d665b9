"""Drill F4: the disk for private media (case attachments) is full.

    .venv/bin/python bench/drill_disk_full.py [--notes 20]

PRIVATE_MEDIA_ROOT is put on a tiny tmpfs (256 KiB, mounted here; needs root) and filled up to
a few KiB, so the kernel itself answers ENOSPC. Without the right to mount, the drill falls back
to a full directory simulated by a storage that raises ENOSPC after writing part of the file.
A scratch test database is used (Django's test database for DATABASE_URL, dropped afterwards).

The desk officer posts case notes with two PDF attachments each to the real view
(`sosdesk:case-note`). docs/quality.md F4: a clear error to the user (and the typed note kept in
the form), no partial files, no orphan rows, reads keep working (the case page and an earlier
attachment still download). The drill prints notes tried, clear errors, rows and files left
behind, and whether reads worked.
"""

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peksos.settings")
os.environ.setdefault("STATIC_MANIFEST", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    setup_databases,
    setup_test_environment,
    teardown_databases,
)
from django.urls import reverse  # noqa: E402

NOTE = "Catatan latihan F4: wali kelas mengirim foto memar dan surat dari puskesmas."
TMPFS_SIZE = "256k"


def pdf(name: str, size: int) -> SimpleUploadedFile:
    body = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + b"%" + b"x" * size + b"\n"
    return SimpleUploadedFile(name, body + b"trailer << >>\n%%EOF\n", "application/pdf")


@contextlib.contextmanager
def full_directory():
    """(directory, how) with only a few KiB free."""
    directory = Path(tempfile.mkdtemp(prefix="peksos_f4_"))
    mounted = (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE},mode=0700", "tmpfs", directory],
            capture_output=True,
        ).returncode
        == 0
    )
    try:
        if mounted:
            free = shutil.disk_usage(directory).free
            (directory / "filler").write_bytes(b"\0" * max(free - 24 * 1024, 0))
            yield directory, f"tmpfs {TMPFS_SIZE}, {shutil.disk_usage(directory).free} B free"
        else:
            yield directory, "simulated ENOSPC (no right to mount a tmpfs)"
    finally:
        if mounted:
            subprocess.run(["umount", "-l", directory], check=False)
        shutil.rmtree(directory, ignore_errors=True)


def drill(notes: int) -> int:
    from peksos.accounts.models import Role, User
    from peksos.core.uploads import private_storage
    from schools.models import School, SchoolMembership
    from schools.seed import load_kota_metro
    from sosdesk.models import Case, CaseAttachment, CaseNote
    from sosdesk.services import case_file

    load_kota_metro()
    school = School.objects.get(npsn="10807637")
    officer = User.objects.create_user("drill_sosdesk", role=Role.SOSDESK)
    SchoolMembership.objects.create(user=officer, school=school)
    case = case_file(
        school=school,
        channel=Case.Channel.IN_PERSON,
        narrative="Latihan F4.",
        forms=["fisik"],
        modalities=["fisik"],
        scope="dalam",
        affected=["murid"],
        ongoing_danger="tidak",
    ).case
    client = Client()
    client.force_login(officer, backend="peksos.accounts.backends.UsernameOrEmailBackend")
    note_url = reverse("sosdesk:case-note", args=[case.code])
    detail_url = reverse("sosdesk:case-detail", args=[case.code])

    with full_directory() as (directory, how):
        settings.PRIVATE_MEDIA_ROOT = directory / "private"
        storage = private_storage()
        with contextlib.suppress(AttributeError):
            storage.location = str(settings.PRIVATE_MEDIA_ROOT)
            storage.base_location = str(settings.PRIVATE_MEDIA_ROOT)
        # One small attachment fits before the disk is full: reads must keep working for it.
        assert client.post(note_url, {"body": "awal", "attachments": [pdf("awal.pdf", 100)]})[
            "Location"
        ]
        first = CaseAttachment.objects.get()
        if "simulated" in how:
            real_save = type(storage)._save

            def full_save(self, name, content):
                path = Path(self.path(name))
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(b"partial")
                raise OSError(28, "No space left on device")

            type(storage)._save = full_save
        tried = clear = kept = 0
        for n in range(notes):
            tried += 1
            response = client.post(
                note_url,
                {
                    "body": f"{NOTE} ({n})",
                    "attachments": [pdf(f"a{n}.pdf", 20_000), pdf(f"b{n}.pdf", 20_000)],
                },
            )
            page = response.content.decode()
            if response.status_code == 400 and "server" in page.lower():
                clear += 1
            if f"{NOTE} ({n})" in page:
                kept += 1
        if "simulated" in how:
            type(storage)._save = real_save
        notes_left = CaseNote.objects.exclude(pk=first.note_id).count()
        rows_left = CaseAttachment.objects.exclude(pk=first.pk).count()
        files = [
            p
            for p in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*")
            if p.is_file() and p.name != Path(first.file.name).name
        ]
        detail = client.get(detail_url).status_code
        answer = client.get(reverse("sosdesk:case-attachment", args=[case.code, first.pk]))
        download = answer.status_code
        answer.close()  # the open file would keep the tmpfs busy
    print(f"media directory: {how}")
    print(
        f"notes tried: {tried}, clear errors: {clear}, typed note kept: {kept}, "
        f"note rows left: {notes_left}, attachment rows left: {rows_left}, "
        f"files left: {len(files)}"
    )
    print(f"reads: case page {detail}, earlier attachment download {download}")
    ok = clear == kept == tried and notes_left == rows_left == len(files) == 0
    ok = ok and detail == download == 200
    print("F4:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notes", type=int, default=20)
    args = parser.parse_args()
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        code = drill(args.notes)
    finally:
        teardown_databases(old, verbosity=0)
    sys.exit(code)


if __name__ == "__main__":
    main()
