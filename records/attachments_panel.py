"""The case page's Documents panel (issue 9 §1): a way to the case's documents, at no cost in queries to the case
page (its budget is spent on the case itself); the documents page lists them."""

from safeguard import extensions, policy


def _case_panel(request, case, can_work, is_open, **_):
    if not policy.can(request.roles, "read_case"):
        return None
    return {"can_attach": can_work and is_open}


def register():
    extensions.register_panel("case", template="records/attachments/panel.html", context=_case_panel, order=30)
