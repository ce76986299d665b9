"""Role home pages, navigation and the language switch."""

import pytest
from django.urls import reverse

ROLE_PERSONAS = [
    ("koordinator_ani", "Koordinator Dinas Sosial"),
    ("peksos_budi", "Pekerja Sosial (PEKSOS)"),
    ("psikolog_gita", "Psikolog"),
    ("pendamping_hadi", "Pendamping Sosial"),
    ("sosdesk_citra_sdn1", "Petugas SOS Desk"),
    ("kepsek_indah", "Kepala Sekolah"),
    ("guru_eka", "Guru"),
    ("ortu_fajar", "Orang tua/Wali"),
]


@pytest.mark.parametrize(("persona", "role_label"), ROLE_PERSONAS)
def test_each_role_sees_its_own_home_page(login, request, persona, role_label):
    user = request.getfixturevalue(persona)
    response = login(user).get(reverse("home"))
    assert response.status_code == 200
    assert f"home/roles/_{user.role}.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert role_label in html
    assert "Keluar" in html  # log out, in the navigation


def test_school_roles_see_their_own_school_only(login, sosdesk_citra_sdn1, school_b):
    html = login(sosdesk_citra_sdn1).get(reverse("home")).content.decode()
    assert "UPTD SD NEGERI 1 METRO PUSAT" in html
    assert school_b.name not in html


def test_home_page_query_count_does_not_grow_with_schools(
    login, peksos_budi, school_b, django_assert_max_num_queries
):
    client = login(peksos_budi)
    client.get(reverse("home"))
    with django_assert_max_num_queries(9):  # 8 + the bell and inbox counts
        client.get(reverse("home"))


def test_home_rejects_post(login, guru_eka):
    assert login(guru_eka).post(reverse("home")).status_code == 405


def test_language_switch_to_english_and_back(login, guru_eka):
    client = login(guru_eka)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Log out" in html
    client.post(reverse("set_language"), {"language": "id", "next": "/"})
    assert '<html lang="id">' in client.get("/").content.decode()


def test_language_switch_on_the_login_page(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/masuk/"})
    assert "Forgot your password?" in client.get("/masuk/").content.decode()


def test_error_pages_are_indonesian(client, db):
    response = client.get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


def test_health_reports_database_and_broker_only(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "eager"}
    assert client.post(reverse("healthz")).status_code == 405


def test_ping_answers_without_touching_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("ping"))
    assert response.status_code == 200
    assert response.content == b"ok"
    assert client.post(reverse("ping")).status_code == 405


def test_health_is_503_with_a_configured_broker_down(client, db, broker_down):
    """Issue #21: the README says 503 and a load balancer needs to know; /ping stays 200."""
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "down"}
    assert client.get(reverse("ping")).status_code == 200


def test_an_english_browser_still_gets_indonesian_until_the_switch(client, db):
    html = client.get("/masuk/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="id">' in html


# --- Teachers and parents: the feedback the page promises, and the public report form ------


@pytest.mark.parametrize("persona", ["ortu_fajar", "guru_eka"])
def test_community_home_links_open_feedback_forms_and_the_report_form(
    request, login, persona, school_b
):
    from tests.factories import make_activity

    user = request.getfixturevalue(persona)
    school_a = user.school_memberships.get().school
    open_here = make_activity(school_a)
    closed_here = make_activity(school_a, open_forms=False)
    elsewhere = make_activity(school_b)
    html = login(user).get(reverse("home")).content.decode()
    assert "Umpan balik kegiatan" in html
    assert reverse("participant:feedback", args=[open_here.public_code]) in html
    assert reverse("participant:feedback", args=[closed_here.public_code]) not in html
    assert reverse("participant:feedback", args=[elsewhere.public_code]) not in html
    assert f'href="{reverse("lapor:start")}"' in html


def test_community_home_says_when_no_feedback_is_open(login, ortu_fajar):
    html = login(ortu_fajar).get(reverse("home")).content.decode()
    assert "tidak ada kegiatan di sekolah Anda yang menerima umpan balik" in html


def test_login_page_links_to_the_public_report_form(client, db):
    html = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{reverse("lapor:start")}"' in html
    assert "Laporkan kekerasan (tanpa akun)" in html
