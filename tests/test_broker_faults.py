"""Nothing is lost when Redis or a worker fails: each test runs a Redis of its own, on its own port, and stops it,
and a real worker, and kills it."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.db import connection

from incidents.models import Incident
from safeguard import outbox, tasks
from safeguard.celery import app as celery_app
from safeguard.models import OutboxMessage
from safeguard.roles import Role
from tests.factories import PupilFactory
from tests.incidents.test_views import concern_post
from tests.outbox_jobs import wait_for_release

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL or not shutil.which("redis-server"),
        reason="needs Redis and a Celery worker (set CELERY_BROKER_URL; redis-server on the PATH)",
    ),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (set DATABASE_URL): the worker reads the test's database from another thread "
        "or process",
    ),
]


class OwnRedis:
    """A Redis server on a free port, kept in memory only, that the test starts and stops."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 (a fixed command)
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_until(lambda: _answers(self.port), what="Redis to start")

    def hang(self):
        self.process.send_signal(signal.SIGSTOP)  # it keeps its connections open, and answers nothing

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def _answers(port):
    try:
        return redis.Redis(port=port, socket_connect_timeout=0.2).ping()
    except redis.ConnectionError:
        return False


def wait_until(condition, *, what, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Waited {timeout} s for {what}")
        time.sleep(0.1)


@pytest.fixture
def own_redis(transactional_db, monkeypatch):
    """This process's Celery publishes to a Redis of the test's own; the app's shared Redis is left alone."""
    server = OwnRedis()
    server.start()
    monkeypatch.setenv("CELERY_BROKER_URL", server.url)  # Celery reads this before its own settings
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    # The app makes its connection pools once, from the URL of the time: start new ones, and put the old back after.
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    yield server
    celery_app.pool.force_close_all()
    server.stop()


def test_with_redis_down_the_concern_is_saved_with_success_and_its_email_goes_once_redis_is_back(
    own_redis, client, signed_in, school, people, pupil
):
    from celery.contrib.testing.worker import start_worker

    dsl_team = {people[Role.DSL].email, people[Role.DEPUTY_DSL].email}
    signed_in(people[Role.STAFF], school=school)
    own_redis.stop()

    started = time.monotonic()
    response = client.post("/concerns/new/", concern_post(pupil))
    took = time.monotonic() - started

    case = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/concerns/{case.pk}/"
    assert took < 2, f"the page took {took:.1f} s with Redis down"
    print(f"With Redis down, the page answered in {took:.2f} s")
    message = OutboxMessage.objects.get()
    assert (message.handed_over_at, message.done_at, message.attempts) == (None, None, 1)
    assert message.last_error
    assert mail.outbox == []

    own_redis.start()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        tasks.outbox_dispatch.delay()  # what the beat sends every minute
        wait_until(lambda: OutboxMessage.objects.get().done_at is not None, what="the email job to be done")
        assert sorted(m.to[0] for m in mail.outbox) == sorted(dsl_team)

        # A repeat is a no-op: nothing is due, and a copy of the message handed over again does nothing.
        assert outbox.dispatch_unsent() == 0
        tasks.outbox_deliver.delay(message.pk)
        tasks.outbox_dispatch.delay()
        time.sleep(1)  # the solo worker takes them in order, each in a few milliseconds
    assert sorted(m.to[0] for m in mail.outbox) == sorted(dsl_team)
    assert OutboxMessage.objects.get().attempts == 2


def test_with_redis_hanging_the_page_still_answers_within_2_seconds(own_redis, client, signed_in, school, people):
    signed_in(people[Role.STAFF], school=school)
    first = client.post("/concerns/new/", concern_post(PupilFactory(school=school)))
    assert first.status_code == 302
    assert OutboxMessage.objects.get().handed_over_at is not None  # this process is now connected to Redis

    own_redis.hang()
    try:
        started = time.monotonic()
        response = client.post("/concerns/new/", concern_post(PupilFactory(school=school)))
        took = time.monotonic() - started
    finally:
        own_redis.resume()

    assert response.status_code == 302
    assert took < 2, f"the page took {took:.1f} s with Redis hanging"
    print(f"With Redis hanging, the page answered in {took:.2f} s")
    waiting = OutboxMessage.objects.get(handed_over_at__isnull=True)
    assert waiting.attempts == 1 and "Timeout" in waiting.last_error


def _worker(broker_url, log, **env):
    """`celery -A safeguard worker` as deployed (prefork), on the test's database and the test's own Redis."""
    db = connection.settings_dict
    database_url = (
        f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        **env,
    }
    command = [sys.executable, "-m", "celery", "-A", "safeguard", "worker", "-I", "tests.outbox_jobs"]
    command += ["--concurrency", "1", "--without-heartbeat", "--without-mingle", "--without-gossip"]
    return subprocess.Popen(  # noqa: S603 (a fixed command)
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def test_a_job_whose_worker_is_killed_mid_way_is_done_once_by_the_next_worker(own_redis, tmp_path):
    run_log = tmp_path / "log"
    own_redis.stop()
    message = outbox.enqueue(wait_for_release.name, run_dir=str(tmp_path))  # the broker is down: it waits
    assert OutboxMessage.objects.get().handed_over_at is None
    own_redis.start()

    with open(tmp_path / "worker.log", "w") as worker_log:
        first = _worker(own_redis.url, worker_log)  # hands over what waited as it starts, then runs it
        try:
            wait_until(lambda: run_log.exists() and "started" in run_log.read_text(), what="the job to start")
        finally:
            os.killpg(first.pid, signal.SIGKILL)  # the worker and its pool, as a machine losing power would
            first.wait(timeout=10)
        (tmp_path / "release").touch()
        message.refresh_from_db()
        assert message.done_at is None

        second = _worker(own_redis.url, worker_log)
        try:
            wait_until(lambda: OutboxMessage.objects.get().done_at is not None, what="the job to be done again")
        finally:
            os.killpg(second.pid, signal.SIGTERM)
            second.wait(timeout=30)

    assert run_log.read_text().splitlines() == ["started", "started", "finished"], (tmp_path / "worker.log").read_text()
    message.refresh_from_db()
    assert message.attempts == 2 and message.last_error == ""
    assert outbox.dispatch_unsent() == 0


def test_a_job_whose_pool_process_dies_is_given_back_and_done_once(own_redis, tmp_path):
    run_log = tmp_path / "log"
    with open(tmp_path / "worker.log", "w") as worker_log:
        # The usual 15-minute visibility timeout: only the worker giving the job back can bring it round again.
        worker = _worker(own_redis.url, worker_log, TEST_USUAL_VISIBILITY_TIMEOUT="1")
        try:
            message = outbox.enqueue(wait_for_release.name, run_dir=str(tmp_path))
            wait_until(lambda: run_log.exists() and "started" in run_log.read_text(), what="the job to start")
            # The process running the job dies (out of memory, say); the worker gives the job back to the broker
            # (task_reject_on_worker_lost), where it would otherwise count as failed and be dropped.
            os.kill(int((tmp_path / "pid").read_text()), signal.SIGKILL)
            (tmp_path / "release").touch()
            wait_until(lambda: OutboxMessage.objects.get().done_at is not None, what="the job to be done again")
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)

    assert run_log.read_text().splitlines() == ["started", "started", "finished"], (tmp_path / "worker.log").read_text()
    message.refresh_from_db()
    assert message.attempts == 1 and message.done_at is not None


def test_a_worker_started_before_redis_and_through_a_redis_restart_keeps_working(own_redis, tmp_path):
    (tmp_path / "release").touch()  # the jobs here run straight through
    own_redis.stop()
    with open(tmp_path / "worker.log", "w") as worker_log:
        worker = _worker(own_redis.url, worker_log)
        try:
            time.sleep(2)  # the worker keeps trying to connect
            own_redis.start()
            before = outbox.enqueue(wait_for_release.name, run_dir=str(tmp_path))
            wait_until(lambda: OutboxMessage.objects.get(pk=before.pk).done_at is not None, what="the first job")

            own_redis.stop()
            time.sleep(2)
            own_redis.start()  # empty: it kept nothing on disk
            after = outbox.enqueue(wait_for_release.name, run_dir=str(tmp_path))
            wait_until(lambda: OutboxMessage.objects.get(pk=after.pk).done_at is not None, what="the second job")
            assert worker.poll() is None
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
    assert (tmp_path / "log").read_text().splitlines() == ["started", "finished"] * 2
