"""The national data set: a synthetic Indonesia with three years of programme data (issue 22,
docs/quality.md P1-P3, P7; docs/benchmarks.md "The data sets").

    createdb -h 127.0.0.1 -U postgres peksos_bench_city
    createdb -h 127.0.0.1 -U postgres peksos_bench_nat450k
    # the city: the real 308 schools with a proportional three years of programme data
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peksos_bench_city \
        .venv/bin/python bench/national.py generate --schools 0
    # the country: 450,000 synthetic schools more (--schools 45000 for a tenth of it)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peksos_bench_nat450k \
        .venv/bin/python bench/national.py generate --schools 450000

The pages are measured by bench/pages.py and the load by bench/load.py (`national.py measure`
and `national.py load` run them, with their arguments); bench/run.py runs them and writes
docs/bench-results.md.

The generator empties the database, migrates and loads the real register (Kota Metro). Then:

- the country (bench/country.py): 38 provinces, 514 kabupaten/kota, about 7,000 kecamatan and
  80,000 kelurahan at 450,000 schools (scaled with the schools), each school in a kelurahan
  with coordinates inside its region's box (90 %), a level by the register's proportions;
- the people (bench/population.py): a PEKSOS per 16 neighbouring schools, a psychologist per 128
  with the referred children as caseload, many parents and teachers asking in the forum;
- per school and year, two visits for each of three school years (2024/2025 to 2026/2027:
  the first two done, the current one half done), an activity with attendance counts for each
  visit done, a desk per school, 1,000,000 SOS Desk cases with their timelines, 100,000
  children in monitoring and 1,000,000 forum posts (questions and answers) at national size,
  and in proportion to the number of schools for any other size;
- `VACUUM ANALYZE` (the visibility map the index-only counts need: without it a fresh COPY
  reads the tables; autovacuum does the same in production, docs/benchmarks.md), then
  `manage.py check_tallies`, which derives the register-wide figures (peksos/core/tallies.py)
  from the rows COPY wrote without the services.

Rows are built from each model's own fields (defaults, encryption, JSON) by `copy_rows`, so a
new NOT NULL column cannot make the generator write rows the application would not.
"""

import argparse
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peksos.settings")
os.environ.setdefault("PEKSOS_REQUIRE_2FA", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")

import country  # noqa: E402
import population  # noqa: E402

WIB = ZoneInfo("Asia/Jakarta")
NATIONAL_SCHOOLS = country.NATIONAL_SCHOOLS
NATIONAL = {"cases": 1_000_000, "children": 100_000, "posts": 1_000_000}
YEARS = (2024, 2025, 2026)
TODAY = date(2026, 11, 27)  # the data set's "today": visits before it are done
PASSWORD = "bench-kata-sandi-2026"  # noqa: S105  # a synthetic benchmark user
FIRST_NPSN = 99_000_001  # synthetic NPSNs (schools/fixtures/SOURCES.md)


# --- Writing rows ---------------------------------------------------------------------------


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
    # Plain values of these exact field classes are what psycopg writes anyway: preparing them
    # field by field was a fifth of the generation's time at 450,000 schools. Every other field
    # (dates and times with zones, decimals, JSON, encrypted text...) is prepared by its field.
    preps = [None if _plain(f) else f.get_db_prep_save for f in columns]
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
                        v if prep is None or v is None else prep(v, connection)
                        for prep, v in zip(preps, values, strict=True)
                    ]
                )
                count += 1
        cursor.execute(f"ANALYZE {table}")
    return count


def _plain(field) -> bool:
    from django.db import models

    plain = (
        models.AutoField,
        models.BigAutoField,
        models.BigIntegerField,
        models.BooleanField,
        models.CharField,
        models.DateField,
        models.IntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.SmallIntegerField,
        models.TextField,
    )
    if type(field) is models.ForeignKey:
        return _plain(field.target_field)
    return type(field) in plain


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

    from peksos.accounts.models import Role, User
    from schools.models import School
    from schools.seed import load_kota_metro

    if connection.vendor != "postgresql":
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database (it will be emptied).")
    started = time.perf_counter()
    with connection.cursor() as cursor:  # a clean slate; the migrations seed their data again
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)
    load_kota_metro()

    def timed(name: str, fn) -> None:
        t0 = time.perf_counter()
        count = fn()
        print(f"  {name}: {count:,} rows in {time.perf_counter() - t0:.1f} s", flush=True)

    rng = random.Random(11)
    if schools:
        land = country.build(schools)
        timed("regions", lambda: write_regions(land))
        timed("schools", lambda: write_schools(land, rng))
    school_ids = list(School.objects.values_list("pk", flat=True))
    share = len(school_ids) / (NATIONAL_SCHOOLS + 308)
    named = {
        role: User.objects.create_user(f"bench_{name}", password=PASSWORD, role=role).pk
        for name, role in (
            ("koordinator", Role.KOORDINATOR),
            ("peksos", Role.PEKSOS),
            ("psikolog", Role.PSIKOLOG),
            ("ortu", Role.ORANG_TUA),
        )
    }
    password = User.objects.get(pk=named[Role.KOORDINATOR]).password  # one hash for all
    owners = {}

    def staff() -> int:
        owners.update(
            population.staff(
                copy_rows,
                password,
                {"peksos": named[Role.PEKSOS], "psikolog": named[Role.PSIKOLOG]},
            )
        )
        return len(owners["staff"])

    timed("PEKSOS and psychologists", staff)
    timed("visits, activities, attendance", lambda: programme(school_ids, rng))
    timed(
        "SOS Desk desks and cases",
        lambda: cases(school_ids, rng, max(1, int(NATIONAL["cases"] * share))),
    )
    timed("case timelines", lambda: settle_cases(TODAY))
    timed(
        "children in monitoring",
        lambda: population.children(
            copy_rows, rng, max(1, int(NATIONAL["children"] * share)), school_ids, owners
        ),
    )
    n_questions = max(1, int(NATIONAL["posts"] * share) // 5)
    timed(
        "forum questions and answers",
        lambda: sum(
            population.forum(
                copy_rows, rng, n_questions, school_ids, owners, password, named[Role.ORANG_TUA]
            )
        ),
    )
    t0 = time.perf_counter()
    with connection.cursor() as cursor:  # outside a transaction: Django's autocommit
        cursor.execute("VACUUM ANALYZE")
    print(f"  VACUUM ANALYZE in {time.perf_counter() - t0:.1f} s", flush=True)
    t0 = time.perf_counter()
    call_command("check_tallies")
    print(f"  check_tallies in {time.perf_counter() - t0:.1f} s", flush=True)
    total = time.perf_counter() - started
    print(f"schools: {len(school_ids):,}; generated in {total:.0f} s")


def write_regions(land: "country.Country") -> int:
    from schools.models import Kecamatan, Kelurahan, UpperRegion

    # The provinces' names come with the migrations (schools/0005); the kabupaten/kota here.
    known = set(UpperRegion.objects.values_list("code", flat=True))
    copy_rows(
        UpperRegion,
        ((k.code, k.name) for k in land.kabupaten if k.code not in known),
        ["code", "name"],
    )
    copy_rows(Kecamatan, ((k.code, k.name) for k in land.kecamatan), ["code", "name"])
    ids = dict(Kecamatan.objects.values_list("code", "pk"))
    copy_rows(
        Kelurahan,
        ((k.code, k.name, ids[k.kecamatan]) for k in land.kelurahan),
        ["code", "name", "kecamatan"],
    )
    return len(land.kabupaten) + len(land.kecamatan) + len(land.kelurahan)


def write_schools(land: "country.Country", rng: random.Random) -> int:
    """The country's schools (NPSNs from 99000001), with a priority and a desk fact as the
    real register has them (last visits follow from the visits, `programme`)."""
    from decimal import Decimal

    from schools.models import Kecamatan, Kelurahan, School

    kecamatan = dict(Kecamatan.objects.values_list("code", "pk"))
    kelurahan = dict(Kelurahan.objects.values_list("code", "pk"))

    def rows():
        for i, place in enumerate(country.school_places(land)):
            rank = rng.randint(-1, 1000)
            band = (
                "unknown"
                if rank < 0
                else ("tinggi" if rank >= 600 else "sedang" if rank >= 350 else "rendah")
            )
            located = place.latitude is not None
            yield (
                str(FIRST_NPSN + i),
                place.name,
                place.level,
                place.status,
                kecamatan[place.kelurahan.rsplit(".", 1)[0]],
                kelurahan[place.kelurahan],
                f"Jl. Uji {i + 1}",
                Decimal(f"{place.latitude:.7f}") if located else None,
                Decimal(f"{place.longitude:.7f}") if located else None,
                "synthetic (bench/country.py)",
                rng.choice([True, False, None]),
                None if rank < 0 else Decimal(rank) / 10,
                rank,
                band,
            )

    return copy_rows(
        School,
        rows(),
        [
            "npsn",
            "name",
            "level",
            "status",
            "kecamatan",
            "kelurahan",
            "address",
            "latitude",
            "longitude",
            "source",
            "has_sos_desk",
            "priority_score",
            "priority_rank",
            "priority_band",
        ],
    )


def programme(school_ids: list[int], rng: random.Random) -> int:
    """Two visits per school and school year, an activity with attendance for each one done,
    and each school's last visit written down as the services do."""
    from django.db import connection

    from activities.models import Activity, AttendanceCount
    from visits.models import Visit

    def visit_rows():
        for school in school_ids:
            for year in YEARS:
                for semester in (1, 2):
                    day = rng.choice(school_days(year, semester))
                    state = Visit.State.DONE if day < TODAY else Visit.State.AGREED
                    kind = Visit.Kind.CAMPAIGN if semester == 1 else Visit.Kind.TRAINING
                    yield (school, day, year, semester, state, kind)

    count = copy_rows(
        Visit, visit_rows(), ["school", "date", "school_year", "semester", "state", "kind"]
    )
    # Each source is read before its COPY starts: a connection cannot read while it copies.
    done = list(
        Visit.objects.filter(state=Visit.State.DONE).values_list("pk", "school_id", "date", "kind")
    )
    count += copy_rows(
        Activity,
        (
            (pk, school, kind, 2 if kind == Visit.Kind.TRAINING else 1, day, Activity.State.HELD)
            for pk, school, day, kind in done
        ),
        ["visit", "school", "kind", "tier", "date", "state"],
    )
    held = list(Activity.objects.values_list("pk", "kind"))

    def attendance_rows():
        for pk, kind in held:
            group = "guru" if kind == Visit.Kind.TRAINING else "siswa_sd"
            yield (pk, group, "L", rng.randint(5, 40))
            yield (pk, group, "P", rng.randint(5, 40))

    count += copy_rows(AttendanceCount, attendance_rows(), ["activity", "group", "sex", "count"])
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE schools_school s SET last_visit_on = v.day FROM ("  # noqa: S608 # a model table
            f" SELECT school_id, max(date) AS day FROM {Visit._meta.db_table} WHERE state = %s"
            " GROUP BY school_id) v WHERE v.school_id = s.id",
            [Visit.State.DONE],
        )
    return count


def cases(school_ids: list[int], rng: random.Random, n_cases: int) -> int:
    from sosdesk.models import Case, Desk, ViolenceForm, new_public_code, new_tracking_code

    codes = set(Desk.objects.values_list("public_code", flat=True))
    desks = []
    for pk in school_ids:  # bulk_create skips Desk.save(), which avoids taken codes
        code = new_public_code()
        while code in codes:
            code = new_public_code()
        codes.add(code)
        desks.append(Desk(school_id=pk, public_code=code))
    Desk.objects.bulk_create(desks, batch_size=5000)
    forms = list(ViolenceForm.values)
    statuses = list(Case.Status.values)
    start = datetime(2024, 7, 1, 8, tzinfo=WIB)

    def case_rows():
        codes = set()
        for i in range(n_cases):
            code = new_tracking_code()
            while code in codes:  # 1,000,000 random codes of 8 characters do collide
                code = new_tracking_code()
            codes.add(code)
            at = start + timedelta(minutes=rng.randint(0, 60 * 24 * 870))
            yield (
                code,
                rng.choice(school_ids),
                Case.Channel.PUBLIC_FORM,
                f"Laporan uji nomor {i}: narasi sintetis.",
                [rng.choice(forms)],
                rng.choice(statuses),
                at,
                at,
            )

    fields = ["code", "school", "channel", "narrative", "forms", "status"]
    return len(desks) + copy_rows(Case, case_rows(), [*fields, "received_at", "stage_changed_at"])


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


# --- The command line -----------------------------------------------------------------------


def main() -> None:
    forwarded = {"measure": "pages.py", "load": "load.py"}  # the names docs/quality.md uses
    if len(sys.argv) > 1 and sys.argv[1] in forwarded:
        script = str(ROOT / "bench" / forwarded[sys.argv[1]])
        os.execv(sys.executable, [sys.executable, script, *sys.argv[2:]])  # noqa: S606  # nosec B606
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--schools", type=int, default=NATIONAL_SCHOOLS)
    sub.add_parser("settle-cases", help="give an existing data set's cases their timelines")
    args = parser.parse_args()
    if args.command == "generate":
        generate(args.schools)
    elif args.command == "settle-cases":
        import django

        django.setup()
        print(f"{settle_cases(TODAY):,} case events written")


if __name__ == "__main__":
    main()
