"""The deletion and take-down panels: on the case page, and overdue deadlines on the safeguarding team's dashboard."""

from django.utils import timezone

from incidents.models import CaseState, Incident
from safeguard import extensions, policy
from safeguard.audit import listed

from . import deletion_selectors as selectors
from .services.deletion import OPEN, REFUSED
from .views.deletion import police_referral_url

DASHBOARD_OVERDUE_SHOWN = 20


def _case_panel(request, case, people, can_work, is_open, **_):
    requests = selectors.deletion_requests_for_case(case, timezone.now())
    reports = selectors.takedown_reports_for_case(case)
    managed = case.state == CaseState.MANAGED_IN_SCHOOL
    asked = {r.involvement_id for r in requests}
    return {
        # Deletion is asked for on a case managed in school; its record stays on the page whatever comes after.
        "show_deletion": managed or bool(requests),
        "deletion_requests": requests,
        "takedown_reports": reports,
        # Chased while the school manages the case; once referred, the police advise on the imagery.
        "deletion_overdue": [r for r in requests if r.overdue] if managed else [],
        # Seed 004 §5.2: when the school manages the case, every pupil involved is asked to delete the imagery.
        "deletion_not_asked": [p for p in people if p.pupil_id and p.pk not in asked] if managed else [],
        "deletion_refused": any(r.status == REFUSED for r in requests),
        "police_referral_url": police_referral_url(case),
        "can_request_deletion": can_work and managed,
        "can_answer_deletion": can_work and is_open,
        "can_escalate": can_work and is_open and case.state != CaseState.REFERRED,
        "can_report_takedown": can_work and is_open,
        "deletion_open": OPEN,
        "deletion_refused_status": REFUSED,
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
