"""The headteacher names (and ends) signatories: senior leaders who sign off where the head is also the DSL."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from incidents.errors import CaseError
from incidents.forms import attach_errors
from incidents.views.common import working_staff
from safeguard.access import capability_required
from safeguard.models import Membership
from safeguard.people import person_name
from safeguard.roles import DSL_TEAM

from .. import selectors, services
from ..forms import SignatoryForm


def candidates(school, actor):
    """Who may be named: people working at the school today, outside the safeguarding team, not the head asking."""
    team = Membership.objects.active().filter(school=school, role__in=DSL_TEAM).values("user")
    return working_staff(school).exclude(pk__in=team).exclude(pk=actor.pk)


@capability_required("designate_signatory")
def signatories(request):
    form = SignatoryForm(request.POST or None, candidates=candidates(request.school, request.user))
    if request.method == "POST" and form.is_valid():
        try:
            named = services.signatory_designate(
                actor=request.user,
                school=request.school,
                user=form.cleaned_data["user"],
                reason=form.cleaned_data["reason"],
            )
        except (CaseError, ValidationError) as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"{person_name(named.user)} is now a signatory.")
            return redirect(reverse("referrals:signatories"))
    context = {
        "form": form,
        "signatories": selectors.active_signatories(request.school)
        .select_related("designated_by")
        .order_by("designated_at"),
    }
    return render(request, "referrals/signatories.html", context)


@require_POST
@capability_required("designate_signatory")
def signatory_end(request, sid):
    signatory = get_object_or_404(selectors.active_signatories(request.school), pk=sid)
    services.signatory_end(actor=request.user, signatory=signatory)
    messages.success(request, f"{person_name(signatory.user)} is no longer a signatory.")
    return redirect(reverse("referrals:signatories"))
