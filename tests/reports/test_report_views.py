"""Report pages (docs/design.md §3.10): list, request, progress, download, run again, CSV/XLSX.
For each: the happy path, the wrong method, anonymous, another school's user (404), a role
without reports (403), bad input, and the list's query count."""

import csv
import io
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from peksos.core.models import AuditEvent, OutboxMessage
from reports import builder
from reports.models import Report
from tests.factories import city_report, school_report

FAKE_PDF = b"%PDF-1.7\n% fake\n%%EOF\n"
LIST = reverse("reports:report-list")
CREATE = reverse("reports:report-create")


@pytest.fixture(autouse=True)
def fake_pdf(monkeypatch, media):
    monkeypatch.setattr("reports.pdf.render_pdf", lambda html, **kw: FAKE_PDF)


def done(report: Report) -> Report:
    assert builder.run(report.pk)
    report.refresh_from_db()
    return report


def url(name: str, report: Report) -> str:
    return reverse(f"reports:{name}", args=[report.pk])


def form_data(**overrides) -> dict:
    data = {
        "kind": "kota",
        "period": "tahun",
        "school_year": "2025",
        "semester": "",
        "month": "",
        "start": "",
        "end": "",
        "kecamatan": "",
        "school": "",
        "idempotency_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


WRONG_ROLES = ["guru_eka", "ortu_fajar", "psikolog_gita", "pendamping_hadi"]


# --- List -----------------------------------------------------------------------------------


def test_koordinator_sees_every_report(login, koordinator_ani, peksos_budi, school_a):
    mine = city_report(by=koordinator_ani)
    theirs = school_report(school_a, by=peksos_budi, outside=False)
    monthly = city_report(monthly=True)
    html = login(koordinator_ani).get(LIST).content.decode()
    for report in (mine, theirs, monthly):
        assert url("report-detail", report) in html


def test_peksos_sees_own_requests_and_their_schools_reports(
    login, koordinator_ani, peksos_budi, school_a, school_b
):
    own_school = school_report(school_a, by=koordinator_ani, outside=False)
    other_school = school_report(school_b, by=koordinator_ani)
    city = city_report(by=koordinator_ani)
    html = login(peksos_budi).get(LIST).content.decode()
    assert url("report-detail", own_school) in html
    assert url("report-detail", other_school) not in html
    assert url("report-detail", city) not in html


def test_school_staff_see_only_their_schools_reports_that_leave_the_office(
    login, koordinator_ani, sosdesk_citra_sdn1, kepsek_indah, school_a, school_b
):
    outside = school_report(school_a, by=koordinator_ani, outside=True)
    internal = school_report(school_a, by=koordinator_ani, outside=False)
    other = school_report(school_b, by=koordinator_ani, outside=True)
    for persona in (sosdesk_citra_sdn1, kepsek_indah):
        html = login(persona).get(LIST).content.decode()
        assert url("report-detail", outside) in html
        assert url("report-detail", internal) not in html
        assert url("report-detail", other) not in html


@pytest.mark.parametrize("persona", WRONG_ROLES)
def test_roles_without_reports_get_403(login, request, persona):
    client = login(request.getfixturevalue(persona))
    assert client.get(LIST).status_code == 403
    assert client.get(CREATE).status_code == 403


def test_anonymous_is_sent_to_log_in(client, db):
    for path in (LIST, CREATE):
        response = client.get(path)
        assert response.status_code == 302 and "/masuk/" in response["Location"]


def test_list_rejects_post(login, koordinator_ani):
    assert login(koordinator_ani).post(LIST).status_code == 405


def test_list_query_count_does_not_grow_and_pages_by_keyset(
    login, koordinator_ani, peksos_budi, school_a, django_assert_num_queries
):
    client = login(koordinator_ani)
    for _ in range(3):
        city_report(by=koordinator_ani)
    client.get(LIST)
    with django_assert_num_queries(5) as few:  # 4 + the bell and inbox counts
        client.get(LIST)
    for i in range(30):
        school_report(school_a, by=peksos_budi if i % 2 else koordinator_ani)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    page = response.context["page"]
    assert len(page.items) == 25 and response.context["next_url"]
    second = client.get(response.context["next_url"])
    assert len(second.context["page"].items) == 8
    assert client.get(LIST + "?setelah=%ff-bad").status_code == 200  # a bad cursor: page 1
    assert client.get(LIST + "?setelah=%00%ff-bad").status_code == 400  # NUL: refused at once


# --- Request ----------------------------------------------------------------------------------


def test_request_a_city_report(
    login, koordinator_ani, kota_metro, django_capture_on_commit_callbacks
):
    client = login(koordinator_ani)
    assert client.get(CREATE).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CREATE, form_data(with_appendix="on"))
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("report-detail", report)
    assert report.kind == "kota" and report.with_appendix and not report.outside_office
    assert (str(report.period_start), str(report.period_end)) == ("2025-07-01", "2026-06-30")
    assert report.requested_by == koordinator_ani
    # Eager mode: the relay ran the task after the commit. The request itself rendered nothing.
    assert report.state == Report.State.DONE or Report.objects.get().state == Report.State.DONE
    assert AuditEvent.objects.filter(action="report_requested", object_id=str(report.pk)).exists()
    assert OutboxMessage.objects.filter(payload__report=str(report.pk)).count() == 1


def test_a_double_submit_creates_one_report(login, koordinator_ani, kota_metro):
    client = login(koordinator_ani)
    data = form_data()
    client.post(CREATE, data)
    client.post(CREATE, data)
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("period", "extra", "start", "end"),
    [
        ("semester", {"semester": "2"}, "2026-01-01", "2026-06-30"),
        ("bulan", {"month": "2026-02"}, "2026-02-01", "2026-02-28"),
        ("lain", {"start": "2025-08-01", "end": "2025-08-15"}, "2025-08-01", "2025-08-15"),
    ],
)
def test_periods(login, koordinator_ani, kota_metro, period, extra, start, end):
    login(koordinator_ani).post(CREATE, form_data(period=period, **extra))
    report = Report.objects.get()
    assert (str(report.period_start), str(report.period_end)) == (start, end)


def test_kecamatan_report(login, koordinator_ani, school_a):
    code = school_a.kecamatan.code
    login(koordinator_ani).post(CREATE, form_data(kind="kecamatan", kecamatan=code))
    report = Report.objects.get()
    assert report.kecamatan == school_a.kecamatan and report.school is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "kecamatan"}, "kecamatan"),
        ({"kind": "sekolah"}, "school"),
        ({"kind": "negara"}, "kind"),
        ({"period": "lain", "start": "2026-03-01", "end": "2026-02-01"}, "end"),
        ({"period": "lain", "start": "2020-01-01", "end": "2026-02-01"}, "end"),
        ({"period": "lain", "start": "kemarin"}, "start"),
        ({"period": "bulan", "month": "2026-13"}, "month"),
        ({"period": "bulan", "month": "2099-01"}, "period"),
        ({"period": "semester", "semester": ""}, "semester"),
        ({"school_year": "1999"}, "school_year"),
        ({"school_year": "2025\x00"}, "school_year"),
        ({"kecamatan": "x" * 500, "kind": "kecamatan"}, "kecamatan"),
    ],
)
def test_bad_input_is_a_form_error(login, koordinator_ani, kota_metro, overrides, field):
    response = login(koordinator_ani).post(CREATE, form_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Report.objects.exists()


@pytest.mark.parametrize("key", ["", "bukan kunci!", "x" * 65, "\x00" * 20])
def test_a_bad_hidden_key_never_refuses_the_request(login, koordinator_ani, kota_metro, key):
    """Nobody is refused for a field they cannot see: a fresh key is drawn instead."""
    response = login(koordinator_ani).post(CREATE, form_data(idempotency_key=key))
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.idempotency_key and report.idempotency_key != key


def test_peksos_asks_only_for_their_schools(
    login, peksos_budi, school_a, school_b, django_capture_on_commit_callbacks
):
    client = login(peksos_budi)
    for data in (form_data(), form_data(kind="kecamatan", kecamatan=school_a.kecamatan.code)):
        assert "kind" in client.post(CREATE, data).context["form"].errors
    response = client.post(CREATE, form_data(kind="sekolah", school=school_b.npsn))
    assert "school" in response.context["form"].errors
    assert not Report.objects.exists()
    client.post(CREATE, form_data(kind="sekolah", school=school_a.npsn, outside_office="on"))
    report = Report.objects.get()
    assert report.school == school_a and report.outside_office


def test_school_staff_always_get_the_version_for_outside(login, sosdesk_citra_sdn1, school_a):
    client = login(sosdesk_citra_sdn1)
    form = client.get(CREATE).context["form"]
    assert "outside_office" not in form.fields
    client.post(CREATE, form_data(kind="sekolah", school=school_a.npsn, outside_office=""))
    assert Report.objects.get().outside_office is True


def test_create_rejects_other_methods(login, koordinator_ani):
    assert login(koordinator_ani).put(CREATE).status_code == 405


# --- Detail and progress ----------------------------------------------------------------------


def test_detail_polls_while_pending_and_works_without_javascript(
    login, koordinator_ani, kota_metro
):
    report = city_report(by=koordinator_ani)
    Report.objects.filter(pk=report.pk).update(
        state=Report.State.RUNNING, sections_done=2, sections_total=6
    )
    client = login(koordinator_ani)
    html = client.get(url("report-detail", report)).content.decode()
    assert '<progress class="report-progress" max="6" value="2">' in html
    assert 'data-hx-trigger="every 2s"' in html
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in html
    assert " style=" not in html  # the CSP forbids inline styles
    partial = client.get(url("report-detail", report), HTTP_HX_REQUEST="true")
    fragment = partial.content.decode()
    assert "<html" not in fragment and "<progress" in fragment


def test_detail_of_a_finished_report_stops_polling_and_offers_downloads(
    login, koordinator_ani, kota_metro
):
    report = done(city_report(by=koordinator_ani))
    html = login(koordinator_ani).get(url("report-detail", report), HTTP_HX_REQUEST="true")
    html = html.content.decode()
    assert "data-hx-trigger" not in html
    for name in ("report-download", "report-csv", "report-xlsx"):
        assert url(name, report) in html


def test_detail_of_other_schools_reports_is_404(
    login, koordinator_ani, sosdesk_dedi_sdn2, peksos_joko_sdn2, school_a
):
    report = school_report(school_a, by=koordinator_ani)
    for persona in (sosdesk_dedi_sdn2, peksos_joko_sdn2):
        client = login(persona)
        for name in ("report-detail", "report-download", "report-csv", "report-xlsx"):
            assert client.get(url(name, report)).status_code == 404
        assert client.post(url("report-run-again", report)).status_code == 404


def test_internal_school_report_is_hidden_from_the_school(
    login, koordinator_ani, kepsek_indah, school_a
):
    report = school_report(school_a, by=koordinator_ani, outside=False)
    assert login(kepsek_indah).get(url("report-detail", report)).status_code == 404


@pytest.mark.parametrize("persona", WRONG_ROLES)
def test_report_pages_are_403_for_roles_without_reports(login, request, persona, kota_metro):
    report = city_report()
    client = login(request.getfixturevalue(persona))
    for name in ("report-detail", "report-download", "report-csv", "report-xlsx"):
        assert client.get(url(name, report)).status_code == 403
    assert client.post(url("report-run-again", report)).status_code == 403


def test_report_pages_for_anonymous_and_unknown_reports(client, login, koordinator_ani, kota_metro):
    report = city_report()
    for name in ("report-detail", "report-download", "report-csv", "report-xlsx"):
        assert client.get(url(name, report)).status_code == 302
    assert client.post(url("report-run-again", report)).status_code == 302
    missing = reverse("reports:report-detail", args=[uuid.uuid4()])
    assert login(koordinator_ani).get(missing).status_code == 404


def test_detail_rejects_post(login, koordinator_ani, kota_metro):
    report = city_report()
    client = login(koordinator_ani)
    assert client.post(url("report-detail", report)).status_code == 405
    assert client.post(url("report-download", report)).status_code == 405
    assert client.get(url("report-run-again", report)).status_code == 405


# --- Download ---------------------------------------------------------------------------------


def test_download_is_an_attachment_and_is_audited(login, koordinator_ani, peksos_budi, school_a):
    report = done(school_report(school_a, by=koordinator_ani))
    response = login(peksos_budi).get(url("report-download", report))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and school_a.npsn in disposition
    assert b"".join(response.streaming_content) == FAKE_PDF
    events = AuditEvent.objects.filter(action="report_downloaded", object_id=str(report.pk))
    assert [e.actor for e in events] == [peksos_budi]


def test_no_download_before_it_is_ready_or_after_it_expired(login, koordinator_ani, kota_metro):
    client = login(koordinator_ani)
    pending = city_report(by=koordinator_ani)
    assert client.get(url("report-download", pending)).status_code == 404
    report = done(city_report(by=koordinator_ani))
    Report.objects.filter(pk=report.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(url("report-download", report)).status_code == 404
    assert not AuditEvent.objects.filter(action="report_downloaded").exists()


# --- Run again --------------------------------------------------------------------------------


def test_run_again_a_failed_report(login, koordinator_ani, kota_metro):
    report = city_report(by=koordinator_ani)
    Report.objects.filter(pk=report.pk).update(state=Report.State.FAILED, error="x")
    response = login(koordinator_ani).post(url("report-run-again", report))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == Report.State.QUEUED and report.error == ""
    assert OutboxMessage.objects.filter(payload__report=str(report.pk)).count() == 1


def test_run_again_only_what_waits_for_it(login, koordinator_ani, kota_metro):
    report = city_report(by=koordinator_ani)  # queued
    client = login(koordinator_ani)
    response = client.post(url("report-run-again", report), follow=True)
    assert response.status_code == 200
    assert not OutboxMessage.objects.exists()


def test_run_again_someone_elses_report_is_403(login, koordinator_ani, peksos_budi, school_a):
    report = school_report(school_a, by=koordinator_ani)
    Report.objects.filter(pk=report.pk).update(state=Report.State.FAILED)
    assert login(peksos_budi).post(url("report-run-again", report)).status_code == 403


# --- The same figures as CSV and XLSX ---------------------------------------------------------


def test_figures_as_csv_and_xlsx_are_formula_safe_and_suppressed(
    login, koordinator_ani, sosdesk_citra_sdn1, school_a
):
    from tests.factories import make_case, make_visit

    school_a.name = '=HYPERLINK("http://evil","x")'
    school_a.save()
    now = timezone.now()
    for _ in range(3):
        make_case(school_a, ["fisik"], now - timedelta(days=1))
    make_visit(school_a, (now - timedelta(days=2)).date(), "selesai")
    report = school_report(school_a, by=koordinator_ani, outside=True)
    Report.objects.filter(pk=report.pk).update(
        period_start=(now - timedelta(days=30)).date(), period_end=now.date()
    )
    report = done(Report.objects.get(pk=report.pk))
    client = login(sosdesk_citra_sdn1)
    response = client.get(url("report-csv", report))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows[0]) == 5
    cells = [cell for row in rows for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    forms = [r for r in rows if r[2] == "kekerasan fisik"]
    assert forms and all(r[4] == "<5" for r in forms)
    xlsx = client.get(url("report-xlsx", report))
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    values = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith("=") for v in values)
    assert AuditEvent.objects.filter(action="report_figures_downloaded").count() == 2


def test_no_figures_before_the_report_is_done(login, koordinator_ani, kota_metro):
    report = city_report(by=koordinator_ani)
    assert login(koordinator_ani).get(url("report-csv", report)).status_code == 404
