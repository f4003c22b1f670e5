"""Writes for retention (issue 9 §8): legal holds, their lifting, and review decisions (keep, extend, dispose).

Every write takes the acting person as `actor`, locks the pupil's row (so a hold and a disposal cannot pass each
other), saves one new row through audited_save, and never changes a row: a hold is lifted by a lift row, a review
date moved by a later decision. A decision is made by a named person, the school's DSL, who re-enters their
password or a code; a disposal is refused while a hold stands, before the review date, and while a case of the
file is still open. What "dispose" means here is in retention_models and the README ("Retention").
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.errors import CasePermissionDenied, Problem, RuleBroken
from incidents.models import CaseState, Incident
from incidents.reauth import reauthenticate
from incidents.services import require_text
from safeguard.audit import audited_save
from safeguard.memberships import roles_in_school
from safeguard.models import Pupil
from safeguard.people import person_name
from safeguard.roles import DSL_TEAM, Role

from ..retention_models import LegalHold, LegalHoldLift, RetentionDecision, RetentionOutcome
from ..retention_selectors import KEEP_FOR_YEARS, add_years, review_date


def _save_new(instance, *, actor, reason):
    assert instance.pk is None  # noqa: S101  (append-only: a row is written once)
    return audited_save(instance, actor=actor, reason=reason)


def _lock_file(pupil):
    """Lock and return the pupil's row; refuse a file already disposed of."""
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
    if RetentionDecision.objects.filter(pupil=pupil, outcome=RetentionOutcome.DISPOSE).exists():
        raise RuleBroken("This file has been disposed of: nothing more can be recorded on it.")
    return pupil


def _team_only(actor, school):
    if not roles_in_school(actor, school) & DSL_TEAM:
        raise CasePermissionDenied("Only the safeguarding team places or lifts a legal hold.")


def _standing_hold(pupil):
    return LegalHold.objects.filter(pupil=pupil, lift__isnull=True).first()


@transaction.atomic
def legal_hold_place(*, actor, pupil, reason):
    """Place a legal hold on a pupil's file (a claim, an inquiry, a request from the police): while it stands,
    the file is not disposed of, whatever its review date."""
    _team_only(actor, pupil.school)
    reason = require_text(reason, Problem("Say why the file must be kept.", field="reason"))
    pupil = _lock_file(pupil)
    if _standing_hold(pupil) is not None:
        raise RuleBroken(
            Problem("This file is already on hold; lift that hold first to place another.", field="reason")
        )
    return _save_new(LegalHold(pupil=pupil, reason=reason, placed_by=actor), actor=actor, reason="Legal hold placed")


@transaction.atomic
def legal_hold_lift(*, actor, hold, reason):
    """Lift a standing hold, with the reason; the hold stays on record."""
    _team_only(actor, hold.pupil.school)
    reason = require_text(reason, Problem("Say why the hold is lifted.", field="reason"))
    _lock_file(hold.pupil)
    if LegalHoldLift.objects.filter(hold=hold).exists():
        raise RuleBroken("This hold has already been lifted.")
    return _save_new(LegalHoldLift(hold=hold, reason=reason, lifted_by=actor), actor=actor, reason="Legal hold lifted")


def retention_decide(*, actor, pupil, outcome, reason, next_review_on=None, password=None, otp_token=None, today=None):
    """Record the review's decision on a pupil's file, signed by the DSL (`actor`) with their password or code.

    keep: the file is kept and reviewed again a year on; extend: kept until `next_review_on`, a later date;
    dispose: the file is disposed of, and this decision is the entry saying what was (see retention_models).
    """
    # Checked before the transaction, so a failed code is counted (incidents.reauth).
    method = reauthenticate(user=actor, password=password, otp_token=otp_token)
    return _decide(
        actor=actor,
        pupil=pupil,
        outcome=outcome,
        reason=reason,
        next_review_on=next_review_on,
        method=method,
        today=today or timezone.localdate(),
    )


@transaction.atomic
def _decide(*, actor, pupil, outcome, reason, next_review_on, method, today):
    if Role.DSL not in roles_in_school(actor, pupil.school):
        raise CasePermissionDenied("Only the school's designated safeguarding lead decides what happens to a file.")
    if outcome not in RetentionOutcome.values:
        raise ValidationError({"outcome": "Choose what happens to the file."})
    reason = require_text(reason, Problem("Say why: the decision is kept with the file.", field="reason"))
    pupil = _lock_file(pupil)
    cases = list(Incident.objects.filter(involvements__pupil=pupil, involvements__removed_at__isnull=True).distinct())
    if not cases:
        raise RuleBroken("This pupil has no child protection file to review.")
    due = review_date(pupil)
    summary = ""
    if outcome == RetentionOutcome.KEEP:
        next_review_on = add_years(today, KEEP_FOR_YEARS)
    elif outcome == RetentionOutcome.EXTEND:
        if next_review_on is None or next_review_on <= max(today, due):
            raise ValidationError({"next_review_on": f"Choose a date after {max(today, due):%d %B %Y}."})
    else:
        next_review_on = None
        hold = _standing_hold(pupil)
        if hold is not None:
            raise RuleBroken(
                f"The file is on legal hold ({hold.reason}), placed by {person_name(hold.placed_by)}: nothing is "
                "disposed of while a hold stands. Lift the hold first if it no longer applies."
            )
        if due > today:
            raise RuleBroken(f"The file's review date is {due:%d %B %Y}: it is not disposed of before then.")
        # A draft (a concern not yet submitted) has no reference yet, and is still open too.
        still_open = [c.reference or "a concern not yet submitted" for c in cases if c.state != CaseState.CLOSED]
        if still_open:
            raise RuleBroken(f"A case in this file is still open ({', '.join(still_open)}): close it first.")
        summary = (
            f"The child protection file of the pupil with UPN {pupil.upn}, born in {pupil.date_of_birth:%Y}, "
            f"review date {due:%d %B %Y}: cases {', '.join(c.reference for c in cases)}."
        )
    return _save_new(
        RetentionDecision(
            pupil=pupil,
            outcome=outcome,
            reason=reason,
            next_review_on=next_review_on,
            disposed_summary=summary,
            decided_by=actor,
            reauth_method=method,
        ),
        actor=actor,
        reason=f"Retention decision: {outcome}",
    )
