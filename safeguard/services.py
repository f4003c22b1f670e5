"""Writes to the core: trusts, schools and their calendars, and memberships. Every function takes the acting
person."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import capfirst

from . import calendar, outbox, policy
from .audit import audited_save
from .memberships import roles_in_school
from .models import InsetDay, Membership, Nation, School, Term, Trust
from .people import person_name
from .roles import ALWAYS_HELD, STAFFING_ROLES, TWO_FACTOR_ROLES, Role


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
def membership_grant(*, actor, user, role, school=None, trust=None, starts_on=None, ends_on=None, reason=""):
    """Give `user` a role in a school (or a trust lead's oversight of a trust): what the role sees comes with it."""
    granted = f"Granted the role of {Role(role).label}"
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
        reason=f"{granted}: {reason}" if reason else granted,
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


# --- The school's people: the people page's changes (the head, or the trust lead for the trust's schools) ---------


def _check_manages_people(actor, school, user=None, field="role"):
    if not policy.can(roles_in_school(actor, school), "manage_people"):
        raise PermissionDenied("Only the headteacher or the trust's safeguarding lead can change who works here.")
    if user is not None and user.pk == actor.pk:
        # Separation of duties: a role that sees case data is always given by someone else.
        raise ValidationError(
            {
                field: "You cannot give yourself a role or change your own. Ask another headteacher "
                "or the trust's safeguarding lead."
            }
        )


def _lock_people(school):
    # One change to a school's people at a time, so that two heads ending the last two DSLs at once cannot both
    # find the other still there.
    return School.objects.select_for_update().get(pk=school.pk)


def _require_reason(reason, field="reason"):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: "Please say why, for the record."})
    return reason


def _check_replaced(membership, *, field, last_day=None):
    """Refuse to take away the school's last headteacher or DSL: someone else must hold the role from the first day
    without this membership (today when it ends now, else the day after `last_day`)."""
    if membership.role not in ALWAYS_HELD or not membership.is_active():
        return
    first_day_without = last_day + datetime.timedelta(days=1) if last_day else timezone.localdate()
    others = Membership.objects.active(on=first_day_without).filter(school=membership.school_id, role=membership.role)
    if not others.exclude(pk=membership.pk).exists():
        label = Role(membership.role).label.lower()
        raise ValidationError(
            {
                field: f"{person_name(membership.user)} is the school's only {label}. Add the person taking over "
                f"first, then come back to this."
            }
        )


@transaction.atomic
def person_role_add(*, actor, school, user, role, reason, starts_on=None, ends_on=None):
    """Give someone already known (say, the head) one more role at the school, such as DSL as well."""
    _check_manages_people(actor, school, user)
    reason = _require_reason(reason)
    if role not in STAFFING_ROLES:
        raise ValidationError({"role": "Choose one of the roles listed."})
    _lock_people(school)
    if Membership.objects.filter(school=school, user=user, role=role, ended_at__isnull=True).exists():
        raise ValidationError({"role": f"{person_name(user)} already has the role of {Role(role).label} here."})
    if ends_on and ends_on < (starts_on or timezone.localdate()):
        raise ValidationError({"ends_on": "The last day is before the first day."})
    return membership_grant(
        actor=actor, user=user, role=role, school=school, starts_on=starts_on, ends_on=ends_on, reason=reason
    )


def person_for_email(*, actor, email, first_name="", last_name=""):
    """The account with this email address, or a new one with no password yet (its invitation sets one); the new
    account's sign-in name is the address, and its history names `actor`."""
    users = get_user_model().objects
    email = users.normalize_email(email.strip()).lower()
    known = list(users.filter(email__iexact=email)[:2])
    if len(known) > 1:
        raise ValidationError({"email": "More than one account has this email address. Ask your administrator."})
    if known:
        return known[0]
    if users.filter(username__iexact=email).exists():
        raise ValidationError({"email": "An account already uses this email address as its sign-in name."})
    if not (first_name.strip() and last_name.strip()):
        raise ValidationError({"first_name": "Please give the new person's first and last names."})
    user = users.model(username=email, email=email, first_name=first_name.strip(), last_name=last_name.strip())
    user.set_unusable_password()
    try:
        return audited_save(user, actor=actor, reason="Account created, to be invited")
    except ValidationError:
        raise ValidationError({"email": "This address cannot be used as a sign-in name. Check it."}) from None


@transaction.atomic
def person_invite(*, actor, school, email, role, reason, link_base, first_name="", last_name="", **dates):
    """Add a person by email address in a role: someone new gets an account and an invitation to choose a
    password (a one-time link); someone already known is told of the new role. `link_base` is the site's address.
    """
    _check_manages_people(actor, school)
    user = person_for_email(actor=actor, email=email, first_name=first_name, last_name=last_name)
    if user.pk == actor.pk:
        _check_manages_people(actor, school, user, field="email")
    membership = person_role_add(actor=actor, school=school, user=user, role=role, reason=reason, **dates)
    invitation_send(membership, actor=actor, link_base=link_base)
    return membership


@transaction.atomic
def invitation_resend(*, actor, membership, link_base):
    """Send the invitation again to someone who has not chosen a password yet (each link lasts a few days)."""
    _check_manages_people(actor, membership.school)
    if membership.user.has_usable_password():
        raise ValidationError(
            f"{person_name(membership.user)} has chosen a password already. If they have forgotten it, they can "
            "reset it from the sign-in page."
        )
    invitation_send(membership, actor=actor, link_base=link_base)


def invitation_send(membership, *, actor, link_base):
    """Tell the person of their new role, by an email queued with the change (the outbox): the row holds ids, and
    the one-time link is made when the email is sent."""
    outbox.enqueue(
        "safeguard.tasks.invitation_email", membership_id=membership.pk, actor_id=actor.pk, link_base=link_base
    )


def invitation_email_send(*, membership_id, actor_id, link_base):
    """The invitation itself: someone with no password yet gets a one-time link to choose one."""
    membership = Membership.objects.select_related("user", "school", "trust").get(pk=membership_id)
    actor = get_user_model().objects.get(pk=actor_id)
    invitation_email(
        user=membership.user,
        actor=actor,
        place=membership.school or membership.trust,
        role=Role(membership.role),
        link_base=link_base,
    )


def invitation_email(*, user, actor, place, role, link_base, access=""):
    """Email `user` that `actor` gave them `role` at `place` (`access`: a sentence on what it opens and until when),
    with the way to sign in: for someone with no password yet, a one-time link to choose one. Names no child."""
    lines = [
        f"Hello {user.first_name or user.get_username()},",
        f"{person_name(actor)} has added you to Safeguard at {place}, as {role.label}. Safeguard is where the "
        "school records and follows up safeguarding concerns.",
    ]
    if access:
        lines.append(access)
    if user.has_usable_password():
        lines.append(f"Sign in as usual, with the sign-in name {user.get_username()}: {link_base}{reverse('login')}")
    else:
        path = reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        days = round(settings.PASSWORD_RESET_TIMEOUT / 86400)
        lines.append(
            f"To choose your password, open this link (it works once, for {days} days):\n\n{link_base}{path}\n\n"
            f"Then sign in with the sign-in name {user.get_username()}."
        )
    if role in TWO_FACTOR_ROLES:
        lines.append(
            "Because this role can see safeguarding records, when you first sign in you will also set up an "
            "authenticator app on your phone, which gives you a code at each sign-in."
        )
    lines.append(f"If you were not expecting this email, please tell {person_name(actor)}.")
    send_mail(f"You have been added to Safeguard at {place}", "\n\n".join(lines), None, [user.email])


@transaction.atomic
def membership_role_change(*, actor, membership, role, reason):
    """Move someone to another role: the old membership ends today and the new one starts, both with the reason."""
    _check_manages_people(actor, membership.school, membership.user)
    reason = _require_reason(reason)
    _lock_people(membership.school)
    membership = Membership.objects.select_related("user", "school").get(pk=membership.pk)
    if role == membership.role:
        raise ValidationError({"role": f"{person_name(membership.user)} already has this role."})
    _check_replaced(membership, field="role")
    granted = person_role_add(
        actor=actor,
        school=membership.school,
        user=membership.user,
        role=role,
        reason=reason,
        ends_on=membership.ends_on,
    )
    membership_end(actor=actor, membership=membership, reason=f"Role changed to {Role(role).label}: {reason}")
    return granted


@transaction.atomic
def membership_last_day_set(*, actor, membership, ends_on, reason):
    """Give a membership a last day (or a new one): access ends after it, without anyone having to remember."""
    _check_manages_people(actor, membership.school, membership.user, field="ends_on")
    reason = _require_reason(reason)
    _lock_people(membership.school)
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    if ends_on < max(membership.starts_on, timezone.localdate()):
        raise ValidationError({"ends_on": "The last day cannot be in the past, or before the role starts."})
    _check_replaced(membership, field="ends_on", last_day=ends_on)
    membership.ends_on = ends_on
    audited_save(
        membership, actor=actor, reason=f"Last day set to {ends_on:%d %B %Y}: {reason}", update_fields=["ends_on"]
    )
    return membership


@transaction.atomic
def membership_remove(*, actor, membership, reason):
    """End someone's role at the school now, with the reason: they lose its access on their next request."""
    _check_manages_people(actor, membership.school, membership.user, field="reason")
    reason = _require_reason(reason)
    _lock_people(membership.school)
    membership = Membership.objects.select_related("user").get(pk=membership.pk)
    _check_replaced(membership, field="reason")
    return membership_end(actor=actor, membership=membership, reason=reason)
