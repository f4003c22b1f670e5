"""What a case's record holds beyond the decision and referrals: documents (never imagery), the logs of imagery
viewing, device custody, deletion and take-down, information sharing, inter-agency meetings, seals and retention."""

# --- Sealed records (issue 9 §5) ------------------------------------------------------------------------------
from .seal_models import Addendum, Seal, SealCheck  # noqa: E402, F401
