"""What the case pages share (here and in the referrals app): finding the case through the scoped selector,
the people a page may name, and a form that calls one service."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from safeguard.audit import shown
from safeguard.models import Membership
from safeguard.roles import Role
from safeguard.selectors import dsl_team_for_school

from ..errors import CaseError
from ..forms import attach_errors, form_wording_prompts
from ..models import Incident
from ..selectors import get_incident_for_user_or_404


def case_for(request, pk):
    """The case `pk` of the current school if the user may see it; 404 for missing and for not theirs alike.

    Every page of one case finds it here, so every such page is in the case's access log.
    """
    case = get_incident_for_user_or_404(request.user, request.school, pk)
    shown(request, Incident, [case.pk])
    return case


def working_staff(school):
    """Everyone working at the school today: meeting attendees, action owners, who referred or told parents.

    Inspectors read; they take no part in the work.
    """
    members = Membership.objects.active().filter(school=school).exclude(role=Role.INSPECTOR).values("user")
    return get_user_model().objects.filter(pk__in=members).order_by("last_name", "first_name")


def team_members(school):
    """The school's DSL and deputies today: case owners, and people to filter by."""
    return get_user_model().objects.filter(pk__in=dsl_team_for_school(school).values("user"))


def meeting_answers(meeting, items):
    """(question, answer, notes) for each of a review meeting's questions or criteria (`items`)."""
    if meeting is None:
        return []
    return [
        (label, getattr(meeting, f"get_{name}_display")(), getattr(meeting, f"{name}_notes")) for name, label in items
    ]


def wording_to_check(request, form):
    """Wording prompts for a valid form, unless the writer has seen them and chosen to keep their words."""
    if request.POST.get("wording_checked"):
        return []
    return form_wording_prompts(form)


def form_page(request, case, form, perform, template, success, then=None, **context):
    """Show `form` on a page of `case`; on a valid post call `perform(cleaned_data)` (one service), then go on.

    `success` (the message) and `then` (where to go; the case page by default) may be functions of what the
    service returned. A refusal is shown beside its field, or at the top, with everything typed kept; so are
    wording prompts (incidents.language), which the writer may read and then submit past.
    """
    prompts = []
    if request.method == "POST" and form.is_valid() and not (prompts := wording_to_check(request, form)):
        try:
            result = perform(form.cleaned_data)
        except (CaseError, ValidationError) as error:
            attach_errors(form, error)
        else:
            messages.success(request, success(result) if callable(success) else success)
            target = then(result) if callable(then) else then
            return redirect(target or case.get_absolute_url())
    return render(request, template, {"case": case, **context, "form": form, "wording_prompts": prompts})
