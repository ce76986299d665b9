"""The help page (/bantuan/): each role reads its own tasks, in Indonesian; anonymous users
are sent to log in; only GET/HEAD."""

import re

import pytest
from django.urls import reverse

from peksos.accounts.models import Role

HELP = reverse("help")

# A heading only the role's own page has (templates/home/help/<role>.id.html).
OWN_HEADING = {
    "koordinator_ani": "Merencanakan kunjungan satu tahun",
    "peksos_budi": "Kasus SOS Desk",
    "psikolog_gita": "Rujukan dari SOS Desk",
    "pendamping_hadi": "Data sekolah dan forum",
    "sosdesk_citra_sdn1": "Menangani laporan",
    "kepsek_indah": "Menyepakati tanggal kunjungan",
    "guru_eka": "Bila ada kekerasan",
    "ortu_fajar": "Bila anak mengalami kekerasan",
}


def headings(response) -> list[str]:
    return re.findall(r'<h2 class="h5" id="help-[\w-]+">([^<]+)</h2>', response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("persona", OWN_HEADING)
def test_each_role_sees_its_own_help(login, request, persona):
    user = request.getfixturevalue(persona)
    response = login(user).get(HELP)
    assert response.status_code == 200
    assert response.templates[0].name == "home/help.html"
    assert f"home/help/{user.role}.id.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert '<html lang="id"' in page
    assert "<title>Bantuan" in page
    assert f"Tugas Anda sebagai {user.get_role_display()}" in page
    own = [h for h in headings(response) if OWN_HEADING[persona] in h]
    assert own, headings(response)
    others = {p: h for p, h in OWN_HEADING.items() if h not in OWN_HEADING[persona]}
    assert not any(h in page for h in others.values() if h != OWN_HEADING[persona])
    assert "Untuk semua pengguna" in page  # the common part


@pytest.mark.django_db
def test_every_role_has_a_help_template():
    from django.template.loader import get_template

    for role in Role.values:
        assert get_template(f"home/help/{role}.id.html")


@pytest.mark.django_db
def test_the_help_screenshots_exist(settings):
    """Every screenshot a help page shows is in static/help/ (made by the browser tests with
    PEKSOS_HELP_SHOTS=1), small enough to commit."""
    from pathlib import Path

    root = Path(settings.BASE_DIR)
    shown = set()
    for template in (root / "templates" / "home" / "help").glob("*.html"):
        shown |= set(re.findall(r"static 'help/([\w-]+\.png)'", template.read_text()))
    assert len(shown) >= 10
    for name in shown:
        path = root / "static" / "help" / name
        assert path.exists(), name
        assert path.stat().st_size < 150_000, f"{name}: {path.stat().st_size} bytes"


@pytest.mark.django_db
def test_anonymous_is_sent_to_log_in(client):
    response = client.get(HELP)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_only_safe_methods(login, guru_eka):
    client = login(guru_eka)
    assert client.post(HELP).status_code == 405
    assert client.head(HELP).status_code == 200


@pytest.mark.django_db
def test_the_navigation_links_to_help(login, ortu_fajar):
    page = login(ortu_fajar).get(reverse("home")).content.decode()
    assert f'href="{HELP}"' in page
    assert ">Bantuan</a>" in page


# Not words of the catalogue: the menu button's icon.
LABELS_NOT_IN_THE_CATALOGUE = {"☰"}


def test_every_ui_label_a_help_page_names_exists_in_the_app():
    """A help page names buttons, fields and states in <em> (a path as "A › B"): each must be
    a text of the Indonesian catalogue, so a renamed button cannot leave the help behind."""
    import html
    from pathlib import Path

    import polib

    root = Path(__file__).resolve().parents[2]
    po = polib.pofile(str(root / "locale/id/LC_MESSAGES/django.po"))
    texts = {
        t.strip().lower()
        for e in po.translated_entries()
        for t in ([e.msgstr] if not e.msgid_plural else e.msgstr_plural.values())
    }

    def label(raw: str) -> str:
        text = html.unescape(re.sub(r"<[^>]+>", "", raw))
        return re.sub(r"\s+", " ", text).strip().strip('.,:;"“”').lower()

    unknown = [
        (path.name, label(part))
        for path in sorted((root / "templates/home/help").glob("*.html"))
        for em in re.findall(r"<em>(.*?)</em>", path.read_text(encoding="utf-8"), re.S)
        for part in re.split(r"\s*›\s*", em)
        if label(part) and label(part) not in texts | LABELS_NOT_IN_THE_CATALOGUE
    ]
    assert unknown == []


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["guru_eka", "ortu_fajar"])
def test_help_pages_give_the_emergency_numbers_in_full(request, login, persona):
    """The numbers come from the office settings (issue #17): today's by default."""
    from peksos.core.models import OfficeSettings

    client = login(request.getfixturevalue(persona))
    text = client.get(HELP).content.decode()
    assert all(number in text for number in ("110 (polisi)", "112 (darurat)", "SAPA 129"))
    OfficeSettings(police_number="0725 110", helpline_number="0800 129").save()
    text = client.get(HELP).content.decode()
    assert "0725 110 (polisi)" in text and "SAPA 0800 129" in text
