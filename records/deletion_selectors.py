"""Reads of deletion requests and take-down reports, scoped through the cases the user may see."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Window
from django.shortcuts import get_object_or_404
from django.utils import timezone

from incidents.models import CaseState
from incidents.selectors import incident_list_for_user

from .deletion_models import DeletionRequest, DeletionResponse, TakedownReport
from .services.deletion import annotate_status

# --- One case, already fetched through get_incident_for_user_or_404 -----------------------------------------


def deletion_requests_for_case(incident, now=None):
    """A case's deletion requests, oldest first, each with its responses and `latest`, `status` and `overdue`."""
    requests = list(
        DeletionRequest.objects.filter(incident=incident)
        .select_related("involvement__pupil", "asked_by")
        .prefetch_related(
            Prefetch("responses", queryset=DeletionResponse.objects.select_related("checked_by", "recorded_by"))
        )
        .order_by("asked_at", "pk")
    )
    now = now or timezone.now()
    return [annotate_status(request, now) for request in requests]


def get_deletion_request_or_404(incident, pk):
    """A deletion request of `incident` (already found through the scoped selector); 404 for another case's."""
    request = get_object_or_404(
        DeletionRequest.objects.select_related("involvement__pupil").prefetch_related("responses"),
        pk=pk,
        incident=incident,
    )
    return annotate_status(request)


def get_takedown_report_or_404(incident, pk):
    """A first take-down report of `incident` (follow-ups follow the first); 404 for anything else."""
    return get_object_or_404(TakedownReport.objects.filter(follows__isnull=True), pk=pk, incident=incident)


def takedown_reports_for_case(incident):
    """A case's take-down reports, each first report with its follow-ups in `chain` (oldest first), in one query."""
    rows = list(TakedownReport.objects.filter(incident=incident).select_related("made_by").order_by("made_at", "pk"))
    firsts = [row for row in rows if row.follows_id is None]
    by_pk = {row.pk: row for row in firsts}
    for first in firsts:
        first.chain = []
    for row in rows:
        if row.follows_id is not None and row.follows_id in by_pk:
            by_pk[row.follows_id].chain.append(row)
    for first in firsts:
        results = [row for row in (first, *first.chain) if row.result]
        first.latest_result = results[-1] if results else None
    return firsts


# --- Across the school --------------------------------------------------------------------------------------


def overdue_deletions_for_user(user, school, now=None):
    """Deletion requests past their deadline with no answer, on cases managed in school that the user may see,
    oldest deadline first; each row carries `overdue_count`, how many there are in all (one query with a limit)."""
    return (
        deletion_requests_overdue(incident_list_for_user(user, school), now or timezone.now())
        .select_related("incident", "involvement__pupil")
        .annotate(overdue_count=Window(Count("pk")))
        .order_by("deadline", "pk")
    )


def deletion_requests_overdue(cases, now):
    """The deletion requests on those of `cases` managed in school that are past their deadline with no answer."""
    managed = cases.filter(state=CaseState.MANAGED_IN_SCHOOL).values("pk")
    return DeletionRequest.objects.filter(incident__in=managed, deadline__lt=now).exclude(
        Exists(DeletionResponse.objects.filter(request=OuterRef("pk")))
    )
