# PEKSOS: `make run` sets up and starts the app; `make test` sets up and runs the suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run static test test-fast test-embedded test-scaleout cluster setup venv messages translations lint format worker beat relay backup restore clean vnu bench

# Find a Python >= 3.12 (pyenv's .python-version first, then python3.13 / python3.12).
PYTHON_BOOT := $(shell for p in python3 python3.13 python3.12; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)

$(PY):
	@if [ -z "$(PYTHON_BOOT)" ]; then \
		echo "PEKSOS needs Python 3.12 or newer (Django 6). Found: $$(python3 --version 2>&1)."; \
		echo "Install Python 3.12+ (e.g. 'pyenv install 3.12') and run this command again."; \
		exit 1; fi
	$(PYTHON_BOOT) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

translations: venv  ## refresh the Indonesian catalogue from the source (then translate)
	$(MANAGE) makemessages -l id --ignore .venv --ignore var --ignore static/vendor --no-obsolete

messages: venv
	$(MANAGE) compilemessages --ignore .venv -v 0

setup: venv messages
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) seed_demo

# Static files for a run without DEBUG (WhiteNoise serves the hashed, compressed copies in
# var/static): collected again only when a file under static/ changes.
STATIC_SOURCES := $(shell find static -type f 2>/dev/null)
var/static/staticfiles.json: $(STATIC_SOURCES) | $(VENV)/.installed
	DJANGO_DEBUG=0 $(MANAGE) collectstatic --noinput -v 0
	touch $@

static: var/static/staticfiles.json

# Without DEBUG by default (Indonesian error pages, no URL list on a 404); DJANGO_DEBUG=1 opts in.
# The web server, a Celery worker and beat in one command (bin/supervise.py: one Ctrl-C stops
# all), on kombu's filesystem broker under var/broker: the outbox relay, reminders, escalations
# and reports run as in production, nothing runs eagerly. CELERY_BROKER_URL=redis://... also works.
EMBEDDED_WORKER := --without-mingle --without-gossip --without-heartbeat
# The maps show OpenStreetMap's tiles (MAP_TILE_URL= empty: none, e.g. offline).
# With a whole demo year (demo/year/, marked DATA CONTOH; made once); DEMO_YEAR=0 leaves it out.
DEMO_YEAR ?= 1
run: venv messages static
	$(MANAGE) migrate --noinput -v 0
	PEKSOS_DEMO=1 $(MANAGE) seed_demo $(if $(filter 1,$(DEMO_YEAR)),--year)
	PEKSOS_DEMO=1 PEKSOS_REQUIRE_2FA=$${PEKSOS_REQUIRE_2FA:-0} DJANGO_DEBUG=$${DJANGO_DEBUG:-0} \
	MAP_TILE_URL=$${MAP_TILE_URL-osm} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-filesystem://} \
		$(PY) bin/supervise.py \
		"web=$(MANAGE) runserver $(HOST):$(PORT)" \
		"worker=$(VENV)/bin/celery -A peksos worker -l info --concurrency 1 $(EMBEDDED_WORKER)" \
		"beat=$(VENV)/bin/celery -A peksos beat -l info --schedule var/celerybeat-schedule"

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The suite runs in parallel (pytest-xdist): each worker has its own test database, live server
# port, Celery queue and output folders; tests marked with one xdist_group share a worker
# (loadgroup). PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto
PYTEST := $(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadgroup

# tests/scaleout needs its own services and database settings: `make test-scaleout`.
test: venv messages
	$(VENV)/bin/ruff check .
	$(MANAGE) makemigrations --check --dry-run -v 0
	$(PYTEST) --ignore=tests/scaleout $(PYTEST_ARGS)

test-fast: venv messages  ## the same without the browser tests
	$(VENV)/bin/ruff check .
	$(MANAGE) makemigrations --check --dry-run -v 0
	$(PYTEST) -m "not browser" --ignore=tests/scaleout $(PYTEST_ARGS)

# Past one machine (docs/deployment.md): a PostgreSQL primary, its streaming standby and
# PgBouncer in transaction mode (bin/scaleout-up, idempotent), moto's S3 server (started by
# the tests). The test database is made through PgBouncer and streamed to the standby: the
# replica, object storage and pooler tests, and the database tests that matter run through it.
SCALEOUT_TESTS := tests/scaleout tests/core/test_audit.py tests/core/test_outbox.py \
	tests/core/test_tallies.py tests/reports/test_report_tasks.py
test-scaleout: venv messages
	eval "$$(bin/scaleout-up env)" && $(VENV)/bin/pytest -n $(if $(filter auto,$(PYTEST_WORKERS)),2,$(PYTEST_WORKERS)) \
		--dist loadgroup $(SCALEOUT_TESTS) $(PYTEST_ARGS)

# Several web and worker processes on this machine (bench/cluster.py): 2 gunicorn behind a
# round-robin proxy, 2 Celery workers, beat, PgBouncer, the replica, moto's S3; the locust mix.
CLUSTER_SECONDS ?= 90
cluster: venv messages
	$(PY) bench/cluster.py --seconds $(CLUSTER_SECONDS)

# The embedded default's own checks, for CI (which runs the suite on PostgreSQL): form and path
# fuzzing, NUL bytes, the upload gate and several users at once, on SQLite.
test-embedded: venv messages
	env -u DATABASE_URL $(PYTEST) tests/core/test_fuzz_forms.py tests/core/test_nul_bytes.py \
		tests/core/test_upload_gate.py tests/core/test_sqlite_concurrency.py

# The W3C Nu HTML checker for the browser crawl (32 MB, so fetched, not committed), pinned.
VNU_VERSION := 26.9.27
VNU_JAR := var/vnu/vnu-$(VNU_VERSION).jar
vnu: $(VNU_JAR)
$(VNU_JAR):
	mkdir -p var/vnu/tmp
	cd var/vnu/tmp && npm pack --silent vnu-jar@$(VNU_VERSION) >/dev/null \
		&& tar -xzf vnu-jar-$(VNU_VERSION).tgz package/build/dist/vnu.jar
	mv var/vnu/tmp/package/build/dist/vnu.jar $@
	rm -rf var/vnu/tmp

# Production-style processes (used by docker-compose; also runnable by hand).
worker: venv
	$(VENV)/bin/celery -A peksos worker -l info
beat: venv
	$(VENV)/bin/celery -A peksos beat -l info
relay: venv
	$(MANAGE) outbox_relay --loop

# Backup and restore of the database (docs/security.md). PostgreSQL: pg_dump -Fc / pg_restore;
# SQLite: the backup API. `make backup` writes var/backups/peksos-<time>.dump (or FILE=...).
backup: venv
	$(MANAGE) backup $(if $(FILE),--output "$(FILE)")
restore: venv  ## make restore FILE=var/backups/peksos-....dump (asks before replacing data)
	@if [ -z "$(FILE)" ]; then echo "usage: make restore FILE=var/backups/peksos-....dump"; exit 2; fi
	$(MANAGE) restore "$(FILE)"

# Every performance target of docs/quality.md (P1-P7) in one run: bench/run.py writes
# docs/bench-results.md. PostgreSQL and Redis needed. BENCH_SCHOOLS=450000 for the full
# national register (about 15 minutes to generate); the default is a tenth of it.
# BENCH_REUSE=1 measures data sets generated before.
BENCH_PG ?= postgres://postgres@127.0.0.1:5432
BENCH_SCHOOLS ?= 45000
BENCH_NATIONAL ?= peksos_bench_nat45k
bench: venv messages
	-createdb -h 127.0.0.1 -U postgres peksos_bench_city 2>/dev/null
	-createdb -h 127.0.0.1 -U postgres $(BENCH_NATIONAL) 2>/dev/null
	if [ -z "$(BENCH_REUSE)" ]; then \
		DATABASE_URL=$(BENCH_PG)/peksos_bench_city $(PY) bench/national.py generate --schools 0 && \
		DATABASE_URL=$(BENCH_PG)/$(BENCH_NATIONAL) $(PY) bench/national.py generate \
			--schools $(BENCH_SCHOOLS); \
	else \
		DATABASE_URL=$(BENCH_PG)/peksos_bench_city $(MANAGE) migrate -v 0 && \
		DATABASE_URL=$(BENCH_PG)/$(BENCH_NATIONAL) $(MANAGE) migrate -v 0; \
	fi
	$(PY) bench/run.py --city $(BENCH_PG)/peksos_bench_city --national $(BENCH_PG)/$(BENCH_NATIONAL)

clean:
	rm -rf $(VENV) .pytest_cache test-results
