"""The case: a concern as logged, the people involved, the initial review meeting, actions and the chronology.

No model here has a file field, and none may ever have one: images and videos of children are never copied,
stored or saved (seed 001 §7.2, seed 004 §5). Imagery is described in words only.

Nothing is deleted or rewritten: corrections, addenda and reversals are new rows or dated markers, and every
change leaves a history row naming the person who made it (safeguard.audit.audited_save).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from safeguard.models import Pupil, School


class CaseState(models.TextChoices):
    DRAFT = "draft", "Draft, not yet reported"
    REPORTED = "reported", "New concern"
    UNDER_REVIEW = "under_review", "Under review"
    AWAITING_SIGN_OFF = "awaiting_sign_off", "Awaiting sign-off"
    # A review meeting found that the police or children's social care must be told, and they have not been yet.
    REFERRAL_REQUIRED = "referral_required", "Referral required"
    REFERRED = "referred", "Referred"
    MANAGED_IN_SCHOOL = "managed_in_school", "Managed in school"
    CLOSED = "closed", "Closed and signed off"
    REOPENED = "reopened", "Reopened"


class HowCameToLight(models.TextChoices):
    TOLD_BY_CHILD = "told_by_child", "The child told a member of staff"
    TOLD_BY_FRIEND = "told_by_friend", "A friend or another pupil told us"
    TOLD_BY_PARENT = "told_by_parent", "A parent or carer told us"
    SEEN_BY_STAFF = "seen_by_staff", "A member of staff saw or heard something"
    FOUND_ON_DEVICE = "found_on_device", "Found on a device"
    MONITORING = "monitoring", "Flagged by filtering or monitoring"
    POLICE_OR_CEOP = "police_or_ceop", "Reported to us by the police or CEOP"
    OTHER_SCHOOL_OR_AGENCY = "other_school_or_agency", "Another school or agency told us"
    OTHER = "other", "Another way"


class FourC(models.TextChoices):
    """The 4Cs of online risk (seed 001 §2, KCSIE)."""

    CONTENT = "content", "Content: exposure to harmful material"
    CONTACT = "contact", "Contact: harmful interaction with others"
    CONDUCT = "conduct", "Conduct: online behaviour that causes or risks harm"
    COMMERCE = "commerce", "Commerce: gambling, scams, financial exploitation"


class HarmKind(models.TextChoices):
    NUDES_SHARING = "nudes_sharing", "Sharing nudes or semi-nudes"
    SEXUAL_ABUSE_OR_GROOMING = "sexual_abuse_or_grooming", "Online sexual abuse or grooming"
    SEXTORTION = "sextortion", "Sextortion (sexual extortion, often for money)"
    CYBERBULLYING = "cyberbullying", "Cyberbullying"
    HARMFUL_CONTENT = "harmful_content", "Harmful content"
    RADICALISATION = "radicalisation", "Radicalisation"
    OTHER = "other", "Other"


class Incident(models.Model):
    """A case: one concern as logged by a member of staff, and all the safeguarding team's work on it."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="incidents")
    # Given when the concern is submitted, so that references run without gaps left by unfinished drafts.
    reference = models.CharField(max_length=24, blank=True, editable=False)
    state = models.CharField(max_length=20, choices=CaseState.choices, default=CaseState.DRAFT, db_index=True)
    state_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)

    occurred_at = models.DateTimeField(
        "When it happened", null=True, blank=True, help_text="Leave empty if it is not known."
    )
    came_to_light_at = models.DateTimeField("When it came to light", null=True, blank=True)
    location = models.CharField(
        "Where", max_length=200, blank=True, help_text="Where it happened or came to light, e.g. 'online, at home'"
    )
    how_came_to_light = models.CharField(max_length=30, choices=HowCameToLight.choices, blank=True)
    how_came_to_light_detail = models.TextField(blank=True)

    # The 4Cs as four flags, not a list: one case may touch several, and flags filter the same way on every database.
    category_content = models.BooleanField("Content", default=False)
    category_contact = models.BooleanField("Contact", default=False)
    category_conduct = models.BooleanField("Conduct", default=False)
    category_commerce = models.BooleanField("Commerce", default=False)
    harm_kind = models.CharField("Kind of harm", max_length=30, choices=HarmKind.choices, blank=True)
    harm_other = models.CharField("Kind of harm, if other", max_length=200, blank=True)

    # The child's words are kept verbatim and apart from the writer's observations (seed 003; seed 000).
    childs_words = models.TextField(
        "The child's own words",
        blank=True,
        help_text="Exactly what the child said, in their words. Please do not tidy, summarise or interpret.",
    )
    observations = models.TextField(
        "Your observations",
        blank=True,
        help_text="What you saw, heard and did, and any view of your own, kept apart from the child's words.",
    )
    imagery_description = models.TextField(
        "Images or videos, described in words",
        blank=True,
        help_text="What was seen and where. Never copy, save, forward or attach an image or video.",
    )

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # Seen only by the members of the team it is restricted to (policy.case_scope): for everyone else in the
    # team it is absent, as if it were another school's (a member knows the family; a colleague's own child).
    restricted = models.BooleanField(default=False, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True, editable=False
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-came_to_light_at", "-pk"]
        permissions = [
            # The reporter's own, narrower permissions: they see what they reported, never the team's later work.
            ("view_own_report", "Can see the concern they reported"),
            ("change_own_draft", "Can finish and submit their own draft concern"),
            ("sign_off_incident", "Can sign off, or send back, a decision not to refer"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "reference"], condition=~Q(reference=""), name="incident_reference_unique_in_school"
            ),
            # Once reported, a case always has its reference, when it came to light, a category and a kind of harm.
            models.CheckConstraint(
                name="incident_reported_is_complete",
                condition=Q(state="draft")
                | (
                    ~Q(reference="")
                    & Q(submitted_at__isnull=False, came_to_light_at__isnull=False)
                    & ~Q(harm_kind="")
                    & (
                        Q(category_content=True)
                        | Q(category_contact=True)
                        | Q(category_conduct=True)
                        | Q(category_commerce=True)
                    )
                ),
            ),
            models.CheckConstraint(
                name="incident_closed_has_closer",
                condition=~Q(state="closed") | Q(closed_at__isnull=False, closed_by__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["school", "state"]),
            # Each list reads one range of one index, in its own order, the same at 500 cases or 50,000.
            models.Index(
                fields=["school", "-came_to_light_at", "-id"], condition=~Q(state="draft"), name="incident_list"
            ),
            models.Index(fields=["school", "submitted_at", "id"], condition=Q(state="reported"), name="incident_inbox"),
            models.Index(fields=["school"], condition=~Q(state="draft") & ~Q(state="closed"), name="incident_open"),
        ]

    def __str__(self):
        return self.reference or f"Draft concern {self.pk}"

    def get_absolute_url(self):
        return reverse("incidents:case_detail", kwargs={"pk": self.pk})

    def clean(self):
        # The dates are checked by the services (incidents.dates), against the clock and against each other.
        if self.harm_kind == HarmKind.OTHER and not self.harm_other.strip():
            raise ValidationError({"harm_other": "Please say what kind of harm."})

    CATEGORY_FIELDS = {
        FourC.CONTENT: "category_content",
        FourC.CONTACT: "category_contact",
        FourC.CONDUCT: "category_conduct",
        FourC.COMMERCE: "category_commerce",
    }

    @property
    def categories(self):
        """The 4Cs that apply, as FourC values."""
        return [c for c, name in self.CATEGORY_FIELDS.items() if getattr(self, name)]

    @property
    def incident_date(self):
        """The date the decision criteria are judged on: when it happened, or when it came to light if unknown."""
        when = self.occurred_at or self.came_to_light_at or self.created_at
        return timezone.localdate(when)

    @property
    def is_closed(self):
        return self.state == CaseState.CLOSED


class IncidentUserObjectPermission(UserObjectPermissionBase):
    """A named person's permission on one case (safeguard.policy decides who is named, and for what)."""

    # guardian's unique (user, permission, case) index answers "which cases is this person named on".
    content_object = models.ForeignKey(Incident, on_delete=models.CASCADE)


class CaseReferenceCounter(models.Model):
    """The last case reference number given in a school in a year, so the next one needs no scan of the others."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="case_reference_counter_once")]

    def __str__(self):
        return f"{self.school_id}/{self.year}: {self.last}"


class Part(models.TextChoices):
    # "Alleged": the record states what is said to have happened, and blames no child (domain.md §7).
    HARMED = "harmed", "Harmed, or the subject of the imagery"
    CAUSED_HARM = "caused_harm", "Alleged to have caused harm or shared imagery"
    RECEIVED = "received", "Received imagery or messages"
    WITNESS = "witness", "Witness"


class InvolvementQuerySet(models.QuerySet):
    def current(self):
        return self.filter(removed_at__isnull=True)


class Involvement(models.Model):
    """A person's part in a case: a pupil from the register, or someone who is not a pupil here."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="involvements")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="involvements", null=True, blank=True)
    other_name = models.CharField(
        "Name", max_length=200, blank=True, help_text="For someone who is not a pupil here, as far as it is known."
    )
    other_description = models.TextField(
        "Who they are", blank=True, help_text="E.g. 'a pupil at another school', 'an online contact, age unknown'."
    )
    # An adult posing as a child can first look like a peer incident (seed 001 §7.2): ask, and record the answer.
    other_is_adult = models.BooleanField("An adult, or believed to be one", default=False)
    other_setting = models.CharField("Their school or setting", max_length=200, blank=True)
    part = models.CharField(max_length=20, choices=Part.choices)
    own_account = models.TextField(
        "Their own account", blank=True, help_text="In their own words where possible, kept apart from opinion."
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now, editable=False)
    # Taking someone off a case is a dated, reasoned marker, never a deletion.
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True, editable=False
    )
    removed_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = InvolvementQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                name="involvement_pupil_or_other_person",
                condition=(
                    Q(pupil__isnull=False, other_name="", other_description="", other_setting="", other_is_adult=False)
                )
                | (Q(pupil__isnull=True) & (~Q(other_name="") | ~Q(other_description=""))),
            ),
            models.UniqueConstraint(
                fields=["incident", "pupil", "part"],
                condition=Q(pupil__isnull=False, removed_at__isnull=True),
                name="involvement_one_part_per_pupil",
            ),
        ]

    def __str__(self):
        return f"{self.name}: {self.get_part_display()}"

    @property
    def name(self):
        return str(self.pupil) if self.pupil_id else (self.other_name or "Name not known")

    def clean(self):
        if self.pupil_id and self.incident_id and self.pupil.school_id != self.incident.school_id:
            raise ValidationError({"pupil": "This pupil is not on this school's register."})
        if self.pupil_id is None and not (self.other_name.strip() or self.other_description.strip()):
            raise ValidationError({"other_name": "Choose a pupil, or give a name or description of the person."})


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_YET_KNOWN = "not_yet_known", "Not yet known"


# The seven questions of the initial review meeting (seed 004 §3.3; domain.md §2), as (field, question).
QUESTIONS = [
    ("immediate_risk", "Is there an immediate risk to any pupil?"),
    ("referral_needed", "Should a referral be made to the police and/or children's social care?"),
    ("viewing_needed", "Is it necessary to view the imagery to safeguard the child? (In most cases, no.)"),
    ("further_information_needed", "Is further information needed to decide on the best response? If so, what?"),
    ("shared_widely", "Has the imagery been shared widely, and on which platforms?"),
    ("contact_other_setting", "Is there a need to contact another school, setting or person?"),
    ("tell_parents", "Should parents or carers be told? (In most cases, yes.)"),
]

# The six immediate-referral criteria (seed 004 §3.3, seed 001 §7.2), as (field, criterion). Any one answered
# "yes" means the case must be referred to the police or children's social care: it cannot be managed in school.
CRITERIA = [
    ("adult_involved", "The incident involves an adult"),
    (
        "coercion_or_capacity",
        "A child may have been coerced, blackmailed or groomed, or there are concerns about capacity to consent",
    ),
    (
        "extreme_or_unusual",
        "The content is known to be extreme or violent, or shows sexual acts unusual for the child's development",
    ),
    ("vulnerable_pupil", "A pupil involved is vulnerable: previously abused, or currently involved with social care"),
    ("under_13_sexual_acts", "The imagery involves sexual acts and a pupil in it is under 13"),
    ("immediate_risk_of_harm", "A pupil is at immediate risk of harm because of the sharing, e.g. self-harm"),
]
CRITERIA_LABELS = dict(CRITERIA)

# What a "yes" requires a referral for, in the words a refusal uses: questions 1 and 2, then the six criteria.
REFERRAL_ANSWERS = [
    ("immediate_risk", "question 1 (an immediate risk to a pupil)"),
    ("referral_needed", "question 2 (a referral to the police or children's social care should be made)"),
    *CRITERIA,
]

# The aggravating factors (seed 004 §3.3 and Annex A). Any one answered "yes" points to a referral: managing in
# school is still possible, but only with a written reason for each factor, which the signatory reads first.
AGGRAVATING_FACTORS = [
    (
        "shared_without_consent",
        "The imagery was shared beyond the person it was sent to, or without the consent of the pupil in it",
    ),
    ("shared_to_harm", "It was shared to humiliate, bully or harm"),
    ("sent_to_several", "It was sent to more than one person"),
    ("pressure", "There was pressure or persuasion to make or share it"),
    ("age_gap_or_power", "There is a marked age gap or power imbalance between the people involved"),
]


def _answer(verbose_name):
    return models.CharField(verbose_name, max_length=16, choices=Answer.choices)


class InitialReviewMeeting(models.Model):
    """A review meeting of the safeguarding team: who was there, seven questions, six criteria, five aggravating
    factors. The first is the initial review meeting; later ones record new information, in any open state."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="review_meetings")
    held_at = models.DateTimeField("Date and time held")
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="MeetingAttendee", related_name="+", blank=True
    )
    other_attendees = models.TextField(
        "Others present", blank=True, help_text="Name and role of each person present who has no account here."
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    immediate_risk = _answer(QUESTIONS[0][1])
    immediate_risk_notes = models.TextField(blank=True)
    referral_needed = _answer(QUESTIONS[1][1])
    referral_needed_notes = models.TextField(blank=True)
    viewing_needed = _answer(QUESTIONS[2][1])
    viewing_needed_notes = models.TextField(blank=True)
    further_information_needed = _answer(QUESTIONS[3][1])
    further_information_needed_notes = models.TextField(blank=True)
    shared_widely = _answer(QUESTIONS[4][1])
    shared_widely_notes = models.TextField(blank=True)
    contact_other_setting = _answer(QUESTIONS[5][1])
    contact_other_setting_notes = models.TextField(blank=True)
    tell_parents = _answer(QUESTIONS[6][1])
    tell_parents_notes = models.TextField(blank=True)

    adult_involved = _answer(CRITERIA[0][1])
    adult_involved_notes = models.TextField(blank=True)
    coercion_or_capacity = _answer(CRITERIA[1][1])
    coercion_or_capacity_notes = models.TextField(blank=True)
    extreme_or_unusual = _answer(CRITERIA[2][1])
    extreme_or_unusual_notes = models.TextField(blank=True)
    vulnerable_pupil = _answer(CRITERIA[3][1])
    vulnerable_pupil_notes = models.TextField(blank=True)
    under_13_sexual_acts = _answer(CRITERIA[4][1])
    under_13_sexual_acts_notes = models.TextField(blank=True)
    immediate_risk_of_harm = _answer(CRITERIA[5][1])
    immediate_risk_of_harm_notes = models.TextField(blank=True)

    shared_without_consent = _answer(AGGRAVATING_FACTORS[0][1])
    shared_without_consent_notes = models.TextField(blank=True)
    shared_to_harm = _answer(AGGRAVATING_FACTORS[1][1])
    shared_to_harm_notes = models.TextField(blank=True)
    sent_to_several = _answer(AGGRAVATING_FACTORS[2][1])
    sent_to_several_notes = models.TextField(blank=True)
    pressure = _answer(AGGRAVATING_FACTORS[3][1])
    pressure_notes = models.TextField(blank=True)
    age_gap_or_power = _answer(AGGRAVATING_FACTORS[4][1])
    age_gap_or_power_notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_at", "-pk"]
        get_latest_by = ["held_at", "pk"]

    def __str__(self):
        return f"Initial review meeting, {timezone.localtime(self.held_at):%d %B %Y %H:%M}"

    def answered(self, items, answer):
        """The labels of `items` ((field, label) pairs) given `answer`."""
        return [label for name, label in items if getattr(self, name) == answer]

    @property
    def referral_required_by(self):
        """Question 1, question 2 and the criteria answered 'yes': each one requires a referral."""
        return self.answered(REFERRAL_ANSWERS, Answer.YES)

    @property
    def aggravating_factors(self):
        """The (field, label) of each aggravating factor answered 'yes' or 'not yet known'."""
        return [(name, label) for name, label in AGGRAVATING_FACTORS if getattr(self, name) != Answer.NO]


class MeetingAttendee(models.Model):
    """One member of staff present at a review meeting: a row of its own, so its history names who recorded it."""

    meeting = models.ForeignKey(InitialReviewMeeting, on_delete=models.PROTECT, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="attendee_once_per_meeting")]

    def __str__(self):
        return str(self.user)


class ActionStatus(models.TextChoices):
    OPEN = "open", "To do"
    DONE = "done", "Done"
    NOT_TAKEN = "not_taken", "Not taken"
    CARRIED_OVER = "carried_over", "Carried over at closure"


class Action(models.Model):
    """Something to be done on a case; and, just as much, something decided against (seed 002: record actions
    taken and not taken, with the justification)."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    done_notes = models.TextField(blank=True)
    not_taken_reason = models.TextField("Why it was not taken", blank=True)
    carried_over_reason = models.TextField("Why it is carried over", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        # The dashboard's open actions, soonest first: a few open among decades of done ones.
        indexes = [models.Index(fields=["due_on", "id"], condition=Q(status="open"), name="action_open")]
        constraints = [
            models.CheckConstraint(
                name="action_resolution_is_explained",
                condition=Q(status="open")
                | Q(status="done", done_at__isnull=False, done_by__isnull=False)
                | (Q(status="not_taken") & ~Q(not_taken_reason=""))
                | (Q(status="carried_over") & ~Q(carried_over_reason="")),
            ),
        ]

    def __str__(self):
        return self.description[:80]

    @property
    def is_overdue(self):
        return self.status == ActionStatus.OPEN and self.due_on is not None and self.due_on < timezone.localdate()


class EntryKind(models.TextChoices):
    REPORTED = "reported", "Concern reported"
    STATE = "state", "Case moved on"
    INVOLVEMENT = "involvement", "People involved"
    CLASSIFICATION = "classification", "Category"
    OWNER = "owner", "Case owner"
    REVIEW_MEETING = "review_meeting", "Initial review meeting"
    DECISION = "decision", "Decision"
    SIGN_OFF = "sign_off", "Sign-off"
    REFERRAL = "referral", "Referral"
    FOLLOW_UP = "follow_up", "Follow-up"
    ESCALATION = "escalation", "Escalation"
    OUTCOME = "outcome", "Outcome"
    PARENT_CONTACT = "parent_contact", "Parents and carers"
    ACTION = "action", "Action"
    NOTE = "note", "Note"
    CORRECTION = "correction", "Correction"
    CLOSURE = "closure", "Closure"
    REOPENING = "reopening", "Reopened"
    ADDENDUM = "addendum", "Addendum"
    ACCESS = "access", "Who can see it"
    # Written by the records app (information sharing, inter-agency meetings). A correction's kind says whether it
    # turned a sharing into a decision not to share or back, so the case page counts them from its chronology.
    SHARING = "sharing", "Information shared"
    NOT_SHARED = "not_shared", "Decision not to share"
    SHARING_CORRECTED = "sharing_corrected", "Information sharing corrected"
    CORRECTED_TO_SHARED = "corrected_to_shared", "Information sharing corrected"
    CORRECTED_TO_NOT_SHARED = "corrected_not_shared", "Information sharing corrected"
    AGENCY_MEETING = "agency_meeting", "Inter-agency meeting"
    AGENCY_MEETING_CORRECTED = "meeting_corrected", "Inter-agency meeting corrected"
    # Written by the records app (imagery-viewing log, device custody).
    IMAGERY_VIEWING = "imagery_viewing", "Imagery viewed"
    DEVICE = "device", "Device custody"
    # Deletion and take-down (records app): their own kinds, so the case page counts them from the chronology alone.
    DELETION_REQUEST = "deletion_request", "Asked to delete"
    DELETION_CONFIRMED = "deletion_confirmed", "Deletion confirmed"
    DELETION_REFUSED = "deletion_refused", "Deletion refused"
    TAKEDOWN = "takedown", "Take-down report"
    TAKEDOWN_FOLLOW_UP = "takedown_follow_up", "Take-down followed up"


class ChronologyEntry(models.Model):
    """One dated, timed, attributed line in a case's chronology. Written by every service; never changed."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="chronology")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    text = models.TextField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "chronology entries"
        indexes = [models.Index(fields=["incident", "at"])]

    def __str__(self):
        return f"{timezone.localtime(self.at):%d/%m/%Y %H:%M} {self.get_kind_display()}"


class ReauthMethod(models.TextChoices):
    PASSWORD = "password", "Password"
    TWO_FACTOR = "two_factor", "Two-factor code"


class Closure(models.Model):
    """A DSL's signed closure of a case: the summary that makes it the signed-off record."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="closures")
    summary = models.TextField()
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(default=timezone.now, editable=False)
    reauthenticated_with = models.CharField(max_length=12, choices=ReauthMethod.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["closed_at", "pk"]

    def __str__(self):
        return f"Closed {timezone.localtime(self.closed_at):%d %B %Y}"


class Reopening(models.Model):
    """A closed case opened again, with the reason."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="reopenings")
    reason = models.TextField()
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reopened_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["reopened_at", "pk"]

    def __str__(self):
        return f"Reopened {timezone.localtime(self.reopened_at):%d %B %Y}"


class NotificationKind(models.TextChoices):
    CONCERN_REPORTED = "concern_reported", "New concern reported"
    # The headteacher is told of every viewing of imagery (seed 004 §5.1); raised by the records app.
    IMAGERY_VIEWED = "imagery_viewed", "Imagery viewed"


class Notification(models.Model):
    """An in-app alert to one person about one case; `emailed_at` marks the email as sent, so it goes once."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    # Whose action raised it: the person recorded on the history rows the email task writes.
    triggered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    emailed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "incident", "kind"], name="notification_once_per_person")
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.incident}"
