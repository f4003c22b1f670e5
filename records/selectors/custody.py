"""Reads of device custody. The case is already found through the scoped case selector."""

from django.db.models import Prefetch

from ..viewing_models import CustodyEvent, Device


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
