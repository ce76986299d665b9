"""Shared fixtures: named personas (docs/design.md §3.10), fast hashing, service requirements.

Personas serve two real schools of Kota Metro: SD Negeri 1 Metro Pusat (school A) and
SD Negeri 2 Metro Pusat (school B).
"""

import importlib
import os
import shutil

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright tests run an event loop

import pytest

from peksos.accounts.models import Role, User
from schools.models import School
from schools.seed import load_kota_metro
from tests.factories import SCHOOL_A_NPSN, SCHOOL_B_NPSN, make_user
from tests.services import reset_broker_pool, skip_or_fail


@pytest.fixture(autouse=True)
def _eager_celery():
    """Unit tests run tasks in-process even when CELERY_BROKER_URL points at Redis; the worker
    round-trip test switches this off for itself."""
    from peksos.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the database is rolled back between tests, so
    throttle counters and cached settings must go with it."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def _media_root(tmp_path_factory):
    """Uploads and reports land under this session's temporary folder, not var/media: under
    pytest-xdist each worker has its own (tmp_path_factory's base is per worker)."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _test_settings(settings, _media_root):
    settings.MEDIA_ROOT = _media_root
    settings.PRIVATE_MEDIA_ROOT = _media_root / "private"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.REQUIRE_2FA = True
    settings.DEMO = False
    settings.LANGUAGE_CODE = "id"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real register once into the test database; each test rolls back over it."""
    with django_db_blocker.unblock():
        load_kota_metro()
    yield
    _release_pooled_connections()


def _release_pooled_connections() -> None:
    """Behind PgBouncer (make test-scaleout) the pooler keeps its server connections to the
    test database after the tests close theirs, and pytest-django's DROP DATABASE would fail:
    its admin console (PGBOUNCER_ADMIN_URL) closes them first."""
    admin = os.environ.get("PGBOUNCER_ADMIN_URL")
    if not admin:
        return
    import psycopg
    from django.db import connections

    name = connections["default"].settings_dict["NAME"]
    connections.close_all()
    with psycopg.connect(admin, autocommit=True) as console:  # simple queries only there
        for command in (f"KILL {name}", f"RESUME {name}"):
            console.pgconn.exec_(command.encode())


@pytest.fixture
def kota_metro(db):
    """The 308 real schools. A transactional test flushes the database: load them again then."""
    if not School.objects.filter(npsn=SCHOOL_A_NPSN).exists():
        load_kota_metro()


@pytest.fixture
def school_a(kota_metro) -> School:
    return School.objects.get(npsn=SCHOOL_A_NPSN)


@pytest.fixture
def school_b(kota_metro) -> School:
    return School.objects.get(npsn=SCHOOL_B_NPSN)


@pytest.fixture
def koordinator_ani(db):
    return make_user("koordinator_ani", Role.KOORDINATOR)


@pytest.fixture
def peksos_budi(school_a):
    return make_user("peksos_budi", Role.PEKSOS, school_a)


@pytest.fixture
def peksos_joko_sdn2(school_b):
    return make_user("peksos_joko", Role.PEKSOS, school_b)


@pytest.fixture
def psikolog_gita(db):
    return make_user("psikolog_gita", Role.PSIKOLOG)


@pytest.fixture
def pendamping_hadi(db):
    return make_user("pendamping_hadi", Role.PENDAMPING)


@pytest.fixture
def sosdesk_citra_sdn1(school_a):
    return make_user("sosdesk_citra", Role.SOSDESK, school_a)


@pytest.fixture
def sosdesk_dedi_sdn2(school_b):
    return make_user("sosdesk_dedi", Role.SOSDESK, school_b)


@pytest.fixture
def kepsek_indah(school_a):
    return make_user("kepsek_indah", Role.KEPALA_SEKOLAH, school_a)


@pytest.fixture
def guru_eka(school_a):
    return make_user("guru_eka", Role.GURU, school_a)


@pytest.fixture
def ortu_fajar(school_a):
    return make_user("ortu_fajar", Role.ORANG_TUA, school_a)


@pytest.fixture
def login(client):
    """Log a persona in, second factor included (as if verified), and return the client."""

    def _login(user: User, *, verified: bool = True):
        client.force_login(user, backend="peksos.accounts.backends.UsernameOrEmailBackend")
        if verified and user.needs_second_factor:
            from django_otp.plugins.otp_static.models import StaticDevice

            device = StaticDevice.objects.create(user=user, name="test", confirmed=True)
            session = client.session
            session["otp_device_id"] = device.persistent_id
            session.save()
        return client

    return _login


# --- Services: PostgreSQL, Redis, Chromium ---------------------------------------------------


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL") or os.environ.get("CELERY_BROKER_URL") or ""
    if not url.startswith("redis://"):
        url = "redis://127.0.0.1:6379/13"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        skip_or_fail(f"Redis at {url}")
    return url


@pytest.fixture
def broker_down(monkeypatch):
    """Celery publishes to a Redis port where nothing listens; restored afterwards.
    (Celery reads CELERY_BROKER_URL from the environment before its configuration.)"""
    from peksos.celery import app

    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url")}
    dead = "redis://127.0.0.1:1/0"
    monkeypatch.setenv("CELERY_BROKER_URL", dead)
    app.conf.update(task_always_eager=False, broker_url=dead)
    reset_broker_pool()
    yield app.conf
    app.conf.update(saved)
    reset_broker_pool()
    from peksos.core import outbox

    outbox._nudges_paused_until = None  # the next test starts with a broker that is up


# --- Transactional tests and the append-only audit table -------------------------------------
# The audit table is append-only (core migration 0002): on PostgreSQL a statement trigger
# refuses TRUNCATE, even of an empty table, and on SQLite a row trigger refuses DELETE.
# pytest-django empties the database after a `transaction=True` test with exactly those
# statements, so the triggers are switched off for that flush only, and back on before each
# test and after the session.


def _audit_triggers(*, on: bool) -> None:
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "postgresql" and settings.TRANSACTION_POOLING:
        # Behind PgBouncer (make test-scaleout) a SET may land on another server connection
        # than the flush: the table's own triggers instead (the test database only).
        with connection.cursor() as cursor:
            switch = "ENABLE" if on else "DISABLE"
            cursor.execute(f"ALTER TABLE core_auditevent {switch} TRIGGER USER")
    elif connection.vendor == "postgresql":  # session-local: nothing to undo if the run dies
        with connection.cursor() as cursor:
            cursor.execute(f"SET session_replication_role = {'DEFAULT' if on else 'replica'}")
    elif connection.vendor == "sqlite":
        migration = importlib.import_module("peksos.core.migrations.0002_audit_append_only")
        with connection.cursor() as cursor:
            for sql in migration.SQLITE_DOWN + (migration.SQLITE_UP if on else []):
                cursor.execute(sql)


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or "live_server" in (
        request.fixturenames
    )


@pytest.fixture(scope="session")
def _audit_triggers_back_on(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        _audit_triggers(on=True)


@pytest.fixture(autouse=True)
def _audit_log_flushable(request):
    if not _is_transactional(request):
        yield
        return
    request.getfixturevalue("_audit_triggers_back_on")
    request.getfixturevalue("transactional_db")
    _audit_triggers(on=True)
    yield
    _audit_triggers(on=False)  # pytest-django's flush comes right after this teardown


# --- Parallel runs (pytest-xdist) --------------------------------------------------------------
# Each xdist worker (PYTEST_XDIST_WORKER=gw0, gw1...) is a session of its own: pytest-django
# gives it its own test database (test_<name>_gw0), the live server listens on a free port, the
# Celery worker tests use their own queue and key prefix (tests/core/test_celery_worker.py),
# and files go to tmp_path or to folders named after the test.


def pytest_configure(config):
    """pytest-playwright empties its output folder (test-results/) when a session starts; under
    xdist that would be each worker, emptying what the others have already written. The
    controller (or a run without xdist) empties it once here, before any worker starts."""
    if hasattr(config, "workerinput"):
        return
    output = config.getoption("--output", default=None)
    if output and os.path.isdir(output):
        shutil.rmtree(output, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def delete_output_dir():
    """Replaces pytest-playwright's fixture of this name (see pytest_configure)."""
