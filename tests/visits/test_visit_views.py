"""Every visit page per docs/design.md §3.10: the happy path, the wrong method (405), anonymous
(login), another school's user (404), a role without the right (403), bad input (a form
error, never a 500, typed values kept) and constant query counts of the lists."""

import html
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schools.models import School
from visits.models import CalendarFeedToken, DateChange, PlanRun, StaffLeave, Visit, VisitMember

TODAY = datetime(2026, 7, 6, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
TUESDAY = date(2026, 8, 4)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def fragment(msgid: str) -> str:
    """The longest literal part of a message as the user reads it (the Indonesian catalogue's
    translation once it has one), to look for in a page."""
    with translation.override("id"):
        text = gettext(msgid)
    return max(re.split(r"%\(\w+\)[sd]", text), key=len).strip()


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def make_visit(school, day, *team, state=Visit.State.PROPOSED, **kw):
    visit = Visit(school=school, state=state, kind=Visit.Kind.CAMPAIGN, **kw)
    visit.set_date(day)
    visit.save()
    for user in team:
        VisitMember.objects.create(visit=visit, user=user, role=user.role)
    return visit


@pytest.fixture
def visit_a(school_a, peksos_budi, psikolog_gita):
    return make_visit(school_a, TUESDAY, peksos_budi, psikolog_gita)


@pytest.fixture
def countered(visit_a, kepsek_indah):
    DateChange.objects.create(
        visit=visit_a,
        kind=DateChange.Kind.COUNTER,
        from_date=TUESDAY,
        to_date=date(2026, 8, 12),
        reason="Ujian",
        state=DateChange.State.PENDING,
        proposed_by=kepsek_indah,
    )
    return visit_a


@pytest.fixture
def objects(countered, koordinator_ani, peksos_budi):
    """Everything the URLs address: a visit, a plan run, a staff member, a leave, a token."""
    run = PlanRun.objects.create(school_year=2026, created_by=koordinator_ani)
    leave = StaffLeave.objects.create(
        user=peksos_budi, starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 2), reason="Cuti"
    )
    _token, raw = CalendarFeedToken.issue(peksos_budi)
    return {
        "visit": countered.pk,
        "run": run.pk,
        "user": peksos_budi.pk,
        "leave": leave.pk,
        "token": raw,
    }


# (url name, argument key or None, methods allowed)
GET, POST, BOTH = ("GET",), ("POST",), ("GET", "POST")
PAGES = [
    ("visit-list", None, GET),
    ("visit-create", None, BOTH),
    ("visit-month", None, GET),
    ("visit-week", None, GET),
    ("visit-agreement", None, GET),
    ("compliance-board", None, GET),
    ("plan-create", None, BOTH),
    ("plan-detail", "run", GET),
    ("capacity-list", None, GET),
    ("capacity-edit", "user", BOTH),
    ("leave-create", "user", POST),
    ("leave-delete", "leave", POST),
    ("feed-detail", None, GET),
    ("feed-create", None, POST),
    ("feed-revoke", None, POST),
    ("visit-detail", "visit", GET),
    ("visit-move", "visit", BOTH),
    ("visit-lock", "visit", POST),
    ("visit-unlock", "visit", POST),
    ("visit-done", "visit", POST),
    ("visit-cancel", "visit", POST),
    ("visit-accept", "visit", POST),
    ("visit-counter", "visit", BOTH),
    ("visit-counter-accept", "visit", POST),
    ("visit-suggest", "visit", BOTH),
    ("agreement-record", "visit", BOTH),
    ("agreement-letter", "visit", GET),
]


def url_of(name: str, key: str | None, objects: dict) -> str:
    return reverse(f"visits:{name}", args=[objects[key]] if key else [])


def test_every_url_pattern_is_in_this_table():
    from visits.urls import urlpatterns

    names = {p.name for p in urlpatterns}
    assert names == {name for name, _, _ in PAGES} | {"feed-ics"}


@pytest.mark.parametrize(("name", "key", "methods"), PAGES)
def test_anonymous_is_sent_to_login(client, objects, name, key, methods):
    response = getattr(client, methods[0].lower())(url_of(name, key, objects))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(("name", "key", "methods"), PAGES)
def test_wrong_method_is_405(login, koordinator_ani, objects, name, key, methods):
    client = login(koordinator_ani)
    wrong = {"GET": "post", "POST": "get"}.get(methods[0]) if len(methods) == 1 else "put"
    assert getattr(client, wrong)(url_of(name, key, objects)).status_code == 405


def test_feed_ics_wrong_method(client, objects):
    assert client.post(reverse("visits:feed-ics", args=[objects["token"]])).status_code == 405


OTHER_SCHOOL = [
    ("sosdesk_dedi_sdn2", "visit-detail", "get"),
    ("sosdesk_dedi_sdn2", "visit-accept", "post"),
    ("sosdesk_dedi_sdn2", "visit-counter", "get"),
    ("sosdesk_dedi_sdn2", "visit-counter", "post"),
    ("peksos_joko_sdn2", "visit-detail", "get"),
    ("peksos_joko_sdn2", "visit-move", "get"),
    ("peksos_joko_sdn2", "visit-move", "post"),
    ("peksos_joko_sdn2", "visit-lock", "post"),
    ("peksos_joko_sdn2", "visit-unlock", "post"),
    ("peksos_joko_sdn2", "visit-done", "post"),
    ("peksos_joko_sdn2", "visit-cancel", "post"),
    ("peksos_joko_sdn2", "visit-counter-accept", "post"),
    ("peksos_joko_sdn2", "visit-suggest", "get"),
    ("peksos_joko_sdn2", "visit-suggest", "post"),
    ("pendamping_hadi", "visit-detail", "get"),  # not in the team
]


@pytest.mark.parametrize(("persona", "name", "method"), OTHER_SCHOOL)
def test_another_schools_user_gets_404(request, login, objects, persona, name, method):
    client = login(request.getfixturevalue(persona))
    response = getattr(client, method)(url_of(name, "visit", objects), {"reason": "x"})
    assert response.status_code == 404
    assert Visit.objects.get(pk=objects["visit"]).state == Visit.State.PROPOSED


WRONG_ROLE = [
    ("guru_eka", "visit-list", "get"),
    ("guru_eka", "visit-month", "get"),
    ("guru_eka", "visit-week", "get"),
    ("guru_eka", "visit-agreement", "get"),
    ("guru_eka", "compliance-board", "get"),
    ("ortu_fajar", "visit-list", "get"),
    ("psikolog_gita", "visit-create", "get"),
    ("pendamping_hadi", "visit-create", "post"),
    ("kepsek_indah", "visit-create", "get"),
    ("guru_eka", "visit-create", "get"),
    ("peksos_budi", "plan-create", "get"),
    ("peksos_budi", "plan-create", "post"),
    ("peksos_budi", "plan-detail", "get"),
    ("peksos_budi", "capacity-list", "get"),
    ("peksos_budi", "capacity-edit", "post"),
    ("peksos_budi", "leave-create", "post"),
    ("peksos_budi", "leave-delete", "post"),
    ("peksos_budi", "visit-accept", "post"),
    ("peksos_budi", "visit-counter", "post"),
    ("kepsek_indah", "visit-move", "get"),
    ("kepsek_indah", "visit-lock", "post"),
    ("kepsek_indah", "visit-unlock", "post"),
    ("kepsek_indah", "visit-done", "post"),
    ("kepsek_indah", "visit-cancel", "post"),
    ("kepsek_indah", "visit-counter-accept", "post"),
    ("kepsek_indah", "visit-suggest", "post"),
    ("kepsek_indah", "compliance-board", "get"),
    ("kepsek_indah", "feed-detail", "get"),
    ("sosdesk_citra_sdn1", "visit-move", "post"),
    ("psikolog_gita", "visit-move", "get"),
    ("psikolog_gita", "visit-done", "post"),
    ("psikolog_gita", "visit-accept", "post"),
    ("psikolog_gita", "visit-agreement", "get"),
    ("psikolog_gita", "compliance-board", "get"),
    ("koordinator_ani", "feed-detail", "get"),
    ("koordinator_ani", "feed-create", "post"),
    ("koordinator_ani", "visit-accept", "post"),
    ("koordinator_ani", "visit-counter", "get"),
]


@pytest.mark.parametrize(("persona", "name", "method"), WRONG_ROLE)
def test_a_role_without_the_right_gets_403(request, login, objects, persona, name, method):
    key = dict((n, k) for n, k, _ in PAGES)[name]
    client = login(request.getfixturevalue(persona))
    response = getattr(client, method)(url_of(name, key, objects), {"reason": "x", "date": "x"})
    assert response.status_code == 403
    visit = Visit.objects.get(pk=objects["visit"])
    assert (visit.state, visit.locked) == (Visit.State.PROPOSED, False)
    assert StaffLeave.objects.count() == 1


# --- happy paths of the pages ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "name", "text"),
    [
        ("koordinator_ani", "visit-list", "SD NEGERI 1 METRO PUSAT"),
        ("peksos_budi", "visit-list", "SD NEGERI 1 METRO PUSAT"),
        ("psikolog_gita", "visit-list", "SD NEGERI 1 METRO PUSAT"),
        ("kepsek_indah", "visit-agreement", "SD NEGERI 1 METRO PUSAT"),
        ("sosdesk_citra_sdn1", "visit-agreement", "SD NEGERI 1 METRO PUSAT"),
        ("peksos_budi", "visit-agreement", "12"),
        ("koordinator_ani", "compliance-board", "Metro Pusat"),
        ("peksos_budi", "compliance-board", "SD NEGERI 1 METRO PUSAT"),
        ("koordinator_ani", "plan-create", "csrfmiddlewaretoken"),
        ("koordinator_ani", "capacity-list", "Budi"),
        ("peksos_budi", "feed-detail", "csrfmiddlewaretoken"),
    ],
)
def test_pages_show_their_content(request, login, objects, persona, name, text):
    response = login(request.getfixturevalue(persona)).get(reverse(f"visits:{name}"))
    assert response.status_code == 200
    assert text in response.content.decode()


def test_month_view_draws_the_visit(login, objects, peksos_budi):
    response = login(peksos_budi).get(reverse("visits:visit-month") + "?bulan=2026-08")
    page = response.content.decode()
    assert response.status_code == 200
    assert "SD NEGERI 1 METRO PUSAT" in page and "Kemerdekaan" in page  # 17 August
    assert 'class="visit-chip' in page and "style=" not in page


def test_detail_pages_for_each_side(login, client, objects, kepsek_indah, peksos_budi):
    pk = objects["visit"]
    page = login(peksos_budi).get(reverse("visits:visit-detail", args=[pk])).content.decode()
    assert reverse("visits:visit-counter-accept", args=[pk]) in page
    page = login(kepsek_indah).get(reverse("visits:visit-detail", args=[pk])).content.decode()
    assert reverse("visits:visit-move", args=[pk]) not in page


def test_koordinator_detail_pages(login, objects, koordinator_ani):
    client = login(koordinator_ani)
    for name, key in [
        ("plan-detail", "run"),
        ("capacity-edit", "user"),
        ("visit-move", "visit"),
        ("visit-suggest", "visit"),
        ("visit-detail", "visit"),
    ]:
        assert client.get(url_of(name, key, objects)).status_code == 200, name


def test_school_counter_form_page(login, visit_a, kepsek_indah):
    response = login(kepsek_indah).get(reverse("visits:visit-counter", args=[visit_a.pk]))
    assert response.status_code == 200 and 'type="date"' in response.content.decode()


# --- bad input: a form error or the first page, never a 500 --------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "?staff=abc&kecamatan=zz&state=bogus&sekolah=%3Cscript%3E",
        "?setelah=!!!&sebelum=xyz",
        "?setelah=WyIyMDI2LTEzLTQwIiwgMV0",  # ["2026-13-40", 1]
        "?setelah=WzEsIDJd",  # [1, 2]
        "?tahun=99999999999999999999&staff=99999999999999999999",
        "?sekolah=" + "9" * 50,
    ],
)
def test_list_filters_with_bad_values(login, objects, koordinator_ani, query):
    response = login(koordinator_ani).get(reverse("visits:visit-list") + query)
    assert response.status_code == 200
    if "sekolah=%3Cscript" in query:
        assert "&lt;script&gt;" in response.content.decode()  # the typed value is kept


@pytest.mark.parametrize("query", ["?bulan=2026-13", "?bulan=abc", "?bulan=٢٠٢٦-٠٨", "?bulan=-1-1"])
def test_month_with_bad_month(login, objects, koordinator_ani, query):
    assert login(koordinator_ani).get(reverse("visits:visit-month") + query).status_code == 200


def test_week_view_draws_the_visit(login, objects, psikolog_gita):
    response = login(psikolog_gita).get(reverse("visits:visit-week") + "?minggu=2026-08-06")
    page = response.content.decode()
    assert response.status_code == 200
    assert "SD NEGERI 1 METRO PUSAT" in page and "Budi" in page
    assert "?minggu=2026-07-27" in page  # the previous week, from Monday 3 August


@pytest.mark.parametrize(
    "query", ["?minggu=2026-02-30", "?minggu=x", "?minggu=١٢٣٤-٠٥-٠٦", "?minggu=0001-01-01"]
)
def test_week_with_bad_week(login, objects, koordinator_ani, query):
    assert login(koordinator_ani).get(reverse("visits:visit-week") + query).status_code == 200


@pytest.mark.parametrize("query", ["?tahun=abc", "?setelah=zzz", "?setelah=WyJhIiwgImIiXQ"])
def test_compliance_with_bad_parameters(login, objects, koordinator_ani, query):
    response = login(koordinator_ani).get(reverse("visits:compliance-board") + query)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("name", "key", "data", "kept"),
    [
        ("plan-create", None, {"year": "dua", "min_gap_weeks": "0"}, 'value="dua"'),
        ("plan-create", None, {"year": "2024"}, "That school year is over."),
        ("visit-move", "visit", {"date": "2026-02-30", "peksos": "999999"}, 'value="2026-02-30"'),
        ("visit-move", "visit", {"date": "99999-01-01"}, "99999-01-01"),
        ("visit-suggest", "visit", {"date": "", "reason": "Tim penuh"}, "Tim penuh"),
        ("visit-suggest", "visit", {"date": "1999-01-01", "reason": "x"}, "2000"),
        ("visit-cancel", "visit", {"reason": "   "}, "reason"),
        ("capacity-edit", "user", {"per_day": "0", "per_week": "abc"}, 'value="abc"'),
        (
            "capacity-edit",
            "user",
            {"per_day": "3", "per_week": "2"},
            "A week cannot hold fewer visits than a day.",
        ),
        (
            "leave-create",
            "user",
            {"starts_on": "2026-09-10", "ends_on": "2026-09-01", "reason": "Diklat"},
            "Diklat",
        ),
    ],
)
def test_bad_input_is_a_form_error(login, objects, koordinator_ani, name, key, data, kept):
    response = login(koordinator_ani).post(url_of(name, key, objects), data)
    assert response.status_code == 200
    assert fragment(kept) in page_text(response) or kept in response.content.decode()
    assert Visit.objects.get(pk=objects["visit"]).state == Visit.State.PROPOSED


@pytest.mark.parametrize(
    "data",
    [
        {"date": "", "reason": ""},
        {"date": "2026-08-08", "reason": "Sabtu"},  # a Saturday
        {"date": "2027-08-03", "reason": "Tahun depan"},  # another school year
        {"date": "2026-07-01", "reason": "Lalu"},  # passed
        {"date": "2026-08-04", "reason": "Sama"},  # the same date
        {"date": "2026-08-04\x00", "reason": "x\x00"},
    ],
)
def test_school_counter_with_bad_dates(login, visit_a, kepsek_indah, data):
    response = login(kepsek_indah).post(reverse("visits:visit-counter", args=[visit_a.pk]), data)
    assert response.status_code == 200
    assert not DateChange.objects.exists()


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    day=st.text(max_size=20) | st.dates().map(str),
    reason=st.text(max_size=400),
)
def test_fuzzed_counter_proposals_never_fail(login, visit_a, kepsek_indah, day, reason):
    client = login(kepsek_indah)
    response = client.post(
        reverse("visits:visit-counter", args=[visit_a.pk]), {"date": day, "reason": reason}
    )
    assert response.status_code in (200, 302)
    DateChange.objects.all().delete()


# --- query counts of the lists ----------------------------------------------------------------


def count_queries(client, path: str) -> int:
    client.get(path)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context)


def add_visits(n: int, team) -> None:
    schools = list(School.objects.order_by("pk")[:n])
    for i, school in enumerate(schools):
        make_visit(school, date(2026, 8, 3 + (i % 4)), *team)


@pytest.mark.parametrize(
    ("persona", "path"),
    [
        ("koordinator_ani", "/kunjungan/"),
        ("koordinator_ani", "/kunjungan/bulan/?bulan=2026-08"),
        ("koordinator_ani", "/kunjungan/minggu/?minggu=2026-08-05"),
        ("peksos_budi", "/kunjungan/persetujuan/"),
        ("koordinator_ani", "/kunjungan/kepatuhan/"),
        ("peksos_budi", "/kunjungan/"),
    ],
)
def test_list_query_counts_do_not_grow(
    request, login, objects, persona, path, peksos_budi, psikolog_gita, school_a
):
    client = login(request.getfixturevalue(persona))
    add_visits(3, [peksos_budi, psikolog_gita])
    few = count_queries(client, path)
    add_visits(40, [peksos_budi, psikolog_gita])
    for visit in Visit.objects.all()[:10]:
        DateChange.objects.get_or_create(
            visit=visit,
            state=DateChange.State.PENDING,
            defaults={"kind": "usul_sekolah", "from_date": visit.date, "to_date": visit.date},
        )
    many = count_queries(client, path)
    assert few == many
    assert many <= 14


def test_school_agreement_query_count(login, kepsek_indah, school_a, peksos_budi):
    client = login(kepsek_indah)
    for day in (3, 4):
        make_visit(school_a, date(2026, 8, day), peksos_budi)
    few = count_queries(client, "/kunjungan/persetujuan/")
    for day in range(5, 20):
        make_visit(school_a, date(2026, 8, day), peksos_budi)
    assert count_queries(client, "/kunjungan/persetujuan/") == few
