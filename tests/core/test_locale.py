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
