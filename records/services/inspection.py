"""Writes for inspector access (issue 10 §4): a grant of read-only access to chosen cases and reports for a window,
its revocation, and the email telling the inspector.

Only the school's DSL or headteacher grants and revokes. A grant opens children's records to someone from outside
the school, so it is signed: the granter re-enters their password or a code (incidents.reauth), as for a sign-off.
A revocation only takes access away, so it asks for a reason and nothing more: nothing should slow it down.
Rows are only ever added (the grant, a row per case and report, the revocation): see inspection_models.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from incidents.errors import Problem, RuleBroken
from incidents.reauth import reauthenticate
from incidents.services import require_text
from safeguard import outbox, policy
from safeguard.audit import audited_bulk_create, audited_save
from safeguard.memberships import roles_in_school
from safeguard.models import Membership, School
from safeguard.people import person_name
from safeguard.roles import Role
from safeguard.services import invitation_email, person_for_email

from ..inspection_models import (
    InspectionGrant,
    InspectionGrantCase,
    InspectionGrantReport,
    InspectionNotice,
    InspectionRevocation,
)
from ..inspection_selectors import grantable_cases
from ..report_models import ReportState
from ..report_selectors import grantable_reports

# The longest window a grant may have. An Ofsted inspection is on site for two or three days and its report follows
# within days; a trust's audit takes about a week. Two weeks covers either with room to spare, while a grant
# forgotten by mistake still ends soon. Longer work takes a fresh grant, which is signed and recorded again.
MAX_DAYS = 14
# A grant is for chosen records, not the school's whole caseload: there is no bulk export.
MAX_CASES = 50
# A start a few minutes back is "now" as typed into the form; anything earlier would back-date access.
START_TOLERANCE = datetime.timedelta(minutes=5)


def _check_grants(actor, school):
    if not policy.can(roles_in_school(actor, school), "grant_inspection_access"):
        raise PermissionDenied(
            "Only the school's designated safeguarding lead or headteacher gives or ends inspector access."
        )


def _lock_school(school):
    # One grant or revocation of a school's inspector access at a time (grants are append-only rows, never locked).
    return School.objects.select_for_update().get(pk=school.pk)


def default_ends_at(starts_at):
    return starts_at + datetime.timedelta(days=settings.SAFEGUARD_INSPECTOR_ACCESS_DAYS)


def inspection_grant(
    *,
    actor,
    school,
    email,
    reason,
    link_base,
    cases=(),
    reports=(),
    first_name="",
    last_name="",
    starts_at=None,
    ends_at=None,
    password=None,
    otp_token=None,
):
    """Give the person with `email` (invited if new) read-only access to `cases` and `reports` of `school` from
    `starts_at` (now) to `ends_at` (SAFEGUARD_INSPECTOR_ACCESS_DAYS later), signed with the granter's password or
    a code. The inspector is emailed once the grant is saved."""
    _check_grants(actor, school)  # refuse before asking for a secret
    # Checked before the transaction, so a failed code is counted (incidents.reauth).
    method = reauthenticate(user=actor, password=password, otp_token=otp_token)
    return _grant(
        actor=actor,
        school=school,
        email=email,
        first_name=first_name,
        last_name=last_name,
        cases=list(cases),
        reports=list(reports),
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        method=method,
        link_base=link_base,
    )


def _window(starts_at, ends_at, now):
    starts_at = starts_at or now
    ends_at = ends_at or default_ends_at(starts_at)
    if starts_at < now - START_TOLERANCE:
        raise ValidationError({"starts_at": "Access cannot start in the past. Leave it empty to start now."})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "Access must end after it starts."})
    if ends_at - starts_at > datetime.timedelta(days=MAX_DAYS):
        raise ValidationError(
            {"ends_at": f"Access lasts at most {MAX_DAYS} days. For longer work, give access again when this ends."}
        )
    return starts_at, ends_at


@transaction.atomic
def _grant(
    *, actor, school, email, first_name, last_name, cases, reports, starts_at, ends_at, reason, method, link_base
):
    reason = require_text(
        reason, Problem("Say why, for the record: who they are and what the access is for.", field="reason")
    )
    starts_at, ends_at = _window(starts_at, ends_at, timezone.now())
    if not cases and not reports:
        raise ValidationError({"cases": "Choose at least one case or report to share."})
    if len(cases) > MAX_CASES:
        raise ValidationError(
            {"cases": f"Share at most {MAX_CASES} cases at once: inspector access is for chosen records."}
        )
    _lock_school(school)
    # Each case must be one of this school's that the granter may see (a restricted case only if named on it).
    visible = set(grantable_cases(actor, school, [case.reference for case in cases]).values_list("pk", flat=True))
    refused = [case.reference or "a concern not yet submitted" for case in cases if case.pk not in visible]
    if refused:
        raise ValidationError({"cases": f"Not a case of this school that you can see: {', '.join(refused)}."})
    offered = {report.pk for report in grantable_reports(actor, school)}
    if any(report.pk not in offered or report.state != ReportState.READY for report in reports):
        raise ValidationError({"reports": "Choose among this school's ready reports listed."})
    inspector = person_for_email(actor=actor, email=email, first_name=first_name, last_name=last_name)
    if inspector.pk == actor.pk:
        raise ValidationError({"email": "You cannot give inspector access to yourself."})
    if Membership.objects.active().filter(user=inspector, school=school).exclude(role=Role.INSPECTOR).exists():
        raise ValidationError(
            {
                "email": f"{person_name(inspector)} works at this school: inspector access is for someone from "
                "outside it."
            }
        )
    grant = audited_save(
        InspectionGrant(
            school=school,
            inspector=inspector,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            granted_by=actor,
            reauth_method=method,
        ),
        actor=actor,
        reason="Inspector access granted",
    )
    audited_bulk_create(
        InspectionGrantCase,
        [InspectionGrantCase(grant=grant, incident=case) for case in cases],
        actor=actor,
        reason="Case shared with an inspector",
    )
    audited_bulk_create(
        InspectionGrantReport,
        [InspectionGrantReport(grant=grant, report=report) for report in reports],
        actor=actor,
        reason="Report shared with an inspector",
    )
    outbox.enqueue("records.tasks.inspection_notice_email", grant_id=grant.pk, link_base=link_base)
    return grant


@transaction.atomic
def inspection_revoke(*, actor, grant, reason):
    """End a grant now, with the reason: the inspector sees nothing of it from their next request."""
    _check_grants(actor, grant.school)
    reason = require_text(reason, Problem("Say why access ends now.", field="reason"))
    _lock_school(grant.school)
    if InspectionRevocation.objects.filter(grant=grant).exists():
        raise RuleBroken("This access has already been revoked.")
    if grant.ends_at <= timezone.now():
        raise RuleBroken("This access has already ended at the end of its window.")
    return audited_save(
        InspectionRevocation(grant=grant, reason=reason, revoked_by=actor),
        actor=actor,
        reason="Inspector access revoked",
    )


def inspection_notice_send(*, grant_id, link_base):
    """Email the inspector of a grant (with their invitation, if they have no password yet), once: the notice row
    is inserted first, in the same transaction, and its uniqueness makes a second run send nothing. Names no child.
    Returns whether it sent."""
    grant = InspectionGrant.objects.select_related("inspector", "granted_by", "school").get(pk=grant_id)
    cases, reports = grant.case_rows.count(), grant.report_rows.count()
    try:
        with transaction.atomic():
            audited_save(InspectionNotice(grant=grant), actor=grant.granted_by, reason="Inspector emailed")
            ends = timezone.localtime(grant.ends_at)
            invitation_email(
                user=grant.inspector,
                actor=grant.granted_by,
                place=grant.school,
                role=Role.INSPECTOR,
                link_base=link_base,
                access=(
                    f"You may read {_count(cases, 'case')} and {_count(reports, 'report')} the school chose, from "
                    f"{timezone.localtime(grant.starts_at):%d %B %Y, %H:%M} until {ends:%d %B %Y, %H:%M}. "
                    "Access is read-only, ends by itself, and everything you open is logged for the school."
                ),
            )
    except (IntegrityError, ValidationError):
        return False  # sent already (the notice row exists)
    return True


def _count(number, noun):
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
