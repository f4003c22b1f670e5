from django.shortcuts import render

from .. import extensions, policy, selectors
from ..roles import Role


def dashboard(request):
    """One page per person, with a section for each role they hold in the current school."""
    school, roles = request.school, request.roles
    context = {"roles": sorted(roles, key=list(Role).index)}
    if school is not None:
        context["dsl_team"] = selectors.dsl_team_for_school(school)
        # One query for the registers of every school shown: the current one, and a trust lead's trust's schools.
        shown = [
            s
            for s in request.schools
            if s.pk == school.pk or (Role.TRUST_LEAD in roles and s.trust_id == school.trust_id)
        ]
        registers = selectors.register_summaries(request.user, shown)
        if policy.can(roles, "view_pupil_register"):
            context["register"] = registers[school.pk]
        if Role.TRUST_LEAD in roles:
            context["trust_schools"] = [(s, registers[s.pk]) for s in shown if s.pk in registers]
        # What the case apps add for this person's roles (new concerns, sign-offs waiting, their own reports, an
        # inspector's access).
        context["panels"] = extensions.render_panels("dashboard", request, school=school, roles=roles)
    return render(request, "safeguard/dashboard.html", context)
