"""The permission policy: the one place that decides who may do what, and who is named on which record.

**Roles decide what a school's team sees.** A DSL, a deputy, the headteacher and the trust lead see a school's
cases and register because of an active Membership, so every read is one indexed filter built here
(`case_scope`, `pupil_scope`) and applied by the selectors. Nothing is granted per record to a role.

**Object permissions (django-guardian, direct-foreign-key models) are for named people on particular records**:
the member of staff who reported a concern (their own report), the signatory named for a decision waiting for
sign-off, and the members of the team a restricted case is limited to. A restricted case is absent, for everyone
else in the team, from every list, search and count, exactly like another school's case.

**Grants from a higher app** (extensions.register_case_grants) open particular cases for a time: an inspector's
grant gives them the INSPECTOR role in the school while it is in force, and the cases granted, to read only. Both
are read on every request, so a grant past its end, or revoked, counts as none at once.
"""

from django.apps import apps
from django.contrib.auth.models import Permission
from django.db.models import Q

from . import extensions
from .memberships import roles_in_school_of
from .roles import DSL_TEAM, SENIOR, Role

# What each role may do in the pages of its current school. Views ask can(); services ask it too.
CAPABILITIES = {
    "view_pupil_register": SENIOR | {Role.TRUST_LEAD},
    "import_pupils": DSL_TEAM,
    "view_record_audit": DSL_TEAM,
    "log_concern": SENIOR | {Role.STAFF},
    "work_cases": DSL_TEAM,
    "view_cases": SENIOR | {Role.TRUST_LEAD},
    # The pages of one case, to read: which cases is case_permits' to say (an inspector: only those granted them).
    "read_case": SENIOR | {Role.TRUST_LEAD, Role.INSPECTOR},
    # Inspector access (records): the team and the head see who was given what; the DSL or the head gives it.
    "view_inspection_access": SENIOR,
    "grant_inspection_access": frozenset({Role.DSL, Role.HEADTEACHER}),
    # A designated signatory (referrals.Signatory) may also sign; referrals.selectors.can_sign_off says who.
    "sign_off": frozenset({Role.HEADTEACHER}),
    "designate_signatory": frozenset({Role.HEADTEACHER}),
    # Seed 004 §5.1: someone in the team other than the DSL views imagery only with the headteacher's authority.
    "delegate_viewing": frozenset({Role.HEADTEACHER}),
    "restrict_cases": DSL_TEAM,
    # A pupil picker tells pupils of the same name apart by year group; the date of birth is the register's detail,
    # for the team who work the cases, not every member of staff or overseer.
    "see_birth_dates": DSL_TEAM,
    # Term dates, INSET days and whose bank holidays: the clocks of the school's cases count in them.
    "keep_school_calendar": SENIOR,
    # Who works at the school and in which role: the head, and the trust lead for the trust's schools.
    "manage_people": frozenset({Role.HEADTEACHER, Role.TRUST_LEAD}),
    # PDF reports (records): the school's report for a period is oversight, for the trust lead too; a case record or
    # a pupil's file is a copy of a child's whole record, made only by those who hold it (the DSL team and the head).
    "request_school_reports": SENIOR | {Role.TRUST_LEAD},
    "export_case_files": SENIOR,
    # Reminders of what is late go to the case's owner, the DSL, the head, and a named signatory (a staff role).
    "see_reminders": SENIOR | {Role.STAFF},
}


def can(roles, capability):
    """Whether any of `roles` (the user's roles in the current school) carries `capability`."""
    return bool(set(roles) & CAPABILITIES[capability])


# --- Pupils -------------------------------------------------------------------------------------------------


def pupil_scope(roles, school):
    """The filter for the pupils of `school` whose register entry these roles may read, or None for none."""
    # A pupil whose file was disposed of (records, retention) is in no list, for anyone.
    return Q(school=school) & extensions.pupils_shown() if can(roles, "view_pupil_register") else None


# --- Cases --------------------------------------------------------------------------------------------------
# Names are strings here so that the core never imports the case apps (dependencies point one way).

CASE_NAMED_MODEL = "incidents.IncidentUserObjectPermission"
VIEW, CHANGE, SIGN_OFF = "incidents.view_incident", "incidents.change_incident", "incidents.sign_off_incident"
OWN_REPORT, OWN_DRAFT = "incidents.view_own_report", "incidents.change_own_draft"

# What a role in the case's school may do to any case of the school it can see.
ROLE_CASE_PERMS = {VIEW: "view_cases", CHANGE: "work_cases", SIGN_OFF: "sign_off"}
# The member of staff who logged a concern sees what they reported and may finish their draft; never the team's work.
REPORTER_PERMS = (OWN_REPORT, OWN_DRAFT)
# A signatory named for a decision sees that case and may sign it off (referrals.services names them).
SIGNATORY_PERMS = (VIEW, SIGN_OFF)
# A named member of a restricted case: seeing it is the object permission; what they may do is their role's.
RESTRICTED_MEMBER_PERMS = (VIEW,)


def named_case_ids(user, perm=VIEW):
    """The ids of the cases on which `user` is named with `perm`, as a subquery (one indexed lookup)."""
    app_label, codename = perm.split(".")
    return (
        apps.get_model(CASE_NAMED_MODEL)
        .objects.filter(user=user, permission__codename=codename, permission__content_type__app_label=app_label)
        .values("content_object_id")
    )


def named_case_users(incident, perm):
    """The ids of the people named on `incident` with `perm`, as a subquery."""
    codename = perm.split(".")[1]
    return (
        apps.get_model(CASE_NAMED_MODEL)
        .objects.filter(content_object=incident, permission__codename=codename)
        .values("user")
    )


def case_scope(user, roles, school):
    """The filter for the submitted cases of `school` that `user`, holding `roles` there, may see, or None.

    The team and overseers see every case of the school that is not restricted, and the restricted ones they
    are named on; anyone else with a role in the school sees only the cases they are named on (a signatory) or
    granted (an inspector).
    """
    if not roles:
        return None
    submitted = Q(school=school) & ~Q(state="draft")
    named = Q(pk__in=named_case_ids(user)) | extensions.granted_cases(user, roles)
    if can(roles, "view_cases"):
        return submitted & (Q(restricted=False) | named)
    return submitted & named


def is_named(user, incident, perm=VIEW):
    """Whether `user` is named on this case with `perm` (an object permission held by them, not by a group)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return named_case_ids(user, perm).filter(content_object_id=incident.pk).exists()


def case_permits(user, incident, perm):
    """Whether `user` may act with `perm` on a case: an active role in its school today, and either that role's
    power over the school's cases (on a restricted case, only if they are named on it) or their own naming; or,
    to read it only, a grant of it in force (an inspector's).

    A membership past its end date counts as none at once. Superusers and global permissions get nothing extra.
    """
    roles = roles_in_school_of(user, incident)
    if not roles:
        return False
    capability = ROLE_CASE_PERMS.get(perm)
    if capability and can(roles, capability) and (not incident.restricted or is_named(user, incident)):
        return True
    if is_named(user, incident, perm):
        return True
    granted = extensions.granted_cases(user, roles)
    return perm == VIEW and bool(granted) and _case_model().objects.filter(granted, pk=incident.pk).exists()


def _case_model():
    return apps.get_model("incidents.Incident")


def case_name(incident, users, perms):
    """Name each of `users` on the case with each of `perms` (idempotent: naming twice changes nothing)."""
    named = apps.get_model(CASE_NAMED_MODEL)
    permissions = Permission.objects.filter(
        content_type__app_label="incidents", codename__in=[perm.split(".")[1] for perm in perms]
    )
    rows = [named(user=user, permission=p, content_object=incident) for p in permissions for user in users]
    named.objects.bulk_create(rows, ignore_conflicts=True)


def case_unname(incident, users, perms):
    """Take `perms` on the case away from each of `users`."""
    named = apps.get_model(CASE_NAMED_MODEL)
    codenames = [perm.split(".")[1] for perm in perms]
    named.objects.filter(content_object=incident, user__in=list(users), permission__codename__in=codenames).delete()


def reporter_name(incident):
    """Name the member of staff who logged the concern on it: they see their own report and finish their draft."""
    case_name(incident, [incident.reported_by], REPORTER_PERMS)
