"""The school's people: the headteacher (or the trust lead, for the trust's schools) sees who works here in which
role, adds people by email, changes a role, sets a last day or ends a role. Every change is one service call."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .. import extensions, policy, selectors, services
from ..access import capability_required
from ..forms import AlsoDslForm, EndNowForm, LastDayForm, PersonAddForm, RoleChangeForm
from ..people import person_name
from ..roles import STAFFING_ROLES, Role

# The order roles are listed in: who leads first.
ROLE_ORDER = [*STAFFING_ROLES, Role.INSPECTOR]


def _site(request):
    return f"{request.scheme}://{request.get_host()}"


@capability_required("manage_people")
def people(request):
    memberships = selectors.people_for_user(request.user, request.school)
    marks = extensions.person_marks(request.school)
    groups = {role: [] for role in ROLE_ORDER}
    for membership in sorted(memberships, key=lambda m: (person_name(m.user).lower(), m.pk)):
        invited = [] if membership.user.has_usable_password() else ["Invited, no password yet"]
        membership.notes = invited + marks.get(membership.user_id, [])
        groups[Role(membership.role)].append(membership)
    context = {
        "groups": [(role, found) for role, found in groups.items() if found or role in STAFFING_ROLES],
        "can_name_signatories": policy.can(request.roles, "designate_signatory"),
    }
    return render(request, "safeguard/people.html", context)


@capability_required("manage_people")
def person_add(request):
    form = PersonAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            granted = services.person_invite(
                actor=request.user, school=request.school, link_base=_site(request), **form.cleaned_data
            )
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(
                request,
                f"{person_name(granted.user)} is added as {granted.get_role_display()}. "
                f"We have emailed them at {granted.user.email}.",
            )
            return redirect("people")
    return render(request, "safeguard/person_add.html", {"form": form})


def _membership_page(request, membership, **bound):
    """One person's role at the school, with a form for each change (a bound one, with its errors, if given)."""
    is_self = membership.user_id == request.user.pk
    forms = {
        "role_form": RoleChangeForm(prefix="role"),
        "last_day_form": LastDayForm(prefix="last_day", initial={"ends_on": membership.ends_on}),
        "end_form": EndNowForm(prefix="end"),
        "also_dsl_form": AlsoDslForm(prefix="also_dsl"),
        **bound,
    }
    also_dsl = (
        membership.role == Role.HEADTEACHER
        and not selectors.people_for_user(request.user, request.school)
        .filter(user=membership.user_id, role=Role.DSL)
        .exists()
    )
    context = {
        "membership": membership,
        "is_self": is_self,
        "offer_also_dsl": also_dsl,
        "bound": next(iter(bound.values()), None),
        **forms,
    }
    return render(request, "safeguard/membership.html", context)


@capability_required("manage_people")
def membership_detail(request, pk):
    return _membership_page(request, selectors.get_membership_for_user_or_404(request.user, request.school, pk))


def _attach(form, error):
    """Show a service's refusal by the field it names, or above the form if the form has no such field."""
    by_field = error.error_dict if hasattr(error, "error_dict") else {None: error.messages}
    for field, errors in by_field.items():
        form.add_error(field if field in form.fields else None, errors)


def _change(request, pk, *, form_class, prefix, perform, success):
    """Apply one change from the membership page: on a refusal, the page again with the reason by its field."""
    membership = selectors.get_membership_for_user_or_404(request.user, request.school, pk)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            perform(membership, form.cleaned_data)
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, success(membership))
            return redirect("people")
    return _membership_page(request, membership, **{f"{prefix}_form": form})


@require_POST
@capability_required("manage_people")
def membership_role(request, pk):
    return _change(
        request,
        pk,
        form_class=RoleChangeForm,
        prefix="role",
        perform=lambda m, data: services.membership_role_change(actor=request.user, membership=m, **data),
        success=lambda m: f"{person_name(m.user)}'s role is changed.",
    )


@require_POST
@capability_required("manage_people")
def membership_last_day(request, pk):
    return _change(
        request,
        pk,
        form_class=LastDayForm,
        prefix="last_day",
        perform=lambda m, data: services.membership_last_day_set(actor=request.user, membership=m, **data),
        success=lambda m: f"{person_name(m.user)}'s last day as {m.get_role_display()} is saved.",
    )


@require_POST
@capability_required("manage_people")
def membership_end(request, pk):
    return _change(
        request,
        pk,
        form_class=EndNowForm,
        prefix="end",
        perform=lambda m, data: services.membership_remove(actor=request.user, membership=m, **data),
        success=lambda m: f"{person_name(m.user)} no longer has the role of {m.get_role_display()}.",
    )


@require_POST
@capability_required("manage_people")
def membership_also_dsl(request, pk):
    return _change(
        request,
        pk,
        form_class=AlsoDslForm,
        prefix="also_dsl",
        perform=lambda m, data: services.person_role_add(
            actor=request.user, school=request.school, user=m.user, role=Role.DSL, **data
        ),
        success=lambda m: f"{person_name(m.user)} is now also the {Role.DSL.label.lower()}.",
    )


@require_POST
@capability_required("manage_people")
def membership_invite_again(request, pk):
    membership = selectors.get_membership_for_user_or_404(request.user, request.school, pk)
    try:
        services.invitation_resend(actor=request.user, membership=membership, link_base=_site(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The invitation is sent again to {membership.user.email}.")
    return redirect("membership_detail", pk=membership.pk)
