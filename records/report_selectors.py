"""Reads of PDF reports, always scoped: `reports_for_user` is the one place that says who sees which report.

Every read of a report (the list, its page, the polled fragment, the download) goes through it, so widening who
may see reports (an inspector's grant) is a change here only.
"""

import datetime

from django.db.models import Q
from django.http import Http404

from incidents.models import Incident
from safeguard import policy
from safeguard.memberships import roles_in_school
from safeguard.models import Pupil, Term
from safeguard.roles import Role

from .inspection_selectors import granted_report_ids
from .report_models import Report, ReportKind, ReportState

LIST_SIZE = 50


def reports_for_user(user, school):
    """The reports of `school` the user may see.

    School reports: whoever may ask for one (the DSL team, the head and the trust lead). A case record: the DSL team
    and the head, for a case they may see (so a restricted case's record stays with its named members). A pupil's
    file: the DSL team and the head, for a pupil on the register they may read (the file leaves restricted cases
    out, see records.report_content.pupil_file). An inspector: exactly the reports granted to them, while the grant
    is in force (records.inspection_selectors).
    """
    if school is None:
        return Report.objects.none()
    roles = roles_in_school(user, school)
    shown = Q()
    if policy.can(roles, "request_school_reports"):
        shown |= Q(kind=ReportKind.SCHOOL)
    if policy.can(roles, "export_case_files"):
        cases = policy.case_scope(user, roles, school)
        if cases is not None:
            shown |= Q(kind=ReportKind.CASE_RECORD, incident__in=Incident.objects.filter(cases).values("pk"))
        pupils = policy.pupil_scope(roles, school)
        if pupils is not None:
            shown |= Q(kind=ReportKind.PUPIL_FILE, pupil__in=Pupil.objects.filter(pupils).values("pk"))
    if Role.INSPECTOR in roles:
        shown |= Q(pk__in=granted_report_ids(user))
    if not shown:
        return Report.objects.none()
    return Report.objects.filter(shown, school=school)


def report_list_for_user(user, school):
    """The latest reports of the school the user may see, newest first, with who asked and what each covers."""
    return (
        reports_for_user(user, school)
        .select_related("requested_by", "incident", "pupil")
        .only(
            "kind",
            "state",
            "requested_at",
            "period_start",
            "period_end",
            "period_label",
            "progress_done",
            "progress_total",
            "school_id",
            "requested_by__first_name",
            "requested_by__last_name",
            "requested_by__username",
            "incident__reference",
            "pupil__first_name",
            "pupil__last_name",
        )
        .order_by("-requested_at", "-pk")
    )


# The inspector access form offers the school's latest ready reports, not all of them (the same size at any age).
REPORTS_OFFERED = 30


def grantable_reports(user, school):
    """The school's latest ready reports that `user` may see, and so may give an inspector."""
    return (
        reports_for_user(user, school)
        .filter(state=ReportState.READY)
        .select_related("incident", "pupil")
        .order_by("-requested_at", "-pk")[:REPORTS_OFFERED]
    )


def get_report_for_user_or_404(user, school, pk):
    """One report the user may see; 404 for missing and for not theirs alike."""
    try:
        return reports_for_user(user, school).select_related("requested_by", "incident", "pupil").get(pk=pk)
    except (Report.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def report_terms(user, school, *, today, years=3):
    """The school's terms in force over the last `years` years, latest first, to choose a school report's period:
    for whoever may ask for one (the calendar's own page is for those who keep it)."""
    if not policy.can(roles_in_school(user, school), "request_school_reports"):
        return Term.objects.none()
    since = today - datetime.timedelta(days=366 * years)
    return (
        Term.objects.current()
        .filter(school=school, starts_on__gte=since, starts_on__lte=today)
        .order_by("-starts_on", "-pk")
    )
