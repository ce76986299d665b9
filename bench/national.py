"""National-size data set and the page benchmark behind gunicorn (issue 11, docs/quality.md P1-P3).

    createdb -h 127.0.0.1 -U postgres peksos_city
    createdb -h 127.0.0.1 -U postgres peksos_national
    # the city: the real 308 schools with a proportional three years of programme data
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peksos_city \
        .venv/bin/python bench/national.py generate --schools 0
    # the country: 450,000 synthetic schools more (--schools 45000 for a tenth of it)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peksos_national \
        .venv/bin/python bench/national.py generate --schools 450000
    # every main page against a trivial view (/ping, same middleware), both data sets
    .venv/bin/python bench/national.py measure \
        --city postgres://postgres@127.0.0.1:5432/peksos_city \
        --national postgres://postgres@127.0.0.1:5432/peksos_national --runs 11

`make bench` runs the three steps at a tenth of the national size (see the Makefile).

The generator empties the database, migrates, loads the real register, then writes with
PostgreSQL COPY, per school and year: two visits for each of three school years (2024/2025 to
2026/2027: the first two done, the current one half done), an activity with attendance counts
for each visit done, 1,000,000 SOS Desk cases and 100,000 children in monitoring (their names
encrypted by the model's own field, as in production) and 1,000,000 forum posts (questions and
answers) at national size, and in proportion to the number of schools for any other size.
Rows are built from each model's own fields (defaults, encryption, JSON) by `copy_rows`, so a
new NOT NULL column cannot make the generator write rows the application would not.

`measure` starts gunicorn on loopback for each database (2 sync workers, DEBUG off), logs in
as a Koordinator through the login form, and requests each page --runs times, sequentially;
it prints the median of each page, the ratio of each page to /ping on the same server (P1:
what a page costs beyond the framework), and national / city for each page (P2).
"""

import argparse
import http.cookiejar
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peksos.settings")
os.environ.setdefault("PEKSOS_REQUIRE_2FA", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")

WIB = ZoneInfo("Asia/Jakarta")
NATIONAL_SCHOOLS = 450_000
NATIONAL = {"cases": 1_000_000, "children": 100_000, "posts": 1_000_000}
YEARS = (2024, 2025, 2026)
PASSWORD = "bench-kata-sandi-2026"  # noqa: S105  # a synthetic benchmark user
PAGES = {
    "home (dashboard)": "/",
    "schools, list": "/sekolah/",
    "schools, level=SD": "/sekolah/?level=SD",
    "schools, map data SMA": "/sekolah/peta/data.json?level=SMA",
    "school detail": "/sekolah/10807637/",
    "visits, list": "/kunjungan/",
    "visits, compliance": "/kunjungan/kepatuhan/",
    "activities, list": "/kegiatan/",
    "SOS Desk, cases": "/sosdesk/",
    "SOS Desk, figures": "/sosdesk/angka/",
    "monitoring, children": "/pemantauan/",
    "forum, questions": "/forum/",
    "reports, list": "/laporan/",
}


# --- Generating -----------------------------------------------------------------------------


def copy_rows(model, rows, fields: list[str]) -> int:
    """COPY rows (tuples in the order of `fields`) into the model's table; every other
    concrete field takes its default (evaluated per row: unique codes stay unique), "" when
    blank, NULL when nullable. Values go through the field's own get_db_prep_save, so
    encrypted and JSON fields store what the application would."""
    from django.db import connection

    given = [model._meta.get_field(name) for name in fields]
    # An auto-incremented key is left to the database; a UUID key takes its default.
    others = [
        f
        for f in model._meta.concrete_fields
        if f.name not in fields and not (f.primary_key and not f.has_default())
    ]
    for field in others:
        if not (field.has_default() or field.null or field.blank or _auto(field)):
            raise SystemExit(f"{model.__name__}.{field.name}: no value and no default")
    columns = given + others
    names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
    table = connection.ops.quote_name(model._meta.db_table)
    now = datetime.now(WIB)
    count = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                values = list(row)
                for field in others:
                    if _auto(field):
                        values.append(now)
                    elif field.has_default():
                        values.append(field.get_default())
                    elif field.null:
                        values.append(None)
                    else:
                        values.append("")
                copy.write_row(
                    [
                        f.get_db_prep_save(v, connection) if v is not None else None
                        for f, v in zip(columns, values, strict=True)
                    ]
                )
                count += 1
        cursor.execute(f"ANALYZE {table}")
    return count


def _auto(field) -> bool:
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def school_days(year: int, semester: int) -> list[date]:
    start = date(year, 7, 15) if semester == 1 else date(year + 1, 1, 10)
    days = [start + timedelta(days=i) for i in range(140)]
    return [d for d in days if d.weekday() < 5]


def generate(schools: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from activities.models import Activity, AttendanceCount
    from forum.models import Answer, Category, Question
    from monitoring.models import ChildRecord
    from peksos.accounts.models import Role, User
    from schools.models import School, SchoolMembership
    from schools.seed import load_kota_metro
    from sosdesk.models import Case, Desk
    from visits.models import Visit

    sys.path.insert(0, str(ROOT / "bench"))
    from register_bench import add_synthetic_schools

    if connection.vendor != "postgresql":
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database (it will be emptied).")
    started = time.perf_counter()
    with connection.cursor() as cursor:  # a clean slate; the migrations seed their data again
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)
    load_kota_metro()
    if schools:
        add_synthetic_schools(schools)
    school_ids = list(School.objects.values_list("pk", flat=True))
    n_schools = len(school_ids)
    share = n_schools / (NATIONAL_SCHOOLS + 308)
    rng = random.Random(11)
    koordinator = User.objects.create_user(
        "bench_koordinator", password=PASSWORD, role=Role.KOORDINATOR
    )
    peksos = User.objects.create_user("bench_peksos", password=PASSWORD, role=Role.PEKSOS)
    # A PEKSOS serves about 16 schools (docs/visits.md): school A and fifteen more of the city.
    city = School.objects.exclude(npsn="10807637").order_by("pk")[:15]
    SchoolMembership.objects.bulk_create(
        SchoolMembership(user=peksos, school=school, since=date(2024, 7, 1))
        for school in [School.objects.get(npsn="10807637"), *city]
    )
    parent = User.objects.create_user("bench_ortu", password=PASSWORD, role=Role.ORANG_TUA)
    timings = {}

    def timed(name: str, fn) -> None:
        t0 = time.perf_counter()
        count = fn()
        timings[name] = (count, time.perf_counter() - t0)
        print(f"  {name}: {count:,} rows in {timings[name][1]:.1f} s", flush=True)

    today = date(2026, 11, 27)

    def visit_rows():
        for school in school_ids:
            for year in YEARS:
                for semester in (1, 2):
                    day = rng.choice(school_days(year, semester))
                    state = Visit.State.DONE if day < today else Visit.State.AGREED
                    kind = Visit.Kind.CAMPAIGN if semester == 1 else Visit.Kind.TRAINING
                    yield (school, day, year, semester, state, kind)

    timed(
        "visits",
        lambda: copy_rows(
            Visit, visit_rows(), ["school", "date", "school_year", "semester", "state", "kind"]
        ),
    )

    def activity_rows(done: list):
        for pk, school, day, kind in done:
            tier = 2 if kind == Visit.Kind.TRAINING else 1
            yield (pk, school, kind, tier, day, Activity.State.HELD)

    def attendance_rows(held: list):
        for pk, kind in held:
            group = "guru" if kind == Visit.Kind.TRAINING else "siswa_sd"
            yield (pk, group, "L", rng.randint(5, 40))
            yield (pk, group, "P", rng.randint(5, 40))

    # Each source is read before its COPY starts: a connection cannot read while it copies.
    done = list(
        Visit.objects.filter(state=Visit.State.DONE).values_list("pk", "school_id", "date", "kind")
    )
    timed(
        "activities",
        lambda: copy_rows(
            Activity, activity_rows(done), ["visit", "school", "kind", "tier", "date", "state"]
        ),
    )
    held = list(Activity.objects.values_list("pk", "kind"))
    timed(
        "attendance counts",
        lambda: copy_rows(
            AttendanceCount, attendance_rows(held), ["activity", "group", "sex", "count"]
        ),
    )
    from sosdesk.models import new_public_code

    codes = set(Desk.objects.values_list("public_code", flat=True))
    desks = []
    for pk in school_ids:  # bulk_create skips Desk.save(), which avoids taken codes
        code = new_public_code()
        while code in codes:
            code = new_public_code()
        codes.add(code)
        desks.append(Desk(school_id=pk, public_code=code))
    desks = Desk.objects.bulk_create(desks, batch_size=5000)
    print(f"  desks: {len(desks):,}")
    n_cases = max(1, int(NATIONAL["cases"] * share))
    from sosdesk.models import ViolenceForm

    forms = list(ViolenceForm.values)
    statuses = list(Case.Status.values)
    start = datetime(2024, 7, 1, 8, tzinfo=WIB)

    from sosdesk.models import new_tracking_code

    def case_rows():
        codes = set()
        for i in range(n_cases):
            code = new_tracking_code()
            while code in codes:  # 1,000,000 random codes of 8 characters do collide
                code = new_tracking_code()
            codes.add(code)
            at = start + timedelta(minutes=rng.randint(0, 60 * 24 * 870))
            status = rng.choice(statuses)
            yield (
                code,
                rng.choice(school_ids),
                Case.Channel.PUBLIC_FORM,
                f"Laporan uji nomor {i}: narasi sintetis.",
                [rng.choice(forms)],
                status,
                at,
                at,
            )

    timed(
        "SOS Desk cases",
        lambda: copy_rows(
            Case,
            case_rows(),
            [
                "code",
                "school",
                "channel",
                "narrative",
                "forms",
                "status",
                "received_at",
                "stage_changed_at",
            ],
        ),
    )
    timed("case timelines", lambda: settle_cases(today))
    n_children = max(1, int(NATIONAL["children"] * share))

    from monitoring.models import new_child_code

    def child_rows():
        codes = set()
        for i in range(n_children):
            code = new_child_code()
            while code in codes:
                code = new_child_code()
            codes.add(code)
            yield (
                code,
                rng.choice(school_ids),
                "4",
                rng.choice(["L", "P"]),
                2014 + rng.randint(0, 6),
                f"Anak Uji {i}",
                "AU",
                peksos.pk,
            )

    timed(
        "children in monitoring",
        lambda: copy_rows(
            ChildRecord,
            child_rows(),
            ["code", "school", "class_level", "sex", "birth_year", "name", "initials", "peksos"],
        ),
    )
    n_posts = max(2, int(NATIONAL["posts"] * share))
    n_questions = n_posts // 5
    categories = list(Category.objects.values_list("pk", flat=True))

    def question_rows():
        for i in range(n_questions):
            yield (
                f"Pertanyaan uji {i}",
                "Bagaimana cara mendampingi anak yang sering murung setelah pulang sekolah?",
                rng.choice(categories),
                parent.pk,
                Question.Status.PUBLISHED,
            )

    timed(
        "forum questions",
        lambda: copy_rows(
            Question, question_rows(), ["title", "body", "category", "author", "status"]
        ),
    )

    def answer_rows(questions: list):
        for pk in questions:
            for _ in range(4):
                yield (pk, "Ajak anak bercerita dengan tenang.", peksos.pk, Answer.Status.PUBLISHED)

    timed(
        "forum answers",
        lambda: copy_rows(
            Answer,
            answer_rows(list(Question.objects.values_list("pk", flat=True))),
            ["question", "body", "author", "status"],
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    total = time.perf_counter() - started
    print(f"schools: {n_schools:,}; generated in {total:.0f} s; koordinator: {koordinator}")


def settle_cases(today: date) -> int:
    """Give the generated cases the life a desk gives them (SQL, in seconds): a case is
    verified within a day, handled within a week and closed within about seven weeks of its
    receipt, so only the last weeks' cases are still open (a few percent, some past their
    stage deadline); each stage reached is a status event on the case's timeline, as the
    figures' time-to-stage medians read them. Returns the number of events written."""
    from django.db import connection

    now = datetime.combine(today, datetime.min.time(), tzinfo=WIB) + timedelta(hours=12)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.11)")
        cursor.execute(
            """
            WITH t AS (
                SELECT id, received_at AS r,
                       received_at + (1 + random() * 23) * interval '1 hour' AS verified,
                       received_at + (24 + random() * 120) * interval '1 hour' AS handled,
                       received_at + (10 + random() * 40) * interval '1 day' AS closed
                FROM sosdesk_case
            )
            UPDATE sosdesk_case c SET
                status = CASE WHEN t.closed <= %(now)s THEN 'selesai'
                              WHEN t.handled <= %(now)s THEN 'ditangani'
                              WHEN t.verified <= %(now)s THEN 'verifikasi'
                              ELSE 'diterima' END,
                closed_at = CASE WHEN t.closed <= %(now)s THEN t.closed END,
                stage_changed_at = CASE WHEN t.closed <= %(now)s THEN t.closed
                                        WHEN t.handled <= %(now)s THEN t.handled
                                        WHEN t.verified <= %(now)s THEN t.verified
                                        ELSE t.r END,
                stage_due_at = CASE WHEN t.closed <= %(now)s THEN NULL
                                    WHEN t.handled <= %(now)s THEN t.handled + interval '30 days'
                                    WHEN t.verified <= %(now)s THEN t.verified + interval '7 days'
                                    ELSE t.r + interval '1 day' END
            FROM t WHERE c.id = t.id
            """,
            {"now": now},
        )
        cursor.execute("DELETE FROM sosdesk_caseevent WHERE kind = 'status'")
        cursor.execute(
            """
            INSERT INTO sosdesk_caseevent (case_id, at, kind, from_status, to_status, detail)
            SELECT id, received_at + (1 + random() * 23) * interval '1 hour', 'status',
                   'diterima', 'verifikasi', ''
            FROM sosdesk_case WHERE status <> 'diterima'
            UNION ALL
            SELECT id, LEAST(stage_changed_at, received_at + interval '5 days'), 'status',
                   'verifikasi', 'ditangani', ''
            FROM sosdesk_case WHERE status IN ('ditangani', 'selesai')
            UNION ALL
            SELECT id, closed_at, 'status', 'ditangani', 'selesai', ''
            FROM sosdesk_case WHERE status = 'selesai'
            """
        )
        written = cursor.rowcount
        cursor.execute("ANALYZE sosdesk_case; ANALYZE sosdesk_caseevent")
    return written


# --- Measuring ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The cache the servers share, as in production (Redis): the register-wide aggregates are
# cached there per partition (peksos/core/partials.py). Emptied when a server starts.
CACHE_URL = "redis://127.0.0.1:6379/14"
# Pages summed from cached per-partition parts: measured also right after a write.
# peksos.core.partials.PARTITION_SIZE (not imported: this side of the benchmark runs
# without Django).
PARTITION_SIZE = 2048
AGGREGATE_PAGES = ("home (dashboard)", "visits, compliance", "SOS Desk, figures")


def empty_cache(url: str = CACHE_URL) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


class Server:
    """gunicorn on loopback for one database, with the shared cache emptied."""

    def __init__(self, database_url: str, workers: int):
        self.port = free_port()
        empty_cache()
        env = {
            **os.environ,
            "CACHE_URL": CACHE_URL,
            "DATABASE_URL": database_url,
            "DJANGO_DEBUG": "0",
            "PEKSOS_REQUIRE_2FA": "0",
            "STATIC_MANIFEST": "0",
            "LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "peksos.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{self.base}/ping", timeout=1)  # noqa: S310  # nosec B310
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def logged_in_opener(base: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/masuk/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "bench_koordinator", "password": PASSWORD}
    ).encode()
    request = urllib.request.Request(  # noqa: S310  # nosec B310: our own loopback URL
        f"{base}/masuk/", data=data, headers={"Referer": base}
    )
    response = opener.open(request)
    if response.url.rstrip("/").endswith("/masuk"):
        raise SystemExit("could not log in as bench_koordinator (run generate first)")
    return opener


def timed_ms(opener, url: str) -> float:
    t0 = time.perf_counter()
    response = opener.open(url)
    response.read()
    if response.status != 200:
        raise SystemExit(f"{url}: HTTP {response.status}")
    return (time.perf_counter() - t0) * 1000


def median_ms(opener, url: str, runs: int, before=None) -> float:
    """The median of `runs` requests after one to warm up; `before()` runs before each."""
    opener.open(url).read()  # warm up
    times = []
    for _ in range(runs):
        if before:
            before()
        times.append(timed_ms(opener, url))
    return statistics.median(times)


def one_write(database_url: str):
    """A function that does what a write to one random school does to the cached aggregates:
    its partition gets new versions of every domain (peksos/core/partials.py)."""
    import psycopg

    connection = psycopg.connect(database_url, autocommit=True)
    (last,) = connection.execute("SELECT max(id) FROM schools_school").fetchone()
    rng = random.Random(5)

    def write() -> None:
        connection.execute(
            "INSERT INTO core_partitionversion (domain, partition, token) "
            "SELECT d, %s, md5(random()::text) "
            "FROM unnest(array['visits', 'activities', 'cases', 'schools']) AS d "
            "ON CONFLICT (domain, partition) DO UPDATE SET token = excluded.token",
            [rng.randint(0, last // PARTITION_SIZE)],
        )

    return write


def refresh_seconds(database_url: str) -> float:
    """What Celery beat does after a restart: every register-wide part computed into the
    (empty) shared cache (`manage.py refresh_aggregates`)."""
    env = {**os.environ, "DATABASE_URL": database_url, "CACHE_URL": CACHE_URL}
    started = time.perf_counter()
    subprocess.run(  # nosec B603: our own manage.py, fixed arguments
        [sys.executable, str(ROOT / "manage.py"), "refresh_aggregates"], env=env, check=True
    )
    return time.perf_counter() - started


def measure_server(database_url: str, runs: int, workers: int) -> dict:
    """Median ms per page, after the register-wide parts were computed as Celery beat does
    after a restart (its time is reported, in ms, as "refresh"); for the aggregate pages also
    the median right after one write (one partition computed again)."""
    server = Server(database_url, workers)
    try:
        opener = logged_in_opener(server.base)
        results = {"/ping": median_ms(opener, f"{server.base}/ping", runs)}
        results["refresh after a restart (Celery beat, background)"] = (
            refresh_seconds(database_url) * 1000
        )
        for name, path in PAGES.items():
            try:
                results[name] = median_ms(opener, f"{server.base}{path}", runs)
            except urllib.error.HTTPError as error:
                results[name] = None
                print(f"  {name}: HTTP {error.code}", flush=True)
        write = one_write(database_url)
        for name in AGGREGATE_PAGES:
            url = f"{server.base}{PAGES[name]}"
            results[f"{name}, after a write"] = median_ms(opener, url, runs, before=write)
        return results
    finally:
        server.stop()


def measure(city: str, national: str, runs: int, workers: int) -> dict:
    print(f"measuring the city ({city.rsplit('/', 1)[-1]})...", flush=True)
    small = measure_server(city, runs, workers)
    print(f"measuring the country ({national.rsplit('/', 1)[-1]})...", flush=True)
    large = measure_server(national, runs, workers)
    print(f"\nMedian of {runs} sequential requests through gunicorn ({workers} workers), ms\n")
    print("| page | city ms | page / ping | national ms | page / ping | national / city |")
    print("|---|---:|---:|---:|---:|---:|")
    rows, worst, worst_p1 = [], 0.0, 0.0
    for name in small:
        a, b = small.get(name), large.get(name)
        if a is None or b is None:
            print(f"| {name} | {a or '–'} | | {b or '–'} | | |")
            continue
        row = {
            "page": name,
            "city_ms": round(a, 1),
            "city_per_ping": round(a / small["/ping"], 1),
            "national_ms": round(b, 1),
            "national_per_ping": round(b / large["/ping"], 1),
            "national_per_city": round(b / a, 2),
        }
        rows.append(row)
        if name in PAGES:  # refresh and after-a-write figures are shown, not held to P1/P2
            worst = max(worst, row["national_per_city"])
            limit = 20 if name in AGGREGATE_PAGES else 10
            worst_p1 = max(worst_p1, row["city_per_ping"] / limit)
        print(
            f"| {name} | {a:.1f} | {row['city_per_ping']} | {b:.1f} | "
            f"{row['national_per_ping']} | {row['national_per_city']:.2f} |"
        )
    print(f"\nworst national / city: {worst:.2f}")
    return {
        "runs": runs,
        "workers": workers,
        "rows": rows,
        "worst_national_per_city": round(worst, 2),
        # page / ping as a share of its P1 limit (10x lists and details, 20x dashboards)
        "worst_p1_share_of_limit": round(worst_p1, 2),
    }


def load(database_url: str, users: int, seconds: int, workers: int) -> dict:
    """`users` simulated people (bench/locustfile.py) against gunicorn for `seconds`: requests,
    failures, median and 95th percentile per page and in all."""
    import csv
    import tempfile

    server = Server(database_url, workers)
    try:
        with tempfile.TemporaryDirectory() as folder:
            prefix = f"{folder}/locust"
            subprocess.run(  # nosec B603: our own venv's locust, fixed arguments
                [
                    str(ROOT / ".venv/bin/locust"),
                    "-f",
                    str(ROOT / "bench/locustfile.py"),
                    "--headless",
                    "--users",
                    str(users),
                    "--spawn-rate",  # two people a second arrive and log in
                    "2",
                    "--run-time",
                    f"{seconds}s",
                    "--host",
                    server.base,
                    "--csv",
                    prefix,
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                check=False,
                timeout=seconds + 120,
            )
            with open(f"{prefix}_stats.csv", newline="") as handle:
                rows = list(csv.DictReader(handle))
    finally:
        server.stop()
    print(
        f"\n{users} users for {seconds} s against gunicorn ({workers} workers), "
        f"{database_url.rsplit('/', 1)[-1]}\n"
    )
    print("| page | requests | failures | median ms | p95 ms |")
    print("|---|---:|---:|---:|---:|")
    pages = []
    for row in rows:
        median = float(row["Median Response Time"] or 0)
        pages.append(
            {
                "page": row["Name"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "median_ms": round(median),
                "p95_ms": float(row["95%"] or 0),
            }
        )
        print(
            f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | "
            f"{median:.0f} | {row['95%']} |"
        )
    return {"users": users, "seconds": seconds, "workers": workers, "pages": pages}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--schools", type=int, default=NATIONAL_SCHOOLS)
    mea = sub.add_parser("measure")
    mea.add_argument("--city", required=True)
    mea.add_argument("--national", required=True)
    mea.add_argument("--runs", type=int, default=11)
    mea.add_argument("--workers", type=int, default=2)
    mea.add_argument("--json", help="write the figures to this file")
    sub.add_parser("settle-cases", help="give an existing data set's cases their timelines")
    lo = sub.add_parser("load")
    lo.add_argument("--database", required=True)
    lo.add_argument("--users", type=int, default=50)
    lo.add_argument("--seconds", type=int, default=60)
    lo.add_argument("--workers", type=int, default=4)
    lo.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    if args.command == "generate":
        generate(args.schools)
        return
    if args.command == "settle-cases":
        import django

        django.setup()
        print(f"{settle_cases(date(2026, 11, 27)):,} case events written")
        return
    if args.command == "load":
        figures = load(args.database, args.users, args.seconds, args.workers)
    else:
        figures = measure(args.city, args.national, args.runs, args.workers)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
