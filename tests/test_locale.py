"""The Indonesian catalogue is complete: no untranslated or fuzzy entry."""

from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent.parent / "locale/id/LC_MESSAGES/django.po"


def entries():
    """(msgid, msgstr-is-empty, is-fuzzy) for each entry of the catalogue, parsed plainly."""
    blocks = CATALOGUE.read_text(encoding="utf-8").split("\n\n")
    for block in blocks[1:]:  # the first block is the header
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid") for line in lines):
            continue
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        strs = [i for i, line in enumerate(lines) if line.startswith("msgstr")]
        empty = all(
            lines[i].split(" ", 1)[1] == '""'
            and (i + 1 >= len(lines) or not lines[i + 1].startswith('"'))
            for i in strs
        )
        yield "\n".join(lines), empty, fuzzy


def test_catalogue_has_no_untranslated_or_fuzzy_entry():
    problems = [text for text, empty, fuzzy in entries() if empty or fuzzy]
    assert problems == [], "\n\n".join(problems[:10])
