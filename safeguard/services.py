"""Writes to the core: trusts, schools and their calendars, and memberships. Every function takes the acting
person."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst

from . import calendar, policy
from .audit import audited_save
from .memberships import roles_in_school
from .models import InsetDay, Membership, Nation, School, Term, Trust
from .roles import Role


@transaction.atomic
def trust_create(*, actor, name):
    return audited_save(Trust(name=name), actor=actor, reason="Trust created")


@transaction.atomic
def school_create(*, actor, name, urn, trust=None, nation=Nation.ENGLAND):
    return audited_save(School(name=name, urn=urn, trust=trust, nation=nation), actor=actor, reason="School created")


# --- The school's calendar: whose bank holidays, its terms and INSET days (safeguard.calendar counts in them) ---


def _check_keeps_calendar(actor, school):
    if not policy.can(roles_in_school(actor, school), "keep_school_calendar"):
        raise PermissionDenied("Only the school's safeguarding team or headteacher can change its calendar.")


def _lock_calendar(school):
    # One change to a school's calendar at a time, so that two terms entered at once cannot overlap unseen.
    return School.objects.select_for_update().get(pk=school.pk)


@transaction.atomic
def school_nation_set(*, actor, school, nation):
    """Say which nation's bank holidays the school keeps (England, Wales, Scotland or Northern Ireland)."""
    _check_keeps_calendar(actor, school)
    locked = _lock_calendar(school)
    if locked.nation != nation:
        locked.nation = school.nation = nation
        audited_save(locked, actor=actor, reason=f"Bank holidays of {Nation(nation).label}", update_fields=["nation"])
    return school


@transaction.atomic
def term_add(*, actor, school, name, starts_on, ends_on):
    """Enter a term: its first and last days. Terms never overlap; a half term is the gap between two terms."""
    _check_keeps_calendar(actor, school)
    _lock_calendar(school)
    if starts_on <= ends_on:
        clash = Term.objects.current().filter(school=school, starts_on__lte=ends_on, ends_on__gte=starts_on).first()
        if clash:
            raise ValidationError(
                {
                    "starts_on": f"These dates overlap {clash}. A half term is the gap between two terms; if "
                    f"{clash.name} was entered wrongly, withdraw it first."
                }
            )
    term = Term(school=school, name=name.strip(), starts_on=starts_on, ends_on=ends_on, added_by=actor)
    audited_save(term, actor=actor, reason="Term added")
    calendar.forget(school)
    return term


@transaction.atomic
def inset_day_add(*, actor, school, day, description=""):
    """Enter an INSET day: a day in term when staff train and pupils are not in school."""
    _check_keeps_calendar(actor, school)
    locked = _lock_calendar(school)
    if not calendar.is_working_day(locked, day):
        raise ValidationError({"day": "This is a weekend or a bank holiday, when the school is closed anyway."})
    if InsetDay.objects.current().filter(school=school, day=day).exists():
        raise ValidationError({"day": "This day is already an INSET day."})
    inset_day = InsetDay(school=school, day=day, description=description.strip(), added_by=actor)
    audited_save(inset_day, actor=actor, reason="INSET day added")
    calendar.forget(school)
    return inset_day


@transaction.atomic
def calendar_entry_withdraw(*, actor, entry):
    """Withdraw a term or INSET day entered by mistake. It stays on record, with who withdrew it and when."""
    _check_keeps_calendar(actor, entry.school)
    locked = type(entry).objects.select_for_update().get(pk=entry.pk)
    if locked.withdrawn_at is None:
        entry.withdrawn_at = locked.withdrawn_at = timezone.now()
        entry.withdrawn_by = locked.withdrawn_by = actor
        reason = f"{capfirst(entry._meta.verbose_name)} withdrawn"
        audited_save(locked, actor=actor, reason=reason, update_fields=["withdrawn_at", "withdrawn_by"])
        calendar.forget(entry.school)
    return entry


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
