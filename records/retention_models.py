"""Retention of pupils' child protection files (issue 9 §8).

A pupil's file is every case they are involved in. It is reviewed once its review date comes: the date of birth
plus `SAFEGUARD_RETENTION_YEARS` (25 by default), or a later date a DSL set at a review. A legal hold stops any
disposal while it stands. Every review ends in a decision by a named DSL who re-entered their password or code:
keep (review again a year on), extend the review date (with the reason), or dispose.

The tables here are append-only (PostgreSQL refuses UPDATE and DELETE), so "disposed" cannot mean rows vanishing
inside the app: a disposal decision is itself the entry saying what was destroyed, and from it on the file is
hidden from every list of the retention queue and from the pupil register. Erasing the rows is an operator's step
outside the app (README, "Retention").
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from incidents.models import ReauthMethod
from safeguard.models import Pupil


class LegalHold(models.Model):
    """A hold on a pupil's file (a claim, an inquiry, a police request): nothing is disposed while it stands."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="legal_holds")
    reason = models.TextField("Why the file must be kept")
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["placed_at", "pk"]

    def __str__(self):
        return f"Legal hold on {self.pupil}"


class LegalHoldLift(models.Model):
    """A hold lifted, with the reason; the hold stays on record."""

    hold = models.OneToOneField(LegalHold, on_delete=models.PROTECT, related_name="lift")
    reason = models.TextField("Why the hold is lifted")
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["lifted_at", "pk"]

    def __str__(self):
        return f"Lifted: {self.hold}"


class RetentionOutcome(models.TextChoices):
    KEEP = "keep", "Keep the file (review again in a year)"
    EXTEND = "extend", "Keep the file until a later review date"
    DISPOSE = "dispose", "Dispose of the file"


class RetentionDecision(models.Model):
    """A review's decision, signed by the DSL who made it. A disposal is the entry saying what was destroyed."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="retention_decisions")
    outcome = models.CharField(max_length=10, choices=RetentionOutcome.choices)
    reason = models.TextField()
    # The date the file is next reviewed on (keep, extend); none after a disposal.
    next_review_on = models.DateField(null=True, blank=True)
    # For a disposal: what the file held when it was disposed of (its cases, by reference), so the entry says so.
    disposed_summary = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now, editable=False)
    reauth_method = models.CharField(max_length=12, choices=ReauthMethod.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="retention_decision_is_complete",
                condition=(Q(outcome__in=["keep", "extend"], next_review_on__isnull=False, disposed_summary=""))
                | Q(outcome="dispose", next_review_on__isnull=True),
            ),
            # A file is disposed of once.
            models.UniqueConstraint(fields=["pupil"], condition=Q(outcome="dispose"), name="retention_one_disposal"),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()}: {self.pupil}"
