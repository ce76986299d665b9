"""bin/supervise.py, `make run`'s process supervisor: names every line, one Ctrl-C stops all,
and one process ending stops the others with its exit code."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SUPERVISE = Path(__file__).resolve().parents[2] / "bin" / "supervise.py"
PY = sys.executable


def child(code: str) -> str:
    return f'{PY} -c "{code}"'


def run(*specs: str) -> subprocess.Popen:
    return subprocess.Popen(
        [PY, str(SUPERVISE), *specs], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_one_ctrl_c_stops_every_process(tmp_path):
    pids = tmp_path / "pids"
    loop = (
        f"import os,time; open('{pids}','a').write(str(os.getpid())+chr(10)); "
        "print('up'); time.sleep(60)"
    )
    sup = run(f"web={child(loop)}", f"worker={child(loop)}")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (not pids.exists() or len(pids.read_text().split()) < 2):
        time.sleep(0.1)
    started = [int(p) for p in pids.read_text().split()]
    assert len(started) == 2 and all(alive(p) for p in started)
    time.sleep(0.5)
    sup.send_signal(signal.SIGINT)
    out, _ = sup.communicate(timeout=30)
    assert sup.returncode == 0
    assert "web    | up" in out and "worker | up" in out
    time.sleep(0.2)
    assert not any(alive(p) for p in started)


def test_a_process_that_ends_stops_the_others_with_its_code():
    sup = run(
        f"web={child('import time; time.sleep(60)')}", f"worker={child('raise SystemExit(3)')}"
    )
    out, _ = sup.communicate(timeout=30)
    assert sup.returncode == 3
    assert "worker ended (exit 3)" in out


@pytest.mark.parametrize("spec", ["no-equals-sign", "=python", "web="])
def test_a_wrong_spec_is_refused(spec):
    sup = run(spec)
    out, _ = sup.communicate(timeout=30)
    assert sup.returncode != 0
    assert "NAME=COMMAND" in out
