"""The case page's panel of information sharing and inter-agency meetings (issue 9, sections 6 and 7)."""

from incidents.models import EntryKind
from safeguard import extensions

from . import sharing_selectors


def _case_panel(request, case, can_work, is_open, chronology, **_):
    # Every entry writes its chronology line (records.services.sharing), which the case page loads anyway: read
    # that first, and a case with no sharing or meeting costs the page no query for them.
    kinds = {entry.kind for entry in chronology}
    sharing = list(sharing_selectors.sharing_for_case(case)) if EntryKind.SHARING in kinds else []
    meetings = list(sharing_selectors.agency_meetings_for_case(case)) if EntryKind.AGENCY_MEETING in kinds else []
    for meeting in meetings:
        staff = list(meeting.staff.all())
        meeting.attendees = [row.user for row in staff if row.attended]
        meeting.absent_invitees = [row.user for row in staff if row.invited and not row.attended]
    # A corrected meeting is shown beside its correction, and counted once: Ofsted looks for attendance.
    current = [meeting for meeting in meetings if not hasattr(meeting, "corrected_by")]
    return {
        "sharing": sharing,
        "agency_meetings": meetings,
        "meetings_attended": sum(1 for meeting in current if meeting.attendees),
        "meetings_current": len(current),
        "can_record_sharing": can_work and is_open,
    }


def register():
    extensions.register_panel("case", template="records/sharing/panel.html", context=_case_panel, order=30)
