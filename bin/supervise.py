"""Run several processes as one: `make run`'s web server, Celery worker and beat together.

    python bin/supervise.py "web=manage.py runserver" "worker=celery -A peksos worker" ...

Each line a process prints comes out prefixed with its name. One Ctrl-C (SIGINT) or a SIGTERM
stops them all; when one of them ends by itself, the others are stopped too and its exit code
is returned, so a worker that cannot start is never left unnoticed behind a working web page.
Standard library only: it runs before anything else is installed.
"""

import contextlib
import os
import shlex
import signal
import subprocess
import sys
import threading
import time

GRACE_SECONDS = 10  # after SIGINT, then SIGKILL


def parse(specs: list[str]) -> list[tuple[str, list[str]]]:
    processes = []
    for spec in specs:
        name, sep, command = spec.partition("=")
        if not sep or not name.strip() or not command.strip():
            raise SystemExit(f"supervise: expected NAME=COMMAND, got {spec!r}")
        processes.append((name.strip(), shlex.split(command)))
    return processes


def _pump(name: str, width: int, stream, lock: threading.Lock) -> None:
    for line in iter(stream.readline, ""):
        with lock:
            sys.stdout.write(f"{name:<{width}} | {line}")
            sys.stdout.flush()
    stream.close()


def start(processes: list[tuple[str, list[str]]]) -> dict[str, subprocess.Popen]:
    width = max(len(name) for name, _ in processes)
    lock = threading.Lock()
    running = {}
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for name, command in processes:
        child = subprocess.Popen(  # noqa: S603  # nosec B603 (the Makefile's own commands)
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            bufsize=1,
            env=env,
            # its own process group: a stop reaches its children (runserver's reloader,
            # the worker's pool) and the terminal's Ctrl-C reaches it only through us
            start_new_session=True,
        )
        running[name] = child
        threading.Thread(target=_pump, args=(name, width, child.stdout, lock), daemon=True).start()
    return running


def stop(running: dict[str, subprocess.Popen]) -> None:
    """What a terminal's Ctrl-C does (SIGINT to each process group: the worker's pool
    ignores it and its main process shuts down warm), then SIGKILL after the grace time."""
    for child in running.values():
        if child.poll() is None:
            _signal_group(child, signal.SIGINT)
    deadline = time.monotonic() + GRACE_SECONDS
    for child in running.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(child, signal.SIGKILL)
            child.wait()


def _signal_group(child: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, sig)


def supervise(processes: list[tuple[str, list[str]]]) -> int:
    stopping = threading.Event()

    def on_signal(signum, _frame):
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    running = start(processes)
    code = 0
    try:
        while not stopping.is_set():
            ended = [(name, c.returncode) for name, c in running.items() if c.poll() is not None]
            if ended:
                name, code = ended[0]
                print(f"supervise: {name} ended (exit {code}); stopping the others", flush=True)
                break
            stopping.wait(0.2)
    finally:
        stop(running)
    return code


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    sys.exit(supervise(parse(sys.argv[1:])))
