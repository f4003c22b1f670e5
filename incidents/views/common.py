"""What the case pages share: finding the case through the scoped selector, and a form that calls one service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from ..errors import CaseError
from ..forms import attach_errors
from ..selectors import get_incident_for_user_or_404


def case_for(request, pk):
    """The case `pk` of the current school if the user may see it; 404 for missing and for not theirs alike."""
    return get_incident_for_user_or_404(request.user, request.school, pk)


def form_page(request, *, form, perform, template, context, success, then):
    """Show `form`; on a valid post, call `perform(cleaned_data)` (one service), then go to `then`.

    A refusal from the service is shown beside its field (or at the top) with everything typed kept.
    """
    if request.method == "POST" and form.is_valid():
        try:
            perform(form.cleaned_data)
        except (CaseError, ValidationError) as error:
            attach_errors(form, error)
        else:
            messages.success(request, success)
            return redirect(then)
    return render(request, template, {**context, "form": form})
