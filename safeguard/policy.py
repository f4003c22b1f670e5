"""The permission policy: the one place that decides who may do what, and grants or revokes accordingly.

Each school has a group per role (``school:<id>:<role>``) and each trust a group for its safeguarding leads
(``trust:<id>:trust_lead``). Group membership follows Membership; object permissions are granted to those groups
when a record is created, so nothing is ever granted ad hoc in a view.
"""

from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm

from .models import Membership
from .roles import DSL_TEAM, SENIOR, Role

GROUP_PREFIXES = ("school:", "trust:")

# What each role may do in the pages of its current school. Views ask can(); services ask it too.
CAPABILITIES = {
    "view_pupil_register": SENIOR | {Role.TRUST_LEAD},
    "import_pupils": DSL_TEAM,
    "view_record_audit": DSL_TEAM,
}

# Object permissions on a pupil, by the role whose school group receives them.
PUPIL_GRANTS = {
    Role.DSL: ("view_pupil", "change_pupil"),
    Role.DEPUTY_DSL: ("view_pupil", "change_pupil"),
    Role.HEADTEACHER: ("view_pupil",),
    Role.TRUST_LEAD: ("view_pupil",),
}


def can(roles, capability):
    """Whether any of `roles` (the user's roles in the current school) carries `capability`."""
    return bool(set(roles) & CAPABILITIES[capability])


def group_name(*, role, school=None, trust=None):
    return f"trust:{trust.pk}:{role}" if role == Role.TRUST_LEAD else f"school:{school.pk}:{role}"


def role_group(*, role, school):
    """The group holding `role` for `school` (for a trust lead, the group of the school's trust), or None."""
    if role == Role.TRUST_LEAD:
        if school.trust_id is None:
            return None
        return Group.objects.get_or_create(name=group_name(role=role, trust=school.trust))[0]
    return Group.objects.get_or_create(name=group_name(role=role, school=school))[0]


def user_groups_sync(user):
    """Make the user's policy groups exactly those of their active memberships (called on every change)."""
    wanted = {
        group_name(role=m.role, school=m.school, trust=m.trust)
        for m in Membership.objects.active().filter(user=user).select_related("school", "trust")
    }
    current = {g.name: g for g in user.groups.all() if g.name.startswith(GROUP_PREFIXES)}
    for name in set(current) - wanted:
        user.groups.remove(current[name])
    for name in wanted - set(current):
        user.groups.add(Group.objects.get_or_create(name=name)[0])


def pupils_grant(*, school, pupils):
    """Grant the school's role groups their permissions on newly registered pupils (a list or queryset)."""
    if not pupils:
        return
    for role, perms in PUPIL_GRANTS.items():
        group = role_group(role=role, school=school)
        if group is None:
            continue
        for perm in perms:
            assign_perm(f"safeguard.{perm}", group, pupils)
