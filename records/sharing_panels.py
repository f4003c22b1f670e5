"""What the case page says of information sharing and inter-agency meetings (issue 9, sections 6 and 7): counts
read from the chronology the page loads anyway, and a link to the case's page of them (records.views.sharing)."""

from collections import Counter

from incidents.models import EntryKind
from safeguard import extensions


def sharing_counts(chronology):
    """(times shared, decisions not to share, inter-agency meetings) now on record, from a case's chronology lines.

    Every entry writes one line (records.services.sharing). A correction replaces the entry it corrects, so it adds
    nothing, unless it turned a sharing into a decision not to share, or back, which its kind says.
    """
    kinds = Counter(entry.kind for entry in chronology)
    to_shared, to_not_shared = kinds[EntryKind.CORRECTED_TO_SHARED], kinds[EntryKind.CORRECTED_TO_NOT_SHARED]
    shared = kinds[EntryKind.SHARING] + to_shared - to_not_shared
    not_shared = kinds[EntryKind.NOT_SHARED] + to_not_shared - to_shared
    return shared, not_shared, kinds[EntryKind.AGENCY_MEETING]


def _times(count, what):
    return f"{what} {count} time{'s' if count != 1 else ''}"


def summary(shared, not_shared, meetings):
    """The counts in words, e.g. "Information shared 2 times, a decision not to share 1 time; 3 inter-agency
    meetings"; what is none is left out."""
    sharing = [_times(shared, "Information shared")] if shared else []
    if not_shared:
        sharing.append(_times(not_shared, "a decision not to share" if shared else "A decision not to share"))
    parts = [", ".join(sharing)] if sharing else []
    if meetings:
        parts.append(f"{meetings} inter-agency meeting{'s' if meetings != 1 else ''}")
    return "; ".join(parts)


def _case_panel(request, case, can_work, is_open, chronology, **_):
    # The chronology is a queryset the case page shows below: reading it here fills its cache, so no query more.
    counts = sharing_counts(chronology)
    can_record = can_work and is_open
    if not any(counts) and not can_record:
        return None
    return {"sharing_summary": summary(*counts), "can_record_sharing": can_record}


def register():
    extensions.register_panel("case", template="records/sharing/panel.html", context=_case_panel, order=30)
