"""Writing the case chronology: one dated, timed, attributed line for every step (domain.md §6)."""

from safeguard.audit import audited_save

from .models import ChronologyEntry

# simple_history keeps a change reason of at most 100 characters; the full text goes in the chronology.
HISTORY_REASON_LENGTH = 100


def history_reason(text):
    """`text` cut to fit a history row's change reason."""
    text = " ".join(str(text).split())
    return text if len(text) <= HISTORY_REASON_LENGTH else text[: HISTORY_REASON_LENGTH - 1] + "…"


def chronology_record(*, incident, author, kind, text, at=None, recorded_at=None):
    """Add a line to the case's chronology. Callers are services that have already checked permission.

    The line is dated `at` (when what it records happened, if not now); `recorded_at` is given only by back-dated
    seeding (the demo, tests), and dates the line's history row, and the line itself when there is no `at`.
    """
    entry = ChronologyEntry(incident=incident, author=author, kind=kind, text=text)
    if at or recorded_at:
        entry.at = at or recorded_at
    reason = history_reason(f"Chronology: {entry.get_kind_display()}")
    return audited_save(entry, actor=author, reason=reason, at=recorded_at)
