"""What a case's record holds beyond the decision and referrals: documents (never imagery), the logs of imagery
viewing, device custody, deletion and take-down, information sharing, inter-agency meetings, seals and retention."""

# --- Information sharing and inter-agency meetings (sections 6 and 7) -----------------------------------------
from .sharing_models import (  # noqa: E402, F401
    AgencyMeeting,
    AgencyMeetingAction,
    AgencyMeetingKind,
    AgencyMeetingStaff,
    InformationSharing,
    LawfulBasis,
    Recipient,
)
