"""The imagery-viewing log: recording a viewing, the viewer's and the headteacher's signatures, and the
headteacher's delegation of viewing to a member of the safeguarding team."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from incidents.errors import CaseError, CasePermissionDenied
from incidents.forms import attach_errors
from incidents.selectors import case_involvements
from incidents.views.common import case_for, form_page, team_members, working_staff
from safeguard.access import capability_required
from safeguard.models import Membership
from safeguard.people import person_name
from safeguard.roles import Role

from ..selectors import viewing as selectors
from ..services import viewing as services
from ..viewing_forms import DelegationForm, ViewingForm, ViewingSignForm


def headteachers(school):
    heads = Membership.objects.active().filter(school=school, role=Role.HEADTEACHER).values("user")
    return get_user_model().objects.filter(pk__in=heads).order_by("last_name", "first_name")


@capability_required("work_cases")
def viewing_new(request, pk):
    case = case_for(request, pk)
    form = ViewingForm(
        request.POST or None,
        pupils=case_involvements(case).filter(pupil__isnull=False),
        team=team_members(request.school),
        staff=working_staff(request.school),
        heads=headteachers(request.school),
    )

    def perform(data):
        return services.viewing_record(actor=request.user, incident=case, **data)

    def success(viewing):
        return (
            f"The viewing is recorded and {person_name(viewing.head_told)} has been told. The record is complete "
            "once the viewer and the headteacher have each signed it."
        )

    def then(viewing):
        if viewing.viewed_by_id == request.user.pk:
            return reverse("records:viewing_sign", args=[case.pk, viewing.pk])
        return None

    return form_page(request, case, form, perform, "records/viewing/viewing_form.html", success, then)


@capability_required("view_cases")
def viewing_sign(request, pk, vid):
    """The viewer or the headteacher signs; anyone else who can see the case is told why they cannot (403)."""
    case = case_for(request, pk)
    viewing = selectors.viewing_for_case_or_none(case, vid)
    if viewing is None:
        raise Http404
    try:
        signer = services.signer_for(request.user, viewing)
    except CasePermissionDenied as refusal:
        return render(request, "records/viewing/sign_refused.html", {"case": case, "refusal": refusal}, status=403)
    form = ViewingSignForm(request.POST or None)

    def perform(data):
        return services.viewing_sign(actor=request.user, viewing=viewing, **form.secrets())

    signed = {signature.signer for signature in viewing.signatures.all()}
    return form_page(
        request,
        case,
        form,
        perform,
        "records/viewing/sign_form.html",
        "You have signed the record of the viewing.",
        viewing=viewing,
        signer=signer,
        already_signed=signer in signed,
    )


@capability_required("delegate_viewing")
def delegations(request):
    candidates = team_members(request.school).filter(
        pk__in=Membership.objects.active().filter(school=request.school, role=Role.DEPUTY_DSL).values("user")
    )
    form = DelegationForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            given = services.viewing_delegate(
                actor=request.user,
                school=request.school,
                user=form.cleaned_data["user"],
                reason=form.cleaned_data["reason"],
            )
        except (CaseError, ValidationError) as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"{person_name(given.user)} may now view imagery when it is unavoidable.")
            return redirect(reverse("records:viewing_delegations"))
    context = {"form": form, "delegations": selectors.open_delegations(request.school)}
    return render(request, "records/viewing/delegations.html", context)


@require_POST
@capability_required("delegate_viewing")
def delegation_end(request, did):
    delegation = get_object_or_404(selectors.open_delegations(request.school), pk=did)
    services.viewing_delegation_end(actor=request.user, delegation=delegation)
    messages.success(request, f"{person_name(delegation.user)} no longer has delegated authority to view imagery.")
    return redirect(reverse("records:viewing_delegations"))
