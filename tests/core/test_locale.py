"""The Indonesian catalogue is complete: no untranslated or fuzzy entry, placeholders kept."""

import re
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
