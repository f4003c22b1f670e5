"""What this app adds to the core's pages: navigation, dashboard panels, and the case's history page."""

from safeguard import extensions, policy
from safeguard.audit import listed

from . import selectors
from .models import Incident

OWN_REPORTS_SHOWN = 5


def _staff_panel(request, school, roles, **_):
    if not policy.can(roles, "log_concern"):
        return None
    own_reports = list(selectors.own_report_list_for_user(request.user, school)[:OWN_REPORTS_SHOWN])
    listed(request, Incident, [report["pk"] for report in own_reports])
    return {"own_reports": own_reports}


def _team_panel(request, school, roles, **_):
    if not policy.can(roles, "view_cases"):
        return None
    # Flagged until the police or social care are told: a review meeting found a referral is required. The cases
    # come with the counts, in one query.
    summary = selectors.case_summary_for_user(request.user, school, shown=10)
    referral_required = summary["referral_required"]
    notifications = list(selectors.notifications_for_user(request.user, school)[:10])
    open_actions = list(selectors.open_actions_for_user(request.user, school)[:10])
    listed(
        request,
        Incident,
        [case.pk for case in referral_required] + [row.incident_id for row in (*notifications, *open_actions)],
    )
    return {
        **summary,
        "notifications": notifications,
        "open_actions": open_actions,
    }


def _pupil_cases_panel(request, pupil, roles, **_):
    if not policy.can(roles, "view_cases"):
        return None
    cases = list(
        selectors.incident_list_for_user(request.user, request.school).filter(
            pk__in=selectors.case_ids_for_pupil(pupil)
        )
    )
    listed(request, Incident, [case.pk for case in cases])
    return {"pupil_cases": cases}


def register():
    extensions.register_nav(url_name="incidents:concern_new", label="Log a concern", capability="log_concern", order=10)
    extensions.register_nav(
        url_name="incidents:own_report_list", label="My concerns", capability="log_concern", order=11
    )
    extensions.register_nav(url_name="incidents:inbox", label="New concerns", capability="view_cases", order=20)
    extensions.register_nav(url_name="incidents:case_list", label="Cases", capability="view_cases", order=21)
    extensions.register_panel(
        "dashboard", template="incidents/panels/dashboard_staff.html", context=_staff_panel, order=10
    )
    extensions.register_panel(
        "dashboard", template="incidents/panels/dashboard_team.html", context=_team_panel, order=20
    )
    extensions.register_panel(
        "pupil", template="incidents/panels/pupil_cases.html", context=_pupil_cases_panel, order=10
    )
    extensions.register_trail("case", selectors.get_incident_for_user_or_404)
