"""Inspector access (issue 10 §4): a school's grant of read-only access to chosen cases and reports, for a window.

A grant names the inspector, the school, the cases and reports (one row each), the window, who gave it, when and
why. While it is in force (started, not ended, not revoked) the inspector holds the INSPECTOR role in that school
and may open exactly what it names (records.inspection registers this with the core). The end is read on every
request, so access stops at the end of the window with nothing left to run; a revocation is a row of its own, and
stops it at once. Nothing here is ever changed: PostgreSQL refuses UPDATE and DELETE on these tables.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from incidents.models import Incident, ReauthMethod
from safeguard.models import School

from .report_models import Report


class InspectionGrantQuerySet(models.QuerySet):
    def in_force(self, at=None):
        """Grants whose window holds `at` (now) and that were not revoked."""
        at = at or timezone.now()
        return self.filter(starts_at__lte=at, ends_at__gt=at, revocation__isnull=True)


class InspectionGrant(models.Model):
    """Read-only access for one inspector to chosen cases and reports of one school, from `starts_at` to `ends_at`."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="inspection_grants")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="inspection_grants")
    starts_at = models.DateTimeField("Access starts")
    ends_at = models.DateTimeField("Access ends")
    reason = models.TextField("Why", help_text="For example, 'Ofsted inspection, lead inspector'.")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now, editable=False)
    # Opening children's records to someone outside the school is signed, as a sign-off is.
    reauth_method = models.CharField(max_length=12, choices=ReauthMethod.choices)
    history = HistoricalRecords()

    objects = InspectionGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at", "-pk"]
        indexes = [
            # Read on every request of the inspector (their roles), and by the school's page, newest first.
            models.Index(fields=["inspector", "ends_at"], name="inspection_grant_inspector"),
            models.Index(fields=["school", "-granted_at", "-id"], name="inspection_grant_school"),
        ]
        constraints = [
            models.CheckConstraint(name="inspection_grant_ends_after_start", condition=Q(ends_at__gt=F("starts_at")))
        ]

    def __str__(self):
        return f"Inspector access for {self.inspector} at {self.school}"


class InspectionGrantCase(models.Model):
    """A case the grant opens."""

    grant = models.ForeignKey(InspectionGrant, on_delete=models.PROTECT, related_name="case_rows")
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["grant", "incident"], name="inspection_case_once")]

    def __str__(self):
        return f"Case {self.incident_id} in {self.grant}"


class InspectionGrantReport(models.Model):
    """A report the grant opens."""

    grant = models.ForeignKey(InspectionGrant, on_delete=models.PROTECT, related_name="report_rows")
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["grant", "report"], name="inspection_report_once")]

    def __str__(self):
        return f"Report {self.report_id} in {self.grant}"


class InspectionRevocation(models.Model):
    """A grant ended early, with the reason; the grant stays on record."""

    grant = models.OneToOneField(InspectionGrant, on_delete=models.PROTECT, related_name="revocation")
    reason = models.TextField("Why access ends now")
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    def __str__(self):
        return f"Revoked: {self.grant}"


class InspectionNotice(models.Model):
    """The email telling the inspector of the grant (their invitation, if new) was sent: the one row per grant that
    the sending inserts before it sends is what makes a second run send nothing."""

    grant = models.OneToOneField(InspectionGrant, on_delete=models.PROTECT, related_name="notice")
    sent_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    def __str__(self):
        return f"Emailed: {self.grant}"
