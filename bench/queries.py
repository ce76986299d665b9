"""Benchmark: database queries per page with 10, 100 and 1,000 rows (docs/quality.md P3).

    .venv/bin/python bench/queries.py [--json PATH]            # a temporary SQLite file
    .venv/bin/python bench/queries.py --database-url \\
        postgres://postgres@127.0.0.1:5432/peksos_bench_queries [--json PATH]

Target (docs/quality.md P3): "Constant queries: queries per page with 10, 100, 1,000 rows:
identical counts, each under a stated budget". The budgets are stated in `BUDGETS` below.

What it does: migrates a scratch database (a temporary SQLite file by default; with
--database-url, a PostgreSQL database whose name starts with peksos_bench_queries, created
afresh and dropped at the end unless --keep), loads the real Kota Metro register (308 schools)
and makes one user per role it measures. Then for N = 10, 100, 1,000 it adds rows with the
apps' own models until every list has N rows in total: visits (with their team), activities
(with facilitators and attendance), SOS Desk cases (with a timeline event; some referred, some
overdue), children in monitoring, forum questions (each with an answer), questions awaiting
review, open flags, impact reports; and for the detail pages, N rows of what they list: the
answers of one forum thread, the timeline, notes and messages of one case, the audit events of
that case (its access log) and the progress notes of one child. The rows are spread over 20
schools, which the PEKSOS serves (school A, SD Negeri 1 Metro Pusat, among them).

Each page is requested with Django's test client (the whole middleware stack, second factor
verified as in tests/conftest.py `login`) as the role that uses it: once to warm
process-wide caches (content types, templates), then, after `cache.clear()` (so nothing cached
from the warm-up request is counted out) and with the session's
last-seen stamp fresh (so no timed session write falls into one run and not another), once
more inside `CaptureQueriesContext`. Every response must be 200. A page whose count changes
with N runs a query per row (N+1); `met` is true when every page has identical counts and
stays within its budget.
"""

import argparse
import json
import os
import sys
import tempfile
import time
import urllib.parse
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = (10, 100, 1000)
PG_PREFIX = "peksos_bench_queries"
SCHOOL_A = "10807637"  # UPTD SD NEGERI 1 METRO PUSAT
POOL_SIZE = 20  # schools the rows are spread over (school A included)

# Queries allowed per page (docs/quality.md P3 asks for "a stated budget"): the count seen with
# 10 rows (the same on SQLite and PostgreSQL, November 2026) plus 2, or 15 % where that is more.
# The request's own queries (session, user, second-factor device) count too. Keys: page labels.
BUDGETS = {
    "home, Koordinator": 21,
    "home, PEKSOS": 9,
    "home, SOS Desk": 7,
    "home, parent": 6,
    "schools, list": 8,
    "school detail": 11,
    "visits, list (Koordinator)": 10,
    "visits, list (PEKSOS)": 10,
    "visits, compliance board": 11,
    "activities, list": 9,
    "cases, list (Koordinator)": 6,
    "cases, list (SOS Desk)": 5,
    "cases, overdue board": 6,
    "cases, figures": 21,
    "case detail": 13,
    "case access log": 8,
    "children, list (Koordinator)": 6,
    "children, list (PEKSOS)": 6,
    "child detail": 23,
    "forum, questions": 6,
    "forum, thread": 10,
    "forum, moderation queue": 9,
    "forum, flag queue": 6,
    "reports, list": 6,
}


# --- Settings and the scratch database -----------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--database-url",
        help=f"a PostgreSQL URL whose database name starts with {PG_PREFIX} "
        "(default: a temporary SQLite file)",
    )
    parser.add_argument("--json", metavar="PATH", help="write the figures as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    return parser.parse_args()


def configure(database_url: str) -> None:
    """Environment for django.setup(): the scratch database, a process-local cache (never a
    shared Redis), tasks in-process, e-mail kept in memory."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "peksos.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("CACHE_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["STATIC_MANIFEST"] = "0"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def pg_admin(url: str, sql: str) -> None:
    """Run CREATE/DROP DATABASE on the server's `postgres` database."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def pg_name(url: str) -> str:
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    if not name.startswith(PG_PREFIX):
        sys.exit(f"refusing database {name!r}: its name must start with {PG_PREFIX}")
    return name


def pg_create(url: str) -> None:
    name = pg_name(url)
    pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg_admin(url, f'CREATE DATABASE "{name}"')


def pg_drop(url: str) -> None:
    pg_admin(url, f'DROP DATABASE IF EXISTS "{pg_name(url)}" WITH (FORCE)')


# --- The world: users and the objects the detail pages show --------------------------------


def timezone_today():
    from django.utils import timezone

    return timezone.localdate()


def now_aware() -> datetime:
    from django.utils import timezone

    return timezone.now()


def make_user(username: str, role: str, schools=()):
    from peksos.accounts.models import User
    from schools.models import SchoolMembership

    user = User.objects.create_user(
        username=username,
        password=None,  # force_login needs none; hashing one costs seconds
        email=f"{username}@example.org",
        first_name=username.split("_")[-1].title(),
        role=role,
    )
    SchoolMembership.objects.bulk_create(
        [SchoolMembership(user=user, school=school) for school in schools]
    )
    return user


def build_world() -> dict:
    """Users of each role measured, the 20 schools of the pool, one desk per pool school and
    the objects whose detail pages are measured (a case, a child, a forum thread)."""
    from forum.models import Category, Question
    from monitoring import services as mon
    from peksos.accounts.models import Role
    from schools.models import School
    from sosdesk import services as desk
    from sosdesk.models import Case

    school_a = School.objects.get(npsn=SCHOOL_A)
    others = School.objects.exclude(pk=school_a.pk).order_by("npsn")[: POOL_SIZE - 1]
    pool = [school_a, *others]
    users = {
        "koordinator": make_user("bench_koordinator", Role.KOORDINATOR),
        "peksos": make_user("bench_peksos", Role.PEKSOS, pool),
        "psikolog": make_user("bench_psikolog", Role.PSIKOLOG),
        "sosdesk": make_user("bench_sosdesk", Role.SOSDESK, [school_a]),
        "ortu": make_user("bench_ortu", Role.ORANG_TUA, [school_a]),
    }
    authors = [
        make_user(
            f"bench_{'guru' if i % 3 else 'ortu'}_{i}",
            Role.GURU if i % 3 else Role.ORANG_TUA,
            [pool[i % len(pool)]],
        )
        for i in range(POOL_SIZE)
    ]
    koordinator, peksos = users["koordinator"], users["peksos"]
    for school in pool:
        desk.desk_ensure(school, by=koordinator)
    case = desk.case_file(
        school=school_a,
        channel=Case.Channel.IN_PERSON,
        narrative="Seorang murid dipukul kakak kelasnya di kantin.",
        forms=["fisik"],
        modalities=["fisik"],
        scope="dalam",
        affected=["murid"],
        ongoing_danger="tidak",
        anonymous=False,
        reporter_name="Ibu Pelapor",
        reporter_contact="0812-0000-0000",
        reporter_relation="murid",
        contact_allowed=True,
        by=users["sosdesk"],
    ).case
    record = mon.record_open(
        school=school_a,
        class_level="4",
        sex="P",
        birth_year=timezone_today().year - 10,
        name="Anak Uji Bench",
        guardian_contact="0812-1111-1111",
        peksos=peksos,
        by=peksos,
    )
    category = Category.objects.filter(is_active=True).order_by("position").first()
    now = now_aware()
    thread = Question.objects.create(
        category=category,
        title="Anak saya takut berangkat ke sekolah, apa yang harus saya lakukan?",
        body="Sejak minggu lalu anak saya menangis setiap pagi.",
        author=users["ortu"],
        school=school_a,
        status=Question.Status.PUBLISHED,
        published_at=now,
    )
    return {
        "users": users,
        "authors": authors,
        "pool": pool,
        "school_a": school_a,
        "staff": [peksos, users["psikolog"], koordinator],
        "case": case,
        "record": record,
        "thread": thread,
        "category": category,
    }


# --- Rows: each list grows to N rows in total ----------------------------------------------


def add_visits(world: dict, start: int, stop: int) -> None:
    """Visits of this school year over the pool's schools, each with a PEKSOS in its team
    (training visits a psychologist too), and one activity per visit (with a facilitator and
    attendance by group and sex)."""
    from activities.models import Activity, AttendanceCount
    from activities.models.sessions import TIER_OF_KIND
    from peksos.accounts.models import Role
    from visits.models import Visit, VisitMember

    today = timezone_today()
    year_start = (
        today.replace(month=7, day=1)
        if today.month >= 7
        else today.replace(year=today.year - 1, month=7, day=1)
    )
    kinds = list(Visit.Kind.values)
    peksos, psikolog = world["users"]["peksos"], world["users"]["psikolog"]
    visits = []
    for i in range(start, stop):
        day = year_start + timedelta(days=(i * 37) % 350)  # spread: done, this week, ahead
        state = (
            Visit.State.DONE if day < today else (Visit.State.PROPOSED, Visit.State.AGREED)[i % 2]
        )
        visit = Visit(school=world["pool"][i % POOL_SIZE], state=state, kind=kinds[i % 3])
        visit.set_date(day)
        visits.append(visit)
    visits = Visit.objects.bulk_create(visits)
    members = [VisitMember(visit=v, user=peksos, role=Role.PEKSOS) for v in visits]
    members += [
        VisitMember(visit=v, user=psikolog, role=Role.PSIKOLOG)
        for v in visits
        if v.kind == Visit.Kind.TRAINING
    ]
    VisitMember.objects.bulk_create(members)
    activities = Activity.objects.bulk_create(
        [
            Activity(
                visit=v,
                school=v.school,
                kind=v.kind,
                tier=TIER_OF_KIND[v.kind],
                date=v.date,
                state=Activity.State.HELD
                if v.state == Visit.State.DONE
                else Activity.State.PLANNED,
                title=f"Kegiatan {v.get_kind_display()}",
            )
            for v in visits
        ]
    )
    Activity.facilitators.through.objects.bulk_create(
        [Activity.facilitators.through(activity=a, user=peksos) for a in activities]
    )
    AttendanceCount.objects.bulk_create(
        [
            AttendanceCount(activity=a, group="siswa_sd", sex=sex, count=10 + i % 20)
            for i, a in enumerate(activities)
            if a.state == Activity.State.HELD
            for sex in ("L", "P")
        ]
    )


def add_cases(world: dict, start: int, stop: int) -> None:
    """Cases over the pool's schools in every status, each with its 'received' event; every
    fifth referred to the psychologist, every sixth sexual violence with a police clock,
    some past their stage deadline (the overdue board)."""
    from sosdesk.models import Case, CaseEvent, Referral

    now = now_aware()
    statuses = list(Case.Status.values)
    forms = ["fisik", "psikis", "perundungan", "seksual", "diskriminasi", "kebijakan"]
    sosdesk, psikolog = world["users"]["sosdesk"], world["users"]["psikolog"]
    cases = []
    for i in range(start, stop):
        received = now - timedelta(hours=3 + i * 5)
        case = Case(
            school=world["pool"][i % POOL_SIZE],
            channel=Case.Channel.PUBLIC_FORM,
            narrative=f"Laporan uji nomor {i}.",
            forms=[forms[i % len(forms)]],
            modalities=["fisik"],
            status=statuses[i % len(statuses)],
            received_at=received,
            stage_changed_at=received,
            stage_due_at=received + timedelta(hours=24 if i % 3 else 24 * 400),
            received_by=sosdesk if i % 2 else None,
        )
        if case.is_sexual_violence:
            case.police_due_at = received + timedelta(hours=72)
        cases.append(case)
    cases = Case.objects.bulk_create(cases)
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(case=c, at=c.received_at, kind=CaseEvent.Kind.RECEIVED, to_status="diterima")
            for c in cases
        ]
    )
    Referral.objects.bulk_create(
        [
            Referral(
                case=c,
                partner="psikolog",
                psikolog=psikolog,
                reason="Butuh asesmen.",
                created_by=sosdesk,
            )
            for i, c in enumerate(cases)
            if i % 5 == 0
        ]
    )


def add_case_history(world: dict, start: int, stop: int) -> None:
    """The measured case: timeline events, notes and messages; audit events (its access log)."""
    from peksos.core.models import AuditEvent
    from sosdesk.models import CaseEvent, CaseMessage, CaseNote

    case, now = world["case"], now_aware()
    staff = [world["users"]["sosdesk"], world["users"]["koordinator"]]
    moments = [(i, now - timedelta(minutes=stop - i)) for i in range(start, stop)]
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=case,
                at=at,
                actor=staff[i % 2],
                kind=CaseEvent.Kind.ESCALATED,
                detail=f"langkah {i}",
            )
            for i, at in moments
        ]
    )
    CaseNote.objects.bulk_create(
        [CaseNote(case=case, at=at, author=staff[i % 2], body=f"Catatan {i}.") for i, at in moments]
    )
    CaseMessage.objects.bulk_create(
        [
            CaseMessage(
                case=case,
                at=at,
                from_reporter=bool(i % 2),
                author=None if i % 2 else staff[0],
                body=f"Pesan {i}.",
            )
            for i, at in moments
        ]
    )
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                at=at,
                actor=staff[i % 2],
                actor_role=staff[i % 2].role,
                action="case_viewed",
                object_type=case._meta.label_lower,
                object_id=str(case.pk),
            )
            for i, at in moments
        ]
    )


def add_children(world: dict, start: int, stop: int) -> None:
    """Children in monitoring over the pool's schools (names encrypted by the model's field),
    some referred to the psychologist, some overdue for follow-up; and progress notes of the
    measured child."""
    from monitoring.models import ChildRecord, ProgressNote
    from peksos.core import tallies

    now = now_aware()
    peksos, psikolog = world["users"]["peksos"], world["users"]["psikolog"]
    records = ChildRecord.objects.bulk_create(
        [
            ChildRecord(
                school=world["pool"][i % POOL_SIZE],
                class_level=str(1 + i % 6),
                sex="LP"[i % 2],
                birth_year=2014 + i % 6,
                name=f"Anak Uji {i}",
                initials="AU",
                tier=2 + i % 2,
                peksos=peksos,
                psikolog=psikolog if i % 4 == 0 else None,
                created_by=peksos,
                created_at=now - timedelta(hours=i),
                last_contact_at=now - timedelta(days=i % 40),
            )
            for i in range(start, stop)
        ]
    )
    # bulk_create bypasses `save`: the register's children figure (monitoring/figures.py).
    tallies.changed("children", {record.school_id for record in records})
    ProgressNote.objects.bulk_create(
        [
            ProgressNote(
                record=world["record"],
                noted_on=timezone_today() - timedelta(days=i % 300),
                source=ProgressNote.Source.OBSERVATION,
                text=f"Pengamatan {i}.",
                author=peksos,
            )
            for i in range(start, stop)
        ]
    )


def add_forum(world: dict, start: int, stop: int) -> None:
    """Published questions (one answer each), questions awaiting review, open flags on the
    published ones, and answers to the measured thread."""
    from django.db.models import F

    from forum.models import Answer, Category, Flag, Question

    now = now_aware()
    categories = list(Category.objects.filter(is_active=True))
    authors, staff, pool = world["authors"], world["staff"], world["pool"]

    def question(i: int, status: str) -> Question:
        return Question(
            category=categories[i % len(categories)],
            title=f"Pertanyaan uji nomor {i}?",
            body="Bagaimana cara mendampingi anak yang sering murung?",
            author=authors[i % len(authors)],
            school=pool[i % POOL_SIZE],
            status=status,
            created_at=now - timedelta(minutes=i),
            published_at=now - timedelta(minutes=i)
            if status == Question.Status.PUBLISHED
            else None,
            answer_count=1 if status == Question.Status.PUBLISHED else 0,
        )

    published = Question.objects.bulk_create(
        [question(i, Question.Status.PUBLISHED) for i in range(start, stop)]
    )
    Question.objects.bulk_create([question(i, Question.Status.PENDING) for i in range(start, stop)])
    Answer.objects.bulk_create(
        [
            Answer(
                question=q,
                author=staff[i % len(staff)],
                body="Ajak anak bercerita.",
                status=Answer.Status.PUBLISHED,
                published_at=now,
            )
            for i, q in enumerate(published)
        ]
    )
    Flag.objects.bulk_create(
        [
            Flag(question=q, user=authors[(i + 1) % len(authors)], reason=Flag.Reason.OTHER)
            for i, q in enumerate(published)
        ]
    )
    thread = world["thread"]
    Answer.objects.bulk_create(
        [
            Answer(
                question=thread,
                author=(authors + staff)[i % (len(authors) + len(staff))],
                body=f"Jawaban nomor {i}: ajak anak bercerita dengan tenang.",
                status=Answer.Status.PUBLISHED,
                created_at=thread.created_at + timedelta(seconds=i / 100),
                published_at=thread.created_at + timedelta(seconds=i / 100),
            )
            for i in range(start, stop)
        ]
    )
    Question.objects.filter(pk=thread.pk).update(
        answer_count=F("answer_count") + (stop - start), last_answer_at=now
    )


def add_reports(world: dict, start: int, stop: int) -> None:
    """Impact reports of every kind and state, asked by the staff."""
    from reports.models import PeriodKind, Report

    today = timezone_today()
    kinds = list(Report.Kind.values)
    states = list(Report.State.values)
    staff, pool = world["staff"], world["pool"]
    reports = []
    for i in range(start, stop):
        kind = kinds[i % len(kinds)]
        school = pool[i % POOL_SIZE]
        reports.append(
            Report(
                kind=kind,
                period_kind=PeriodKind.MONTH,
                period_start=today.replace(day=1),
                period_end=today,
                school=school if kind == Report.Kind.SCHOOL else None,
                kecamatan=school.kecamatan if kind == Report.Kind.KECAMATAN else None,
                requested_by=staff[i % len(staff)],
                state=states[i % len(states)],
                created_at=now_aware() - timedelta(minutes=i),
            )
        )
    Report.objects.bulk_create(reports)


def grow(world: dict, start: int, stop: int) -> None:
    from django.db import transaction

    with transaction.atomic():
        for add in (add_visits, add_cases, add_case_history, add_children, add_forum, add_reports):
            add(world, start, stop)


# --- Pages ---------------------------------------------------------------------------------


def pages(world: dict) -> list[tuple[str, str, str, str]]:
    """(label, role, URL, context key of the rows shown) of each page measured, as the role
    that uses it; "" when the page has no one list (dashboards, the school's page)."""
    from django.urls import reverse

    a = world["school_a"].npsn
    case, record, thread = world["case"].code, world["record"].code, world["thread"].uid
    return [
        ("home, Koordinator", "koordinator", reverse("home"), ""),
        ("home, PEKSOS", "peksos", reverse("home"), ""),
        ("home, SOS Desk", "sosdesk", reverse("home"), ""),
        ("home, parent", "ortu", reverse("home"), ""),
        ("schools, list", "koordinator", reverse("schools:school-list"), "page"),
        ("school detail", "koordinator", reverse("schools:school-detail", args=[a]), ""),
        ("visits, list (Koordinator)", "koordinator", reverse("visits:visit-list"), "page"),
        ("visits, list (PEKSOS)", "peksos", reverse("visits:visit-list"), "page"),
        ("visits, compliance board", "koordinator", reverse("visits:compliance-board"), "page"),
        ("activities, list", "koordinator", reverse("activities:activity-list"), "page"),
        ("cases, list (Koordinator)", "koordinator", reverse("sosdesk:case-list"), "page"),
        ("cases, list (SOS Desk)", "sosdesk", reverse("sosdesk:case-list"), "page"),
        ("cases, overdue board", "koordinator", reverse("sosdesk:case-overdue"), "page"),
        ("cases, figures", "koordinator", reverse("sosdesk:case-figures"), ""),
        ("case detail", "koordinator", reverse("sosdesk:case-detail", args=[case]), "events"),
        (
            "case access log",
            "koordinator",
            reverse("sosdesk:case-access-log", args=[case]),
            "page",
        ),
        ("children, list (Koordinator)", "koordinator", reverse("monitoring:record-list"), "page"),
        ("children, list (PEKSOS)", "peksos", reverse("monitoring:record-list"), "page"),
        ("child detail", "peksos", reverse("monitoring:record-detail", args=[record]), "notes"),
        ("forum, questions", "ortu", reverse("forum:question-list"), "page"),
        ("forum, thread", "ortu", reverse("forum:question-detail", args=[thread]), "answers"),
        (
            "forum, moderation queue",
            "koordinator",
            reverse("forum:moderation-queue"),
            "questions",
        ),
        ("forum, flag queue", "koordinator", reverse("forum:flag-queue"), "items"),
        ("reports, list", "koordinator", reverse("reports:report-list"), "page"),
    ]


def logged_in(user):
    """A client logged in as `user`, second factor verified (tests/conftest.py `login`)."""
    from django.test import Client
    from django_otp.plugins.otp_static.models import StaticDevice

    client = Client()
    client.force_login(user, backend="peksos.accounts.backends.UsernameOrEmailBackend")
    if user.needs_second_factor:
        device = StaticDevice.objects.create(user=user, name="bench", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


def fresh_session(client) -> None:
    """Stamp the session as seen now: the middleware then writes no last-seen stamp."""
    from peksos.accounts.middleware import SESSION_LAST_SEEN
    from peksos.core.time import epoch_now

    session = client.session
    session[SESSION_LAST_SEEN] = epoch_now()
    session.save()


def rows_shown(response, key: str) -> int | None:
    """How many rows the page shows under `key` of its context (a keyset page or a list)."""
    from peksos.core.pagination import KeysetPage

    value = response.context.get(key) if key and response.context is not None else None
    if value is None:
        return None
    return len(value.items if isinstance(value, KeysetPage) else value)


def measure(client, url: str, key: str) -> tuple[int, int | None]:
    """Queries of one cold request (after a warm-up request); fails loudly unless 200."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for attempt in ("warm-up", "measured"):
        fresh_session(client)
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code != 200:
            location = response.get("Location", "")
            raise SystemExit(f"{url} ({attempt}): status {response.status_code} {location}")
    return len(captured.captured_queries), rows_shown(response, key)


# --- Run -----------------------------------------------------------------------------------


def run() -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    from schools.seed import load_kota_metro

    setup_test_environment()  # responses carry their template context (rows shown)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    load_kota_metro()
    world = build_world()
    clients = {role: logged_in(user) for role, user in world["users"].items()}
    print(
        f"database: {connection.vendor}; 308 schools; migrated and built in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )
    counts: dict[str, dict[int, int]] = {}
    shown: dict[str, dict[int, int | None]] = {}
    have = 0
    for size in SIZES:
        grow(world, have, size)
        have = size
        for label, role, url, key in pages(world):
            queries, rows = measure(clients[role], url, key)
            counts.setdefault(label, {})[size] = queries
            shown.setdefault(label, {})[size] = rows
        print(f"N={size}: {len(counts)} pages measured", flush=True)
    return {"vendor": connection.vendor, "counts": counts, "shown": shown}


def report(result: dict) -> dict:
    rows, lines = [], []
    lines.append(f"\nQueries per page ({result['vendor']}), each request cold (cache cleared)\n")
    header = " | ".join(f"N={n:,}" for n in SIZES)
    lines.append(f"| page | {header} | budget | identical? | rows shown |")
    lines.append("|---|" + "---:|" * len(SIZES) + "---:|:---:|---|")
    for label, by_size in result["counts"].items():
        values = [by_size[n] for n in SIZES]
        budget = BUDGETS.get(label)
        identical = len(set(values)) == 1
        within = budget is not None and max(values) <= budget
        shown = "/".join("–" if r is None else str(r) for r in result["shown"][label].values())
        cells = " | ".join(str(v) for v in values)
        mark = "yes" if identical else "**NO**"
        over = "" if within else " **over**"
        lines.append(f"| {label} | {cells} | {budget}{over} | {mark} | {shown} |")
        rows.append(
            {
                "page": label,
                "queries": {str(n): by_size[n] for n in SIZES},
                "budget": budget,
                "identical": identical,
                "within_budget": within,
                "rows_shown": {str(n): r for n, r in result["shown"][label].items()},
            }
        )
    growing = [r["page"] for r in rows if not r["identical"]]
    over = [r["page"] for r in rows if not r["within_budget"]]
    met = not growing and not over
    summary = (
        f"{len(rows)} pages, {'/'.join(str(n) for n in SIZES)} rows: "
        f"{len(rows) - len(growing)} with identical counts, {len(rows) - len(over)} within "
        f"budget"
        + (f"; growing: {', '.join(growing)}" if growing else "")
        + (f"; over budget: {', '.join(over)}" if over else "")
    )
    table = "\n".join(lines[1:])  # the Markdown table, for bench/run.py's summary
    lines.append(f"\nmet: {'yes' if met else 'NO'} ({summary})")
    print("\n".join(lines))
    return {
        "benchmark": "queries",
        "target": "docs/quality.md P3: identical query counts at 10, 100, 1,000 rows, under budget",
        "database": result["vendor"],
        "sizes": list(SIZES),
        "pages": rows,
        "table": table,
        "met": met,
        "summary": summary,
    }


def main() -> None:
    args = parse_args()
    scratch = None
    if args.database_url:
        url = args.database_url
        pg_create(url)
    else:
        scratch = tempfile.TemporaryDirectory(prefix="peksos-queries-")
        url = f"sqlite:///{scratch.name}/bench.sqlite3"
    configure(url)
    try:
        figures = report(run())
    finally:
        from django.db import connections

        connections.close_all()
        if scratch is not None:
            scratch.cleanup()
        elif not args.keep:
            pg_drop(url)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
