"""The services of the scale-out tests (docs/deployment.md): a local S3 server (moto's server
mode, started here on a free port), the streaming read replica and PgBouncer
(`bin/scaleout-up`, started by `make test-scaleout` and .ci/run). Missing: skipped, or failed
with REQUIRE_SERVICES=1."""

import fcntl
import importlib.util
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.db import connections

from tests.services import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory):
    """moto's S3 server in its own process for this session (each xdist worker has its own)."""
    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask") is None:
        skip_or_fail("moto's S3 server (pip install moto[server], requirements-dev.txt)")
    port = _free_port()
    log_path = tmp_path_factory.mktemp("moto") / "moto.log"
    log = log_path.open("wb")
    process = subprocess.Popen(  # nosec B603: our own venv's server, fixed arguments
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{endpoint}/moto-api/data.json", timeout=1).raise_for_status()
            break
        except requests.RequestException:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                skip_or_fail(
                    f"moto_server did not start on {endpoint}: {log_path.read_text()[-500:]}"
                )
            time.sleep(0.2)
    yield endpoint
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture
def s3_media(settings, moto_endpoint):
    """Media in a new private bucket of the moto server, set up as `manage.py media_bucket`
    does; the settings' MEDIA_S3 and STORAGES as a deployment with MEDIA_S3_* has them."""
    options = {
        "bucket_name": f"peksos-test-{uuid.uuid4().hex[:12]}",
        "endpoint_url": moto_endpoint,
        "region_name": "us-east-1",
        "access_key": "testing",
        "secret_key": "testing",
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 60,
        "file_overwrite": True,
        "signature_version": "s3v4",
    }
    settings.MEDIA_S3 = options
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    from django.core.management import call_command

    call_command("media_bucket", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return options


# --- The read replica --------------------------------------------------------------------------


@pytest.fixture
def replica(settings):
    """The `replica` alias of this run (DATABASE_REPLICA_URL), answering and caught up. One
    replica test at a time on this machine (a file lock, whatever the xdist worker or run):
    some pause or stop the standby every other one reads."""
    from peksos.core import dbrouter

    if "replica" not in settings.DATABASES:
        skip_or_fail("read replica (DATABASE_REPLICA_URL; make test-scaleout starts one)")
    lock_path = Path(os.environ.get("SCALEOUT_DIR") or ROOT / "var" / "scaleout") / "tests.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield from _replica_ready(settings, dbrouter)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _replica_ready(settings, dbrouter):
    settings.REPLICA_CHECK_SECONDS = 0
    # A fresh connection for each test: the test client keeps connections across requests
    # (production opens one per request behind PgBouncer), and a standby restarted by the
    # previous test may have ended the old one.
    connections["replica"].close()
    for _ in range(50):  # a moment of WAL not yet replayed (a checkpoint) is not a failure
        status, _behind = dbrouter.replica_status(fresh=True)
        if status == dbrouter.OK:
            break
        time.sleep(0.1)
    if status != dbrouter.OK:
        try:
            with connections["replica"].cursor() as cursor:
                cursor.execute("SELECT pg_is_in_recovery()")
            why = "answers"
        except Exception as error:
            why = repr(error)
        skip_or_fail(f"read replica {status or 'missing'} (bin/scaleout-up): {why}")
    yield connections["replica"]
    connections["replica"].close()
    dbrouter.forget_status()


def wait_replayed(timeout: float = 15) -> None:
    """Until the replica has replayed everything the primary has written so far.

    The target is the WAL *insert* position: the test clusters run with synchronous_commit off
    (bin/scaleout-up), so a commit that has returned may not yet be written out, and the write
    position (pg_current_wal_lsn) can lie before its commit record."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    pytest.fail(f"the replica did not replay up to {target} within {timeout} s")


@pytest.fixture
def replayed():
    return wait_replayed


@pytest.fixture
def scaleout_script():
    """Runs `bin/scaleout-up <args>` (replica-stop, replica-start)."""

    def run(*args: str) -> None:
        command = [str(ROOT / "bin/scaleout-up"), *args]
        subprocess.run(command, check=True, env={**os.environ, "QUIET": "1"})  # nosec B603

    return run
