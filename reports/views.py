"""Impact reports: list, request, progress, download, again, and the same figures as CSV/XLSX.
PDFs are made by a worker, never in a request."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from openpyxl import Workbook

from peksos.accounts.reauth import needs_reauth
from peksos.core import audit
from peksos.core.pagination import KeysetPage, page_for
from schools.exports import safe_cell

from . import services
from .forms import ReportRequestForm
from .models import report_file_days
from .permissions import (
    can_run_again,
    get_report_for_user,
    reports_visible_to,
    require_report_role,
)

LIST_ORDER = ("-created_at", "id")


def _page(queryset, request: HttpRequest) -> KeysetPage:
    return page_for(request, queryset, LIST_ORDER)


def _url(request: HttpRequest, key: str, cursor: str | None) -> str | None:
    return f"{request.path}?{key}={cursor}" if cursor else None


@require_safe
@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    require_report_role(request.user)
    page = _page(reports_visible_to(request.user).for_list(), request)
    context = {
        "page": page,
        "next_url": _url(request, "setelah", page.next_cursor),
        "previous_url": _url(request, "sebelum", page.previous_cursor),
        "file_days": report_file_days(),
    }
    return render(request, "reports/report_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def report_create(request: HttpRequest) -> HttpResponse:
    require_report_role(request.user)
    initial = {"kind": request.GET.get("jenis"), "school": request.GET.get("sekolah")}
    form = ReportRequestForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        report = services.report_request(
            fields=form.report_fields(), by=request.user, request=request
        )
        messages.success(request, _("Your report is being prepared."))
        return redirect("reports:report-detail", pk=report.pk)
    return render(request, "reports/report_form.html", {"form": form})


@require_safe
@login_required
def report_detail(request: HttpRequest, pk) -> HttpResponse:
    require_report_role(request.user)
    report = get_report_for_user(request.user, pk)
    context = {"report": report, "can_run_again": can_run_again(request.user, report)}
    if request.htmx:
        return render(request, "reports/report_detail.html#progress", context)
    return render(request, "reports/report_detail.html", context)


@require_safe
@login_required
def report_download(request: HttpRequest, pk) -> FileResponse:
    report = _get_report_audited(request, pk)
    if not report.is_downloadable:
        raise Http404
    if (prompt := needs_reauth(request)) is not None:
        return prompt
    try:
        handle = report.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    with transaction.atomic():
        audit.record("report_downloaded", request=request, obj=report)
    response = FileResponse(
        handle, as_attachment=True, filename=report.download_name(), content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@login_required
def report_run_again(request: HttpRequest, pk) -> HttpResponse:
    require_report_role(request.user)
    report = get_report_for_user(request.user, pk)
    if not can_run_again(request.user, report):
        raise PermissionDenied
    if services.report_run_again(report=report, by=request.user, request=request):
        messages.success(request, _("The report is being prepared again."))
    else:
        messages.info(request, _("This report is not waiting to be run again."))
    return redirect("reports:report-detail", pk=report.pk)


def _figure_rows(report) -> list[list]:
    """The report's tables in long form: one line per figure, ready for a spreadsheet."""
    rows = []
    for table in report.figures.get("tables", []):
        columns = table["columns"]
        for row in table["rows"]:
            label = row[0] if row else ""
            for column, value in zip(columns[1:], row[1:], strict=False):
                rows.append([table["section"], table["title"], label, column, value])
    return rows


def _get_report_audited(request: HttpRequest, pk):
    """The report for a download or an export; a refusal (wrong role, another school's or
    caseload's report) is one `report_access_denied` audit row (docs/quality.md S10)."""
    try:
        require_report_role(request.user)
        return get_report_for_user(request.user, pk)
    except (Http404, PermissionDenied):
        with transaction.atomic():
            audit.record(
                "report_access_denied",
                request=request,
                object_type="reports.report",
                object_id=str(pk),
            )
        raise


def _figures_report(request: HttpRequest, pk):
    report = _get_report_audited(request, pk)
    if report.state != report.State.DONE or not report.figures:
        raise Http404
    return report


def _record_figures_download(request: HttpRequest, report) -> None:
    with transaction.atomic():
        audit.record("report_figures_downloaded", request=request, obj=report)


def _headers() -> list[str]:
    return [_("Section"), _("Table"), _("Row"), _("Column"), _("Value")]


@require_safe
@login_required
def report_csv(request: HttpRequest, pk) -> HttpResponse:
    report = _figures_report(request, pk)
    if (prompt := needs_reauth(request)) is not None:
        return prompt
    _record_figures_download(request, report)
    out = io.StringIO()
    out.write("\ufeff")  # a BOM, so spreadsheet programs read UTF-8 correctly
    writer = csv.writer(out)
    writer.writerow(_headers())
    for row in _figure_rows(report):
        writer.writerow([safe_cell(cell) for cell in row])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report.download_name("csv")}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@login_required
def report_xlsx(request: HttpRequest, pk) -> FileResponse:
    report = _figures_report(request, pk)
    if (prompt := needs_reauth(request)) is not None:
        return prompt
    _record_figures_download(request, report)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Figures")[:31])
    sheet.append(_headers())
    for row in _figure_rows(report):
        sheet.append([safe_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    response = FileResponse(buffer, as_attachment=True, filename=report.download_name("xlsx"))
    response["X-Content-Type-Options"] = "nosniff"
    return response
