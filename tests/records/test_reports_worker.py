"""A report made by a real Celery worker (a process of its own, as deployed) through Redis: the request queues it,
the worker renders the PDF with WeasyPrint, and the page's row ends ready with the file's SHA-256."""

import hashlib
import io
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from pypdf import PdfReader

from records.pdf import weasyprint_available
from records.report_models import Report, ReportKind, ReportState
from records.services import reports
from safeguard.roles import Role
from tests.factories import PupilFactory, make_case

ROOT = Path(__file__).resolve().parent.parent.parent
AVAILABLE, WHY = weasyprint_available()

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL, reason="needs Redis and a Celery worker (set CELERY_BROKER_URL)"
    ),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (set DATABASE_URL): the worker reads the test's database from another process",
    ),
    pytest.mark.skipif(not AVAILABLE, reason=f"WeasyPrint's libraries are missing: {WHY}"),
]


@pytest.fixture
def case_jobs_run_here():
    """Not here: the jobs go through Redis to the worker."""


@pytest.fixture
def worker(transactional_db, tmp_path, settings):
    settings.SAFEGUARD_REPORTS_ROOT = tmp_path / "reports"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}@{db['HOST']}:{db['PORT'] or 5432}/"
            f"{db['NAME']}"
        ),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "SAFEGUARD_REPORTS_ROOT": str(settings.SAFEGUARD_REPORTS_ROOT),
    }
    command = [sys.executable, "-m", "celery", "-A", "safeguard", "worker", "--concurrency", "1"]
    command += ["--without-heartbeat", "--without-mingle", "--without-gossip"]
    with open(tmp_path / "worker.log", "w") as log:
        process = subprocess.Popen(  # noqa: S603 (a fixed command)
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield tmp_path / "worker.log"
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_a_worker_renders_a_real_pdf_through_redis(worker, school, people):
    dsl = people[Role.DSL]
    case = make_case(school=school, state="referred", pupils=[PupilFactory(school=school)])
    report = reports.report_request(actor=dsl, school=school, kind=ReportKind.CASE_RECORD, incident=case)
    deadline = time.monotonic() + 120
    while Report.objects.get(pk=report.pk).state not in (ReportState.READY, ReportState.FAILED):
        assert time.monotonic() < deadline, worker.read_text()
        time.sleep(0.5)
    report.refresh_from_db()
    assert report.state == ReportState.READY, report.error
    with open(reports.report_path(report), "rb") as file:
        data = file.read()
    assert hashlib.sha256(data).hexdigest() == report.sha256
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert case.reference in text and "OFFICIAL-SENSITIVE" in text and f"Page 1 of {report.pages}" in text
