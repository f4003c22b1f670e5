"""PDF reports (issue 10 §1, §3): asking for one, rendering it in the background, retrying a failed one, and
recovering one whose worker died.

A request writes the Report row and its job (an outbox row) in one transaction. The job renders through
`report_render`: it takes the row under a lock and moves it to rendering, builds the context with the kind's
builder (records/report_content/), renders `templates/pdf/<kind>.html`, writes the file under a random name (a
temporary file renamed into place, so a half-written PDF never has the final name), and marks it ready under the
lock again. Run twice, it makes one report: a row already ready is left alone, and a run that finds the row ready
when it finishes throws its own file away.
"""

import contextlib
import datetime
import hashlib
import logging
import os
import secrets
import time
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from incidents.errors import CasePermissionDenied
from safeguard import outbox, policy
from safeguard.audit import audited_save
from safeguard.memberships import roles_in_school
from safeguard.models import Pupil

from ..pdf import render_pdf
from ..report_models import Report, ReportKind, ReportState

logger = logging.getLogger(__name__)

RENDER_TASK = "records.tasks.report_render"
# A lost database connection, a broker that does not answer: passed on, for the task to retry with back-off
# (records/tasks.py). Anything else (a bug, bad data) would fail again, so it fails the report at once.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
# A progress bar needs no more: at most one write every half second, or every PROGRESS_EVERY items.
PROGRESS_INTERVAL = 0.5
PROGRESS_EVERY = 25
STOPPED = "The job stopped before it finished (the worker was stopped or restarted). Press Retry to make it again."
NOT_STARTED = "The job did not start within an hour. Press Retry to queue it again."
NEVER_STARTS_AFTER = datetime.timedelta(hours=1)


# The module that builds each kind's template context with `build(report, progress) -> dict`, imported when a
# report of that kind is rendered (the school report's module is the school report's own section).
BUILDERS = {
    ReportKind.CASE_RECORD: "records.report_content.case_record",
    ReportKind.PUPIL_FILE: "records.report_content.pupil_file",
    ReportKind.SCHOOL: "records.report_content.school",
}


def builder(kind):
    return import_module(BUILDERS[kind]).build


def reports_root():
    return settings.SAFEGUARD_REPORTS_ROOT


def report_path(report):
    return os.path.join(reports_root(), report.stored_name)


# --- Asking for a report ----------------------------------------------------------------------------------------


def can_request(roles, kind):
    """Whether someone holding `roles` in a school may ask for a report of `kind` there (see safeguard.policy)."""
    return policy.can(roles, "request_school_reports" if kind == ReportKind.SCHOOL else "export_case_files")


def _check_request(actor, school, kind, incident, pupil):
    roles = roles_in_school(actor, school)
    if not can_request(roles, kind):
        raise CasePermissionDenied("Only the safeguarding team and the headteacher make this report.")
    if incident is not None and (
        incident.school_id != school.pk or not policy.case_permits(actor, incident, policy.VIEW)
    ):
        raise CasePermissionDenied("You cannot see this case.")
    if pupil is not None:
        scope = policy.pupil_scope(roles, school)
        if pupil.school_id != school.pk or scope is None or not Pupil.objects.filter(scope, pk=pupil.pk).exists():
            raise CasePermissionDenied("You cannot see this pupil.")


@transaction.atomic
def report_request(
    *, actor, school, kind, incident=None, pupil=None, period_start=None, period_end=None, period_label=""
):
    """Ask for a report and queue its job, in one transaction: the job runs only once the request is saved.

    The case or pupil it covers must be one the actor may see; the trust lead asks for school reports only.
    """
    _check_request(actor, school, kind, incident, pupil)
    if period_start and period_end and period_end < period_start:
        raise ValidationError({"period_end": "The last day must be on or after the first day."})
    report = Report(
        school=school,
        kind=kind,
        incident=incident,
        pupil=pupil,
        period_start=period_start,
        period_end=period_end,
        period_label=period_label,
        marking=settings.SAFEGUARD_REPORT_MARKING,
        requested_by=actor,
    )
    audited_save(report, actor=actor, reason=f"Asked for a report: {report.get_kind_display()}")
    outbox.enqueue(RENDER_TASK, report_id=report.pk)
    return report


@transaction.atomic
def report_retry(*, actor, report):
    """Queue a failed report again (the same parameters, a new attempt)."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    _check_request(actor, report.school, report.kind, report.incident, report.pupil)
    if report.state != ReportState.FAILED:
        raise CasePermissionDenied("Only a report that failed can be tried again.")
    report.state = ReportState.QUEUED
    report.progress_done = report.progress_total = 0
    audited_save(
        report, actor=actor, reason="Report queued again", update_fields=["state", "progress_done", "progress_total"]
    )
    outbox.enqueue(RENDER_TASK, report_id=report.pk)
    return report


# --- Rendering (the job) ----------------------------------------------------------------------------------------


class Progress:
    """`progress(done, total)`: keeps the row's progress for the page's bar, writing at most every half second or
    every PROGRESS_EVERY items, each write committed at once (the job runs outside a transaction)."""

    def __init__(self, report_id):
        self.report_id = report_id
        self.written_at = 0.0
        self.written_done = None

    def __call__(self, done, total):
        now = time.monotonic()
        due = self.written_done is None or done >= total or done - self.written_done >= PROGRESS_EVERY
        if not due and now - self.written_at < PROGRESS_INTERVAL:
            return
        # Progress is not part of the record: an update() writes no history row for every tick of a bar (each
        # state change, with its attempt, is in the history).
        Report.objects.filter(pk=self.report_id, state=ReportState.RENDERING).update(
            progress_done=done, progress_total=total
        )
        self.written_at, self.written_done = now, done


def _start(report_id):
    """Lock the row and move it to rendering; None when there is nothing to do (ready, failed, or gone)."""
    with transaction.atomic():
        report = Report.objects.select_for_update().select_related("school", "requested_by").filter(pk=report_id)
        report = report.first()
        # Queued, or rendering by a worker that died (the broker gives its job to another): render it. Ready: done
        # already. Failed: it waits for someone to press Retry, which queues it again.
        if report is None or report.state not in (ReportState.QUEUED, ReportState.RENDERING):
            return None
        report.state = ReportState.RENDERING
        report.attempts += 1
        report.started_at = timezone.now()
        report.progress_done = report.progress_total = 0
        report.error = ""
        audited_save(
            report,
            actor=report.requested_by,
            reason=f"Rendering the report (attempt {report.attempts})",
            update_fields=["state", "attempts", "started_at", "progress_done", "progress_total", "error"],
        )
    return report


def _html(report):
    context = builder(report.kind)(report, Progress(report.pk))
    generated_by = report.requested_by
    context.update(
        report=report,
        school=report.school,
        generated_at=timezone.now(),
        generated_by=generated_by.get_full_name() or generated_by.get_username(),
        marking=report.marking,
    )
    return render_to_string(f"pdf/{report.kind}.html", context)


def _write(pdf):
    """Write `pdf` under a new random name (a temporary file renamed into place); return the name."""
    os.makedirs(reports_root(), exist_ok=True)
    name = f"{secrets.token_hex(16)}.pdf"
    final = os.path.join(reports_root(), name)
    temporary = f"{final}.part"
    with open(temporary, "wb") as file:
        file.write(pdf)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, final)
    return name


def _discard(name):
    with contextlib.suppress(FileNotFoundError):
        os.remove(os.path.join(reports_root(), name))


def report_render(*, report_id):
    """Render one report (the job's body): safe to run twice, and at once; returns the report, or None."""
    report = _start(report_id)
    if report is None:
        return None
    try:
        pdf, pages = render_pdf(_html(report))
        name = _write(pdf)
    except TRANSIENT:
        raise  # the task retries; if it never succeeds, reports_recover fails the row
    except Exception as error:
        # The reason is for the page: plain words, never a traceback or what the report holds. The log keeps the
        # detail for whoever runs the system.
        logger.exception("Report %s could not be made", report_id)
        reason = (
            "The report could not be saved to disk."
            if isinstance(error, OSError)
            else "Something went wrong while the report was being made."
        )
        return _fail(report_id, f"{reason} Press Retry to try again; if it fails again, tell whoever runs Safeguard.")
    try:
        return _finish(report_id, name, pdf, pages)
    except BaseException:
        _discard(name)  # never a file on disk that no report names
        raise


def _finish(report_id, name, pdf, pages):
    """Record the file `name` as the report's, under the row's lock, unless another run got there first."""
    with transaction.atomic():
        report = Report.objects.select_for_update().select_related("requested_by").get(pk=report_id)
        if report.state != ReportState.RENDERING:
            _discard(name)  # another run finished first (one report, one file), or it was marked failed meanwhile
            return report
        report.state = ReportState.READY
        report.stored_name = name
        report.size = len(pdf)
        report.pages = pages
        report.sha256 = hashlib.sha256(pdf).hexdigest()
        report.finished_at = timezone.now()
        report.progress_done = max(report.progress_done, report.progress_total)
        audited_save(
            report,
            actor=report.requested_by,
            reason="Report ready",
            update_fields=["state", "stored_name", "size", "pages", "sha256", "finished_at", "progress_done"],
        )
    return report


def _fail(report_id, reason, *, stuck=None):
    """Mark the report failed with `reason`, if it is still rendering (and, with `stuck`, still matches it)."""
    with transaction.atomic():
        report = Report.objects.select_for_update().select_related("requested_by").filter(pk=report_id)
        report = report.filter(stuck).first() if stuck is not None else report.first()
        if report is None or report.state not in (ReportState.RENDERING, ReportState.QUEUED):
            return None
        report.state = ReportState.FAILED
        report.error = reason
        report.finished_at = timezone.now()
        audited_save(
            report, actor=report.requested_by, reason="Report failed", update_fields=["state", "error", "finished_at"]
        )
    return report


def _stuck(now):
    """Rendering for longer than a job may run (its worker was killed, and no other took the job over), or queued
    for an hour (the job was lost)."""
    rendering_since = now - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    return Q(state=ReportState.RENDERING, started_at__lt=rendering_since) | Q(
        state=ReportState.QUEUED, requested_at__lt=now - NEVER_STARTS_AFTER
    )


def reports_recover():
    """Fail the reports a job left behind, each with a plain reason and a Retry button. Nothing is queued again by
    itself, so a report that kills its worker every time cannot go round for ever. Returns how many it failed."""
    stuck = _stuck(timezone.now())
    failed = 0
    for report_id, state in Report.objects.filter(stuck).values_list("pk", "state"):
        # Checked again under the row's lock: a job may have finished it since.
        failed += _fail(report_id, STOPPED if state == ReportState.RENDERING else NOT_STARTED, stuck=stuck) is not None
    return failed
