"""What the imagery-viewing log and device custody add to the case page and the dashboard."""

from incidents.models import EntryKind, Incident
from safeguard import extensions
from safeguard.audit import listed
from safeguard.roles import Role

from .selectors import custody, viewing
from .services.custody import custody_state
from .viewing_models import NEXT_STEPS

DASHBOARD_SHOWN = 20


def _case_panel(request, case, chronology, can_work, is_open, **_):
    # Every viewing and custody step writes a chronology line, and the page reads the chronology anyway (the same
    # queryset, so iterating it here costs nothing more): a case without them costs no query of this panel's.
    kinds = {entry.kind for entry in chronology}
    viewings = list(viewing.viewings_for_case_page(case)) if EntryKind.IMAGERY_VIEWING in kinds else []
    for record in viewings:
        record.may_sign = is_open and (
            (record.viewed_by_id == request.user.pk and not record.viewer_signed_at)
            or (Role.HEADTEACHER in request.roles and not record.head_signed_at)
        )
    events = list(custody.events_for_case(case)) if EntryKind.DEVICE in kinds else []
    devices = custody.devices_with_timelines(events)
    for device in devices:
        device.latest, device.secured = custody_state(device.timeline)
        device.can_move = can_work and is_open and bool(NEXT_STEPS[device.latest])
    return {
        "viewings": viewings,
        "devices": devices,
        "parents_due": custody.parents_due(events) if is_open else [],
        "can_record": can_work and is_open,
    }


def _dashboard_panel(request, school, roles, **_):
    # The headteacher is told of each viewing and signs its record here. The viewer signs as they record it (the
    # page goes straight on to the signature), and the case page asks them until they have.
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
    extensions.register_panel("case", template="records/viewing/case_panel.html", context=_case_panel, order=20)
    extensions.register_panel(
        "dashboard", template="records/viewing/dashboard_panel.html", context=_dashboard_panel, order=6
    )
