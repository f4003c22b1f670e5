"""Reminders in the navigation, and a person's open reminders on their dashboard."""

from incidents.models import Incident
from safeguard import extensions, policy
from safeguard.audit import listed

from . import reminder_selectors as selectors

DASHBOARD_SHOWN = 5


def _dashboard_panel(request, school, roles, **_):
    if not policy.can(roles, "see_reminders"):
        return None
    reminders = list(selectors.open_reminders_for_user(request.user, school)[:DASHBOARD_SHOWN])
    if not reminders:
        return None
    listed(request, Incident, [r.incident_id for r in reminders if r.incident_id])
    return {"reminders": reminders}


def register():
    extensions.register_nav(url_name="records:reminder_list", label="Reminders", capability="see_reminders", order=15)
    extensions.register_panel(
        "dashboard", template="records/reminders/dashboard.html", context=_dashboard_panel, order=15
    )
