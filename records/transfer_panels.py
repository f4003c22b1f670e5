"""Transfers' place in the pages: the pupil page's panel, the list in the navigation, and the pupil chronology's
entries (through safeguard.extensions: the lower apps never import this).

Overdue transfers reach the dashboard as reminders (records.transfer_reminders), not as a panel of their own: the
DSL dashboard already spends its 12 queries, and a clock in school days needs the transfers and the calendar (three).
"""

from safeguard import extensions, policy
from safeguard.audit import listed

from . import transfer_selectors as selectors
from .transfer_models import FileReceived, FileTransfer


def _pupil_panel(request, pupil, roles, **_):
    if not policy.can(roles, "work_cases"):
        return None
    transfers = selectors.transfers_for_user(request.user, request.school).filter(pupil=pupil)
    transfers = selectors.overdue_first(selectors.with_clocks(list(transfers), request.school))
    received = list(selectors.files_received_for_user(request.user, request.school).filter(pupil=pupil))
    listed(request, FileTransfer, [transfer.pk for transfer in transfers])
    listed(request, FileReceived, [file.pk for file in received])
    return {"transfers": transfers, "files_received": received}


def register():
    extensions.register_nav(url_name="records:transfer_list", label="File transfers", capability="work_cases", order=62)
    extensions.register_panel("pupil", template="records/transfers/pupil_panel.html", context=_pupil_panel, order=30)
    extensions.register_pupil_timeline("records.transfers", selectors.pupil_timeline_entries)
