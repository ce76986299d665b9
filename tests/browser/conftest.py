"""Fixtures of the browser tests (Debian's Chromium through Playwright). Any console error
fails a test that uses `problems`: CSP violations, broken scripts and failed resources all
show up there (tests/browser/support.py PageProblems).
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import Page

from tests.browser.support import PageProblems
from tests.services import skip_or_fail

# --- Database connections around Playwright ---------------------------------------------
# Playwright's sync API keeps an event loop running in this thread, and while it runs Django
# keeps database connections in a separate (async-context) storage. A connection opened on
# one side of that switch is unreachable from the other and is never closed, so PostgreSQL
# refuses to drop the test database at the end ("being accessed by other users"). Close each
# side's connections at the switch.


@pytest.fixture(scope="session")
def _db_closed_before_playwright() -> None:
    connections.close_all()


# The embedded default runs the tests on an in-memory SQLite database, which the live server's
# threads share as one connection: a page loading several images from views at once (QR
# codes, photos) makes concurrent calls on it and SQLite answers "bad parameter or other API
# misuse". One request at a time there (the browser waits; the server closes connections
# instead of keeping them alive). PostgreSQL (CI) keeps the threaded server.
def _serialise_live_server_on_sqlite() -> None:
    from django.conf import settings
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class OneRequestAtATime(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            # The live server thread has already put the shared connections in place.
            super().__init__(*args, **kwargs)

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        LiveServerThread.server_class = OneRequestAtATime


_serialise_live_server_on_sqlite()


@pytest.fixture(scope="session")
def playwright(_db_closed_before_playwright, playwright):
    yield playwright
    connections.close_all()  # still inside the event loop: its connections


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """The browser of an Indonesian user: LocaleMiddleware follows Accept-Language."""
    return {**browser_context_args, "locale": "id-ID"}


@pytest.fixture
def problems(page: Page) -> Iterator[PageProblems]:
    seen = PageProblems(page)
    yield seen
    assert seen.errors == [], "\n".join(seen.errors)


@pytest.fixture
def shots(output_path) -> Path:
    folder = Path(output_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def browser_type_launch_args():
    chromium = "/usr/bin/chromium"
    if not os.path.exists(chromium):
        skip_or_fail("Debian chromium (apt-get install chromium)")
    return {
        "executable_path": chromium,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }
