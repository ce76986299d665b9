"""The Indonesian catalogue is complete: no untranslated or fuzzy entry, placeholders kept."""

import re
import shutil
import subprocess
from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parents[2] / "locale/id/LC_MESSAGES/django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sd]")


def catalogue() -> polib.POFile:
    return polib.pofile(str(CATALOGUE))


def test_catalogue_has_no_untranslated_or_fuzzy_entry():
    po = catalogue()
    problems = [e.msgid for e in po.untranslated_entries() + po.fuzzy_entries()]
    assert problems == [], f"{len(problems)} entries to translate, e.g. {problems[:5]}"


def test_translations_keep_their_placeholders():
    wrong = []
    for entry in catalogue().translated_entries():
        translations = [entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values()
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        if not entry.msgid_plural and any(
            sorted(PLACEHOLDER.findall(t)) != expected for t in translations
        ):
            wrong.append(entry.msgid)
    assert wrong == []


def test_the_empty_choice_of_selects_is_indonesian(login, peksos_budi):
    """Issue #21: Django's "- Select an option -" showed in English in Indonesian selects (its
    own Indonesian catalogue lacks it; the project's catalogue has it)."""
    from django.db.models.fields import BLANK_CHOICE_LABEL
    from django.urls import reverse
    from django.utils.translation import override

    with override("id"):
        assert str(BLANK_CHOICE_LABEL) == "- Pilih salah satu -"
    html = login(peksos_budi).get(reverse("monitoring:record-create")).content.decode()
    assert "Select an option" not in html and "---------" not in html


PROJECT_PACKAGES = ["peksos", "schools", "visits", "activities", "sosdesk", "forum"]
PROJECT_PACKAGES += ["monitoring", "reports", "home"]


def test_no_select_has_a_bare_dash_empty_choice():
    root = Path(__file__).resolve().parents[2]
    offenders = [
        path.relative_to(root).as_posix()
        for package in PROJECT_PACKAGES
        for path in (root / package).rglob("*.py")
        if "/migrations/" not in path.as_posix() and '"---------"' in path.read_text()
    ]
    assert offenders == []


def test_catalogue_passes_msgfmt_check():
    """`msgfmt -c` is what compilemessages runs: a header/plural fault here breaks the build."""
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext's msgfmt is needed (apt-get install gettext)"
    result = subprocess.run(
        [msgfmt, "-c", "-o", "/dev/null", str(CATALOGUE)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_plural_entries_have_one_form_as_nplurals_says():
    po = catalogue()
    assert "nplurals=1" in po.metadata["Plural-Forms"]
    wrong = [e.msgid for e in po if e.msgid_plural and set(e.msgstr_plural) != {0}]
    assert wrong == []


# docs/glossary.md: the variants the catalogue must not use (whole words, in translations).
NOT_IN_GLOSSARY = ["email", "file", "HP", "Tier", "seed", "digest", "register", "batas waktu"]
NOT_IN_GLOSSARY += ["unggahan", "staf", "surel", "ulasan", "data angka", "handphone"]


def test_translations_follow_the_glossary():
    pattern = re.compile(r"(?<!%\()\b(" + "|".join(NOT_IN_GLOSSARY) + r")\b", re.IGNORECASE)
    wrong = []
    for entry in catalogue().translated_entries():
        texts = [entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values()
        wrong += [(entry.msgid, m) for t in texts for m in pattern.findall(t)]
    assert wrong == []


def test_wrong_meanings_found_by_the_review_stay_fixed():
    po = catalogue()
    by_id = {(e.msgctxt, e.msgid): e.msgstr for e in po}
    assert by_id[(None, "Number")] != "Jumlah"  # the participant's number on the paper sheet
    assert by_id[("the report document", "Report")] == "Laporan"
    assert (
        "DARURAT"
        not in by_id[(None, "[URGENT] Many reports at once at the SOS Desk of %(school)s")]
    )
    assert "baris" not in by_id[(None, "Lower is better. One line per informant.")]
    assert by_id[(None, "- Select an option -")].startswith("- Pilih")


# Pages a child may read (the public report form, its receipt and tracking pages).
CHILD_FACING = ("templates/sosdesk/public", "templates/sosdesk/base_public", "sosdesk/views/public")
NOT_FOR_CHILDREN = re.compile(r"\b(daring|layanan mitra|tangkapan layar|Anda)\b")


def test_child_facing_pages_speak_plainly_to_the_child():
    wrong = [
        (entry.msgid, NOT_FOR_CHILDREN.findall(entry.msgstr))
        for entry in catalogue().translated_entries()
        if any(path.startswith(CHILD_FACING) for path, _line in entry.occurrences)
        and NOT_FOR_CHILDREN.search(entry.msgstr)
    ]
    assert wrong == []


def test_child_facing_pages_say_what_tppk_is():
    unexplained = [
        entry.msgid
        for entry in catalogue().translated_entries()
        if any(path.startswith(CHILD_FACING) for path, _line in entry.occurrences)
        and "TPPK" in entry.msgstr
        and "mencegah dan menangani kekerasan" not in entry.msgstr
    ]
    assert unexplained == []
