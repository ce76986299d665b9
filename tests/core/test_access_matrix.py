"""The project-wide access matrix and the checks that ride on the same crawl (docs/quality.md S1,
S4, S5, S11; issue #10): every URL pattern has a row; every persona gets what its row says for
objects of another school or caseload; every unsafe view refuses a POST without a CSRF token;
a GET changes nothing; every page carries the security headers; docs/access-matrix.md is
current. The crawl itself (one database setup, every request rolled back) is
tests/access_crawl.py; the matrix data is tests/access_matrix.py."""

import re

import pytest

from tests import render_access_matrix
from tests.access_crawl import ADMIN_SAMPLES, ALLOWED_GET_WRITES, all_patterns, crawl
from tests.access_matrix import CODES, PERSONAS, ROWS, expected

# The crawl is memoised per process (tests/access_crawl.py): with pytest-xdist both of its users
# run on one worker (--dist loadgroup), which crawls once instead of once per worker.
pytestmark = pytest.mark.xdist_group("access_crawl")


@pytest.fixture
def access_crawl(db, django_db_blocker):
    """The crawl runs once per session (memoised), inside its own rolled-back transaction."""
    return crawl(django_db_blocker)


def _pattern_names() -> list[str]:
    return [p.name for p in all_patterns()]


# --- S1: every pattern has a row, and the crawl can address it --------------------------------


def test_every_url_pattern_has_a_row():
    missing = [name for name in _pattern_names() if expected(name) is None]
    assert not missing, (
        "URL patterns without a row in tests/access_matrix.py (see the comment at its top):\n  "
        + "\n  ".join(missing)
    )


def test_no_row_for_a_pattern_that_is_gone():
    names = set(_pattern_names())
    stale = [name for name in ROWS if name not in names]
    assert not stale, f"rows for URL patterns that no longer exist: {stale}"


def test_the_matrix_is_well_formed():
    for name in ROWS:
        get, post = expected(name)
        assert set(get.values()) | set(post.values()) <= set(CODES), name


def test_every_pattern_can_be_addressed(access_crawl):
    assert not access_crawl.unfilled, (
        "URL patterns whose kwargs tests/access_crawl.py cannot fill (add a school-B object to "
        "build_world() and a line to FILL_KWARG or FILL_PATTERN):\n  "
        + "\n  ".join(access_crawl.unfilled)
    )


def _requested() -> list[str]:
    return [
        name for name in _pattern_names() if not name.startswith("admin") or name in ADMIN_SAMPLES
    ]


@pytest.mark.parametrize("pattern", _requested())
def test_access(access_crawl, pattern):
    """Each persona, GET and POST, against objects of school B: the cell of the matrix."""
    rows = expected(pattern)
    results = [r for r in access_crawl.results if r.pattern == pattern]
    if rows is None:
        pytest.fail(f"{pattern} has no row in tests/access_matrix.py. {_observed(results)}")
    if not results:
        pytest.fail(f"{pattern} was not requested (no kwarg filler)")
    want = {"GET": rows[0], "POST": rows[1]}
    wrong = [
        f"{pattern} {r.method} as {r.persona}: expected {CODES[want[r.method][r.persona]]}, "
        f"got {CODES.get(r.outcome, r.outcome)} ({r.status} {r.location})".rstrip()
        for r in results
        if r.outcome != want[r.method][r.persona]
    ]
    assert not wrong, "\n".join(wrong)


def _observed(results) -> str:
    """The row as the application answers now: check it against docs/design.md §4 before pasting."""
    if not results:
        return "It was not requested either (no kwarg filler in tests/access_crawl.py)."
    by = {(r.method, r.persona): r.outcome for r in results if r.url == results[0].url}
    get = " ".join(by.get(("GET", p), "?") for p in PERSONAS)
    post = " ".join(by.get(("POST", p), "?") for p in PERSONAS)
    return f'Observed now (review before pasting): "{results[0].pattern}": ("{get}", "{post}"),'


# The register is city-wide for PEKSOS (docs/design.md §4 "school register: all"): these pages of a
# school-B school are theirs to read.
REGISTER_ALL = {("schools:school-detail", "peksos_a"), ("schools:school-calendar", "peksos_a")}


def test_another_schools_objects_are_404_for_school_scoped_roles(access_crawl):
    """Privacy first: a school-A persona never gets the page of a school-B object."""
    school_a = ("peksos_a", "sosdesk_a", "kepsek_a", "guru_a", "ortu_a")
    addressed = {p.name for p in all_patterns() if p.kwargs and not p.name.startswith("admin")}
    public = {"lapor:form", "visits:feed-ics", "accounts:password_reset_confirm"}
    public |= {"forum:registration-confirm", "schools:school-export"}
    # An activity's participant forms are reached by its public code alone (no account).
    public |= {n for n in addressed if n.startswith("participant:")}
    # Question sets are the programme's, not a school's: every PEKSOS teaches with them.
    public |= {"activities:question-set", "activities:question-set-edit"}
    # The forum is city-wide (its private questions are checked by the canaries).
    shared = {n for n in addressed if n.startswith("forum:") and "invitecode" not in n}
    leaks = [
        f"{r.pattern} {r.method} as {r.persona}: {r.status}"
        for r in access_crawl.results
        if r.pattern in addressed - public - shared
        and r.persona in school_a
        and (r.pattern, r.persona) not in REGISTER_ALL
        and r.outcome in ("a", "r")
    ]
    assert not leaks, "school-A personas reach school-B objects:\n" + "\n".join(leaks)


# --- S4: CSRF on every unsafe view ------------------------------------------------------------


def test_every_unsafe_view_refuses_a_post_without_csrf_token(access_crawl):
    checked = [r for r in access_crawl.results if r.csrf_status is not None]
    assert len({r.pattern for r in checked}) > 40, "the CSRF crawl reached too few views"
    accepted = [
        f"{r.pattern} as {r.persona}: {r.csrf_status}" for r in checked if r.csrf_status != 403
    ]
    assert not accepted, "POST without a CSRF token not refused with 403:\n" + "\n".join(accepted)


# --- S5: a GET changes nothing ----------------------------------------------------------------


def test_get_changes_nothing(access_crawl):
    """No GET as any persona writes a row, except the session, axes' logs and audit rows of
    reads (peksos/core/audit.py: who looked at a case or a record is itself recorded)."""
    writes = [
        f"{r.pattern} GET as {r.persona}: {changed}"
        for r in access_crawl.results
        if r.method == "GET"
        and (
            changed := {
                t: n for t, n in r.changed.items() if (r.pattern, t) not in ALLOWED_GET_WRITES
            }
        )
    ]
    assert not writes, "GET requests that wrote to the database:\n" + "\n".join(writes)
    gets = sum(1 for r in access_crawl.results if r.method == "GET" and r.outcome == "a")
    assert gets > 300, f"only {gets} pages were read: the crawl is broken"


def test_the_crawl_leaves_every_table_as_it_was(access_crawl):
    """Content, not only counts: each persona's requests were rolled back one by one."""
    changed = [p for p, (before, after) in access_crawl.digests.items() if before != after]
    assert not changed, f"tables changed across the requests of {changed}"


# --- S11: security headers on every page as every persona -------------------------------------

NONCE_ATTR = re.compile(rb'nonce="([^"]+)"')


def _header_problems(r) -> list[str]:
    h = r.headers
    problems = []
    if h.get("x-content-type-options") != "nosniff":
        problems.append("X-Content-Type-Options is not nosniff")
    if h.get("referrer-policy") not in ("same-origin", "no-referrer", "strict-origin"):
        problems.append(f"Referrer-Policy {h.get('referrer-policy')!r}")
    csp = h.get("content-security-policy", "")
    if r.content_type.startswith("text/html"):
        if h.get("x-frame-options") != "DENY" and "frame-ancestors 'none'" not in csp:
            problems.append("can be framed (no X-Frame-Options DENY, no frame-ancestors)")
        for directive in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'"):
            if directive not in csp:
                problems.append(f"CSP without {directive}")
        if "'unsafe-inline'" in csp or "'unsafe-eval'" in csp:
            problems.append("CSP allows unsafe-inline/eval")
        for nonce in set(NONCE_ATTR.findall(r.body)):
            if f"'nonce-{nonce.decode()}'" not in csp:
                problems.append(f"nonce {nonce.decode()!r} in the page but not in the CSP")
    if r.persona != "anon":
        cache = h.get("cache-control", "")
        if "no-store" not in cache:
            problems.append(f"Cache-Control {cache!r} without no-store for a logged-in user")
    return problems


def test_security_headers_on_every_page_as_every_persona(access_crawl):
    pages = [r for r in access_crawl.results if r.method == "GET" and r.outcome == "a"]
    assert {r.persona for r in pages} == set(PERSONAS)
    problems = [
        f"{r.pattern} as {r.persona} ({r.content_type}): {'; '.join(p)}"
        for r in pages
        if (p := _header_problems(r))
    ]
    assert not problems, "\n".join(problems)


def test_pages_with_scripts_carry_the_nonce(access_crawl):
    """A test that cannot fail is a defect: at least the logged-in pages use the nonce."""
    with_nonce = [
        r for r in access_crawl.results if r.method == "GET" and NONCE_ATTR.search(r.body)
    ]
    assert with_nonce, "no page used the CSP nonce: the nonce check above checked nothing"


# --- The rendered table -----------------------------------------------------------------------


def test_docs_access_matrix_is_up_to_date():
    doc = render_access_matrix.DOC
    assert doc.exists() and doc.read_text(encoding="utf-8") == render_access_matrix.render(), (
        "docs/access-matrix.md is out of date: run .venv/bin/python tests/render_access_matrix.py"
    )
