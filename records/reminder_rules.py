"""The reminders of the case apps' deadlines (domain.md, "What the software adds to paper"; issue 10 §5).

Each rule reads every school's late things in one query (two more read the schools' calendars where a rule counts
school days), and yields a `Due` for each. The clocks are those the pages already show, reused, not copied: a
referral is unacknowledged when `Referral.is_overdue` says so, a deletion deadline has passed when the dashboard
lists it, and the days are counted by safeguard.calendar.
"""

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse

from incidents.models import CaseState, Incident, InitialReviewMeeting
from referrals.models import Decision, DecisionKind, DecisionStatus, Referral, Signatory
from referrals.selectors import referrals_overdue
from safeguard import calendar
from safeguard.models import Membership
from safeguard.roles import DSL_TEAM, Role

from .deletion_selectors import deletion_requests_overdue
from .reminders import Due, register_reminder_rule
from .transfer_reminders import transfers_unconfirmed

DAY = datetime.timedelta(days=1)


def _holder(role, school="school", excluding=None):
    """The person longest in `role` at the row's school today, as a subquery of their user id."""
    holders = Membership.objects.active().filter(school=OuterRef(school), role=role)
    if excluding:
        holders = holders.exclude(user=OuterRef(excluding))
    return Subquery(holders.order_by("starts_on", "pk").values("user")[:1])


def after_one_school_day(school, moment):
    """One school day after `moment`. Where the school has not entered term dates that reach so far, one working day
    instead: a reminder a little early in the holidays is safer than none at all."""
    try:
        return calendar.add_school_days(school, moment, 1)
    except calendar.NoTermDates:
        return calendar.add_working_days(school, moment, 1)


def concerns_without_meeting(now):
    """A concern with no review meeting one school day after it was reported: to its owner, or the school's DSL."""
    held = InitialReviewMeeting.objects.filter(incident=OuterRef("pk"))
    cases = calendar.preload(
        list(
            Incident.objects.exclude(state__in=[CaseState.DRAFT, CaseState.CLOSED])
            .filter(submitted_at__lte=now - DAY)  # a school day is at least a day
            .exclude(Exists(held))
            .select_related("school")
            .annotate(dsl_id=_holder(Role.DSL))
            .only("school", "reference", "submitted_at", "owner")
        )
    )
    for case in cases:
        due_at = after_one_school_day(case.school, case.submitted_at)
        owner = case.owner_id or case.dsl_id
        if now >= due_at and owner:
            yield Due(
                event=f"concern:{case.pk}:no_meeting",
                school_id=case.school_id,
                incident_id=case.pk,
                owner_id=owner,
                due_at=due_at,
                summary=f"Concern {case.reference} has had no initial review meeting yet",
                url=reverse("incidents:review_meeting", args=[case.pk]),
            )


def _referrals():
    return Referral.objects.select_related("incident__school").only(
        "incident__school__nation",
        "incident__reference",
        "incident__owner",
        "agency",
        "agency_other",
        "made_at",
        "made_by",
        "acknowledged_at",
        "outcome",
    )


def _referral_due(referral, event, due_at, summary):
    # The case's page, not the follow-up form: an escalated reminder reaches the head, who reads but does not work it.
    case = referral.incident
    return Due(
        event=f"referral:{referral.pk}:{event}",
        school_id=case.school_id,
        incident_id=case.pk,
        owner_id=case.owner_id or referral.made_by_id,
        due_at=due_at,
        summary=summary.format(reference=case.reference, agency=referral.agency_name),
        url=reverse("incidents:case_detail", args=[case.pk]),
    )


def referrals_unacknowledged(now):
    """A referral not acknowledged a working day after it was made (the referral's own overdue clock)."""
    for referral in referrals_overdue(_referrals(), now):
        yield _referral_due(
            referral,
            "unacknowledged",
            referral.acknowledgement_due_at,
            "The referral on case {reference} to {agency} has not been acknowledged",
        )


def referrals_without_outcome(now):
    """A referral with no outcome SAFEGUARD_REFERRAL_OUTCOME_DAYS working days after it was made: keep following up
    until an outcome is known (Ofsted looks for tenacity)."""
    days = settings.SAFEGUARD_REFERRAL_OUTCOME_DAYS
    for referral in _referrals().filter(outcome="", made_at__lte=now - days * DAY):
        due_at = calendar.add_working_days(referral.incident.school, referral.made_at, days)
        if now >= due_at:
            yield _referral_due(
                referral,
                "no_outcome",
                due_at,
                "The referral on case {reference} to {agency} has no outcome yet",
            )


def decisions_awaiting_sign_off(now):
    """A decision not to refer still waiting for sign-off a working day after it was made: to the headteacher, or,
    where the head is also on the DSL team, to the school's named signatory (referrals.selectors.signatories_sign)."""
    school = "incident__school"
    signatory = Signatory.objects.filter(school=OuterRef(school), ended_at__isnull=True).exclude(
        user=OuterRef("decided_by")
    )
    head_in_team = Membership.objects.active().filter(
        school=OuterRef(school), user=OuterRef("head_id"), role__in=DSL_TEAM
    )
    decisions = (
        Decision.objects.filter(kind=DecisionKind.MANAGE_IN_SCHOOL, status=DecisionStatus.PENDING_SIGN_OFF)
        .filter(decided_at__lte=now - DAY)
        .select_related("incident__school")
        .only("incident__school__nation", "incident__reference", "decided_by", "decided_at")
        .annotate(head_id=_holder(Role.HEADTEACHER, school, excluding="decided_by"))
        .annotate(
            head_in_team=Exists(head_in_team),
            signatory_id=Subquery(signatory.order_by("designated_at", "pk").values("user")[:1]),
        )
    )
    for decision in decisions:
        case = decision.incident
        due_at = calendar.add_working_days(case.school, decision.decided_at, 1)
        head = None if decision.head_in_team else decision.head_id
        if now >= due_at:
            yield Due(
                event=f"decision:{decision.pk}:awaiting_sign_off",
                school_id=case.school_id,
                incident_id=case.pk,
                # No one to sign yet: the decider is reminded, to ask the head to name a signatory.
                owner_id=head or decision.signatory_id or decision.head_id or decision.decided_by_id,
                due_at=due_at,
                summary=f"The decision not to refer on case {case.reference} is waiting for sign-off",
                url=reverse("referrals:sign_off", args=[case.pk]),
            )


def deletion_deadlines_passed(now):
    """A pupil asked to delete imagery, past the deadline with no answer (the dashboard's overdue deadlines)."""
    overdue = (
        deletion_requests_overdue(Incident.objects.all(), now)
        .select_related("incident")
        .only("incident__school", "incident__reference", "incident__owner", "asked_by", "deadline")
    )
    for request in overdue:
        case = request.incident
        yield Due(
            event=f"deletion:{request.pk}:deadline_passed",
            school_id=case.school_id,
            incident_id=case.pk,
            owner_id=case.owner_id or request.asked_by_id,
            due_at=request.deadline,
            summary=f"A deadline to delete imagery on case {case.reference} has passed with no answer recorded",
            url=reverse("records:deletion_section", args=[case.pk]),
        )


def register():
    register_reminder_rule("concern_without_meeting", concerns_without_meeting)
    register_reminder_rule("referral_unacknowledged", referrals_unacknowledged)
    register_reminder_rule("referral_without_outcome", referrals_without_outcome)
    register_reminder_rule("decision_awaiting_sign_off", decisions_awaiting_sign_off)
    register_reminder_rule("deletion_deadline_passed", deletion_deadlines_passed)
    register_reminder_rule("transfer_unconfirmed", transfers_unconfirmed)
