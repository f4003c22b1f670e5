"""The deletion and take-down panels: on the case page, and overdue deadlines on the safeguarding team's dashboard."""

from incidents.models import CaseState, EntryKind, Incident
from safeguard import extensions, policy
from safeguard.audit import listed

from . import deletion_selectors as selectors
from .views.deletion import police_referral_url

DASHBOARD_OVERDUE_SHOWN = 20


# The chronology entries the deletion and take-down services write, counted on the case page.
_COUNTED = {
    EntryKind.DELETION_REQUEST: "asked",
    EntryKind.DELETION_CONFIRMED: "confirmed",
    EntryKind.DELETION_REFUSED: "refused",
    EntryKind.TAKEDOWN: "reported",
    EntryKind.TAKEDOWN_FOLLOW_UP: "followed_up",
}


def _case_panel(request, case, chronology, can_work, is_open, **_):
    # Counted from the chronology the case page already reads: no query of its own. The requests, answers, overdue
    # deadlines and take-down reports themselves are on the section page.
    counts = dict.fromkeys(_COUNTED.values(), 0)
    for entry in chronology:
        if entry.kind in _COUNTED:
            counts[_COUNTED[entry.kind]] += 1
    managed = case.state == CaseState.MANAGED_IN_SCHOOL
    can_record = can_work and is_open
    if not any(counts.values()) and not can_record:
        return None
    return {
        "deletion": counts,
        "any_deletion_record": any(counts.values()),
        "can_request_deletion": can_work and managed,
        "can_report_takedown": can_record,
        # A refusal is a reason to involve the police: the escalation is offered here as well as on the section page.
        "can_escalate": counts["refused"] > 0 and can_record and case.state != CaseState.REFERRED,
        "police_referral_url": police_referral_url(case),
    }


def _dashboard_panel(request, school, roles, **_):
    if not policy.can(roles, "work_cases"):
        return None
    overdue = list(selectors.overdue_deletions_for_user(request.user, school)[:DASHBOARD_OVERDUE_SHOWN])
    listed(request, Incident, [row.incident_id for row in overdue])
    return {"overdue_deletions": overdue, "overdue_deletion_count": overdue[0].overdue_count if overdue else 0}


def register():
    extensions.register_panel("case", template="records/deletion/case_panel.html", context=_case_panel, order=30)
    extensions.register_panel(
        "dashboard", template="records/deletion/dashboard_panel.html", context=_dashboard_panel, order=30
    )
