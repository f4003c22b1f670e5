"""The permission policy: the one place that decides who may do what, and grants or revokes accordingly.

Each school has a group per role (``school:<id>:<role>``) and each trust a group for its safeguarding leads
(``trust:<id>:trust_lead``). Group membership follows Membership; object permissions are granted to those groups
when a record is created, so nothing is ever granted ad hoc in a view.
"""

from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm, get_objects_for_user

from .models import Membership
from .roles import DSL_TEAM, SENIOR, Role
from .selectors import roles_in_school

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


# --- Cases (incidents and referrals apps) -------------------------------------------------------------------
# Permission names are strings here so that the core never imports the case apps (dependencies point one way).

CAPABILITIES.update(
    {
        "log_concern": SENIOR | {Role.STAFF},
        "work_cases": DSL_TEAM,
        "view_cases": SENIOR | {Role.TRUST_LEAD},
        # A designated signatory (referrals.Signatory) may also sign; referrals.selectors.can_sign_off says who.
        "sign_off": frozenset({Role.HEADTEACHER}),
        "designate_signatory": frozenset({Role.HEADTEACHER}),
    }
)

# Object permissions on a case, by the role whose school group receives them when the concern is logged.
CASE_GRANTS = {
    Role.DSL: ("view_incident", "change_incident"),
    Role.DEPUTY_DSL: ("view_incident", "change_incident"),
    Role.HEADTEACHER: ("view_incident", "sign_off_incident"),
    Role.TRUST_LEAD: ("view_incident",),
}
# The member of staff who logged it sees what they reported, and may finish their draft; never the team's work.
REPORTER_GRANTS = ("view_own_report", "change_own_draft")
# A senior leader the headteacher names to sign where the head is also the DSL (referrals.Signatory).
SIGNATORY_GRANTS = ("view_incident", "sign_off_incident")
# Not "school:", so user_groups_sync (which follows Membership) leaves this group to the designation service.
SIGNATORY_GROUP_PREFIX = "signatory:"


def signatory_group(school):
    """The group of `school`'s designated signatories (see SIGNATORY_GRANTS)."""
    return Group.objects.get_or_create(name=f"{SIGNATORY_GROUP_PREFIX}{school.pk}")[0]


def case_grant(incident):
    """Grant the school's groups, and the reporting member of staff, their permissions on a new case."""
    for role, perms in CASE_GRANTS.items():
        group = role_group(role=role, school=incident.school)
        if group is None:
            continue
        for perm in perms:
            assign_perm(f"incidents.{perm}", group, incident)
    group = signatory_group(incident.school)
    for perm in SIGNATORY_GRANTS:
        assign_perm(f"incidents.{perm}", group, incident)
    for perm in REPORTER_GRANTS:
        assign_perm(f"incidents.{perm}", incident.reported_by, incident)


def has_object_perm(user, obj, perm):
    """Whether `user` holds `perm` on `obj` through an object permission. Superusers and global (model-wide)
    permissions get nothing extra: case workers are named on each record, never admitted wholesale."""
    if not (user.is_authenticated and user.is_active):
        return False
    found = get_objects_for_user(user, perm, type(obj).objects.filter(pk=obj.pk), with_superuser=False)
    return found.exists()


def case_permits(user, incident, perm):
    """Whether `user` may act with `perm` on a case: an active role in its school today, and the object permission.

    A membership past its end date counts as none at once, even before the hourly task removes its groups.
    """
    return bool(roles_in_school(user, incident.school)) and has_object_perm(user, incident, perm)
