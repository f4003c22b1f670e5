"""Reads of device custody. The case is already found through the scoped case selector."""

from django.db.models import Exists, OuterRef, Prefetch, Q

from referrals.models import ParentContact

from ..viewing_models import CustodyEvent, CustodyStep, Device

# The steps after which a pupil's parents must be told: the device is taken, or the pupil would not hand it over.
PARENTS_TOLD_AFTER = (CustodyStep.CONFISCATED, CustodyStep.REFUSED)


def devices_for_case(incident):
    """The case's devices, each with its chain of custody oldest first (two queries for any number)."""
    events = CustodyEvent.objects.select_related("by", "recorded_by").order_by("at", "pk")
    return (
        Device.objects.filter(incident=incident)
        .select_related("involvement__pupil", "recorded_by")
        .prefetch_related(Prefetch("events", queryset=events))
    )


def device_for_case_or_none(incident, pk):
    return devices_for_case(incident).filter(pk=pk).first()


def events_for_case(incident):
    """Every custody event of the case with its device, oldest first, in one query; each knows whether the owner's
    parents were told (or the reasons not recorded) since it happened (`parents_told_since`).

    A device is always recorded with its first step, so the events carry every device.
    """
    told_since = ParentContact.objects.filter(involvement=OuterRef("device__involvement")).filter(
        Q(told=True, told_at__gte=OuterRef("at")) | Q(told=False, recorded_at__gte=OuterRef("at"))
    )
    return (
        CustodyEvent.objects.filter(device__incident=incident)
        .select_related("device__involvement__pupil", "device__recorded_by", "by", "recorded_by")
        .annotate(parents_told_since=Exists(told_since))
        .order_by("device__recorded_at", "device_id", "at", "pk")
    )


def parents_due(events):
    """Among `events` (from events_for_case), those after which a pupil's parents are still to be told."""
    return [
        event
        for event in events
        if event.step in PARENTS_TOLD_AFTER
        and event.device.involvement_id
        and event.device.involvement.pupil_id
        and not event.parents_told_since
    ]


def devices_with_timelines(events):
    """The devices of `events` (from events_for_case), in order, each with `timeline`: its events, oldest first."""
    devices = {}
    for event in events:
        device = devices.setdefault(event.device_id, event.device)
        device.__dict__.setdefault("timeline", []).append(event)
    return list(devices.values())
