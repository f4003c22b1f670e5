from . import extensions, policy
from .roles import Role


def navigation(request):
    """The navigation for the user's roles in the current school, and the school switcher."""
    roles = getattr(request, "roles", frozenset())
    items = [("dashboard", "Dashboard")]
    if policy.can(roles, "view_pupil_register"):
        items.append(("pupil_list", "Pupils"))
    if policy.can(roles, "import_pupils"):
        items.append(("pupil_import", "Import register"))
    if policy.can(roles, "keep_school_calendar"):
        items.append(("school_calendar", "School calendar"))
    if policy.can(roles, "manage_people"):
        items.append(("people", "People"))
    items += [(item.url_name, item.label) for item in extensions.nav_items() if policy.can(roles, item.capability)]
    return {
        "nav_items": items,
        "current_school": getattr(request, "school", None),
        "user_schools": getattr(request, "schools", []),
        "capabilities": {c for c in policy.CAPABILITIES if policy.can(roles, c)},
        "current_roles": [r.label for r in sorted(roles, key=list(Role).index)],
    }
