"""Serving what is measured: gunicorn with two sync workers, bound to 127.0.0.1, always stopped afterwards."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
# Generous, so that a slow page is measured rather than cut off by gunicorn's default 30-second worker timeout.
WORKER_TIMEOUT = 600


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_listening(port, process, log_path, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log_path}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not listen on port {port} within {timeout} s; see {log_path}")


def _stop(process):
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # the master stops its workers gracefully
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the group started below: the master and its workers only
        process.wait(timeout=10)


@contextlib.contextmanager
def gunicorn(wsgi_app, env, log_path):
    """Serve `wsgi_app` (e.g. "safeguard.wsgi:application") with `env`; yields "127.0.0.1:<port>"."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", wsgi_app,
        "--workers", str(WORKERS), "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
        "--timeout", str(WORKER_TIMEOUT), "--chdir", str(ROOT), "--pythonpath", str(ROOT),
    ]  # fmt: skip
    with open(log_path, "a") as log:
        process = subprocess.Popen(  # noqa: S603 (our own command line)
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT
        )
    try:
        _wait_until_listening(port, process, log_path)
        yield f"127.0.0.1:{port}"
    finally:
        _stop(process)
