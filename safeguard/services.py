"""Writes to the core: trusts, schools and memberships. Every function takes the acting person."""

from django.db import transaction
from django.utils import timezone

from .audit import audited_save
from .models import Membership, School, Trust
from .roles import Role


@transaction.atomic
def trust_create(*, actor, name):
    return audited_save(Trust(name=name), actor=actor, reason="Trust created")


@transaction.atomic
def school_create(*, actor, name, urn, trust=None):
    return audited_save(School(name=name, urn=urn, trust=trust), actor=actor, reason="School created")


@transaction.atomic
def membership_grant(*, actor, user, role, school=None, trust=None, starts_on=None, ends_on=None):
    """Give `user` a role in a school (or a trust lead's oversight of a trust): what the role sees comes with it."""
    return audited_save(
        Membership(
            user=user,
            role=role,
            school=school,
            trust=trust,
            starts_on=starts_on or timezone.localdate(),
            ends_on=ends_on,
            granted_by=actor,
        ),
        actor=actor,
        reason=f"Granted the role of {Role(role).label}",
    )


@transaction.atomic
def membership_end(*, actor, membership, reason):
    """End a membership now; the person loses the role's access at once."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.ended_at is None:
        membership.ended_at = timezone.now()
        audited_save(membership, actor=actor, reason=reason, update_fields=["ended_at"])
    return membership


def memberships_end_expired(*, today=None):
    """End every membership past its last day. Safe to run twice: ended ones are skipped.

    The person recorded is whoever granted the time-limited access, since they set the end date.
    """
    today = today or timezone.localdate()
    expired = Membership.objects.filter(ended_at__isnull=True, ends_on__lt=today).select_related("granted_by", "user")
    ended = 0
    for membership in expired:
        membership_end(
            actor=membership.granted_by,
            membership=membership,
            reason=f"Access ended after its last day, {membership.ends_on:%d %B %Y}",
        )
        ended += 1
    return ended
