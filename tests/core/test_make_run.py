"""`make run` is the newcomer's first impression: no DEBUG unless asked, static files ready."""

import re
from pathlib import Path

MAKEFILE = (Path(__file__).resolve().parents[2] / "Makefile").read_text()


def target(name: str) -> str:
    match = re.search(rf"^{name}:.*?(?=^\S|\Z)", MAKEFILE, re.MULTILINE | re.DOTALL)
    assert match, f"no '{name}' target in the Makefile"
    return match.group(0)


def test_run_serves_without_debug_unless_asked():
    run = target("run")
    assert "DJANGO_DEBUG=$${DJANGO_DEBUG:-0}" in run
    assert "DJANGO_DEBUG=1" not in run


def test_run_collects_static_files_for_whitenoise_first():
    assert re.match(r"run:.*\bstatic\b", target("run"))
    assert "collectstatic --noinput" in target(r"var/static/staticfiles\.json")


def test_run_seeds_the_demo_year_unless_left_out():
    run = target("run")
    assert "PEKSOS_DEMO=1 $(MANAGE) seed_demo $(if $(filter 1,$(DEMO_YEAR)),--year)" in run
    assert re.search(r"^DEMO_YEAR \?= 1$", MAKEFILE, re.MULTILINE)


def test_run_starts_web_worker_and_beat_on_a_broker_without_a_server():
    run = target("run")
    assert "CELERY_BROKER_URL=$${CELERY_BROKER_URL:-filesystem://}" in run
    assert "bin/supervise.py" in run
    for process in ('"web=$(MANAGE) runserver', '"worker=$(VENV)/bin/celery -A peksos worker'):
        assert process in run
    assert '"beat=$(VENV)/bin/celery -A peksos beat' in run
