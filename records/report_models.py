"""PDF reports (issue 10 §1, §3): a case record, a pupil's child protection file, or a school's report for a period.

A report is asked for on a page and rendered by a Celery job; the row follows it from queued to rendering to ready
(or failed, with the reason, and retried). The PDF is kept on disk under a random name, with its SHA-256 here, and
is only ever served through the permission-checked download page, each download in the access log.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from incidents.models import Incident
from safeguard.models import Pupil, School


class ReportKind(models.TextChoices):
    CASE_RECORD = "case_record", "Case record"
    PUPIL_FILE = "pupil_file", "Child protection file of a pupil"
    SCHOOL = "school", "School safeguarding report"


class ReportState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RENDERING = "rendering", "Rendering"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class Report(models.Model):
    """One PDF asked for by one person: what it covers, where it stands, and, once ready, the file's fingerprint."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    # What it covers: a case (case record), a pupil (their file), or a period (the school report).
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="reports", null=True, blank=True)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="reports", null=True, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    period_label = models.CharField(max_length=100, blank=True)  # "Autumn term 2026", "2025 to 2026", or blank
    # The protective marking printed on every page, fixed when asked for (SAFEGUARD_REPORT_MARKING by default).
    marking = models.CharField(max_length=60)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now, editable=False)
    state = models.CharField(max_length=10, choices=ReportState.choices, default=ReportState.QUEUED)
    # Progress while rendering: cases (or pages) done out of the total, for the progress bar.
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)  # why the last attempt failed, in plain words
    stored_name = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["school", "-requested_at", "-id"], name="report_school_latest")]
        constraints = [
            models.CheckConstraint(
                name="report_covers_its_kind",
                condition=(Q(kind="case_record", incident__isnull=False, pupil__isnull=True))
                | Q(kind="pupil_file", pupil__isnull=False, incident__isnull=True)
                | Q(
                    kind="school",
                    incident__isnull=True,
                    pupil__isnull=True,
                    period_start__isnull=False,
                    period_end__isnull=False,
                    period_start__lte=models.F("period_end"),
                ),
            ),
            models.CheckConstraint(
                name="report_ready_has_file",
                condition=~Q(state="ready") | (Q(stored_name__isnull=False) & ~Q(sha256="")),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_state_display().lower()})"
