"""Rules on closing a case that rest on this app's records, registered with incidents.workflow on start-up.

They read the database, so they hold whoever asks for the move: a case closes only with every viewing of imagery
signed by the viewer and the headteacher, and with the parents of each pupil whose device was taken or who
refused to hand one over told (or the reasons they were not recorded) after it happened (seed 004 §§3.5, 3.8).
"""

from incidents.models import CaseState
from incidents.workflow import register_guard
from referrals.models import ParentContact

from .selectors.viewing import unsigned, viewings_for_case
from .viewing_models import CustodyEvent, CustodyStep

# The steps after which a pupil's parents must be told: the device is taken, or the pupil would not hand it over.
PARENTS_TOLD_AFTER = (CustodyStep.CONFISCATED, CustodyStep.REFUSED)


def parents_due(incident, events=None):
    """The custody events (with their device and pupil) after which no parent entry for that pupil is recorded.

    `events` may be the case's custody events already read for a page, to save a query.
    """
    if events is None:
        events = CustodyEvent.objects.filter(device__incident=incident).select_related("device__involvement__pupil")
    events = [
        event
        for event in events
        if event.step in PARENTS_TOLD_AFTER and event.device.involvement_id and event.device.involvement.pupil_id
    ]
    if not events:
        return []
    contacts = ParentContact.objects.filter(incident=incident).only("involvement_id", "told", "told_at", "recorded_at")
    contacts = list(contacts)

    def told_since(event):
        # Told after it happened, or the reasons for not telling them recorded since.
        return any(
            contact.involvement_id == event.device.involvement_id
            and (contact.told_at >= event.at if contact.told else contact.recorded_at >= event.at)
            for contact in contacts
        )

    return [event for event in events if not told_since(event)]


def viewings_signed(*, incident, **_):
    waiting = unsigned(viewings_for_case(incident))
    if waiting:
        yield (
            "Each record of a viewing of imagery is complete only once the viewer and the headteacher have both "
            f"signed it. Not yet signed by both: {len(waiting)}."
        )


def parents_told_of_devices(*, incident, **_):
    due = parents_due(incident)
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
