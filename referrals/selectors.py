"""Reads of decisions, referrals and parent contacts, scoped through the cases the user may see."""

import datetime

from django.db.models import Count, Max, Prefetch
from django.utils import timezone

from incidents.models import Answer, HarmKind, Involvement
from incidents.selectors import incident_list_for_user
from incidents.workflow import SIGN_OFF
from safeguard import policy
from safeguard.memberships import roles_in_school
from safeguard.models import Membership
from safeguard.roles import DSL_TEAM, Role

from .models import (
    Decision,
    DecisionKind,
    DecisionStatus,
    Escalation,
    FollowUp,
    ParentContact,
    Referral,
    Signatory,
    SignOff,
)

# --- One case, already fetched through get_incident_for_user_or_404 -----------------------------------------


def decisions_for_case(incident):
    """A case's decisions, newest first, each with its sign-off if it has one, in one query."""
    return incident.decisions.select_related("decided_by", "meeting", "sign_off__signed_by")


def pending_decision(incident):
    """The decision to manage in school waiting for sign-off on this case, or None."""
    return incident.decisions.filter(kind=DecisionKind.MANAGE_IN_SCHOOL, status=DecisionStatus.PENDING_SIGN_OFF).first()


def referrals_for_case(incident):
    """A case's referrals, oldest first, with their follow-ups and escalations."""
    return incident.referrals.select_related("made_by", "recorded_by", "outcome_recorded_by").prefetch_related(
        Prefetch("follow_ups", queryset=FollowUp.objects.select_related("by")),
        Prefetch("escalations", queryset=Escalation.objects.select_related("by")),
    )


def referral_summaries_for_case(incident):
    """A case's referrals for the case page, each with how often and when last it was followed up and escalated.

    The follow-ups and escalations themselves are on the referral's own pages and in the chronology.
    """
    return (
        incident.referrals.select_related("made_by", "recorded_by", "outcome_recorded_by")
        .annotate(
            follow_up_count=Count("follow_ups", distinct=True),
            last_followed_up_at=Max("follow_ups__at"),
            escalation_count=Count("escalations", distinct=True),
            last_escalated_at=Max("escalations__at"),
        )
        .order_by("made_at", "pk")
    )


def parent_contacts_for_case(incident):
    """Every record of telling (or not telling) parents on a case, oldest first; the latest per pupil counts."""
    return ParentContact.objects.filter(incident=incident).select_related(
        "involvement__pupil", "told_by", "recorded_by"
    )


def parents_not_recorded(incident):
    """The pupils involved in a case with no record yet of whether their parents or carers were told, or why not."""
    return list(
        Involvement.objects.current()
        .filter(incident=incident, pupil__isnull=False, parent_contacts__isnull=True)
        .select_related("pupil")
    )


def under_coercion(incident, meeting):
    """Whether a pupil may be being coerced or blackmailed (sextortion): the kind of harm, or the meeting's answer."""
    return incident.harm_kind == HarmKind.SEXTORTION or (
        meeting is not None and meeting.coercion_or_capacity == Answer.YES
    )


# --- Across the school --------------------------------------------------------------------------------------


def referrals_awaiting_outcome_for_user(user, school):
    """Referrals on cases the user may see whose outcome is not yet known, oldest first."""
    return (
        Referral.objects.filter(incident__in=incident_list_for_user(user, school).values("pk"), outcome="")
        .select_related("incident__school", "made_by")  # the school's bank holidays for the overdue clock
        .order_by("made_at", "pk")
    )


def referrals_overdue_for_user(user, school, now=None):
    """Referrals with no acknowledgement a working day after they were made: to chase, or to escalate."""
    return referrals_overdue(referrals_awaiting_outcome_for_user(user, school), now or timezone.now())


def referrals_overdue(referrals, now):
    """Those of `referrals` (selected with their case's school) with no acknowledgement nor outcome a working day
    after they were made, as a list."""
    waiting = referrals.filter(outcome="", acknowledged_at__isnull=True, made_at__lt=now - datetime.timedelta(days=1))
    # A working day is at least a day: the database narrows, Python skips weekends and bank holidays.
    return [r for r in waiting if r.is_overdue(now)]


def decisions_signed_by(user, school):
    """What a named signatory signed in `school`, newest first: after signing, all they still see of those cases."""
    return (
        SignOff.objects.filter(signed_by=user, decision__incident__school=school)
        .select_related("decision__incident")
        .order_by("-signed_at", "-pk")
    )


def active_signatories(school):
    """The senior leaders currently designated to sign off in `school`."""
    return Signatory.objects.filter(school=school, ended_at__isnull=True).select_related("user")


def signatories_sign(school):
    """Whether named signatories sign in `school` today: only where no headteacher stands apart from the DSL team."""
    return not _head_independent_of_dsl_team(school)


def _head_independent_of_dsl_team(school):
    """Whether the school has a headteacher today who is not also its DSL or a deputy."""
    active = Membership.objects.active().filter(school=school)
    heads = set(active.filter(role=Role.HEADTEACHER).values_list("user", flat=True))
    team = set(active.filter(role__in=DSL_TEAM).values_list("user", flat=True))
    return bool(heads - team)


NOT_A_SIGNATORY = "Only the headteacher, or a senior leader the school has named as a signatory, can sign this off."
HEAD_SIGNS_HERE = (
    "In this school the headteacher signs off decisions not to refer. A named signatory signs only where "
    "the headteacher is also the DSL."
)


def _signing_refusal(user, school):
    """Why `user` may not sign decisions in `school` at all, whatever the decision; None if they may.

    The headteacher signs by their role; a designated signatory only where the head is also on the DSL team.
    """
    roles = roles_in_school(user, school)
    if Role.HEADTEACHER in roles:
        return None
    if roles & DSL_TEAM or not roles - {Role.TRUST_LEAD, Role.INSPECTOR}:
        return NOT_A_SIGNATORY  # who signatory_designate never names: the team, and those who do not work here
    if not active_signatories(school).filter(user=user).exists():
        return NOT_A_SIGNATORY
    if _head_independent_of_dsl_team(school):
        return HEAD_SIGNS_HERE
    return None


def sign_off_refusal(user, decision):
    """Why `user` may not sign off `decision`, in plain English; None if they may."""
    if not decision.is_pending_sign_off:
        return "This decision is not waiting for sign-off."
    if decision.decided_by_id == user.pk:
        # Sign-off is a second person's check on the decision (seed 004 §7), so never the decider's own.
        return "You made this decision, so someone else must sign it off, even where you are also the headteacher."
    if not policy.case_permits(user, decision.incident, SIGN_OFF):
        return NOT_A_SIGNATORY
    return _signing_refusal(user, decision.incident.school)


def can_sign_off(user, decision):
    """Whether `user` may sign off (or send back) `decision`."""
    return sign_off_refusal(user, decision) is None


def sign_off_queue_for_user(user, school):
    """Decisions not to refer waiting for this user's signature (never their own decisions).

    Whether they may sign is decided once for the school, not once per decision, so the queue costs the same
    few queries however long it is: the headteacher signs every case they can see; a signatory, the cases they
    are named on for sign-off.
    """
    if _signing_refusal(user, school) is not None:
        return []
    if policy.can(roles_in_school(user, school), "sign_off"):
        cases = incident_list_for_user(user, school)
    else:
        cases = incident_list_for_user(user, school).filter(pk__in=policy.named_case_ids(user, SIGN_OFF))
    return list(
        Decision.objects.filter(
            incident__in=cases.values("pk"),
            kind=DecisionKind.MANAGE_IN_SCHOOL,
            status=DecisionStatus.PENDING_SIGN_OFF,
        )
        .exclude(decided_by=user)
        .select_related("incident", "decided_by")
        .order_by("decided_at", "pk")
    )
