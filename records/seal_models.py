"""Seals: the fingerprint of a case's signed-off record, taken as it closes, and the signed addenda added after.

Both are append-only: a reopened case keeps its old seals, and the next closure adds a new one.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from incidents.models import ChronologyEntry, Closure, Incident, ReauthMethod


class Seal(models.Model):
    """The SHA-256 of a case's record (records.services.seals says what that is), taken inside its closure."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="seals")
    closure = models.OneToOneField(Closure, on_delete=models.PROTECT, related_name="seal")
    # The chronology line that states the seal, written just after it (so not inside what it covers).
    entry = models.OneToOneField(ChronologyEntry, on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField("SHA-256", max_length=64)
    # Which fields of which tables the seal covers, and the last row of each it saw: a field or a table added to
    # the record later is not held against an older seal.
    manifest = models.JSONField()
    sealed_at = models.DateTimeField(default=timezone.now, editable=False)
    sealed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["sealed_at", "pk"]
        indexes = [models.Index(fields=["incident", "-id"], name="seal_latest")]

    def __str__(self):
        return f"Seal {self.sha256[:12]}… of {timezone.localtime(self.sealed_at):%d %B %Y %H:%M}"


class Addendum(models.Model):
    """Later information on a sealed record: signed by its writer, with its own SHA-256 linked to the seal's."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="addenda")
    seal = models.ForeignKey(Seal, on_delete=models.PROTECT, related_name="addenda")
    entry = models.OneToOneField(ChronologyEntry, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now, editable=False)
    reauthenticated_with = models.CharField(max_length=12, choices=ReauthMethod.choices)
    sha256 = models.CharField("SHA-256", max_length=64)
    history = HistoricalRecords()

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name_plural = "addenda"

    def __str__(self):
        return f"Addendum of {timezone.localtime(self.added_at):%d %B %Y %H:%M}"


class SealCheck(models.Model):
    """One run of the check that every sealed record of a school still matches its seal, by whom, and what failed."""

    school = models.ForeignKey("safeguard.School", on_delete=models.PROTECT, related_name="+")
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(default=timezone.now, editable=False)
    records_checked = models.PositiveIntegerField()
    addenda_checked = models.PositiveIntegerField()
    # [{"incident": id, "problem": text}, ...] for each record that no longer matches.
    failures = models.JSONField(default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-checked_at", "-pk"]
        indexes = [models.Index(fields=["school", "-checked_at", "-id"], name="seal_check_latest")]

    def __str__(self):
        return f"Seals checked {timezone.localtime(self.checked_at):%d %B %Y %H:%M}"
