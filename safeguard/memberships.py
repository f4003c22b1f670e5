"""Who holds which role where, today. Read once per request (safeguard.middleware), then from that cache."""

from django.db import models
from django.db.models import Value

from . import extensions
from .models import Membership, School, Trust
from .roles import Role

SCHOOL_COLUMNS = (
    "school_id",
    "school__name",
    "school__urn",
    "school__nation",
    "school__trust_id",
    "school__trust__name",
)
TRUST_COLUMNS = (
    "trust__schools__id",
    "trust__schools__name",
    "trust__schools__urn",
    "trust__schools__nation",
    "trust_id",
    "trust__name",
)
# A granted row is in one school, never a trust's: its trust columns are empty, typed as the membership's are.
NO_TRUST = tuple(
    Value(None, output_field=field)
    for field in (
        models.IntegerField(),  # trust__schools__id
        models.CharField(),  # trust__schools__name
        models.CharField(),  # trust__schools__urn
        models.CharField(),  # trust__schools__nation
        models.IntegerField(),  # trust_id
        models.CharField(),  # trust__name
    )
)


def _granted_rows(user):
    """The rows a higher app's grants in force give (extensions.register_case_grants), shaped as membership rows."""
    return [
        source.grants(user)
        .order_by()
        .values_list(Value(source.role, output_field=models.CharField()), *SCHOOL_COLUMNS, *NO_TRUST)
        for source in extensions.case_grant_sources()
    ]


def schools_and_roles_for_user(user):
    """{school: the user's active roles there} for every school where they hold a role or oversee its trust.

    One query for every request: each membership in force today with its school, or, for a trust lead, with each
    school of the trust (one row per school), and each grant in force now that gives a role in a school (an
    inspector's). The School and Trust objects are built from those rows.
    """
    rows = Membership.objects.active().filter(user=user).order_by().values_list("role", *SCHOOL_COLUMNS, *TRUST_COLUMNS)
    granted = _granted_rows(user)
    if granted:
        rows = rows.union(*granted, all=True)
    schools, found = {}, {}
    for role, *values in rows:
        own, trust_school, trust = values[:6], values[6:10], values[10:]
        if role == Role.TRUST_LEAD:
            if trust_school[0] is None:
                continue  # a trust with no schools yet
            school_row = (*trust_school, *trust)
        else:
            school_row = own
        pk, name, urn, nation, school_trust_id, school_trust_name = school_row
        if pk not in schools:
            # from_db takes the values in the model's field order: id, trust, name, urn, nation. Every field is
            # loaded, so the working-day clocks (which read the nation) cost no query.
            school = School.from_db(
                "default", ["id", "trust_id", "name", "urn", "nation"], [pk, school_trust_id, name, urn, nation]
            )
            if school_trust_id:
                school.trust = Trust.from_db("default", ["id", "name"], [school_trust_id, school_trust_name])
            schools[pk] = school
        found.setdefault(pk, set()).add(Role(role))
    ordered = sorted(schools.values(), key=lambda school: (school.name, school.pk))
    return {school: frozenset(found[school.pk]) for school in ordered}


# Set by safeguard.middleware on request.user, so one request reads the roles once, whoever asks.
ROLES_CACHE_ATTR = "_safeguard_roles_by_school"


def _roles_by_school_id(user):
    # Within a request, the middleware's read; outside one (a service, a task), read afresh each time.
    known = getattr(user, ROLES_CACHE_ATTR, None)
    if known is None:
        known = {school.pk: roles for school, roles in schools_and_roles_for_user(user).items()}
    return known


def roles_in_school(user, school):
    """The user's active roles in `school`, including trust oversight of it."""
    return _roles_by_school_id(user).get(school.pk, frozenset())


def roles_in_school_of(user, record):
    """The user's roles in the school of `record` (a case, say), without loading the school."""
    return _roles_by_school_id(user).get(record.school_id, frozenset())
