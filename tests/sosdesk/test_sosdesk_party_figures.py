"""The case figures count people (issue 19, sosdesk/party_figures.py): victims and alleged
parties by category, sex and SIMFONI age band, and victims by SIMFONI PPA category; suppressed
outside the office; never a name; counted in the impact report too."""

import pytest
from django.urls import reverse

from sosdesk import figure_tallies, figures
from sosdesk.models import Case
from tests.factories import PARTY_CANARY, add_party, filed_case

FIGURES = reverse("sosdesk:case-figures")


def rows(summary, key) -> dict:
    table = next(t for t in summary.tables if t.key == key)
    return {k: n for k, _label, n in table.rows}


@pytest.fixture
def parties(school_a, school_b, sosdesk_citra_sdn1, koordinator_ani):
    """School A: a sexual-violence case with two victims (girl 13-17, boy 6-12) and one
    alleged teacher; a bullying case with one victim. School B: one victim."""
    first = filed_case(school_a, forms=("seksual", "fisik"))
    add_party(first, sosdesk_citra_sdn1)
    add_party(first, sosdesk_citra_sdn1, sex="L", age_band="6-12")
    add_party(
        first, sosdesk_citra_sdn1, role="terlapor", category="pendidik", sex="L", age_band="25-44"
    )
    add_party(first, sosdesk_citra_sdn1, role="saksi")  # witnesses are not counted
    second = filed_case(school_a, forms=("perundungan",))
    add_party(second, sosdesk_citra_sdn1, sex="L")
    other = filed_case(school_b)
    add_party(other, koordinator_ani)
    return first, second, other


def test_people_are_counted_by_category_sex_and_age(school_a, parties):
    summary = figures.summary(Case.objects.filter(school=school_a))
    assert summary.total == 2  # cases
    assert rows(summary, "victims_category")["peserta_didik"] == 3
    assert rows(summary, "victims_sex") == {"L": 2, "P": 1, "": 0}
    assert rows(summary, "victims_age")["13-17"] == 2
    assert rows(summary, "victims_age")["6-12"] == 1
    assert rows(summary, "alleged_category")["pendidik"] == 1
    assert rows(summary, "alleged_sex")["L"] == 1
    assert rows(summary, "alleged_age")["25-44"] == 1
    # SIMFONI: each victim once per category of their case (sexual + physical; bullying is
    # psychological).
    simfoni = rows(summary, "victims_simfoni")
    assert simfoni["seksual"] == 2 and simfoni["fisik"] == 2 and simfoni["psikis"] == 1
    assert all(t.counts_people for t in summary.tables if t.key.startswith(("victims", "alleg")))


def test_outside_the_office_the_people_are_suppressed(school_a, parties):
    summary = figures.summary(Case.objects.filter(school=school_a), outside=True)
    sexes = rows(summary, "victims_sex")
    # 2 and 1 are both small: "<5"; zero stays zero.
    assert sexes == {"L": "<5", "P": "<5", "": 0}


def test_the_whole_city_from_the_tallies_counts_the_people(parties, sosdesk_citra_sdn1):
    summary = figure_tallies.register_summary()
    assert sum(n for n in rows(summary, "victims_category").values()) == 4  # not the witness
    # A party recorded later changes its school's tally (CaseParty counts on save).
    add_party(parties[0], sosdesk_citra_sdn1)
    summary = figure_tallies.register_summary()
    assert sum(n for n in rows(summary, "victims_category").values()) == 5
    assert rows(summary, "victims_simfoni")["seksual"] == 3


def test_figures_page_shows_people_and_no_name(login, koordinator_ani, parties):
    response = login(koordinator_ani).get(FIGURES)
    html = response.content.decode()
    assert "Korban menurut jenis kelamin" in html and "Terlapor menurut kategori" in html
    assert ">Orang<" in html
    assert PARTY_CANARY not in html


def test_figures_query_count_does_not_grow_with_the_parties(
    login, koordinator_ani, school_a, sosdesk_citra_sdn1, django_assert_max_num_queries, parties
):
    client = login(koordinator_ani)
    with django_assert_max_num_queries(40) as before:
        client.get(FIGURES, {"sekolah": school_a.npsn})
    case = parties[0]
    for _n in range(5):
        add_party(case, sosdesk_citra_sdn1)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(FIGURES, {"sekolah": school_a.npsn})


def test_the_impact_report_counts_people(school_a, koordinator_ani, parties):
    from datetime import date

    from django.utils import timezone

    from reports.builder.base import Scope
    from reports.builder.cases import cases_section
    from tests.factories import school_report

    today = timezone.localdate()
    report = school_report(school_a, by=koordinator_ani)
    scope = Scope(report, date(today.year - 1, 1, 1), today, False, timezone.now())
    section = cases_section(scope)
    table = next(t for t in section.tables if t.title == "Korban menurut kategori")
    assert table.columns[1] == "Orang"
    assert ["Peserta didik (peserta didik)", 3] in [list(r) for r in table.rows] or any(
        r[1] == 3 for r in table.rows
    )
