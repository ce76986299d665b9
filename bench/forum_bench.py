"""Benchmark: forum pages with a 10,000-post forum vs a 1,000,000-post forum (issue 8).

    createdb -h 127.0.0.1 -U postgres peksos_bench_forum
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peksos_bench_forum \
        .venv/bin/python bench/forum_bench.py [--small 10000] [--posts 1000000] [--runs 11] \
        [--reuse]

Builds two forums on the same PostgreSQL server: --small posts in `<database>_small` (created
if missing) and --posts posts in the given database (both emptied first), each with 200
parents and teachers. Posts are half questions (1 in 20 private), half answers, made in the
database with INSERT … SELECT generate_series: titles and texts are random Indonesian words
drawn with a skewed distribution (a few words are common, most are rare), so searches have
realistic selectivity. The pages are then requested as a parent through Django's test client
(full middleware stack, in-process), the two databases in turns (one warm-up and one timed
request each), so that the load of anything else on the machine weighs on both alike; the
figure is the median of --runs. The thread measured has the same 8 answers in both forums.
Target (issue 8): large / small ≤ 1.5 for the list and search pages.
"""

import argparse
import os
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

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from forum.models import Category, Question  # noqa: E402
from forum.search import INDEX_NAME, INDEX_SQL  # noqa: E402
from peksos.accounts.models import Role, User  # noqa: E402

# Common words first: word i is drawn with a probability falling with i (random()^3).
WORDS = (  # noqa: SIM905 - easier to read and edit as text
    "anak saya sekolah teman guru tidak mau takut marah sedih diejek rumah main bermain belajar "
    "malam pagi gawai ponsel gim menangis dipukul kelas orang tua ibu ayah kakak adik bicara "
    "cerita tidur makan lapar lelah bosan malu berani nakal sopan jujur bohong mencuri "
    "merokok tawuran perundungan pengucilan pemalakan kekerasan hukuman disiplin positif pujian "
    "hadiah aturan jadwal layar internet media sosial pesan foto video akun sandi penipuan "
    "judi daring pinjol konten dewasa curhat psikolog konselor wali bimbingan konseling "
    "kepala sekolah laporan pengaduan desk tppk dinas sosial puskesmas dokter obat sakit "
    "pusing perut demam cemas gelisah trauma mimpi buruk ngompol gagap pendiam pemalu "
    "agresif melawan membentak berteriak membanting pintu kabur bolos terlambat nilai ujian "
    "rapor pr les ngaji sholat masjid gereja olahraga sepak bola renang musik menggambar "
    "membaca menulis berhitung matematika bahasa inggris ipa ips kurikulum zonasi seragam "
    "sepatu tas buku uang jajan kantin bekal sarapan angkot ojek sepeda jalan kaki hujan "
    "banjir tetangga kampung kelurahan kecamatan metro lampung pasar warung toko kebun sawah"
).split()
SEARCHES = {
    "search, a common word": "anak",
    "search, two rarer words": "banjir sawah",
    "search, a word found nowhere": "tidakadasamasekali",
}


def words_sql(count: int) -> str:
    """A string of `count` random words; `g` (the row number) makes the subquery run per row."""
    pick = "(%(words)s::text[])[1 + floor(power(random(), 3) * %(n)s)::int]"
    # Only integers from this file go into the text; the values are query parameters.
    return (
        f"array_to_string(ARRAY(SELECT {pick}"  # noqa: S608
        f" FROM generate_series(1, {int(count)}) k WHERE k > g * 0), ' ')"
    )


def add_questions(first: int, last: int, params: dict) -> None:
    sql = f"""
        INSERT INTO forum_question (uid, body, status, pseudonymous, links_allowed, created_at,
            published_at, category_id, title, author_id, private, answer_count)
        SELECT gen_random_uuid(), {words_sql(40)}, 'terbit', g %% 7 = 0, false,
            %(start)s::timestamptz + g * interval '1 minute',
            %(start)s::timestamptz + g * interval '1 minute',
            (%(categories)s::int[])[1 + g %% %(ncat)s], initcap({words_sql(7)}) || '?',
            (%(authors)s::int[])[1 + g %% %(nauth)s], g %% 20 = 0, 0
        FROM generate_series(%(first)s, %(last)s) g
    """  # noqa: S608 - only this file's constants are formatted in; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "first": first, "last": last})


def add_answers(first: int, last: int, params: dict, questions: tuple[int, int]) -> None:
    """Answers to random questions with ids in `questions` (inclusive)."""
    low, high = questions
    sql = f"""
        INSERT INTO forum_answer (uid, body, status, pseudonymous, links_allowed, created_at,
            published_at, question_id, author_id, helpful_count)
        SELECT gen_random_uuid(), {words_sql(30)}, 'terbit', false, false,
            %(start)s::timestamptz + g * interval '1 minute' + interval '30 second',
            %(start)s::timestamptz + g * interval '1 minute' + interval '30 second',
            %(low)s + floor(random() * (%(high)s - %(low)s + 1))::int + g * 0,
            (%(authors)s::int[])[1 + (g * 7) %% %(nauth)s], 0
        FROM generate_series(%(first)s, %(last)s) g
    """  # noqa: S608 - only this file's constants are formatted in; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "first": first, "last": last, "low": low, "high": high})


def recount() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE forum_question q SET answer_count = a.n, last_answer_at = a.last
            FROM (SELECT question_id, count(*) n, max(published_at) last FROM forum_answer
                  GROUP BY question_id) a
            WHERE a.question_id = q.id AND (q.answer_count <> a.n OR q.last_answer_at IS NULL)
            """
        )


def grow(to_posts: int, params: dict) -> float:
    """Fill the forum up to `to_posts` posts (half questions, half answers); seconds taken."""
    start = time.perf_counter()
    have_q = Question.objects.count()
    want_q = to_posts // 2
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")
        cursor.execute("SELECT count(*) FROM forum_answer")
        have_a = cursor.fetchone()[0]
    step = 100_000
    for first in range(have_q + 1, want_q + 1, step):
        add_questions(first, min(first + step - 1, want_q), params)
    ids = Question.objects.order_by("id").values_list("id", flat=True)
    low, high = ids.first() + 1, ids.last()  # the first question is the measured thread
    want_a = to_posts - want_q
    for first in range(have_a + 1, want_a + 1, step):
        add_answers(first, min(first + step - 1, want_a), params, (low, high))
    recount()
    with connection.cursor() as cursor:
        cursor.execute(INDEX_SQL)
        cursor.execute("VACUUM ANALYZE forum_question")
        cursor.execute("VACUUM ANALYZE forum_answer")
    return time.perf_counter() - start


def use_database(name: str) -> None:
    """Point the default connection at another database of the same server."""
    connection.close()
    connection.settings_dict["NAME"] = name


def create_database(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')


def build(posts: int, reuse: bool) -> tuple[Client, str, float]:
    """Empty the current database's forum and fill it with `posts` posts; a parent's client,
    the thread measured (8 answers) and the seconds taken. With `reuse`, a forum of that size
    left by an earlier run is measured as it is."""
    call_command("migrate", verbosity=0)
    if reuse and Question.objects.count() == posts // 2:
        client = Client()
        parent = User.objects.get(username="bench_0")
        client.force_login(parent, backend="peksos.accounts.backends.UsernameOrEmailBackend")
        return client, str(Question.objects.order_by("id").first().uid), 0.0
    with connection.cursor() as cursor:
        cursor.execute(
            "SET session_replication_role = replica; DELETE FROM core_auditevent; "
            "TRUNCATE forum_flag, forum_faqentry, forum_postimage, forum_helpfulmark, "
            "forum_moderationnote, forum_answer, forum_question RESTART IDENTITY CASCADE; "
            "SET session_replication_role = DEFAULT"
        )
    User.objects.filter(username__startswith="bench_").delete()
    authors = User.objects.bulk_create(
        User(username=f"bench_{i}", first_name=f"Pengguna {i}", role=role)
        for i, role in enumerate([Role.ORANG_TUA, Role.GURU] * 100)
    )
    params = {
        "words": WORDS,
        "n": len(WORDS),
        "authors": [u.pk for u in authors],
        "nauth": len(authors),
        "categories": list(Category.objects.order_by("pk").values_list("pk", flat=True)),
        "ncat": Category.objects.count(),
        "start": "2024-01-01T00:00:00+00:00",
    }
    seconds = grow(posts, params)
    thread = Question.objects.order_by("id").first()  # public (1 in 20 is private: not id 1)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM forum_answer WHERE question_id = %s", [thread.pk])
    add_answers(10_000_001, 10_000_008, params, (thread.pk, thread.pk))
    recount()
    client = Client()
    client.force_login(authors[0], backend="peksos.accounts.backends.UsernameOrEmailBackend")
    return client, str(thread.uid), seconds


def time_once(client: Client, url: str) -> float:
    client.get(url)  # warm up (and after a switch of database)
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code)
    return elapsed * 1000


def count(client: Client, url: str) -> tuple[int, int]:
    """Queries and rows shown (list items or answers) of one request."""
    client.get(url)  # warm up (the connection's own set-up queries)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    html = response.content.decode()
    return len(queries), html.count('<li class="list-group-item">') + html.count('id="jawaban-')


def pages(thread_uid) -> dict[str, str]:
    category = Category.objects.order_by("position").first()
    result = {
        "list, first page": "/forum/",
        "list, one topic": f"/forum/?kategori={category.slug}",
        "list, not answered yet": "/forum/?tampil=belum-dijawab",
    }
    for name, words in SEARCHES.items():
        result[name] = "/forum/?q=" + words.replace(" ", "+")
    result["thread page (8 answers)"] = f"/forum/p/{thread_uid}/"
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--reuse", action="store_true", help="measure forums already built")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database (its forum will be emptied).")
    large_db = connection.settings_dict["NAME"]
    small_db = f"{large_db}_small"
    create_database(small_db)
    sizes = {}
    for name, posts in ((small_db, args.small), (large_db, args.posts)):
        use_database(name)
        sizes[name] = build(posts, args.reuse)
    # The two forums are measured in turns, request by request, so that whatever else runs on
    # the machine weighs on both alike.
    timings = {name: {} for name in sizes}
    counts = {name: {} for name in sizes}
    for name, (client, thread_uid, _seconds) in sizes.items():
        use_database(name)
        for page, url in pages(thread_uid).items():
            counts[name][page] = count(client, url)
            timings[name][page] = []
    for _run in range(args.runs):
        for name, (client, thread_uid, _seconds) in sizes.items():
            use_database(name)
            for page, url in pages(thread_uid).items():
                timings[name][page].append(time_once(client, url))

    small_s, large_s = sizes[small_db][2], sizes[large_db][2]
    print(f"\nForum pages as a parent, median of {args.runs} requests (ms), queries per page")
    print(
        f"built {args.small:,} posts in {small_s:.1f} s and {args.posts:,} posts in "
        f"{large_s:.1f} s (databases {small_db}, {large_db})\n"
    )
    print(f"| page | {args.small:,} posts ms | {args.posts:,} posts ms | ratio | queries | rows |")
    print("|---|---:|---:|---:|---:|---:|")
    worst = 0.0
    for page in timings[small_db]:
        small_ms = statistics.median(timings[small_db][page])
        large_ms = statistics.median(timings[large_db][page])
        (small_q, small_rows), (large_q, large_rows) = (
            counts[small_db][page],
            counts[large_db][page],
        )
        ratio = large_ms / small_ms
        if not page.startswith("thread"):
            worst = max(worst, ratio)
        print(
            f"| {page} | {small_ms:.1f} | {large_ms:.1f} | {ratio:.2f} | {small_q} / {large_q} "
            f"| {small_rows} / {large_rows} |"
        )
    print(f"\nworst list/search ratio: {worst:.2f} (target ≤ 1.5)")


if __name__ == "__main__":
    main()
