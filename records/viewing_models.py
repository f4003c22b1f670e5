"""The imagery-viewing log and the custody of devices (domain.md §4; seed 004 §§3.8 and 5.1).

Nothing here holds an image: a viewing is described in words, a device by what it is. Every row is written once
and never changed (the database refuses it on PostgreSQL): a signature, and each step in a device's custody, is
a new row. Only the headteacher's delegation of viewing ends, by a dated, attributed change with history.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from incidents.models import Incident, Involvement, ReauthMethod
from safeguard.models import School

# --- Imagery viewing ----------------------------------------------------------------------------------------


class ViewingReason(models.TextChoices):
    """The only three reasons seed 004 §5.1 allows for viewing imagery; anything else is refused."""

    DECIDE_ON_AGENCIES = (
        "decide_on_agencies",
        "The only way to decide whether to involve other agencies (the facts could not be established from the pupils)",
    )
    REPORT_FOR_TAKE_DOWN = (
        "report_for_take_down",
        "Needed to report the imagery to have it taken down, or to support the child or parent in reporting it",
    )
    UNAVOIDABLE = (
        "unavoidable",
        "Unavoidable: a pupil showed it directly to a member of staff, or it was found on a school device or network",
    )


class ViewingDelegation(models.Model):
    """The headteacher's delegated authority for a member of the safeguarding team other than the DSL to view
    imagery (seed 004 §5.1). Given by the head, with a reason; ended when the head says so or the person leaves
    the team (their role is checked at each viewing)."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True, editable=False
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["granted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "user"], condition=Q(ended_at__isnull=True), name="viewing_delegation_one_open"
            )
        ]

    def __str__(self):
        return f"{self.user}, delegated to view imagery at {self.school}"


class ImageryViewing(models.Model):
    """One viewing of imagery: who viewed it, who else was there, why, and what followed. Complete once the
    viewer and the headteacher have each signed it (ViewingSignature)."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="imagery_viewings")
    # The pupil in the imagery: the viewer should be of the same sex (seed 004 §5.1).
    involvement = models.ForeignKey(Involvement, on_delete=models.PROTECT, related_name="+", verbose_name="Pupil")
    viewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    viewed_at = models.DateTimeField("When it was viewed")
    present = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="Also present"
    )
    others_present = models.CharField("Anyone else present", max_length=300, blank=True)
    reason = models.CharField(max_length=30, choices=ViewingReason.choices)
    why = models.TextField("Why viewing was necessary")
    same_sex = models.BooleanField("The viewer is the same sex as the pupil")
    not_same_sex_reason = models.TextField("Why it was not possible for someone of the same sex to view it", blank=True)
    head_told = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="Headteacher told"
    )
    head_told_at = models.DateTimeField("When the headteacher was told")
    what_followed = models.TextField("What followed")
    # Copying, printing or sharing the imagery is illegal (seed 004 §5.1): the record says it was not done.
    not_copied = models.BooleanField("The imagery was not copied, printed, shared or saved")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["viewed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="imageryviewing_allowed_reason", condition=Q(reason__in=ViewingReason.values) & ~Q(why="")
            ),
            models.CheckConstraint(
                name="imageryviewing_same_sex_or_reason", condition=Q(same_sex=True) | ~Q(not_same_sex_reason="")
            ),
            models.CheckConstraint(name="imageryviewing_not_copied", condition=Q(not_copied=True)),
            models.CheckConstraint(
                name="imageryviewing_someone_else_present", condition=~Q(present=models.F("viewed_by"))
            ),
            models.CheckConstraint(name="imageryviewing_what_followed", condition=~Q(what_followed="")),
        ]

    def __str__(self):
        return f"Imagery viewed {timezone.localtime(self.viewed_at):%d %B %Y %H:%M}"


class ViewingSigner(models.TextChoices):
    VIEWER = "viewer", "The person who viewed it"
    HEADTEACHER = "headteacher", "The headteacher"


class ViewingSignature(models.Model):
    """The viewer's or the headteacher's signature on a viewing record, after re-entering a password or code."""

    viewing = models.ForeignKey(ImageryViewing, on_delete=models.PROTECT, related_name="signatures")
    signer = models.CharField(max_length=12, choices=ViewingSigner.choices)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(default=timezone.now, editable=False)
    reauthenticated_with = models.CharField(max_length=12, choices=ReauthMethod.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["viewing", "signer"], name="viewingsignature_once_each"),
        ]

    def __str__(self):
        return f"Signed by {self.get_signer_display().lower()}"


# --- Device custody -----------------------------------------------------------------------------------------


class Device(models.Model):
    """A device held, or asked for, as evidence: whose it is and what it is. Its custody is its CustodyEvents."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="devices")
    involvement = models.ForeignKey(
        Involvement, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name="Whose device"
    )
    owner_other = models.CharField(
        "Whose, if not a pupil in this case",
        max_length=200,
        blank=True,
        help_text="E.g. 'a school laptop, IT suite 2'.",
    )
    description = models.CharField(
        "What it is", max_length=300, help_text="Make, model and colour, e.g. 'black iPhone 13 in a blue case'."
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="device_has_an_owner", condition=Q(involvement__isnull=False) | ~Q(owner_other="")
            )
        ]

    def __str__(self):
        return self.description

    @property
    def owner_name(self):
        return self.involvement.name if self.involvement_id else self.owner_other


class CustodyStep(models.TextChoices):
    CONFISCATED = "confiscated", "Confiscated"
    SECURED = "secured", "Switched off and disconnected"
    LOCKED_AWAY = "locked_away", "Locked away"
    HANDED_TO_POLICE = "handed_to_police", "Handed to the police"
    REFUSED = "refused", "The pupil refused to hand it over"
    RETURNED = "returned", "Returned"


# The chain of custody: which step may follow which (the first step is a confiscation or a refusal). A device handed
# to the police or returned has left the school's hands.
NEXT_STEPS = {
    None: (CustodyStep.CONFISCATED, CustodyStep.REFUSED),
    CustodyStep.REFUSED: (CustodyStep.CONFISCATED, CustodyStep.HANDED_TO_POLICE),
    CustodyStep.CONFISCATED: (
        CustodyStep.SECURED,
        CustodyStep.LOCKED_AWAY,
        CustodyStep.HANDED_TO_POLICE,
        CustodyStep.RETURNED,
    ),
    CustodyStep.SECURED: (CustodyStep.LOCKED_AWAY, CustodyStep.HANDED_TO_POLICE, CustodyStep.RETURNED),
    CustodyStep.LOCKED_AWAY: (CustodyStep.HANDED_TO_POLICE, CustodyStep.RETURNED),
    CustodyStep.HANDED_TO_POLICE: (),
    CustodyStep.RETURNED: (),
}


class CustodyEvent(models.Model):
    """One step in a device's chain of custody, dated and attributed; never changed."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="events")
    step = models.CharField(max_length=20, choices=CustodyStep.choices)
    at = models.DateTimeField("When")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name="By"
    )
    switched_off = models.BooleanField("Switched off", null=True, blank=True)
    disconnected = models.BooleanField(
        "Disconnected from every network (flight mode, Wi-Fi off)", null=True, blank=True
    )
    where = models.CharField("Where it is locked away", max_length=300, blank=True)
    officer = models.CharField("The officer (name, rank and number)", max_length=200, blank=True)
    reference = models.CharField("The police reference", max_length=100, blank=True)
    returned_to = models.CharField("Returned to", max_length=200, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="custodyevent_step_has_its_details",
                condition=Q(
                    step="confiscated", by__isnull=False, switched_off__isnull=False, disconnected__isnull=False
                )
                | Q(step="secured", switched_off=True, disconnected=True)
                | (Q(step="locked_away", by__isnull=False) & ~Q(where=""))
                | (Q(step="handed_to_police") & ~Q(officer="") & ~Q(reference=""))
                | (Q(step="refused") & ~Q(notes=""))
                | (Q(step="returned") & ~Q(returned_to="")),
            )
        ]

    def __str__(self):
        return f"{self.get_step_display()} {timezone.localtime(self.at):%d %B %Y %H:%M}"
