"""The child protection file follows the pupil (issue 10 §2; domain.md §6, "transfer when a pupil leaves").

When a pupil leaves, the DSL team starts a **transfer** to the receiving school's DSL; what happened to it is a
series of **events**: the file sent (the pupil-file report that went, with its SHA-256), its receipt confirmed, or
the transfer cancelled with a reason. A **file received** from another school joins the pupil's chronology.

Every table here is append-only (PostgreSQL refuses UPDATE and DELETE): a transfer's state is read from its
events, never written over, and a mistake is put right by cancelling with the reason and starting again.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from safeguard.models import Pupil, School

from .report_models import Report

URN = RegexValidator(r"^\d{6,8}$", "A URN is the school's 6-digit unique reference number, as on GIAS.")


class SendMethod(models.TextChoices):
    """Secure routes only: the file goes separately from the main pupil file, never as an ordinary email."""

    SECURE_EMAIL = "secure_email", "Secure (encrypted) email"
    TRANSFER_SERVICE = "transfer_service", "Secure transfer service (school to school)"
    BY_HAND = "by_hand", "By hand, signed for"


class ConfirmationMethod(models.TextChoices):
    EMAIL = "email", "Email from the receiving school"
    PHONE = "phone", "Phone call"
    SIGNED_RECEIPT = "signed_receipt", "Signed receipt"
    TRANSFER_SERVICE = "transfer_service", "Confirmed in the transfer service"


class Contact(models.Model):
    """The other school and its DSL: where a file goes to, or comes from."""

    other_school = models.CharField("School", max_length=200)
    other_urn = models.CharField("URN", max_length=8, blank=True, validators=[URN], help_text="If known.")
    contact_name = models.CharField("Their designated safeguarding lead", max_length=200)
    contact_email = models.EmailField("Their email", blank=True)
    contact_phone = models.CharField("Their phone", max_length=40, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                name="%(class)s_has_a_way_to_reach", condition=~Q(contact_email="") | ~Q(contact_phone="")
            )
        ]


class FileTransfer(Contact):
    """A pupil's child protection file going to their new school, started by the DSL team when the pupil leaves."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="file_transfers")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="file_transfers")
    leaving_on = models.DateField("The day the pupil leaves (or left)")
    reason = models.TextField("Why the pupil is leaving", blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta(Contact.Meta):
        ordering = ["started_at", "pk"]
        indexes = [models.Index(fields=["school", "leaving_on"], name="transfer_school_leaving")]

    def __str__(self):
        return f"Transfer to {self.other_school}"


class TransferEventKind(models.TextChoices):
    SENT = "sent", "File sent"
    CONFIRMED = "confirmed", "Receipt confirmed"
    CANCELLED = "cancelled", "Transfer cancelled"


class TransferEvent(models.Model):
    """One step of a transfer, recorded once: the file sent, its receipt confirmed, or the transfer cancelled."""

    transfer = models.ForeignKey(FileTransfer, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=10, choices=TransferEventKind.choices)
    at = models.DateTimeField("When")
    # Sent: which rendered pupil file went, its fingerprint as it went, how, and the route's reference.
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    report_sha256 = models.CharField("SHA-256 of the file sent", max_length=64, blank=True)
    send_method = models.CharField("How it was sent", max_length=20, choices=SendMethod.choices, blank=True)
    reference = models.CharField("Reference", max_length=200, blank=True)
    # Confirmed: who at the receiving school confirmed receipt, and how the confirmation came.
    confirmed_by = models.CharField("Who confirmed receipt", max_length=200, blank=True)
    confirmation_method = models.CharField(
        "How the confirmation came", max_length=20, choices=ConfirmationMethod.choices, blank=True
    )
    # Cancelled: why (a wrong school, the pupil stays); notes on the other steps.
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["transfer", "kind"], name="transfer_event_once"),
            models.CheckConstraint(
                name="transfer_event_is_complete",
                condition=Q(kind="sent", report__isnull=False, send_method__in=SendMethod.values) & ~Q(report_sha256="")
                | Q(kind="confirmed", confirmation_method__in=ConfirmationMethod.values) & ~Q(confirmed_by="")
                | Q(kind="cancelled") & ~Q(reason=""),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.transfer}"


class FileReceived(Contact):
    """A pupil's child protection file received from their previous school: what it holds, in words."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="files_received")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="files_received")
    received_at = models.DateTimeField("When it was received")
    method = models.CharField("How it came", max_length=20, choices=SendMethod.choices)
    summary = models.TextField("What the file holds")
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta(Contact.Meta):
        ordering = ["received_at", "pk"]
        verbose_name_plural = "files received"

    def __str__(self):
        return f"File received from {self.other_school}"
