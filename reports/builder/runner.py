"""Building an impact report: the figures of each section, the HTML, the PDF, the file.

`run(report_id)` is what the worker calls. It claims the report with a conditional UPDATE
(queued -> running, or a running report whose worker died: older than the time limit), then
computes the sections one by one, each finished section recorded on the row by its own small
UPDATE (committed at once: the worker holds no transaction, so the progress bar moves). The
PDF is written to a temporary name and moved into place, so there is never a partial file.
Only the run holding the row's current `run_token` may record progress or the end; a run that
lost its claim (its worker was taken for dead and the report claimed again) stops.

Sections read the apps below (the top floor reads every floor), one module each in this
package. Only aggregates leave this module: no child, reporter or narrative is
ever read. In a report that leaves the office, every count of cases, children or people under
5 is shown as "<5" (`sosdesk.figures.suppress`); counts of schools and visits are facts about
the programme, not about people, and are shown as they are (the methodology note says so).
"""

import logging
import os
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peksos.core import objectstore
from peksos.core.dbrouter import replica_reads
from peksos.core.models import OfficeSettings

from ..models import Report, report_file_days
from .activities import activities_section
from .appendix import appendix_section
from .base import THRESHOLD, Scope, Section
from .cases import cases_section
from .children import children_section
from .forum import forum_section
from .schools import schools_section
from .visits import visits_section

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    key: str
    title: object  # a lazy translation
    build: Callable[[Scope], Section | None]
    available: Callable[[Report], bool]


STEPS = [
    Step("schools", gettext_lazy("Schools and priority"), schools_section, lambda r: True),
    Step(
        "visits",
        gettext_lazy("Visits"),
        visits_section,
        lambda r: True,
    ),
    Step(
        "activities",
        gettext_lazy("Activities"),
        activities_section,
        lambda r: True,
    ),
    Step(
        "cases",
        gettext_lazy("SOS Desk cases"),
        cases_section,
        lambda r: True,
    ),
    Step(
        "children",
        gettext_lazy("Children receiving support"),
        children_section,
        lambda r: True,
    ),
    Step(
        "forum",
        gettext_lazy("Consultation forum"),
        forum_section,
        lambda r: True,
    ),
    Step(
        "appendix",
        gettext_lazy("Appendix: schools one by one"),
        appendix_section,
        lambda r: r.with_appendix and r.kind != Report.Kind.SCHOOL,
    ),
]


def plan(report: Report) -> list[Step]:
    return [step for step in STEPS if step.available(report)]


# --- HTML, PDF, file ----------------------------------------------------------------------


def render_html(report: Report, sections: list[Section], scope: Scope) -> str:
    """The report's HTML (to be called inside `translation.override("id")`)."""
    from ..pdf import static_uri

    office = OfficeSettings.from_database()
    headlines = [h for s in sections for h in s.headlines]
    context = {
        "report": report,
        "sections": sections,
        "headlines": headlines,
        "generated_at": timezone.localtime(scope.now),
        "threshold": THRESHOLD,
        "stylesheet": static_uri("reports/report.css"),
        "demo": settings.DEMO,  # "DATA CONTOH" on every page of a demo's PDF
        "office": office,  # letterhead and signature (peksos.core.models.OfficeSettings)
        "logo_uri": office.logo_data_uri(),
    }
    return render_to_string("reports/pdf/report.html", context)


def figures_json(sections: list[Section]) -> dict:
    """The tables as plain data, kept on the row for the CSV/XLSX downloads."""

    def plain(value):
        if isinstance(value, date):
            return value.isoformat()
        return value if isinstance(value, int | float | str) or value is None else str(value)

    tables = []
    for section in sections:
        tables.append(
            {
                "section": section.title,
                "title": _("Key figures"),
                "columns": [_("Figure"), _("Value")],
                "rows": [[str(label), plain(value)] for label, value in section.headlines],
            }
        )
        for table in section.tables:
            data = asdict(table)
            data["rows"] = [[plain(cell) for cell in row] for row in table.rows]
            tables.append(
                {"section": section.title, **{k: data[k] for k in ("title", "columns", "rows")}}
            )
    return {"tables": tables}


def write_file(report: Report, pdf: bytes) -> str:
    """Write under a temporary name in the same directory, then move into place: the final
    name only ever holds a whole PDF, and a failure (disk full) leaves nothing behind. In
    object storage (settings.MEDIA_S3) one PUT is that already: the object is whole or absent."""
    name = f"reports/{report.pk}.pdf"
    storage = Report._meta.get_field("file").storage
    if objectstore.enabled():
        saved = storage.save(name, ContentFile(pdf, name=name))
        if saved != name:  # file_overwrite keeps the report's own name
            raise OSError(f"report file stored as {saved}")
        return name
    final = Path(settings.MEDIA_ROOT) / name
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{report.pk}.", suffix=".part", dir=final.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(pdf)
            out.flush()
            os.fsync(out.fileno())
        # mkstemp makes the file 0600: readable by the web process when it runs as another
        # user of the same group (a shared media volume), by nobody else.
        os.chmod(temporary, 0o640)
        os.replace(temporary, final)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return name


class SectionFailed(Exception):
    pass


def _fail(mine: QuerySet, message: str) -> None:
    mine.update(
        state=Report.State.FAILED,
        error=message[:300],
        finished_at=timezone.now(),
        current_section="",
        run_token=None,
    )


def claim(report_id, now: datetime | None = None) -> uuid.UUID | None:
    """queued -> running (or a dead run's report taken over). Returns the run's token, or
    None when the report is done, failed, or being built by a live worker."""
    now = now or timezone.now()
    token = uuid.uuid4()
    claimed = (
        Report.objects.claimable(now)
        .filter(pk=report_id)
        .update(
            state=Report.State.RUNNING,
            run_token=token,
            started_at=now,
            sections_done=0,
            current_section="",
            error="",
            attempts=F("attempts") + 1,
        )
    )
    return token if claimed else None


def run(report_id) -> bool:
    """Build the report if it can be claimed. True when this run finished it."""
    token = claim(report_id)
    if token is None:
        log.info("report %s not claimed (done, failed or running elsewhere)", report_id)
        return False
    report = Report.objects.select_related("school__kecamatan", "kecamatan", "requested_by").get(
        pk=report_id
    )
    mine = Report.objects.filter(pk=report.pk, run_token=token, state=Report.State.RUNNING)
    with translation.override("id"):
        try:
            return _build(report, mine)
        except Exception:
            log.exception("report %s failed", report.pk)
            _fail(
                mine,
                _(
                    "The report could not be prepared. Try again; if it fails again, tell the "
                    "technical staff."
                ),
            )
            return False


def _build(report: Report, mine: QuerySet) -> bool:
    steps = plan(report)
    if not mine.update(sections_total=len(steps) + 1):
        return False
    scope = Scope(
        report,
        report.period_start,
        report.period_end,
        report.outside_office,
        timezone.now(),
    )
    sections = []
    for done, step in enumerate(steps):
        if not mine.update(current_section=str(step.title)[:100]):
            return False  # another run holds the report now
        try:
            # Aggregates only, lag-tolerant: the read replica when there is one (the report's
            # own row, claimed and updated between sections, stays on the primary).
            with replica_reads():
                section = step.build(scope)
        except Exception:
            log.exception("report %s: section %s failed", report.pk, step.key)
            _fail(
                mine,
                _(
                    "The section “%(section)s” could not be prepared. Try again; if it fails "
                    "again, tell the technical staff."
                )
                % {"section": step.title},
            )
            return False
        if section is not None:
            sections.append(section)
        mine.update(sections_done=done + 1)
    if not mine.update(current_section=_("Writing the PDF")):
        return False
    from ..pdf import render_pdf  # WeasyPrint is loaded in workers only

    pdf = render_pdf(render_html(report, sections, scope))
    try:
        name = write_file(report, pdf)
    except OSError:
        log.exception("report %s: file not written", report.pk)
        _fail(
            mine, _("The PDF could not be saved (the server's disk may be full). Try again later.")
        )
        return False
    now = timezone.now()
    finished = mine.update(
        state=Report.State.DONE,
        file=name,
        figures=figures_json(sections),
        sections_done=F("sections_total"),
        current_section="",
        finished_at=now,
        expires_at=now + timedelta(days=report_file_days()),
        run_token=None,
    )
    return bool(finished)
