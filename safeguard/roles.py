"""The roles a person may hold, and which of them see case data (domain.md: 'People and what each may do')."""

from django.db import models


class Role(models.TextChoices):
    STAFF = "staff", "Staff"
    DSL = "dsl", "Designated safeguarding lead"
    DEPUTY_DSL = "deputy_dsl", "Deputy DSL"
    HEADTEACHER = "headteacher", "Headteacher"
    INSPECTOR = "inspector", "Inspector"
    TRUST_LEAD = "trust_lead", "Trust safeguarding lead"


SCHOOL_ROLES = [r for r in Role if r != Role.TRUST_LEAD]
DSL_TEAM = frozenset({Role.DSL, Role.DEPUTY_DSL})
SENIOR = DSL_TEAM | {Role.HEADTEACHER}
# Everyone who can see more than what they themselves reported signs in with a second factor.
TWO_FACTOR_ROLES = frozenset({Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER, Role.INSPECTOR, Role.TRUST_LEAD})
# What the people page gives: the school's own staff roles (an inspector's access comes with an export, a trust
# lead's with the trust).
STAFFING_ROLES = (Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL, Role.STAFF)
# A school always has someone in each of these: the head signs off, the DSL leads the safeguarding team.
ALWAYS_HELD = frozenset({Role.HEADTEACHER, Role.DSL})
