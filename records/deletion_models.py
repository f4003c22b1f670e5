"""Deletion and take-down (domain.md §4; seed 004 §5.2 and §8).

When a case is managed in school, each pupil involved is asked to delete the imagery by a deadline, from their
devices, their cloud storage and social media, and to confirm that they have; a refusal is recorded and is a
reason to involve the police. Take-down reports to a platform, Report Remove (the IWF) or CEOP are logged with
their dates and results.

Every row here is written once and never changed (PostgreSQL refuses UPDATE and DELETE): a request is answered
by a new response row, and a take-down report is followed up by a new report row that follows it.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from incidents.models import Incident, Involvement
from referrals.models import Agency, ContactMethod, Outcome


class DeletionRequest(models.Model):
    """A pupil asked to delete the imagery, everywhere they hold it, by a deadline (seed 004 §5.2)."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="deletion_requests")
    involvement = models.ForeignKey(Involvement, on_delete=models.PROTECT, related_name="deletion_requests")
    asked_at = models.DateTimeField("When the pupil was asked")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    deadline = models.DateTimeField("Delete by")
    told_consequences = models.BooleanField(
        "The pupil was told calmly that keeping or sharing the imagery is against the law, and that the police may "
        "become involved if it is not deleted",
        default=False,
    )
    where_held = models.TextField(
        "Where it is known to be held",
        blank=True,
        help_text="E.g. 'her phone; a Snapchat story'. Describe it in words: never look at, copy or keep the imagery.",
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["asked_at", "pk"]
        # The dashboard's overdue deadlines read one range of this index, soonest first.
        indexes = [models.Index(fields=["deadline", "id"], name="deletion_request_deadline")]
        constraints = [
            models.CheckConstraint(name="deletion_deadline_after_asking", condition=Q(deadline__gt=F("asked_at")))
        ]

    def __str__(self):
        return f"Deletion asked of {self.involvement.name}, by {timezone.localtime(self.deadline):%d %B %Y %H:%M}"


class DeletionResponseKind(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed deleted"
    REFUSED = "refused", "Refused to delete"


class WhoAnswered(models.TextChoices):
    PUPIL = "pupil", "The pupil"
    PARENT = "parent", "A parent or carer"
    OTHER = "other", "Someone else"


class WhereDeleted(models.TextChoices):
    DELETED = "deleted", "Deleted"
    NONE_HELD = "none_held", "None held there"


# The three places a pupil is asked to delete from (seed 004 §5.2: "across all devices, online storage or social
# media sites"), as (field, label): a confirmation answers every one.
DELETION_PLACES = [
    ("devices", "Devices (phones, tablets, computers)"),
    ("cloud_storage", "Cloud storage and backups"),
    ("social_media", "Social media and messaging accounts"),
]


def _place(label):
    return models.CharField(label, max_length=12, choices=WhereDeleted.choices, blank=True)


class DeletionResponse(models.Model):
    """The answer to a deletion request: confirmed (who, when, how, and who checked it), or refused.

    A request's latest response stands; an earlier one stays on record.
    """

    request = models.ForeignKey(DeletionRequest, on_delete=models.PROTECT, related_name="responses")
    kind = models.CharField(max_length=12, choices=DeletionResponseKind.choices)
    at = models.DateTimeField("When")
    who = models.CharField("Who answered", max_length=12, choices=WhoAnswered.choices)
    who_name = models.CharField(
        "Their name",
        max_length=200,
        blank=True,
        help_text="For a parent, carer or someone else: e.g. 'mother, Ms Ali'.",
    )
    method = models.CharField("How", max_length=20, choices=ContactMethod.choices)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    devices = _place(DELETION_PLACES[0][1])
    cloud_storage = _place(DELETION_PLACES[1][1])
    social_media = _place(DELETION_PLACES[2][1])
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="deletion_response_is_complete",
                condition=(
                    Q(kind="confirmed", checked_by__isnull=False)
                    & ~Q(devices="")
                    & ~Q(cloud_storage="")
                    & ~Q(social_media="")
                )
                | (Q(kind="refused", devices="", cloud_storage="", social_media="") & ~Q(notes="")),
            ),
            models.CheckConstraint(name="deletion_response_names_who", condition=Q(who="pupil") | ~Q(who_name="")),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.request.involvement.name}"

    @property
    def places(self):
        """(place, what was confirmed there) for a confirmation."""
        return [(label, getattr(self, f"get_{field}_display")()) for field, label in DELETION_PLACES]

    @property
    def who_display(self):
        return self.get_who_display() + (f" ({self.who_name})" if self.who_name else "")


class TakedownRoute(models.TextChoices):
    # The IWF (Report Remove) and CEOP are the agencies referrals calls notifications; their values and names are
    # the same here, so a report reads alike wherever it is recorded.
    PLATFORM = "platform", "The platform's own reporting"
    IWF = Agency.IWF.value, Agency.IWF.label
    CEOP = Agency.CEOP.value, Agency.CEOP.label


# The results a take-down report can have: the ones referrals uses for the IWF, and "another" with notes.
TAKEDOWN_RESULTS = [Outcome.IMAGERY_REMOVED, Outcome.IMAGERY_NOT_REMOVED, Outcome.OTHER]


class TakedownReport(models.Model):
    """A report asking for imagery to be taken down (seed 004 §8), or a follow-up of one: each is a row of its own.

    A follow-up `follows` the report it chases, keeps its platform and route, and records its own date, any new
    reference, and the result if one came.
    """

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="takedown_reports")
    follows = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="follow_ups", null=True, blank=True, editable=False
    )
    platform = models.CharField(max_length=200, help_text="E.g. 'Snapchat', 'a website', 'a group chat on WhatsApp'.")
    route = models.CharField("How it was reported", max_length=20, choices=TakedownRoute.choices)
    made_at = models.DateTimeField("When")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=100, blank=True, help_text="The report's reference or case number.")
    result = models.CharField(
        max_length=30, blank=True, choices=[(o.value, o.label) for o in TAKEDOWN_RESULTS], default=""
    )
    result_at = models.DateTimeField("When the result came", null=True, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["made_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="takedown_result_is_dated",
                condition=Q(result="", result_at__isnull=True) | (~Q(result="") & Q(result_at__isnull=False)),
            ),
            models.CheckConstraint(name="takedown_other_result_noted", condition=~Q(result="other") | ~Q(notes="")),
        ]

    def __str__(self):
        return f"Take-down: {self.platform} ({self.get_route_display()})"
