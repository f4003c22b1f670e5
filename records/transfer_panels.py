"""Transfers' place in the pages: the pupil page's panel, overdue transfers on the DSL team's dashboard, the list in
the navigation, and the pupil chronology's entries (through safeguard.extensions: the lower apps never import this)."""

from safeguard import extensions, policy
from safeguard.audit import listed
from safeguard.models import Pupil

from . import transfer_selectors as selectors
from .views.transfers import request_pupil_file_url

DASHBOARD_OVERDUE_SHOWN = 10


def _pupil_panel(request, pupil, roles, **_):
    if not policy.can(roles, "work_cases"):
        return None
    transfers = selectors.transfers_for_user(request.user, request.school).filter(pupil=pupil)
    transfers = selectors.overdue_first(selectors.with_clocks(list(transfers), request.school))
    received = list(selectors.files_received_for_user(request.user, request.school).filter(pupil=pupil))
    return {
        "transfers": transfers,
        "files_received": received,
        "request_pupil_file_url": request_pupil_file_url(pupil),
    }


def _dashboard_panel(request, school, roles, **_):
    if not policy.can(roles, "work_cases"):
        return None
    overdue = [t for t in selectors.open_transfers_with_clocks(request.user, school) if t.overdue]
    shown = overdue[:DASHBOARD_OVERDUE_SHOWN]
    listed(request, Pupil, [transfer.pupil_id for transfer in shown])
    return {"overdue_transfers": shown, "overdue_transfer_count": len(overdue)}


def register():
    extensions.register_nav(url_name="records:transfer_list", label="File transfers", capability="work_cases", order=62)
    extensions.register_panel("pupil", template="records/transfers/pupil_panel.html", context=_pupil_panel, order=30)
    extensions.register_panel(
        "dashboard", template="records/transfers/dashboard_panel.html", context=_dashboard_panel, order=35
    )
    extensions.register_pupil_timeline("records.transfers", selectors.pupil_timeline_entries)
