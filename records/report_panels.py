"""Reports' place in the navigation, and the buttons that ask for a case record and a pupil's file."""

from safeguard import extensions, policy


def _can_export(request, **_):
    # Read from the roles the request already holds: the case page and the pupil page spend no query on this.
    return {} if policy.can(request.roles, "export_case_files") else None


def register():
    extensions.register_nav(
        url_name="records:report_list", label="Reports", capability="request_school_reports", order=62
    )
    extensions.register_panel("case", template="records/reports/case_panel.html", context=_can_export, order=95)
    extensions.register_panel("pupil", template="records/reports/pupil_panel.html", context=_can_export, order=50)
