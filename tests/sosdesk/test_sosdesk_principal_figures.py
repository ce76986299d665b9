"""A principal who is not on the SOS Desk sees only suppressed figures of their school (counts
under 5 as "<5"), never the police clock or a case-level fact (issue 19); a principal who
sits on the desk keeps the office's figures."""

import pytest
from django.urls import reverse

from peksos.accounts.models import Role
from tests.factories import desk_member_account, file_report

HOME = reverse("home")
FIGURES = reverse("sosdesk:case-figures")


@pytest.fixture
def sexual_case(school_a):
    """One report of sexual violence: the 72-hour police clock runs."""
    case = file_report(school_a, forms=["seksual"], narrative="CANARY-PRINCIPAL-8812 happened")
    assert case.police_due_at is not None
    return case


def tiles(response) -> dict:
    return {
        f"{panel.key}.{tile.key}": tile
        for panel in response.context["dashboard"].panels
        for tile in panel.tiles
    }


def test_home_shows_suppressed_counts_and_no_clock(login, kepsek_indah, sexual_case):
    response = login(kepsek_indah).get(HOME)
    assert response.status_code == 200
    found = tiles(response)
    assert found["cases.open"].value == "<5"
    assert found["cases.year"].value == "<5"
    assert not any("clock" in key or "overdue" in key for key in found)
    html = response.content.decode()
    assert "72" not in "".join(str(t.label) for t in found.values())
    assert "polisi" not in html.lower()
    assert sexual_case.code not in html and "CANARY-PRINCIPAL-8812" not in html


def test_home_shows_zero_as_zero(login, kepsek_indah, school_a):
    found = tiles(login(kepsek_indah).get(HOME))
    assert found["cases.open"].value == 0


def test_home_of_a_principal_on_the_desk_keeps_the_office_counts(login, school_a, sexual_case):
    principal = desk_member_account(school_a, "kepsek_tppk", Role.KEPALA_SEKOLAH, principal=True)
    found = tiles(login(principal).get(HOME))
    assert found["cases.open"].value == 1
    assert found["cases.clocks"].value == 1


def test_figures_page_is_the_suppressed_version_only(login, kepsek_indah, sexual_case):
    client = login(kepsek_indah)
    for query in ({}, {"keluar": ""}, {"keluar": "0"}):
        response = client.get(FIGURES, query)
        assert response.status_code == 200
        summary = response.context["summary"]
        assert summary.suppressed and summary.total == "<5"
        html = response.content.decode()
        assert "Untuk dinas" not in html  # no tab to the office's version
        assert 'id="figures-overdue"' not in html  # no deadlines, no police clock
        assert sexual_case.code not in html and "CANARY-PRINCIPAL-8812" not in html


def test_figures_of_a_principal_on_the_desk_are_the_office_version(login, school_a, sexual_case):
    principal = desk_member_account(school_a, "kepsek_tppk", Role.KEPALA_SEKOLAH, principal=True)
    response = login(principal).get(FIGURES)
    assert response.context["summary"].total == 1
    html = response.content.decode()
    assert 'id="figures-overdue"' in html and "Untuk dinas" in html


def test_figures_access(client, login, kepsek_indah, guru_eka, sexual_case):
    response = client.get(FIGURES)
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")
    assert login(guru_eka).get(FIGURES).status_code == 403
    assert login(kepsek_indah).post(FIGURES).status_code == 405
    # Another school's NPSN gives nothing, never that school's counts.
    response = login(kepsek_indah).get(FIGURES, {"sekolah": "10807680"})
    assert response.context["summary"].total == 0


def test_home_query_count(login, kepsek_indah, school_a, django_assert_max_num_queries):
    for _n in range(7):
        file_report(school_a)
    client = login(kepsek_indah)
    with django_assert_max_num_queries(30):
        response = client.get(HOME)
    assert tiles(response)["cases.open"].value == 7
