"""Information sharing and inter-agency meetings (issue 9, sections 6 and 7).

Ofsted asks whether records show "effective partnership working and sharing of information" and "attendance at
or contribution to inter-agency meetings and conferences" (seed 004 §7). Every row here is written once and never
changed (the tables are append-only in PostgreSQL): a correction is a new row naming the one it corrects.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from incidents.models import Action, Incident
from referrals.models import Agency, ContactMethod

# --- Information sharing --------------------------------------------------------------------------------------


class Recipient(models.TextChoices):
    AGENCY = "agency", "An agency"
    SCHOOL = "school", "Another school or setting"
    PERSON = "person", "A person"


class LawfulBasis(models.TextChoices):
    # The Data Protection Act 2018 names the safeguarding of children as a condition for sharing special category
    # data (Schedule 1, paragraph 18); the DfE's advice is that data protection is no barrier to sharing to keep a
    # child safe. It is the usual basis for a school's safeguarding team, so it is the default.
    SAFEGUARDING = (
        "safeguarding",
        "Safeguarding of children and individuals at risk (Data Protection Act 2018, Schedule 1, paragraph 18)",
    )
    PUBLIC_TASK = "public_task", "Public task: the school's statutory safeguarding duty (UK GDPR Article 6(1)(e))"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation, e.g. a court order (UK GDPR Article 6(1)(c))"
    VITAL_INTERESTS = "vital_interests", "Vital interests: to protect someone's life (UK GDPR Article 6(1)(d))"
    CONSENT = "consent", "Consent of the person, or of a parent for a young child (UK GDPR Article 6(1)(a))"
    OTHER = "other", "Another basis (describe it)"


class InformationSharing(models.Model):
    """One sharing of information about a case, or one decision not to share, with the reason."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="information_sharing")
    shared = models.BooleanField("Was the information shared?")
    recipient = models.CharField("Shared with", max_length=10, choices=Recipient.choices)
    agency = models.CharField(max_length=20, choices=Agency.choices, blank=True)
    agency_other = models.CharField("Agency, if another", max_length=200, blank=True)
    recipient_name = models.CharField(
        "Name", max_length=200, blank=True, help_text="The person and their role, or the school, or who at the agency."
    )
    information = models.TextField("What was shared", help_text="Or, if not shared, what was asked for.")
    at = models.DateTimeField("When")
    reason = models.TextField("Why")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField("How", max_length=20, choices=ContactMethod.choices, blank=True)
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices, blank=True)
    lawful_basis_other = models.CharField("The other lawful basis", max_length=300, blank=True)
    # A correction is a new entry; the entry it corrects stays, marked as corrected.
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, related_name="corrected_by", null=True, blank=True
    )
    correction_note = models.TextField("What was wrong", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "information sharing"
        constraints = [
            models.CheckConstraint(
                name="sharing_shared_has_how_and_basis",
                condition=Q(shared=False, lawful_basis="", method="")
                | Q(shared=True) & ~Q(lawful_basis="") & ~Q(method=""),
            ),
            models.CheckConstraint(name="sharing_agency_named", condition=~Q(recipient="agency") | ~Q(agency="")),
            models.CheckConstraint(
                name="sharing_correction_says_why", condition=Q(corrects__isnull=True) | ~Q(correction_note="")
            ),
        ]

    def __str__(self):
        return f"{'Shared with' if self.shared else 'Not shared with'} {self.recipient_label}"

    def clean(self):
        errors = {}
        if self.recipient == Recipient.AGENCY:
            if not self.agency:
                errors["agency"] = "Please choose the agency."
            elif self.agency == Agency.OTHER and not self.agency_other.strip():
                errors["agency_other"] = "Please name the agency."
        elif not self.recipient_name.strip():
            errors["recipient_name"] = (
                "Please name the school or setting."
                if self.recipient == Recipient.SCHOOL
                else "Please name the person."
            )
        if self.shared:
            if not self.method:
                errors["method"] = "Please say how it was shared."
            if self.lawful_basis == LawfulBasis.OTHER and not self.lawful_basis_other.strip():
                errors["lawful_basis_other"] = "Please describe the lawful basis."
        if errors:
            raise ValidationError(errors)

    @property
    def recipient_label(self):
        """Who it was shared with (or not), in words."""
        if self.recipient == Recipient.AGENCY:
            agency = self.agency_other if self.agency == Agency.OTHER else self.get_agency_display()
            return f"{agency} ({self.recipient_name})" if self.recipient_name else agency
        return self.recipient_name

    @property
    def lawful_basis_label(self):
        if self.lawful_basis == LawfulBasis.OTHER:
            return self.lawful_basis_other
        return self.get_lawful_basis_display()


# --- Inter-agency meetings ------------------------------------------------------------------------------------


class AgencyMeetingKind(models.TextChoices):
    STRATEGY = "strategy", "Strategy meeting or discussion"
    CONFERENCE = "conference", "Child protection conference"
    CORE_GROUP = "core_group", "Core group meeting"
    TEAM_AROUND_THE_FAMILY = "taf", "Team around the family"
    OTHER = "other", "Another meeting"


class AgencyMeeting(models.Model):
    """A meeting called by another agency about the child: who from the school was invited, who went (or why no one
    did), whether a report was sent, and what it decided for the school."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="agency_meetings")
    kind = models.CharField("Kind of meeting", max_length=12, choices=AgencyMeetingKind.choices)
    kind_other = models.CharField("Kind, if another", max_length=200, blank=True)
    held_at = models.DateTimeField("When it was held")
    called_by = models.CharField("Called by", max_length=200, blank=True)
    no_attendance_reason = models.TextField("Why no one from the school attended", blank=True)
    report_sent = models.BooleanField("A report from the school was sent")
    others_present = models.TextField("Others there", blank=True)
    outcome = models.TextField("Outcome")
    actions_for_school = models.TextField("Actions for the school", blank=True)
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, related_name="corrected_by", null=True, blank=True
    )
    correction_note = models.TextField("What was wrong", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["held_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="agencymeeting_correction_says_why", condition=Q(corrects__isnull=True) | ~Q(correction_note="")
            ),
        ]

    def __str__(self):
        return f"{self.kind_label}, {timezone.localtime(self.held_at):%d %B %Y}"

    def clean(self):
        if self.kind == AgencyMeetingKind.OTHER and not self.kind_other.strip():
            raise ValidationError({"kind_other": "Please say what kind of meeting it was."})

    @property
    def kind_label(self):
        return self.kind_other if self.kind == AgencyMeetingKind.OTHER else self.get_kind_display()


class AgencyMeetingStaff(models.Model):
    """A member of the school's staff invited to an inter-agency meeting, or there: whether each went is what
    Ofsted looks for."""

    meeting = models.ForeignKey(AgencyMeeting, on_delete=models.PROTECT, related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited = models.BooleanField()
    attended = models.BooleanField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="agencymeeting_staff_once"),
            models.CheckConstraint(
                name="agencymeeting_staff_invited_or_there", condition=Q(invited=True) | Q(attended=True)
            ),
        ]

    def __str__(self):
        return f"{self.user}: {'attended' if self.attended else 'invited, did not attend'}"


class AgencyMeetingAction(models.Model):
    """A case action that came from an inter-agency meeting (made through incidents.services.action_add)."""

    meeting = models.ForeignKey(AgencyMeeting, on_delete=models.PROTECT, related_name="action_links")
    action = models.OneToOneField(Action, on_delete=models.PROTECT, related_name="agency_meeting_link")
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"Action from {self.meeting}"
