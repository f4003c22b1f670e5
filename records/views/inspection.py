"""Inspector access, as the school sees it (issue 10 §4): every grant it gave, what each inspector opened and when,
and the forms to give access and to end it. The inspector's own home is a panel of the dashboard."""

import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident
from incidents.views.common import form_page
from safeguard import policy
from safeguard.access import capability_required
from safeguard.audit import listed
from safeguard.keyset import keyset_page
from safeguard.people import person_name

from .. import inspection_selectors as selectors
from ..inspection_forms import InspectionGrantForm, InspectionRevokeForm
from ..report_selectors import grantable_reports
from ..services import inspection as services

GRANTS_SHOWN = 20
LOG_SHOWN = 50


def _keyset(request, queryset, key, size):
    after, before = request.GET.get("after", ""), request.GET.get("before", "")
    return keyset_page(queryset, key=key, descending=True, size=size, after=after, before=before)


@capability_required("view_inspection_access")
def inspection_list(request):
    page = _keyset(request, selectors.grants_for_school(request.user, request.school), "granted_at", GRANTS_SHOWN)
    for grant in page:
        grant.status = selectors.grant_status(grant)
    context = {"page": page, "query": "", "can_grant": policy.can(request.roles, "grant_inspection_access")}
    return render(request, "records/inspection/list.html", context)


@capability_required("view_inspection_access")
def inspection_detail(request, gid):
    grant = selectors.get_grant_for_user_or_404(request.user, request.school, gid)
    grant.status = selectors.grant_status(grant)
    log = _keyset(request, selectors.grant_access_log(grant), "at", LOG_SHOWN)
    references = selectors.case_references(log)
    for row in log:
        row.reference = references.get(int(row.object_id)) if row.content_type.model == "incident" else None
    cases = [row.incident for row in grant.case_rows.all()]
    listed(request, Incident, [case.pk for case in cases] + [int(pk) for pk in references])
    context = {
        "grant": grant,
        "cases": cases,
        "reports": [row.report for row in grant.report_rows.all()],
        "page": log,
        "query": "",
        "can_revoke": policy.can(request.roles, "grant_inspection_access")
        and grant.status in ("in force", "not started"),
    }
    return render(request, "records/inspection/detail.html", context)


@capability_required("grant_inspection_access")
def inspection_new(request):
    reports = list(grantable_reports(request.user, request.school))
    form = InspectionGrantForm(request.POST or None, reports=reports)

    def perform(data):
        references = form.references()
        cases = list(selectors.grantable_cases(request.user, request.school, references))
        unknown = sorted(set(references) - {case.reference for case in cases})
        if unknown:
            raise ValidationError(
                {"case_references": f"No case you can see here has the reference {', '.join(unknown)}."}
            )
        chosen = set(data["reports"])
        starts_at = data["starts_at"] or timezone.now()
        return services.inspection_grant(
            actor=request.user,
            school=request.school,
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            cases=cases,
            reports=[report for report in reports if str(report.pk) in chosen],
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(days=data["days"]),
            reason=data["reason"],
            link_base=f"{request.scheme}://{request.get_host()}",
            **form.secrets(),
        )

    return form_page(
        request,
        None,
        form,
        perform,
        "records/inspection/grant_form.html",
        lambda grant: (
            f"{person_name(grant.inspector)} can read what you chose until "
            f"{grant.ends_at:%d %B %Y, %H:%M}. They have been emailed."
        ),
        then=lambda grant: reverse("records:inspection_detail", args=[grant.pk]),
    )


@capability_required("grant_inspection_access")
def inspection_revoke(request, gid):
    grant = selectors.get_grant_for_user_or_404(request.user, request.school, gid)
    form = InspectionRevokeForm(request.POST or None)

    def perform(data):
        return services.inspection_revoke(actor=request.user, grant=grant, reason=data["reason"])

    return form_page(
        request,
        None,
        form,
        perform,
        "records/inspection/revoke_form.html",
        f"{person_name(grant.inspector)}'s access has ended.",
        then=reverse("records:inspection_detail", args=[grant.pk]),
        grant=grant,
    )
