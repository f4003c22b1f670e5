"""What the imagery-viewing log and device custody add to the case page and the dashboard."""

from incidents.models import Incident
from safeguard import extensions, policy
from safeguard.audit import listed
from safeguard.roles import Role

from .guards import parents_due
from .selectors import custody, viewing
from .services.custody import custody_state
from .viewing_models import NEXT_STEPS, ViewingSigner

DASHBOARD_SHOWN = 20


def _case_panel(request, case, can_work, is_open, **_):
    viewings = list(viewing.viewings_for_case(case))
    for record in viewings:
        signed = {signature.signer: signature for signature in record.signatures.all()}
        record.viewer_signature = signed.get(ViewingSigner.VIEWER)
        record.head_signature = signed.get(ViewingSigner.HEADTEACHER)
        record.may_sign = is_open and (
            (record.viewed_by_id == request.user.pk and not record.viewer_signature)
            or (not record.head_signature and Role.HEADTEACHER in request.roles)
        )
    devices = list(custody.devices_for_case(case))
    events = []
    for device in devices:
        device.timeline = list(device.events.all())
        for event in device.timeline:
            event.device = device  # already in hand: parents_due reads the device's pupil from it
        events += device.timeline
        latest, device.secured = custody_state(device.timeline)
        device.latest = latest
        device.can_move = can_work and is_open and bool(NEXT_STEPS[latest])
    return {
        "viewings": viewings,
        "devices": devices,
        "parents_due": parents_due(case, events) if is_open else [],
        "can_record": can_work and is_open,
    }


def _dashboard_panel(request, school, roles, **_):
    if not policy.can(roles, "view_cases"):
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
