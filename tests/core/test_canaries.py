"""Canaries (docs/quality.md S2; issue #10): a canary string sits in every sensitive field of the
school-B fixtures of tests/access_crawl.py (the case's narrative, reporter and notes, the
child's name, guardian and notes, consent, a private forum question, a pseudonymous asker's
real name, a PEKSOS's reason for leave...). The shared crawl requests every URL pattern as
every persona, GET and POST; here each response body (HTML, CSV, XLSX strings, PDF text), each
e-mail sent and each log line is searched, and a canary found where its persona may not read
it is a leak."""

import pytest

from tests.access_crawl import CANARIES, MUST_SHOW, canary_in, crawl

# The crawl is memoised per process (tests/access_crawl.py): with pytest-xdist both of its users
# run on one worker (--dist loadgroup), which crawls once instead of once per worker.
pytestmark = pytest.mark.xdist_group("access_crawl")


@pytest.fixture
def access_crawl(db, django_db_blocker):
    """The crawl runs once per session (memoised), inside its own rolled-back transaction."""
    return crawl(django_db_blocker)


def test_no_persona_reads_a_canary_it_may_not(access_crawl):
    leaks = sorted(
        {
            f"{c} in {r.pattern} {r.method} as {r.persona} ({r.status} {r.content_type})"
            for r in access_crawl.results
            for c in r.canaries
            if r.persona not in CANARIES[c]
        }
    )
    assert not leaks, "canaries leaked:\n" + "\n".join(leaks)


def test_the_canaries_are_found_where_they_belong(access_crawl):
    """The search above must be able to fail: its readers do see the canaries."""
    missing = [
        (persona, pattern, canary)
        for persona, pattern, canary in MUST_SHOW
        if not any(
            r.persona == persona and r.pattern == pattern and canary in r.canaries
            for r in access_crawl.results
        )
    ]
    assert not missing, f"canaries not shown to their readers: {missing}"


def test_exports_were_searched(access_crawl):
    kinds = {
        r.content_type.split(";")[0]
        for r in access_crawl.results
        if r.method == "GET" and r.outcome == "a"
    }
    for kind in ("text/html", "text/csv", "application/pdf"):
        assert kind in kinds, f"no {kind} response was searched"
    assert any("spreadsheetml" in k for k in kinds), "no XLSX export was searched"


def test_no_canary_in_an_email_to_someone_who_may_not_read_it(access_crawl):
    leaks = [
        f"{c} e-mailed to {owner} (after a request by {actor})"
        for actor, owners, text in access_crawl.emails
        for c in canary_in(text)
        for owner in owners
        if owner not in CANARIES[c]
    ]
    assert not leaks, "\n".join(leaks)
    assert access_crawl.emails, "no e-mail was sent during the crawl: nothing was checked"


def test_no_canary_in_any_log_line(access_crawl):
    """Logs go to operators and log stores: no sensitive value may ever be written there."""
    leaks = [line[:300] for line in access_crawl.logs if canary_in(line)]
    assert not leaks, "\n".join(leaks)
    assert access_crawl.logs, "no log line was captured: nothing was checked"


def test_no_canary_in_the_impact_report(access_crawl):
    """Impact reports are aggregates: no narrative, name or note of a case or child."""
    assert access_crawl.pdf_html, "the school-B report was not built"
    found = sorted({c for html in access_crawl.pdf_html for c in canary_in(html)})
    assert not found, f"the impact report's PDF shows {found}"
