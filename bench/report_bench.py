"""Benchmark: the city impact report through the worker's task vs WeasyPrint alone.

    createdb -h 127.0.0.1 -U postgres peksos_reports_bench   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peksos_reports_bench \\
        .venv/bin/python bench/report_bench.py [--runs 5] [--appendix] [--reuse]

Empties the given database, migrates, loads the real Kota Metro register (308 schools) and
generates one school year (2025/2026) of activity: two visits planned per school, most done;
SOS Desk cases with their timelines and police clocks; forum questions and answers; children
in support (monitoring, if installed). Then, --runs times (docs/quality.md P5, median of 5):

1. "task": a fresh process runs the Celery task `render_report` on a new report's outbox
   message (claims, figures of every section, progress updates, HTML, WeasyPrint, the file
   written and moved into place): the work a worker does, without the broker round trip. The
   HTML it renders is saved.
2. "weasyprint": a fresh process renders that saved HTML with the same fetcher, nothing else.

Each phase runs in its own process, so its peak memory (`resource.getrusage`, ru_maxrss) is
its own, Django and WeasyPrint included. Targets: task / WeasyPrint ≤ 1.2, the task under
15 s and 400 MB.
"""

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peksos.settings")
os.environ.setdefault("STATIC_MANIFEST", "0")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from peksos.accounts.models import Role, User  # noqa: E402
from reports import pdf, tasks  # noqa: E402
from reports.models import PeriodKind, Report  # noqa: E402
from schools.models import School  # noqa: E402

YEAR_START, YEAR_END = date(2025, 7, 1), date(2026, 6, 30)
HTML_PATH = ROOT / "var" / "bench" / "report.html"
CASES = 420
QUESTIONS = 300
CHILDREN = 160


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- Data -----------------------------------------------------------------------------------


def empty_database() -> None:
    call_command("migrate", verbosity=0)
    tables = connection.introspection.django_table_names(only_existing=True)
    with connection.cursor() as cursor:  # flush cannot empty the append-only audit table
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        cursor.execute("SET session_replication_role = DEFAULT")


def generate(rng: random.Random) -> dict:
    from schools import priority
    from schools.seed import load_kota_metro
    from sosdesk.models import Case, CaseEvent, ViolenceForm
    from visits.models import Visit

    load_kota_metro()
    staff = User.objects.create(username="bench_koordinator", role=Role.KOORDINATOR)
    schools = list(School.objects.all())
    for school in schools:
        school.students = rng.randint(40, 900)
        school.socioeconomic_share = rng.randint(5, 70)
        school.has_sos_desk = rng.random() < 0.6
    School.objects.bulk_update(schools, ["students", "socioeconomic_share", "has_sos_desk"])
    zone = timezone.get_current_timezone()

    visits = []
    days = (YEAR_END - YEAR_START).days
    for school in schools:
        for semester in (1, 2):
            offset = rng.randint(15, days // 2 - 15) + (0 if semester == 1 else days // 2)
            day = YEAR_START + timedelta(days=offset)
            state = rng.choices(
                [Visit.State.DONE, Visit.State.CANCELLED, Visit.State.RESCHEDULED],
                [0.82, 0.1, 0.08],
            )[0]
            visits.append(
                Visit(
                    school=school,
                    date=day,
                    school_year=2025,
                    semester=semester,
                    state=state,
                    kind=rng.choice(list(Visit.Kind.values)),
                )
            )
    Visit.objects.bulk_create(visits)
    last = {}
    for visit in visits:
        if visit.state == Visit.State.DONE:
            last[visit.school_id] = max(last.get(visit.school_id, visit.date), visit.date)
    for school in schools:
        school.last_visit_on = last.get(school.pk)
    School.objects.bulk_update(schools, ["last_visit_on"])

    forms = list(ViolenceForm.values)
    cases, events = [], []
    for _ in range(CASES):
        received = datetime.combine(
            YEAR_START + timedelta(days=rng.randrange(days)),
            datetime.min.time(),
            tzinfo=zone,
        ) + timedelta(hours=rng.randint(7, 16))
        chosen = rng.sample(forms, rng.choice([1, 1, 1, 2]))
        status = rng.choices(list(Case.Status.values), [0.05, 0.05, 0.15, 0.15, 0.6])[0]
        case = Case(
            school=rng.choice(schools),
            channel=rng.choice(list(Case.Channel.values)),
            narrative="(generated)",
            forms=chosen,
            modalities=rng.sample(["fisik", "verbal", "nonverbal", "daring"], rng.randint(1, 2)),
            status=status,
            received_at=received,
            stage_changed_at=received,
        )
        if "seksual" in chosen:
            case.police_due_at = received + timedelta(hours=72)
            case.police_clock_closed_at = received + timedelta(hours=rng.randint(6, 90))
            case.police_report_ref = "LP/B/000/2026"
        cases.append(case)
    Case.objects.bulk_create(cases)
    order = list(Case.Status.values)
    for case in cases:
        at = case.received_at
        for stage in order[1 : order.index(case.status) + 1]:
            at += timedelta(hours=rng.randint(4, 120))
            events.append(CaseEvent(case=case, at=at, kind=CaseEvent.Kind.STATUS, to_status=stage))
    CaseEvent.objects.bulk_create(events)
    priority.recompute()

    counts = {"visits": len(visits), "cases": len(cases), "case events": len(events)}
    if apps.is_installed("forum"):
        counts |= generate_forum(rng, schools, zone)
    if apps.is_installed("monitoring"):
        counts |= generate_children(rng, schools, staff, zone)
    return counts


def generate_forum(rng, schools, zone) -> dict:
    from forum.models import Answer, Category, Question

    categories = [
        Category.objects.create(slug=f"tema-{i}", name=f"Tema {i}", position=i) for i in range(6)
    ]
    authors = [
        User.objects.create(username=f"bench_ortu_{i}", role=Role.ORANG_TUA) for i in range(40)
    ]
    answerer = User.objects.create(username="bench_peksos", role=Role.PEKSOS)
    questions = []
    for _ in range(QUESTIONS):
        created = datetime.combine(
            YEAR_START + timedelta(days=rng.randrange(360)), datetime.min.time(), tzinfo=zone
        )
        answered = rng.random() < 0.7
        questions.append(
            Question(
                category=rng.choice(categories),
                title="Pertanyaan",
                body="(generated)",
                author=rng.choice(authors),
                school=rng.choice(schools),
                status=rng.choices(["terbit", "menunggu", "ditolak"], [0.85, 0.1, 0.05])[0],
                created_at=created,
                published_at=created,
                answer_count=1 if answered else 0,
            )
        )
    Question.objects.bulk_create(questions)
    answers = [
        Answer(question=q, author=answerer, body="(generated)", status="terbit")
        for q in questions
        if q.answer_count
    ]
    Answer.objects.bulk_create(answers)
    return {"forum questions": len(questions), "forum answers": len(answers)}


def generate_children(rng, schools, staff, zone) -> dict:
    from monitoring.models import ChildRecord
    from peksos.core import tallies

    records = []
    for _ in range(CHILDREN):
        opened = datetime.combine(
            YEAR_START + timedelta(days=rng.randrange(300)), datetime.min.time(), tzinfo=zone
        )
        closed = rng.random() < 0.4
        records.append(
            ChildRecord(
                school=rng.choice(schools),
                class_level=str(rng.randint(1, 9)),
                sex=rng.choice(["L", "P"]),
                birth_year=rng.randint(2010, 2019),
                name="Anak Uji",
                initials="AU",
                tier=rng.choice([2, 3]),
                status="selesai" if closed else "aktif",
                created_at=opened,
                last_contact_at=opened + timedelta(days=rng.randint(1, 60)),
                closed_at=opened + timedelta(days=rng.randint(30, 120)) if closed else None,
                outcome=rng.choice(["tujuan_tercapai", "dirujuk", "pindah"]) if closed else "",
                created_by=staff,
            )
        )
    with transaction.atomic():
        ChildRecord.objects.bulk_create(records)
        # bulk_create bypasses `save`: the register's children figure (monitoring/figures.py).
        tallies.changed("children", {record.school_id for record in records})
    return {"children": len(records)}


# --- Phases (each in its own process) -----------------------------------------------------


def phase_task(message_id: str) -> dict:
    """The worker's task on one message; the rendered HTML is saved for the other phase."""
    original = pdf.render_pdf

    def saving(html: str, **kwargs) -> bytes:
        HTML_PATH.parent.mkdir(parents=True, exist_ok=True)
        HTML_PATH.write_text(html, encoding="utf-8")
        return original(html, **kwargs)

    pdf.render_pdf = saving
    start = time.perf_counter()
    tasks.render_report.apply(args=[message_id])
    seconds = time.perf_counter() - start
    report = Report.objects.get(pk=json.loads(_payload(message_id))["report"])
    assert report.state == Report.State.DONE, report.error
    return {"seconds": seconds, "peak_mb": peak_mb(), "file": report.file.path}


def _payload(message_id: str) -> str:
    from peksos.core.models import OutboxMessage

    return json.dumps(OutboxMessage.objects.get(pk=message_id).payload)


def phase_weasyprint() -> dict:
    html = HTML_PATH.read_text(encoding="utf-8")
    start = time.perf_counter()
    data = pdf.render_pdf(html)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": peak_mb(), "bytes": len(data)}


def child(*args: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if result.returncode:
        sys.exit(f"phase {args} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def new_message(appendix: bool) -> str:
    from peksos.core.models import OutboxMessage

    with transaction.atomic():
        report = Report.objects.create(
            kind=Report.Kind.CITY,
            period_kind=PeriodKind.SCHOOL_YEAR,
            period_start=YEAR_START,
            period_end=YEAR_END,
            with_appendix=appendix,
        )
        message = OutboxMessage.objects.create(
            kind=tasks.RENDER_TASK,
            payload={"report": str(report.pk)},
            state=OutboxMessage.State.DISPATCHED,  # as the relay leaves it
        )
    return str(message.pk)


def pages(path: str) -> int:
    args = ["pdfinfo", path]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages")))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--appendix", action="store_true", help="with the per-school table")
    parser.add_argument("--reuse", action="store_true", help="keep the generated data")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--phase", choices=["task", "weasyprint"], help=argparse.SUPPRESS)
    parser.add_argument("--message", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "task":
        print(json.dumps(phase_task(args.message)))
        return
    if args.phase == "weasyprint":
        print(json.dumps(phase_weasyprint()))
        return
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it will be emptied).")
    counts = {}
    if not args.reuse:
        empty_database()
        start = time.perf_counter()
        counts = generate(random.Random(2026))
        print(f"generated in {time.perf_counter() - start:.1f} s: {counts}")
    connection.close()

    task_runs, weasy_runs = [], []
    for run in range(args.runs):
        message = new_message(args.appendix)
        connection.close()
        task_runs.append(child("--phase", "task", "--message", message))
        weasy_runs.append(child("--phase", "weasyprint"))
        print(
            f"run {run + 1}: task {task_runs[-1]['seconds']:.2f} s "
            f"({task_runs[-1]['peak_mb']:.0f} MB), WeasyPrint alone "
            f"{weasy_runs[-1]['seconds']:.2f} s ({weasy_runs[-1]['peak_mb']:.0f} MB)"
        )
    task_s = statistics.median(r["seconds"] for r in task_runs)
    weasy_s = statistics.median(r["seconds"] for r in weasy_runs)
    task_mb = max(r["peak_mb"] for r in task_runs)
    weasy_mb = max(r["peak_mb"] for r in weasy_runs)
    page_count = pages(task_runs[-1]["file"])
    database = settings.DATABASES["default"]["NAME"]
    print(
        f"\nCity report, school year 2025/2026, {School.objects.count()} schools, "
        f"{page_count} pages{' (with the per-school appendix)' if args.appendix else ''}; "
        f"median of {args.runs} runs; database {database}\n"
    )
    print("| | seconds (median) | peak memory (MB) |")
    print("|---|---:|---:|")
    print(f"| through the task | {task_s:.2f} | {task_mb:.0f} |")
    print(f"| WeasyPrint alone, same HTML | {weasy_s:.2f} | {weasy_mb:.0f} |")
    met = task_s / weasy_s <= 1.2 and task_s < 15 and task_mb < 400
    if args.json:
        figures = {
            "task_seconds": round(task_s, 2),
            "weasyprint_seconds": round(weasy_s, 2),
            "ratio": round(task_s / weasy_s, 2),
            "task_peak_mb": round(task_mb),
            "weasyprint_peak_mb": round(weasy_mb),
            "pages": page_count,
            "runs": args.runs,
            "met": met,
            "summary": f"task / WeasyPrint {task_s / weasy_s:.2f}, {task_s:.1f} s, "
            f"{task_mb:.0f} MB, {page_count} pages",
        }
        Path(args.json).write_text(json.dumps(figures, indent=1))
    print(
        f"\nratio task / WeasyPrint: {task_s / weasy_s:.2f} (target ≤ 1.2); "
        f"task under 15 s: {'yes' if task_s < 15 else 'NO'}; "
        f"under 400 MB: {'yes' if task_mb < 400 else 'NO'}"
    )


if __name__ == "__main__":
    main()
