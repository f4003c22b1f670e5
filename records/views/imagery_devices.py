"""One page per case for its imagery viewings (with their signatures) and each device's chain of custody.

The case page shows only counts read from its chronology (no query of its own); the full records are here.
"""

from django.shortcuts import render

from incidents.models import CaseState
from incidents.views.common import case_for
from safeguard import policy
from safeguard.access import capability_required
from safeguard.roles import Role

from ..selectors import custody, viewing
from ..services.custody import custody_state
from ..viewing_models import NEXT_STEPS


@capability_required("read_case")
def case_records(request, pk):
    case = case_for(request, pk)  # scoped to the cases this person may see, and logged as viewed
    is_open = case.state != CaseState.CLOSED
    can_work = policy.can(request.roles, "work_cases")
    viewings = list(viewing.viewings_for_case_page(case))
    for record in viewings:
        record.may_sign = is_open and (
            (record.viewed_by_id == request.user.pk and not record.viewer_signed_at)
            or (Role.HEADTEACHER in request.roles and not record.head_signed_at)
        )
    events = list(custody.events_for_case(case))
    devices = custody.devices_with_timelines(events)
    for device in devices:
        device.latest, device.secured = custody_state(device.timeline)
        device.can_move = can_work and is_open and bool(NEXT_STEPS[device.latest])
    context = {
        "case": case,
        "viewings": viewings,
        "unsigned_count": sum(1 for v in viewings if not (v.viewer_signed_at and v.head_signed_at)) if is_open else 0,
        "devices": devices,
        "parents_due": custody.parents_due(events) if is_open else [],
        "can_record": can_work and is_open,
    }
    return render(request, "records/imagery_devices/page.html", context)
