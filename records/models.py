"""What a case's record holds beyond the decision and referrals: documents (never imagery), the logs of imagery
viewing, device custody, deletion and take-down, information sharing, inter-agency meetings, seals and retention."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from incidents.models import Incident

from .documents import DocumentKind

# --- Documents (issue 9 §1: no imagery, ever) ----------------------------------------------------------------


class Attachment(models.Model):
    """A document attached to a case (a referral form, a letter, police correspondence, minutes). Never changed or
    deleted once stored: a wrong file is withdrawn (AttachmentWithdrawal) and stays listed.

    The file is kept under a random name outside the web root; the name it was uploaded with is only a label.
    """

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="attachments")
    description = models.CharField("What this document is", max_length=300)
    original_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=64, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=DocumentKind.choices)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    # Pictures found inside the document (a logo, a scan): accepted only with the uploader's confirmation that none
    # shows a child, recorded here with who gave it and when.
    has_pictures = models.BooleanField(default=False)
    no_child_images_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    no_child_images_confirmed_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="attachment_pictures_confirmed",
                condition=Q(has_pictures=False)
                | Q(no_child_images_confirmed_by__isnull=False, no_child_images_confirmed_at__isnull=False),
            )
        ]

    def __str__(self):
        return f"{self.description} ({self.original_name})"


class AttachmentWithdrawal(models.Model):
    """A document withdrawn from a case (the wrong file, say), with the reason. The file stays stored and listed."""

    attachment = models.OneToOneField(Attachment, on_delete=models.PROTECT, related_name="withdrawal")
    reason = models.TextField()
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["withdrawn_at", "pk"]

    def __str__(self):
        return f"Withdrawn: {self.attachment}"


# Each section's models live in a module of their own; importing them here is how Django finds them.
from .deletion_models import (  # noqa: E402, F401
    DeletionRequest,
    DeletionResponse,
    TakedownReport,
)
from .inspection_models import (  # noqa: E402, F401
    InspectionGrant,
    InspectionGrantCase,
    InspectionGrantReport,
    InspectionNotice,
    InspectionRevocation,
)
from .reminder_models import Reminder, ReminderDone, ReminderEmail  # noqa: E402, F401
from .report_models import Report, ReportKind, ReportState  # noqa: E402, F401
from .retention_models import LegalHold, LegalHoldLift, RetentionDecision  # noqa: E402, F401
from .seal_models import Addendum, Seal, SealCheck  # noqa: E402, F401
from .sharing_models import (  # noqa: E402, F401
    AgencyMeeting,
    AgencyMeetingAction,
    AgencyMeetingKind,
    AgencyMeetingStaff,
    InformationSharing,
    LawfulBasis,
    Recipient,
)
from .transfer_models import FileReceived, FileTransfer, TransferEvent  # noqa: E402, F401
from .viewing_models import (  # noqa: E402, F401
    CustodyEvent,
    Device,
    ImageryViewing,
    ViewingDelegation,
    ViewingSignature,
)
