"""What the imagery-viewing log and device custody add to the case page and the dashboard."""

from incidents.models import EntryKind, Incident
from safeguard import extensions
from safeguard.audit import listed
from safeguard.roles import Role

from .selectors import viewing

DASHBOARD_SHOWN = 20


def _case_panel(request, case, chronology, can_work, is_open, **_):
    # Every viewing, signature and custody step writes a chronology line, and the page reads the chronology anyway
    # (the same queryset, so iterating it here costs nothing more): counts by kind, no query of this panel's own.
    # The records themselves, and the prompts before closing, are on the case's imagery-and-devices page.
    viewing_entries = sum(1 for entry in chronology if entry.kind == EntryKind.IMAGERY_VIEWING)
    device_entries = sum(1 for entry in chronology if entry.kind == EntryKind.DEVICE)
    can_record = can_work and is_open
    if not (viewing_entries or device_entries or can_record):
        return None
    return {"viewing_entries": viewing_entries, "device_entries": device_entries, "can_record": can_record}


def _dashboard_panel(request, school, roles, **_):
    # The headteacher is told of each viewing and signs its record here. The viewer signs as they record it (the
    # page goes straight on to the signature), and the case's imagery-and-devices page asks them
    # until they have.
    if Role.HEADTEACHER not in roles:
        return None
    waiting = list(viewing.awaiting_signature_for_user(request.user, school, roles)[:DASHBOARD_SHOWN])
    if not waiting:
        return None
    listed(request, Incident, [record.incident_id for record in waiting])
    return {"viewings_to_sign": waiting}


def register():
    extensions.register_nav(
        url_name="records:viewing_delegations", label="Viewing imagery", capability="delegate_viewing", order=45
    )
    extensions.register_panel("case", template="records/imagery_devices/case_panel.html", context=_case_panel, order=20)
    extensions.register_panel(
        "dashboard", template="records/viewing/dashboard_panel.html", context=_dashboard_panel, order=6
    )
