"""Rules on closing a case that rest on this app's records, registered with incidents.workflow on start-up.

They read the database, so they hold whoever asks for the move: a case closes only with every viewing of imagery
signed by the viewer and the headteacher, and with the parents of each pupil whose device was taken or who
refused to hand one over told (or the reasons they were not recorded) after it happened (seed 004 §§3.5, 3.8).
"""

from incidents.models import CaseState
from incidents.workflow import register_guard

from .selectors import custody
from .selectors.viewing import unsigned, viewings_for_case


def viewings_signed(*, incident, **_):
    waiting = unsigned(viewings_for_case(incident))
    if waiting:
        yield (
            "Each record of a viewing of imagery is complete only once the viewer and the headteacher have both "
            f"signed it. Not yet signed by both: {len(waiting)}."
        )


def parents_told_of_devices(*, incident, **_):
    due = custody.parents_due(custody.events_for_case(incident))
    if due:
        names = sorted({event.device.involvement.name for event in due})
        yield (
            "Parents or carers are told when a pupil's device is taken, or when a pupil refuses to hand one over. "
            "Record whether they were told, or why not, since then for: " + ", ".join(names) + "."
        )


def register():
    """Install these rules with the one transition service (called from RecordsConfig.ready)."""
    register_guard(CaseState.CLOSED, viewings_signed)
    register_guard(CaseState.CLOSED, parents_told_of_devices)
