"""The school register: list with filters and keyset pages, detail, edit, exports, priority."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from peksos.core.models import AuditEvent
from schools import priority
from schools.models import PriorityWeights, School

LIST = "/sekolah/"


def names(response) -> list[str]:
    return [s.name for s in response.context["page"].items]


@pytest.mark.parametrize(
    "persona",
    ["koordinator_ani", "peksos_budi", "psikolog_gita", "pendamping_hadi"],
)
def test_programme_staff_browse_the_whole_register(login, request, persona, kota_metro):
    client = login(request.getfixturevalue(persona))
    response = client.get(LIST)
    assert response.status_code == 200
    assert len(response.context["page"].items) == 25
    assert response.context["next_url"]


def test_school_roles_see_only_their_school(login, sosdesk_citra_sdn1, school_a):
    response = login(sosdesk_citra_sdn1).get(LIST)
    assert names(response) == [school_a.name]


@pytest.mark.parametrize("persona", ["guru_eka", "ortu_fajar"])
def test_teachers_and_parents_have_no_register(login, request, persona):
    client = login(request.getfixturevalue(persona))
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("schools:school-detail", args=["10807637"])).status_code == 403


def test_anonymous_goes_to_login(client, db):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


def test_list_rejects_post(login, koordinator_ani):
    assert login(koordinator_ani).post(LIST).status_code == 405


def test_search_by_name_and_npsn(login, koordinator_ani, kota_metro):
    client = login(koordinator_ani)
    assert names(client.get(LIST, {"q": "sd negeri 1 metro pusat"})) == [
        "UPTD SD NEGERI 1 METRO PUSAT"
    ]
    assert names(client.get(LIST, {"q": "10807680"})) == ["UPTD SD NEGERI 2 METRO PUSAT"]


def test_filters_combine(login, koordinator_ani, kota_metro):
    client = login(koordinator_ani)
    response = client.get(LIST, {"level": "SMA", "status": "negeri", "kecamatan": "18.72.01"})
    schools = response.context["page"].items
    assert schools
    assert all(s.level == "SMA" and s.status == "negeri" for s in schools)
    assert all(s.kecamatan.code == "18.72.01" for s in schools)


def test_visited_and_desk_filters(login, koordinator_ani, school_a, school_b):
    School.objects.filter(pk=school_a.pk).update(last_visit_on=date.today(), has_sos_desk=True)
    client = login(koordinator_ani)
    assert school_a.name in names(client.get(LIST, {"visited": "yes"}))
    assert school_b.name not in names(client.get(LIST, {"visited": "yes"}))
    assert names(client.get(LIST, {"desk": "yes"})) == [school_a.name]


def test_bad_filter_values_give_a_form_error_not_a_500(login, koordinator_ani, kota_metro):
    client = login(koordinator_ani)
    response = client.get(LIST, {"level": "XYZ", "kecamatan": "'; DROP", "q": "x" * 500})
    assert response.status_code == 200
    assert response.context["form"].errors
    bad_cursor = client.get(LIST, {"setelah": "%%%not-base64", "sebelum": "W10"})
    assert bad_cursor.status_code == 200


def test_keyset_pages_walk_forward_and_back_without_gaps(login, koordinator_ani, kota_metro):
    client = login(koordinator_ani)
    seen, url, pages = [], LIST, 0
    while url:
        response = client.get(url)
        seen += names(response)
        url = response.context["next_url"]
        pages += 1
    assert len(seen) == 308 == len(set(seen))
    assert pages == 13
    back = client.get(response.context["previous_url"])
    assert len(back.context["page"].items) == 25
    assert names(back)[-1] < names(response)[0]


def test_priority_sort_puts_unknown_last(login, koordinator_ani, school_a, school_b):
    School.objects.filter(pk=school_a.pk).update(students=900, socioeconomic_share=80)
    priority.recompute()
    response = login(koordinator_ani).get(LIST, {"sort": "priority"})
    first = response.context["page"].items[0]
    assert first == school_a


def test_list_query_count_is_constant(
    login, koordinator_ani, kota_metro, django_assert_num_queries
):
    client = login(koordinator_ani)
    client.get(LIST)
    # session, user, OTP device, page + 2 filter choices, the bell and inbox counts
    with django_assert_num_queries(7):
        client.get(LIST)
    with django_assert_num_queries(7):
        client.get(LIST, {"sort": "priority", "level": "SD"})


def test_detail_shows_the_priority_breakdown(login, koordinator_ani, school_a):
    School.objects.filter(pk=school_a.pk).update(students=500)
    response = login(koordinator_ani).get(reverse("schools:school-detail", args=[school_a.npsn]))
    assert response.status_code == 200
    html = response.content.decode()
    assert school_a.name in html
    breakdown = response.context["breakdown"]
    assert breakdown.known_count == 2  # pupils, and "never visited"
    assert "tidak diketahui" in html  # the unknown factors say so
    assert [f.known for f in breakdown.factors] == [True, False, False, True, False]


def test_detail_writes_pupils_with_indonesian_thousands_separators(
    login, koordinator_ani, school_a
):
    School.objects.filter(pk=school_a.pk).update(students=1234)
    response = login(koordinator_ani).get(reverse("schools:school-detail", args=[school_a.npsn]))
    html = response.content.decode()
    assert "1.234" in html
    assert ">1234<" not in html


def test_other_school_officer_gets_404(login, sosdesk_dedi_sdn2, school_a):
    client = login(sosdesk_dedi_sdn2)
    assert client.get(reverse("schools:school-detail", args=[school_a.npsn])).status_code == 404
    assert client.get(reverse("schools:school-detail", args=["99999999"])).status_code == 404


def test_edit_by_koordinator_rescores_and_audits(login, koordinator_ani, school_a):
    client = login(koordinator_ani)
    url = reverse("schools:school-edit", args=[school_a.npsn])
    response = client.post(
        url,
        {
            "name": school_a.name,
            "address": "Jl. Brig. Jend. Sutiyoso No.44",
            "students": "640",
            "socioeconomic_share": "35",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    school_a.refresh_from_db()
    assert (school_a.students, school_a.socioeconomic_share) == (640, 35)
    assert school_a.priority_score is not None
    assert AuditEvent.objects.filter(action="school_updated").count() == 1


def test_edit_bad_input_keeps_what_was_typed(login, koordinator_ani, school_a):
    url = reverse("schools:school-edit", args=[school_a.npsn])
    response = login(koordinator_ani).post(
        url, {"name": "", "students": "banyak", "socioeconomic_share": "140"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"name", "students", "socioeconomic_share"} <= set(form.errors)
    assert 'value="banyak"' in response.content.decode()


@pytest.mark.parametrize("persona", ["peksos_budi", "sosdesk_citra_sdn1", "kepsek_indah"])
def test_edit_is_for_the_koordinator_only(login, request, persona, school_a):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("schools:school-edit", args=[school_a.npsn])).status_code == 403


def test_csv_export_is_filtered_and_formula_safe(login, koordinator_ani, school_a):
    School.objects.filter(pk=school_a.pk).update(address='=HYPERLINK("http://x")')
    response = login(koordinator_ani).get(
        reverse("schools:school-export", args=["csv"]), {"q": school_a.npsn}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2
    assert rows[1][0] == school_a.npsn
    assert rows[1][6].startswith("'=")
    assert AuditEvent.objects.filter(action="school_export_csv").count() == 1


def test_xlsx_export(login, koordinator_ani, kota_metro):
    response = login(koordinator_ani).get(
        reverse("schools:school-export", args=["xlsx"]), {"level": "SMA"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + School.objects.filter(level="SMA").count()


def test_export_of_an_officer_has_their_school_only(login, sosdesk_citra_sdn1, school_a):
    response = login(sosdesk_citra_sdn1).get(reverse("schools:school-export", args=["csv"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 2


def test_unknown_export_format_is_404(login, koordinator_ani, db):
    response = login(koordinator_ani).get(reverse("schools:school-export", args=["pdf"]))
    assert response.status_code == 404


# --- the priority index ------------------------------------------------------------------


def test_unknown_inputs_count_as_the_middle_never_as_zero(school_a):
    weights = PriorityWeights.current()  # 20 pupils, 25 PIP/KIP, 30 cases, 15 visit, 10 desk
    school_a.last_visit_on = date.today()
    school_a.socioeconomic_share = 60
    result = priority.explain(school_a, weights, date.today())
    # 0.5×20 + 0.6×25 + 0.5×30 + 0×15 + 0.5×10 = 10 + 15 + 15 + 0 + 5 = 45
    assert result.score == pytest.approx(45)
    assert result.band == "sedang"
    assert result.known_count == 2
    school_a.students, school_a.cases_24m, school_a.has_sos_desk = 1000, 5, False
    school_a.socioeconomic_share, school_a.last_visit_on = 100, None
    assert priority.explain(school_a, weights, date.today()).score == 100
    school_a.students, school_a.cases_24m, school_a.has_sos_desk = 0, 0, True
    school_a.socioeconomic_share, school_a.last_visit_on = 0, date.today()
    assert priority.explain(school_a, weights, date.today()).score == 0


def test_a_school_with_known_needs_outranks_one_we_know_nothing_about(school_a, school_b):
    School.objects.filter(pk=school_a.pk).update(students=900, socioeconomic_share=80)
    priority.recompute()
    school_a.refresh_from_db()
    school_b.refresh_from_db()
    assert school_a.priority_score > school_b.priority_score


def test_weights_page_makes_a_new_version_and_rescores(login, koordinator_ani, kota_metro):
    client = login(koordinator_ani)
    url = reverse("schools:priority-weights")
    assert client.get(url).status_code == 200
    data = {
        "students": 10,
        "socioeconomic": 10,
        "cases": 10,
        "time_since_visit": 60,
        "no_sos_desk": 10,
        "high_from": 70,
        "medium_from": 40,
        "reason": "Kunjungan lebih penting semester ini",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    latest = PriorityWeights.current()
    assert (latest.time_since_visit, latest.created_by) == (60, koordinator_ani)
    assert School.objects.filter(priority_weights=latest).count() == 308
    assert AuditEvent.objects.filter(action="priority_weights_created").count() == 1


def test_weights_bad_input(login, koordinator_ani, db):
    url = reverse("schools:priority-weights")
    response = login(koordinator_ani).post(
        url,
        {
            "students": 0,
            "socioeconomic": 0,
            "cases": 0,
            "time_since_visit": 0,
            "no_sos_desk": 0,
            "high_from": 30,
            "medium_from": 50,
            "reason": "",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors


def test_weights_read_only_for_peksos_and_hidden_from_schools(
    login, peksos_budi, sosdesk_citra_sdn1
):
    url = reverse("schools:priority-weights")
    client = login(peksos_budi)
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert login(sosdesk_citra_sdn1).get(url).status_code == 403
