"""Reads for information sharing and inter-agency meetings. Each takes a case already found through the scoped
selector (incidents.views.common.case_for), so scoping is done once, at the source."""

from django.db.models import Count, Prefetch

from .models import AgencyMeeting, AgencyMeetingStaff, InformationSharing


def sharing_for_case(case):
    """Every sharing (and decision not to share) on a case, oldest first, each with the entry that corrected it."""
    return (
        InformationSharing.objects.filter(incident=case)
        .select_related("decided_by", "recorded_by", "corrects", "corrected_by")
        .order_by("at", "pk")
    )


def agency_meetings_for_case(case):
    """A case's inter-agency meetings, oldest first, with the school's staff invited or there (one query more),
    and how many case actions each gave."""
    staff = AgencyMeetingStaff.objects.select_related("user").order_by("pk")
    return (
        AgencyMeeting.objects.filter(incident=case)
        .select_related("recorded_by", "corrects", "corrected_by")
        .annotate(action_count=Count("action_links"))
        .prefetch_related(Prefetch("staff", queryset=staff))
        .order_by("held_at", "pk")
    )


def sharing_entry_for_case(case, pk):
    """One sharing entry of `case`, or None (a view answers 404)."""
    return InformationSharing.objects.filter(incident=case, pk=pk).first()


def agency_meeting_for_case(case, pk):
    """One inter-agency meeting of `case` with its staff, or None (a view answers 404)."""
    return agency_meetings_for_case(case).filter(pk=pk).first()
