"""What a case's record holds beyond the decision and referrals: documents (never imagery), the logs of imagery
viewing, device custody, deletion and take-down, information sharing, inter-agency meetings, seals and retention."""

# --- Imagery-viewing log and device custody (issue 9 §§2-3) ---------------------------------------------------
from .viewing_models import (  # noqa: E402, F401  (models live in their own module; Django finds them here)
    CustodyEvent,
    Device,
    ImageryViewing,
    ViewingDelegation,
    ViewingSignature,
)
