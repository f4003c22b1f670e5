"""Reads of decisions, referrals and parent contacts, scoped through the cases the user may see."""

import datetime

from django.utils import timezone

from incidents.selectors import incident_list_for_user
from incidents.workflow import SIGN_OFF
from safeguard import policy
from safeguard.models import Membership
from safeguard.roles import DSL_TEAM, Role
from safeguard.selectors import roles_in_school

from .models import Decision, DecisionKind, DecisionStatus, ParentContact, Referral, Signatory

# --- One case, already fetched through get_incident_for_user_or_404 -----------------------------------------


def decisions_for_case(incident):
    """A case's decisions, newest first, with their sign-offs."""
    return incident.decisions.select_related("decided_by", "meeting").prefetch_related("sign_offs__signed_by")


def pending_decision(incident):
    """The decision to manage in school waiting for sign-off on this case, or None."""
    return incident.decisions.filter(kind=DecisionKind.MANAGE_IN_SCHOOL, status=DecisionStatus.PENDING_SIGN_OFF).first()


def referrals_for_case(incident):
    """A case's referrals, oldest first, with their follow-ups and escalations."""
    return incident.referrals.select_related("made_by", "recorded_by", "outcome_recorded_by").prefetch_related(
        "follow_ups__by", "escalations__by"
    )


def parent_contacts_for_case(incident):
    """Every record of telling (or not telling) parents on a case, oldest first; the latest per pupil counts."""
    return ParentContact.objects.filter(incident=incident).select_related(
        "involvement__pupil", "told_by", "recorded_by"
    )


# --- Across the school --------------------------------------------------------------------------------------


def referrals_awaiting_outcome_for_user(user, school):
    """Referrals on cases the user may see whose outcome is not yet known, oldest first."""
    return (
        Referral.objects.filter(incident__in=incident_list_for_user(user, school).values("pk"), outcome="")
        .select_related("incident", "made_by")
        .order_by("made_at", "pk")
    )


def referrals_overdue_for_user(user, school, now=None):
    """Referrals with no acknowledgement a working day after they were made: to chase, or to escalate."""
    now = now or timezone.now()
    waiting = referrals_awaiting_outcome_for_user(user, school).filter(
        acknowledged_at__isnull=True, made_at__lt=now - datetime.timedelta(days=1)
    )  # a working day is at least a day: the database narrows, Python counts the weekend
    return [r for r in waiting if r.is_overdue(now)]


def active_signatories(school):
    """The senior leaders currently designated to sign off in `school`."""
    return Signatory.objects.filter(school=school, ended_at__isnull=True).select_related("user")


def _head_independent_of_dsl_team(school):
    """Whether the school has a headteacher today who is not also its DSL or a deputy."""
    active = Membership.objects.active().filter(school=school)
    heads = set(active.filter(role=Role.HEADTEACHER).values_list("user", flat=True))
    team = set(active.filter(role__in=DSL_TEAM).values_list("user", flat=True))
    return bool(heads - team)


def sign_off_refusal(user, decision):
    """Why `user` may not sign off `decision`, in plain English; None if they may."""
    if decision.kind != DecisionKind.MANAGE_IN_SCHOOL or decision.status != DecisionStatus.PENDING_SIGN_OFF:
        return "This decision is not waiting for sign-off."
    if decision.decided_by_id == user.pk:
        # Sign-off is a second person's check on the decision (seed 004 §7), so never the decider's own.
        return "You made this decision, so someone else must sign it off, even where you are also the headteacher."
    school = decision.incident.school
    if not policy.case_permits(user, decision.incident, SIGN_OFF):
        return "Only the headteacher, or a senior leader the school has named as a signatory, can sign this off."
    if Role.HEADTEACHER in roles_in_school(user, school):
        return None
    if not active_signatories(school).filter(user=user).exists():
        return "Only the headteacher, or a senior leader the school has named as a signatory, can sign this off."
    if _head_independent_of_dsl_team(school):
        return (
            "In this school the headteacher signs off decisions not to refer. A named signatory signs only where "
            "the headteacher is also the DSL."
        )
    return None


def can_sign_off(user, decision):
    """Whether `user` may sign off (or send back) `decision`."""
    return sign_off_refusal(user, decision) is None


def sign_off_queue_for_user(user, school):
    """Decisions not to refer waiting for this user's signature (never their own decisions)."""
    pending = (
        Decision.objects.filter(
            incident__in=incident_list_for_user(user, school).values("pk"),
            kind=DecisionKind.MANAGE_IN_SCHOOL,
            status=DecisionStatus.PENDING_SIGN_OFF,
        )
        .exclude(decided_by=user)
        .select_related("incident__school", "decided_by")
        .order_by("decided_at", "pk")
    )
    return [d for d in pending if can_sign_off(user, d)]
