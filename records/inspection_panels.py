"""Inspector access's place in the core: the grants that give the INSPECTOR role and its cases (read on every
request), the inspector's home panel, and the school's page in the navigation."""

from incidents.models import Incident
from safeguard import extensions
from safeguard.audit import listed
from safeguard.roles import Role

from .inspection_selectors import granted_case_ids, grants_in_force_for, inspection_access_for


def _inspector_panel(request, school, roles, **_):
    """'Your inspection access': the cases and reports granted in this school, and when access ends."""
    if Role.INSPECTOR not in roles:
        return None
    grants = list(inspection_access_for(request.user, school))
    listed(request, Incident, [row.incident_id for grant in grants for row in grant.case_rows.all()])
    return {"inspection_grants": grants}


def register():
    # An inspector's grant in force gives them the INSPECTOR role in its school for its window, and its cases to read:
    # no membership is needed, and nothing has to run for access to end.
    extensions.register_case_grants(
        "records.inspection", role=Role.INSPECTOR, grants=grants_in_force_for, case_ids=granted_case_ids
    )
    extensions.register_panel(
        "dashboard", template="records/inspection/dashboard_panel.html", context=_inspector_panel, order=5
    )
    extensions.register_nav(
        url_name="records:inspection_list", label="Inspector access", capability="view_inspection_access", order=62
    )
