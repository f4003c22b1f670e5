"""Restricted cases: limited to named members of the team, and absent for everyone else in it.

A member of the team may know the family, or a concern may be about a colleague's own child (domain.md, "People
and what each may do"). The team then limits the case to named people: through object permissions
(safeguard.policy.RESTRICTED_MEMBER_PERMS) they alone see it; to everyone else it is missing from every list,
search and count, exactly like another school's case. Who it was limited to, by whom and why, is in the case's
history and chronology, which only the members can read.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from safeguard import policy
from safeguard.audit import audited_save
from safeguard.memberships import roles_in_school
from safeguard.models import Membership
from safeguard.people import person_name
from safeguard.roles import DSL_TEAM, Role

from .chronology import chronology_record, history_reason
from .errors import CasePermissionDenied, Problem, RuleBroken
from .models import EntryKind
from .services import lock_case, require_text


def restriction_members(incident):
    """The people a restricted case is limited to, by name (none for a case that is not restricted).

    Signatories are named on a case too, while a decision waits for them; they are not its members.
    """
    if not incident.restricted:
        return get_user_model().objects.none()
    viewers = policy.named_case_users(incident, policy.VIEW)
    signatories = policy.named_case_users(incident, policy.SIGN_OFF)
    return get_user_model().objects.filter(pk__in=viewers).exclude(pk__in=signatories).order_by("last_name", "pk")


def restriction_candidates(school):
    """Everyone a case of `school` can be restricted to: those who see its cases today (the DSL team, the
    headteacher, the trust's safeguarding leads)."""
    active = Membership.objects.active()
    in_school = active.filter(school=school, role__in=policy.CAPABILITIES["view_cases"]).values("user")
    overseers = active.filter(role=Role.TRUST_LEAD, trust_id=school.trust_id).values("user")
    return (
        get_user_model()
        .objects.filter(Q(pk__in=in_school) | Q(pk__in=overseers))
        .order_by("last_name", "first_name", "pk")
    )


def _check_members(school, members):
    if not members:
        raise RuleBroken(Problem("Choose who may see this case.", field="members"))
    for person in members:
        if not policy.can(roles_in_school(person, school), "view_cases"):
            raise RuleBroken(
                Problem(f"{person_name(person)} does not see this school's cases, so cannot be named.", field="members")
            )
    if not any(roles_in_school(person, school) & DSL_TEAM for person in members):
        raise RuleBroken(
            Problem("Name at least one DSL or deputy DSL, so that someone can work on the case.", field="members")
        )


def _lock(actor, incident):
    """The case, locked, if `actor` can see it and is on the DSL team (a closed case too: who sees it still matters)."""
    case = lock_case(actor=actor, incident=incident, allow_closed=True)
    if not policy.can(roles_in_school(actor, case.school), "restrict_cases"):
        raise CasePermissionDenied("Only the DSL or a deputy DSL can restrict who sees a case.")
    return case


@transaction.atomic
def case_restrict(*, actor, incident, members, reason):
    """Limit the case to `members` (or change who they are), with the reason. Only a member of the DSL team who
    can see the case may; the case's owner must stay among the members."""
    case = _lock(actor, incident)
    reason = require_text(reason, Problem("Please say why the case is being restricted.", field="reason"))
    members = set(members)
    _check_members(case.school, members)
    if case.owner_id and case.owner not in members:
        raise RuleBroken(
            Problem(
                f"{person_name(case.owner)} owns this case, so must be one of the people who can see it. "
                "Give the case another owner first.",
                field="members",
            )
        )
    earlier = set(restriction_members(case))
    policy.case_unname(case, earlier - members, policy.RESTRICTED_MEMBER_PERMS)
    policy.case_name(case, members - earlier, policy.RESTRICTED_MEMBER_PERMS)
    names = ", ".join(sorted(person_name(person) for person in members))
    if not case.restricted:
        case.restricted = True
        audited_save(
            case, actor=actor, reason=history_reason(f"Restricted to {names}: {reason}"), update_fields=["restricted"]
        )
    chronology_record(
        incident=case,
        author=actor,
        kind=EntryKind.ACCESS,
        text=f"Only these people can see this case: {names}. {reason}",
    )
    return case


@transaction.atomic
def case_unrestrict(*, actor, incident, reason):
    """Lift the restriction: the whole team sees the case again, with the reason on record."""
    case = _lock(actor, incident)
    reason = require_text(reason, Problem("Please say why the whole team may now see the case.", field="reason"))
    if not case.restricted:
        raise RuleBroken("This case is not restricted.")
    policy.case_unname(case, restriction_members(case), policy.RESTRICTED_MEMBER_PERMS)
    case.restricted = False
    audited_save(
        case, actor=actor, reason=history_reason(f"Restriction lifted: {reason}"), update_fields=["restricted"]
    )
    chronology_record(
        incident=case,
        author=actor,
        kind=EntryKind.ACCESS,
        text=f"The whole safeguarding team can see this case again. {reason}",
    )
    return case
