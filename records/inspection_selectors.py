"""Reads for inspector access: what a grant in force opens to its inspector, and the school's view of its grants
with what each inspector opened (the access log)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from incidents.models import Incident
from incidents.selectors import incident_list_for_user
from safeguard import policy
from safeguard.memberships import roles_in_school
from safeguard.models import AccessLog

from .inspection_models import InspectionGrant, InspectionGrantCase, InspectionGrantReport


def grants_in_force_for(user):
    """The grants in force now that name `user` as the inspector (checked on every request)."""
    return InspectionGrant.objects.in_force().filter(inspector=user)


def granted_case_ids(user):
    """The ids of the cases `user` may read through their grants in force now, as a subquery."""
    return InspectionGrantCase.objects.filter(grant__in=grants_in_force_for(user).values("pk")).values("incident")


def granted_report_ids(user):
    """The ids of the reports `user` may open and download through their grants in force now, as a subquery
    (records.report_selectors.reports_for_user lets an inspector see exactly these)."""
    return InspectionGrantReport.objects.filter(grant__in=grants_in_force_for(user).values("pk")).values("report")


def inspection_access_for(user, school):
    """The inspector's own view: their grants in force in `school`, each with its cases and reports, soonest ending
    first. Three queries whatever the number of grants."""
    return (
        grants_in_force_for(user)
        .filter(school=school)
        .select_related("granted_by")
        .prefetch_related(
            Prefetch(
                "case_rows",
                queryset=InspectionGrantCase.objects.select_related("incident")
                .only("grant", "incident__reference", "incident__state", "incident__school_id")
                .order_by("incident__reference"),
            ),
            Prefetch("report_rows", queryset=InspectionGrantReport.objects.select_related("report").order_by("pk")),
        )
        .order_by("ends_at", "pk")
    )


# --- The school's side: the DSL team and the head -------------------------------------------------------------


def grants_for_school(user, school):
    """Every grant the school gave (in force, not started, ended or revoked), newest first, with how many cases
    and reports each opens; none for anyone the page is not for."""
    if not policy.can(roles_in_school(user, school), "view_inspection_access"):
        return InspectionGrant.objects.none()
    return (
        InspectionGrant.objects.filter(school=school)
        .select_related("inspector", "granted_by", "revocation__revoked_by")
        .annotate(case_count=Count("case_rows", distinct=True), report_count=Count("report_rows", distinct=True))
        .order_by("-granted_at", "-pk")
    )


def get_grant_for_user_or_404(user, school, pk):
    """One grant of `school` for the school's page, with its cases and reports; 404 for missing or not theirs."""
    try:
        return (
            grants_for_school(user, school)
            .prefetch_related(
                Prefetch("case_rows", queryset=InspectionGrantCase.objects.select_related("incident").order_by("pk")),
                Prefetch("report_rows", queryset=InspectionGrantReport.objects.select_related("report").order_by("pk")),
            )
            .get(pk=pk)
        )
    except (InspectionGrant.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def grant_status(grant, now=None):
    """'in force', 'not started', 'ended' or 'revoked', for the school's page."""
    now = now or timezone.now()
    if hasattr(grant, "revocation"):
        return "revoked"
    if now < grant.starts_at:
        return "not started"
    return "in force" if now < grant.ends_at else "ended"


def grant_access_log(grant):
    """What the inspector opened in the school while the grant was in force (from its start to its end, or to its
    revocation), newest first: the rows of the access log, to page through."""
    revocation = getattr(grant, "revocation", None)
    until = min(grant.ends_at, revocation.revoked_at) if revocation else grant.ends_at
    return (
        AccessLog.objects.filter(user=grant.inspector_id, school=grant.school_id)
        .filter(Q(at__gte=grant.starts_at) & Q(at__lt=until))
        .select_related("content_type")
        .order_by("-at", "-pk")
    )


def case_references(log_rows):
    """{case id: reference} for the cases among access-log rows (one query for a page of them)."""
    incident_type = ContentType.objects.get_for_model(Incident)
    ids = {row.object_id for row in log_rows if row.content_type_id == incident_type.pk}
    return dict(Incident.objects.filter(pk__in=ids).values_list("pk", "reference")) if ids else {}


def grantable_cases(user, school, references):
    """The cases with these references that `user` may see in `school` (a restricted case only if named on it)."""
    return incident_list_for_user(user, school).prefetch_related(None).filter(reference__in=references)

