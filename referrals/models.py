"""The decision on a case, its sign-off, referrals to other agencies and their follow-up, and telling parents.

No file fields, ever (see incidents.models). Nothing is deleted or rewritten: a sign-off, a follow-up and an
escalation are each a new row; a decision's status moves on only through the services, with history.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from incidents.models import AGGRAVATING_FACTORS, Answer, Incident, InitialReviewMeeting, Involvement, ReauthMethod
from safeguard.calendar import add_working_days
from safeguard.models import School


class DecisionKind(models.TextChoices):
    REFER = "refer", "Refer to the police and/or children's social care"
    MANAGE_IN_SCHOOL = "manage_in_school", "Manage in school, without a referral"


class DecisionStatus(models.TextChoices):
    RECORDED = "recorded", "Recorded"  # a decision to refer needs no sign-off
    PENDING_SIGN_OFF = "pending_sign_off", "Waiting for sign-off"
    SIGNED_OFF = "signed_off", "Signed off"
    SENT_BACK = "sent_back", "Sent back"
    SUPERSEDED = "superseded", "Overtaken by a referral before sign-off"


# The risk-assessment questions of seed 004 Annex A, as (field, question), each answered yes, no or not yet known,
# with notes. A decision to manage in school answers every one of them. (Decisions made before the answers were
# structured kept their written answers, as the notes, with no yes or no: nothing is guessed for them.)
ANNEX_A = [
    ("annex_why_shared", "Was the pupil put under pressure or coerced to share the imagery?"),
    (
        "annex_shared_beyond",
        "Has the imagery been shared beyond its intended recipient, or without the consent of the pupil who made it?",
    ),
    ("annex_online_spread", "Has the imagery been shared on social media or anywhere else online?"),
    ("annex_ages", "Is there a significant age difference between the pupils involved?"),
    ("annex_more_than_one", "Did the pupil send the image to more than one person?"),
    ("annex_understanding", "Does the pupil understand the possible implications of sharing the image?"),
    (
        "annex_vulnerability",
        "Are there any concerns about the pupil's vulnerability (e.g. in care, SEND, a previous victim of abuse)?",
    ),
    ("annex_parents", "Are there additional concerns if the parents or carers are informed?"),
]
# What each question's notes record.
ANNEX_A_NOTES = {
    "annex_why_shared": "Why it was shared",
    "annex_shared_beyond": "Who it was shared with, and how",
    "annex_online_spread": "Where, and the steps taken to contain its spread",
    "annex_ages": "The ages of the pupils involved",
    "annex_more_than_one": "To whom",
    "annex_understanding": "What the pupil understands",
    "annex_vulnerability": "The concerns",
    "annex_parents": "The concerns",
}


def _annex(i):
    return models.TextField(ANNEX_A_NOTES[ANNEX_A[i][0]], blank=True)


def _annex_answer(i):
    return models.CharField(ANNEX_A[i][1], max_length=16, choices=Answer.choices, blank=True)


class Decision(models.Model):
    """The safeguarding team's decision: refer, or manage in school (which the headteacher must sign off)."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="decisions")
    # The review meeting whose answers to the six criteria the decision rests on.
    meeting = models.ForeignKey(
        InitialReviewMeeting, on_delete=models.PROTECT, related_name="decisions", null=True, blank=True
    )
    kind = models.CharField(max_length=20, choices=DecisionKind.choices)
    status = models.CharField(max_length=20, choices=DecisionStatus.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now, editable=False)
    # Seed 004 §7 and seed 001 §7.2: where a school does not refer, it records its reasons for not doing so.
    reasons = models.TextField()
    annex_why_shared_answer = _annex_answer(0)
    annex_why_shared = _annex(0)
    annex_shared_beyond_answer = _annex_answer(1)
    annex_shared_beyond = _annex(1)
    annex_online_spread_answer = _annex_answer(2)
    annex_online_spread = _annex(2)
    annex_ages_answer = _annex_answer(3)
    annex_ages = _annex(3)
    annex_more_than_one_answer = _annex_answer(4)
    annex_more_than_one = _annex(4)
    annex_understanding_answer = _annex_answer(5)
    annex_understanding = _annex(5)
    annex_vulnerability_answer = _annex_answer(6)
    annex_vulnerability = _annex(6)
    annex_parents_answer = _annex_answer(7)
    annex_parents = _annex(7)
    # Why the school manages the case itself despite each aggravating factor the meeting found (answered yes or
    # not yet known): {factor field: reason}. The signatory reads these first.
    factor_reasons = models.JSONField(default=dict, blank=True)
    plan = models.TextField(
        "The plan",
        blank=True,
        help_text="How the school will support the pupils and manage the risk, and who does what.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        # The sign-off queue: the few decisions waiting, among every decision the school has made.
        indexes = [
            models.Index(
                fields=["decided_at", "id"],
                condition=Q(kind="manage_in_school", status="pending_sign_off"),
                name="decision_awaiting_sign_off",
            )
        ]
        constraints = [
            models.CheckConstraint(
                name="decision_manage_in_school_is_complete",
                condition=Q(kind="refer", status="recorded")
                | (
                    Q(kind="manage_in_school", status__in=["pending_sign_off", "signed_off", "sent_back", "superseded"])
                    & ~Q(reasons="")
                    & ~Q(plan="")
                    # Each Annex A question answered: yes, no or not yet known, or (before answers were
                    # structured) in writing.
                    & (~Q(annex_why_shared_answer="") | ~Q(annex_why_shared=""))
                    & (~Q(annex_shared_beyond_answer="") | ~Q(annex_shared_beyond=""))
                    & (~Q(annex_online_spread_answer="") | ~Q(annex_online_spread=""))
                    & (~Q(annex_ages_answer="") | ~Q(annex_ages=""))
                    & (~Q(annex_more_than_one_answer="") | ~Q(annex_more_than_one=""))
                    & (~Q(annex_understanding_answer="") | ~Q(annex_understanding=""))
                    & (~Q(annex_vulnerability_answer="") | ~Q(annex_vulnerability=""))
                    & (~Q(annex_parents_answer="") | ~Q(annex_parents=""))
                ),
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_status_display().lower()})"

    @property
    def is_pending_sign_off(self):
        return self.kind == DecisionKind.MANAGE_IN_SCHOOL and self.status == DecisionStatus.PENDING_SIGN_OFF

    @property
    def annex_answers(self):
        """(question, answer, notes) for each Annex A question; the answer is "" where only notes were written."""
        return [
            (question, getattr(self, f"get_{field}_answer_display")(), getattr(self, field))
            for field, question in ANNEX_A
        ]

    @property
    def factor_reason_list(self):
        """(aggravating factor, the reason for managing in school despite it), in the order of the factors."""
        return [
            (label, self.factor_reasons[name]) for name, label in AGGRAVATING_FACTORS if name in self.factor_reasons
        ]


class SignOffOutcome(models.TextChoices):
    SIGNED_OFF = "signed_off", "Signed off"
    SENT_BACK = "sent_back", "Sent back"


class SignOff(models.Model):
    """A signatory's signature on (or return of) a decision not to refer (seed 004 §7)."""

    # One signature (or return) per decision: a decision sent back is followed by a new decision, not a second try.
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="sign_off")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(default=timezone.now, editable=False)
    outcome = models.CharField(max_length=12, choices=SignOffOutcome.choices)
    comment = models.TextField(blank=True)
    reauthenticated_with = models.CharField(max_length=12, choices=ReauthMethod.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="signoff_sent_back_has_comment", condition=Q(outcome="signed_off") | ~Q(comment="")
            )
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} by {self.signed_by}"


class Signatory(models.Model):
    """A senior leader the headteacher names to sign off decisions where the headteacher is also the DSL.

    A record of its own, not a role: it is given for one reason, by the head, and ends when they say so or when
    the person leaves the school (their membership is checked at each signature).
    """

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    designated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    designated_at = models.DateTimeField(default=timezone.now, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True, editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "signatories"
        constraints = [
            models.UniqueConstraint(
                fields=["school", "user"], condition=Q(ended_at__isnull=True), name="signatory_one_open_per_school"
            )
        ]

    def __str__(self):
        return f"{self.user}, signatory for {self.school}"


class Agency(models.TextChoices):
    POLICE_999 = "police_999", "Police (999, emergency)"
    POLICE_101 = "police_101", "Police (101 or the safer schools officer)"
    SOCIAL_CARE = "social_care", "Children's social care / MASH"
    CEOP = "ceop", "NCA-CEOP"
    IWF = "iwf", "IWF / Report Remove"
    LADO = "lado", "LADO (Local Authority Designated Officer)"
    PREVENT = "prevent", "Prevent"
    OTHER = "other", "Another agency"


# Where question 1 or 2, or a criterion, is "yes", only these make a case referred (seed 004 §3.3).
POLICE_OR_SOCIAL_CARE = frozenset({Agency.POLICE_999, Agency.POLICE_101, Agency.SOCIAL_CARE})
# A report to CEOP or the IWF (Report Remove) asks for take-down or notifies: it is recorded, but is not a referral.
NOTIFICATIONS = frozenset({Agency.CEOP, Agency.IWF})
POLICE = frozenset({Agency.POLICE_999, Agency.POLICE_101})


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone"
    ONLINE_FORM = "online_form", "Online form or portal"
    EMAIL = "email", "Secure email"
    IN_PERSON = "in_person", "In person"
    LETTER = "letter", "Letter"
    OTHER = "other", "Another way"


class Outcome(models.TextChoices):
    # Police (seed 001 §3.2: Outcome 21 records that further action is not in the public interest).
    POLICE_CHARGE = "police_charge", "Police: charge or summons"
    POLICE_CAUTION = "police_caution", "Police: caution"
    POLICE_COMMUNITY_RESOLUTION = "police_community_resolution", "Police: community resolution"
    OUTCOME_21 = "outcome_21", "Police: Outcome 21 (further action not in the public interest)"
    POLICE_NFA = "police_nfa", "Police: no further action"
    # Children's social care (seed 001 §7.1).
    STRATEGY_DISCUSSION = "strategy_discussion", "Social care: strategy discussion"
    SECTION_47 = "section_47", "Social care: section 47 enquiry"
    CHILD_IN_NEED = "child_in_need", "Social care: child in need (section 17)"
    EARLY_HELP = "early_help", "Social care: early help"
    SOCIAL_CARE_NFA = "social_care_nfa", "Social care: no further action"
    # Others.
    PASSED_TO_POLICE = "passed_to_police", "Passed to the local police"
    IMAGERY_REMOVED = "imagery_removed", "Imagery removed"
    IMAGERY_NOT_REMOVED = "imagery_not_removed", "Imagery not removed"
    LADO_THRESHOLD_MET = "lado_threshold_met", "LADO: threshold met, allegations process followed"
    LADO_THRESHOLD_NOT_MET = "lado_threshold_not_met", "LADO: threshold not met"
    CHANNEL = "channel", "Prevent: Channel support"
    ADVICE_GIVEN = "advice_given", "Advice given"
    NFA = "nfa", "No further action"
    OTHER = "other", "Another outcome (see notes)"


_POLICE = [
    Outcome.POLICE_CHARGE,
    Outcome.POLICE_CAUTION,
    Outcome.POLICE_COMMUNITY_RESOLUTION,
    Outcome.OUTCOME_21,
    Outcome.POLICE_NFA,
]
# The outcomes that fit each agency; "another outcome" always fits, with notes.
OUTCOMES_BY_AGENCY = {
    Agency.POLICE_999: _POLICE,
    Agency.POLICE_101: _POLICE,
    Agency.SOCIAL_CARE: [
        Outcome.STRATEGY_DISCUSSION,
        Outcome.SECTION_47,
        Outcome.CHILD_IN_NEED,
        Outcome.EARLY_HELP,
        Outcome.SOCIAL_CARE_NFA,
    ],
    Agency.CEOP: [Outcome.PASSED_TO_POLICE, Outcome.ADVICE_GIVEN, Outcome.NFA],
    Agency.IWF: [Outcome.IMAGERY_REMOVED, Outcome.IMAGERY_NOT_REMOVED],
    Agency.LADO: [Outcome.LADO_THRESHOLD_MET, Outcome.LADO_THRESHOLD_NOT_MET],
    Agency.PREVENT: [Outcome.CHANNEL, Outcome.ADVICE_GIVEN, Outcome.NFA],
    Agency.OTHER: [Outcome.ADVICE_GIVEN, Outcome.NFA],
}


def outcomes_for(agency):
    """The outcome choices that fit `agency`, as (value, label) pairs for a form."""
    return [(o.value, o.label) for o in [*OUTCOMES_BY_AGENCY[Agency(agency)], Outcome.OTHER]]


class Referral(models.Model):
    """A referral to another agency, followed up until its outcome is known (Ofsted looks for tenacity)."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="referrals")
    agency = models.CharField(max_length=20, choices=Agency.choices)
    agency_other = models.CharField("Agency, if another", max_length=200, blank=True)
    made_at = models.DateTimeField("When the referral was made")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField("How", max_length=20, choices=ContactMethod.choices)
    reference_number = models.CharField(max_length=100, blank=True)
    contact_name = models.CharField("Who we spoke to", max_length=200, blank=True)
    contact_details = models.CharField(max_length=300, blank=True)
    information_shared = models.TextField("What was shared")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_notes = models.TextField(blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["made_at", "pk"]
        # The dashboard's referrals still awaiting an outcome, oldest first.
        indexes = [models.Index(fields=["made_at", "id"], condition=Q(outcome=""), name="referral_awaiting")]
        constraints = [
            models.CheckConstraint(
                name="referral_outcome_is_dated",
                condition=Q(outcome="") | Q(outcome_at__isnull=False, outcome_recorded_by__isnull=False),
            )
        ]

    def __str__(self):
        return f"{self.agency_name}, {timezone.localtime(self.made_at):%d %B %Y}"

    def clean(self):
        errors = {}
        if self.agency == Agency.OTHER and not self.agency_other.strip():
            errors["agency_other"] = "Please name the agency."
        if self.outcome and self.agency and self.outcome not in {o for o, _ in outcomes_for(self.agency)}:
            errors["outcome"] = f"This is not an outcome {self.agency_name} gives."
        if self.outcome == Outcome.OTHER and not self.outcome_notes.strip():
            errors["outcome_notes"] = "Please describe the outcome."
        if errors:
            raise ValidationError(errors)

    @property
    def agency_name(self):
        return self.agency_other if self.agency == Agency.OTHER else self.get_agency_display()

    @property
    def acknowledgement_due_at(self):
        """When an acknowledgement is due: one working day after the referral was made (agencies work in the school
        holidays, not on bank holidays). Lists select the case's school with the referral, so this costs no query."""
        return add_working_days(self.incident.school, self.made_at, 1)

    def is_overdue(self, now=None):
        """No acknowledgement (and no outcome) a working day after the referral was made: time to chase."""
        now = now or timezone.now()
        return self.acknowledged_at is None and not self.outcome and now > self.acknowledgement_due_at


class FollowUp(models.Model):
    """One attempt to get an answer from an agency, and whether one came."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="follow_ups")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=20, choices=ContactMethod.choices)
    notes = models.TextField()
    response_received = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"Follow-up {timezone.localtime(self.at):%d/%m/%Y %H:%M}"


class Escalation(models.Model):
    """A referral taken higher when no answer came, or the answer did not keep the child safe."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="escalations")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    to_whom = models.CharField(max_length=300)
    reason = models.TextField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"Escalated to {self.to_whom}"


class ParentContact(models.Model):
    """Whether a pupil's parents or carers were told: when, by whom and how; or why not (seed 004 §3.5)."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="parent_contacts")
    involvement = models.ForeignKey(Involvement, on_delete=models.PROTECT, related_name="parent_contacts")
    told = models.BooleanField()
    told_at = models.DateTimeField(null=True, blank=True)
    told_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    told_by_other = models.CharField(
        "Told by, if not school staff", max_length=200, blank=True, help_text="E.g. a police officer, with their role."
    )
    contact_name = models.CharField("Who was told", max_length=200, blank=True, help_text="E.g. 'mother, Ms Smith'.")
    method = models.CharField("How", max_length=20, choices=ContactMethod.choices, blank=True)
    reasons_not_told = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="parentcontact_told_or_reasons",
                condition=(
                    Q(told=True, told_at__isnull=False)
                    & (Q(told_by__isnull=False) | ~Q(told_by_other=""))
                    & ~Q(method="")
                )
                | (Q(told=False) & ~Q(reasons_not_told="")),
            )
        ]

    def __str__(self):
        return f"Parents {'told' if self.told else 'not told'}: {self.involvement.name}"

    def clean(self):
        errors = {}
        if self.told:
            if not self.told_at:
                errors["told_at"] = "Please say when they were told."
            if not (self.told_by_id or self.told_by_other.strip()):
                errors["told_by"] = "Please say who told them."
            if not self.method:
                errors["method"] = "Please say how they were told."
        elif not self.reasons_not_told.strip():
            # Seed 004 Annex A: "If a school chooses not to involve a parent they must clearly record the reasons."
            errors["reasons_not_told"] = "Please record the reasons the parents or carers were not told."
        if self.involvement_id and self.incident_id and self.involvement.incident_id != self.incident_id:
            errors["involvement"] = "This person is not part of this case."
        elif self.involvement_id and self.involvement.pupil_id is None:
            errors["involvement"] = "Parents are recorded for pupils on the register."
        if errors:
            raise ValidationError(errors)
