"""A job for the worker fault test, imported by its worker (`-I tests.outbox_jobs`): it says when it starts and
waits to be released, so that the test can kill the worker in the middle of it."""

import os
import time
from pathlib import Path

from celery import shared_task


@shared_task
def wait_for_release(run_dir):
    run = Path(run_dir)
    (run / "pid").write_text(str(os.getpid()))
    with open(run / "log", "a") as log:
        log.write("started\n")
    deadline = time.monotonic() + 60
    while not (run / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    with open(run / "log", "a") as log:
        log.write("finished\n")
