"""Benchmark: school register pages at city size (308) vs national size (450,000 schools).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peksos_bench \
        .venv/bin/python bench/register_bench.py [--schools 450000] [--runs 15]

Creates (or empties) the given database, migrates, loads the real Kota Metro register,
measures each page as the median of --runs requests through Django's test client (the full
middleware stack, in-process), then adds synthetic schools with PostgreSQL COPY
(`TEST SD 000001`, NPSNs from 99000001), ANALYZEs, measures again, and prints the ratios.
The target (issue 3, docs/quality.md P2): national / city ≤ 1.5 for every list page.
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peksos.settings")
os.environ.setdefault("PEKSOS_REQUIRE_2FA", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")  # no collectstatic needed to render pages

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from peksos.accounts.models import Role, User  # noqa: E402
from schools.models import Kelurahan, School  # noqa: E402
from schools.seed import load_kota_metro  # noqa: E402

PAGES = {
    "list, first page": "/sekolah/",
    "list, level=SD": "/sekolah/?level=SD",
    "list, by priority": "/sekolah/?sort=priority",
    "list, kecamatan + status": "/sekolah/?kecamatan=18.72.03&status=negeri",
    "list, search by NPSN": "/sekolah/?q=10807637",
    "list, not visited this year": "/sekolah/?visited=no",
    "map data, level=SMA": "/sekolah/peta/data.json?level=SMA",
    "school detail": "/sekolah/10807637/",
}
LEVELS = [c for c, _ in School.Level.choices]


def measure(client: Client, url: str, runs: int) -> tuple[float, int]:
    client.get(url)  # warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(times) * 1000, len(queries)


def measure_all(client: Client, runs: int, deep_cursor_url: str | None) -> dict:
    pages = dict(PAGES)
    if deep_cursor_url:
        pages["list, a deep page (keyset)"] = deep_cursor_url
    return {name: measure(client, url, runs) for name, url in pages.items()}


def deep_page_url(client: Client) -> str:
    """The cursor of a page far down the list (the middle of the register, by name)."""
    from peksos.core.pagination import _encode

    names = School.objects.order_by("name", "id").values_list("name", "id")
    middle = names[School.objects.count() // 2]
    return f"/sekolah/?setelah={_encode(list(middle))}"


def add_synthetic_schools(count: int) -> None:
    kelurahan = list(Kelurahan.objects.values_list("id", "kecamatan_id"))
    rng = random.Random(46)
    buffer = io.StringIO()
    for i in range(1, count + 1):
        kel_id, kec_id = rng.choice(kelurahan)
        level = rng.choice(LEVELS)
        rank = rng.randint(-1, 1000)
        band = (
            "unknown"
            if rank < 0
            else ("tinggi" if rank >= 600 else "sedang" if rank >= 350 else "rendah")
        )
        score = "\\N" if rank < 0 else f"{rank / 10:.1f}"
        visit = (
            "\\N"
            if rng.random() < 0.4
            else f"202{rng.randint(3, 6)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
        )
        desk = rng.choice(["t", "f", "\\N"])
        buffer.write(
            f"{99000000 + i}\tTEST {level} {i:06d}\t{level}\t{rng.choice(['negeri', 'swasta'])}\t"
            f"{kec_id}\t{kel_id}\tJl. Uji {i}\t\\N\t\\N\t\\N\tsynthetic\tt\t\\N\t\\N\t{visit}\t"
            f"{desk}\t{score}\t{rank}\t{band}\t\\N\t2026-11-27 00:00:00+00\n"
        )
    buffer.seek(0)
    columns = (
        "npsn, name, level, status, kecamatan_id, kelurahan_id, address, students, latitude, "
        "longitude, source, is_active, socioeconomic_share, cases_24m, last_visit_on, "
        "has_sos_desk, priority_score, priority_rank, priority_band, priority_weights_id, "
        "updated_at"
    )
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY schools_school ({columns}) FROM STDIN") as copy:
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)
        cursor.execute("ANALYZE schools_school")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=450_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it will be emptied).")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:  # flush cannot empty the append-only audit table
        cursor.execute(
            "SET session_replication_role = replica; DELETE FROM core_auditevent; "
            "SET session_replication_role = DEFAULT"
        )
    School.objects.all().delete()
    load_kota_metro()
    user, _ = User.objects.get_or_create(username="bench_koordinator", role=Role.KOORDINATOR)
    client = Client()
    client.force_login(user, backend="peksos.accounts.backends.UsernameOrEmailBackend")

    city = measure_all(client, args.runs, deep_page_url(client))
    start = time.perf_counter()
    add_synthetic_schools(args.schools)
    load_seconds = time.perf_counter() - start
    national = measure_all(client, args.runs, deep_page_url(client))

    print(f"\nSchool register pages, median of {args.runs} requests (ms), queries per page")
    print(f"synthetic schools added with COPY: {args.schools:,} in {load_seconds:.1f} s\n")
    print(f"| page | city ({308}) ms | national ({308 + args.schools:,}) ms | ratio | queries |")
    print("|---|---:|---:|---:|---:|")
    worst = 0.0
    for name, (city_ms, city_q) in city.items():
        nat_ms, nat_q = national[name]
        ratio = nat_ms / city_ms
        worst = max(worst, ratio)
        print(f"| {name} | {city_ms:.1f} | {nat_ms:.1f} | {ratio:.2f} | {city_q} / {nat_q} |")
    database = settings.DATABASES["default"]["NAME"]
    print(f"\nworst ratio: {worst:.2f} (target ≤ 1.5); database: {database}")


if __name__ == "__main__":
    main()
