"""The school page's People section (issue #17): the principal, the SOS Desk officers, the
TPPK members and the assigned PEKSOS in one place, with "invite the principal / an officer"
links that pre-fill the invitation form; for the Koordinator only."""

import pytest
from django.urls import reverse

from peksos.accounts.models import Role
from people import services
from sosdesk.models import Desk, DeskMember
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _detail(school) -> str:
    return reverse("schools:school-detail", args=[school.npsn])


def test_koordinator_sees_everyone_with_invite_links(
    login,
    koordinator_ani,
    school_a,
    kepsek_indah,
    sosdesk_citra_sdn1,
    peksos_budi,
    guru_eka,
    django_assert_max_num_queries,
):
    desk = Desk.objects.create(school=school_a, sk_number="421/017/SK/2026")
    DeskMember.objects.create(desk=desk, name="Bu Wulan", position="guru", is_chair=True)
    invited, _token = services.person_create(
        name="Pak Bayu Baru",
        role=Role.SOSDESK,
        email="bayu@example.org",
        phone="",
        schools=[school_a],
        by=koordinator_ani,
    )
    client = login(koordinator_ani)
    client.get(_detail(school_a))  # warm the per-process caches (office settings, session)
    with django_assert_max_num_queries(30):
        page = client.get(_detail(school_a))
    text = page.content.decode()
    section = text[text.index('id="orang"') :]
    for name in ("Indah", "Citra", "Budi", "Pak Bayu Baru", "Bu Wulan", "421/017/SK/2026"):
        assert name in section, name
    assert "Eka" not in section  # a teacher is not one of the school's programme people
    assert "belum diterima" in section  # Pak Bayu's invitation is waiting
    invite = reverse("people:person-create") + f"?npsn={school_a.npsn}&amp;peran=kepala_sekolah"
    assert invite in section and "Undang petugas" in section
    assert reverse("people:person-detail", args=[invited.pk]) in section


def test_query_count_does_not_grow_with_the_people(
    login, koordinator_ani, school_a, django_assert_num_queries
):
    client = login(koordinator_ani)
    client.get(_detail(school_a))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(_detail(school_a))
    desk = Desk.objects.create(school=school_a)
    for n in range(6):
        make_user(f"kepsek_x{n}", Role.KEPALA_SEKOLAH, school_a)
        make_user(f"sosdesk_y{n}", Role.SOSDESK, school_a)
        make_user(f"peksos_z{n}", Role.PEKSOS, school_a)
        DeskMember.objects.create(desk=desk, name=f"Anggota {n}", position="guru")
    with django_assert_num_queries(len(few.captured_queries) + 1):  # + the desk's members
        page = client.get(_detail(school_a))
    text = page.content.decode()
    assert all(f"Anggota {n}" in text and f"X{n}" in text and f"Z{n}" in text for n in range(6))


@pytest.mark.parametrize("persona", ["peksos_budi", "kepsek_indah", "sosdesk_citra_sdn1"])
def test_others_see_the_contacts_as_before_without_the_section(
    request, login, school_a, kepsek_indah, persona
):
    page = login(request.getfixturevalue(persona)).get(_detail(school_a))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="orang"' not in text and "Undang kepala sekolah" not in text
    assert "Kontak" in text and "Indah" in text


def test_the_invite_link_prefills_the_form(login, koordinator_ani, school_a):
    url = reverse("people:person-create")
    page = login(koordinator_ani).get(url, {"npsn": school_a.npsn, "peran": "sosdesk"})
    text = page.content.decode()
    assert f'value="{school_a.npsn}"' in text
    assert '<option value="sosdesk" selected>' in text
    # Anything else in the link is ignored, never echoed.
    page = login(koordinator_ani).get(url, {"npsn": "<b>x</b>", "peran": "superuser"})
    form = page.content.decode().split('<form method="post"')[1]
    assert "x</b>" not in form and "superuser" not in form and " selected>" not in form
