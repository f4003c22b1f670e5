"""Sealed records: the signed addendum to a closed case, and the DSL team's check that every seal still holds."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from incidents.errors import CaseError
from incidents.forms import ReauthForm
from incidents.models import Incident
from incidents.selectors import incident_list_for_user
from incidents.views.common import case_for, form_page
from safeguard.access import capability_required
from safeguard.audit import listed

from ..seal_models import SealCheck
from ..services import seals


class SignedAddendumForm(ReauthForm):
    text = forms.CharField(
        label="Addendum",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Later information. The sealed record stays as it was; this is added beneath it, in your name.",
    )
    field_order = ["text"]


@capability_required("work_cases")
def addendum_add(request, pk):
    case = case_for(request, pk)
    form = SignedAddendumForm(request.POST or None)

    def perform(data):
        return seals.addendum_add(actor=request.user, incident=case, text=data["text"], **form.secrets())

    return form_page(
        request,
        case,
        form,
        perform,
        "records/seals/addendum_form.html",
        "The addendum is signed and added beneath the sealed record.",
        seal=seals.current_seal(case),
    )


@capability_required("work_cases")
def seal_check(request):
    """GET shows the latest check of the school's sealed records; POST runs a new one and keeps its result."""
    cases = incident_list_for_user(request.user, request.school)
    if request.method == "POST":
        try:
            check = seals.seal_check_run(actor=request.user, school=request.school, cases=cases)
        except CaseError as error:
            messages.error(request, error.message)
        else:
            if check.failures:
                messages.error(request, f"{len(check.failures)} sealed record(s) no longer match their seal.")
            else:
                messages.success(request, f"All {check.records_checked} sealed records match their seals.")
        return redirect(reverse("records:seal_check"))
    # The person's own latest check: it covered the cases they may see, so its counts reveal no restricted case.
    latest = (
        SealCheck.objects.filter(school=request.school, checked_by=request.user)
        .select_related("checked_by")
        .order_by("-checked_at", "-pk")
        .first()
    )
    failures = []
    if latest and latest.failures:
        # Named again only if this person may still see them (a case may have been restricted since).
        shown = cases.filter(pk__in=[f["incident"] for f in latest.failures]).values_list("pk", "reference")
        visible = dict(shown)
        failures = [
            (reverse("incidents:case_detail", args=[f["incident"]]), visible[f["incident"]], f["problem"])
            for f in latest.failures
            if f["incident"] in visible
        ]
        listed(request, Incident, list(visible))
    return render(request, "records/seals/check.html", {"latest": latest, "failures": failures})
