"""`make run`'s broker needs no server: CELERY_BROKER_URL=filesystem:// keeps messages as
files under var/broker (CELERY_BROKER_DIR), and a message sent is a message received."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROUND_TRIP = """
import json, django
django.setup()
from django.conf import settings
from peksos.celery import app
with app.connection_for_write() as conn:
    queue = conn.SimpleQueue("peksos-broker-test")
    queue.put({"hello": "dunia"})
    message = queue.get(timeout=5)
    message.ack()
    queue.close()
print(json.dumps({
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "options": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    "body": message.payload,
}))
"""


def test_the_filesystem_broker_carries_a_message_and_nothing_runs_eagerly(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "peksos.settings",
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_BROKER_DIR": str(tmp_path / "broker"),
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", ROUND_TRIP],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["eager"] is False
    assert seen["body"] == {"hello": "dunia"}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        assert Path(seen["options"][key]).is_dir()
        assert Path(seen["options"][key]).is_relative_to(tmp_path)
    assert list((tmp_path / "broker" / "queue").iterdir()) == []  # taken off the queue
