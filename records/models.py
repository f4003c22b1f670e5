"""What a case's record holds beyond the decision and referrals: documents (never imagery), the logs of imagery
viewing, device custody, deletion and take-down, information sharing, inter-agency meetings, seals and retention."""

from records.deletion_models import (  # noqa: E402,F401  (issue 9 §4: deletion and take-down)
    DeletionRequest,
    DeletionResponse,
    TakedownReport,
)
