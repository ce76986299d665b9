"""Searching the questions of the forum list: every word must occur, filters combine, private
questions stay out for members, odd input never fails, constant query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum.search import clean_query
from tests.factories import FORUM_LIST as LIST
from tests.factories import ask, relax_new_account_rules, topic


@pytest.fixture(autouse=True)
def _relaxed(monkeypatch):
    relax_new_account_rules(monkeypatch)


@pytest.fixture
def questions(ortu_fajar, guru_eka):
    return {
        "gawai": ask(ortu_fajar, title="Anak kecanduan gawai dan gim daring"),
        "ejek": ask(guru_eka, title="Murid diejek karena logat bicaranya", category=topic()),
        "rahasia": ask(ortu_fajar, title="Gawai anak berisi pesan aneh", private=True),
        "body": ask(
            guru_eka,
            title="Pertanyaan tentang pengasuhan",
            body="Bagaimana membatasi waktu layar gawai di rumah?",
            category=topic("pengasuhan"),
        ),
    }


def found(client, **params) -> set[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return {q.title for q in response.context["page"].items}


def test_search_matches_title_and_body_every_word(login, guru_eka, questions):
    client = login(guru_eka)
    assert found(client, q="GAWAI") == {questions["gawai"].title, questions["body"].title}
    assert found(client, q="gawai layar") == {questions["body"].title}
    assert found(client, q="gawai", kategori="pengasuhan") == {questions["body"].title}
    assert found(client, q="tidakadasamasekali") == set()
    page = client.get(LIST, {"q": "tidakadasamasekali"}).content.decode()
    assert "tidakadasamasekali" in page  # the search box keeps what was typed


def test_private_questions_are_found_by_staff_only(login, guru_eka, psikolog_gita, questions):
    assert questions["rahasia"].title not in found(login(guru_eka), q="pesan aneh")
    assert found(login(psikolog_gita), q="pesan aneh") == {questions["rahasia"].title}


@pytest.mark.parametrize("q", ["x" * 1000, "\x00\x1f", "' OR 1=1 --", "%_%", "&|!():*", "  "])
def test_odd_searches_never_fail(login, guru_eka, questions, q):
    response = login(guru_eka).get(LIST, {"q": q})
    # NUL: 400 before the database (tests/core/test_nul_bytes.py)
    assert response.status_code == (400 if "\x00" in q else 200)


def test_clean_query():
    assert clean_query("  a\x00b\n  c ") == "a b c"
    assert len(clean_query("y" * 500)) == 100


def test_search_query_count_is_constant(login, guru_eka, ortu_fajar):
    ask(ortu_fajar, title="Gawai pertama di daftar ini")
    client = login(guru_eka)
    client.get(LIST, {"q": "gawai"})
    with CaptureQueriesContext(connection) as few:
        client.get(LIST, {"q": "gawai"})
    for n in range(12):
        ask(ortu_fajar if n % 2 else guru_eka, title=f"Soal gawai nomor {n} di rumah")
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST, {"q": "gawai"})
    assert len(response.context["page"].items) == 13
    assert len(many.captured_queries) == len(few.captured_queries)


def test_both_postgresql_search_plans_find_the_same(monkeypatch, login, guru_eka, questions):
    """On PostgreSQL a search takes ids from the text index (rare words) or walks the list
    (common words); both must find the same questions."""
    from django.db import connection as db

    from forum import search

    if db.vendor != "postgresql":
        pytest.skip("PostgreSQL full-text search only")
    client = login(guru_eka)
    monkeypatch.setattr(search, "COMMON_SHARE", 2.0)  # never common: ids from the GIN index
    by_ids = found(client, q="gawai")
    monkeypatch.setattr(search, "COMMON_SHARE", 0.0)  # always common: walk the list
    walked = found(client, q="gawai")
    assert by_ids == walked == {questions["gawai"].title, questions["body"].title}
    monkeypatch.setattr(search, "FEW_MATCHES", 1)  # more ids than the limit: walk as well
    monkeypatch.setattr(search, "COMMON_SHARE", 2.0)
    assert found(client, q="gawai") == walked
