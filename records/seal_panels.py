"""Sealed records on the case page (its seals, with their hash, when and by whom) and in the navigation."""

import re

from incidents.models import CaseState, EntryKind
from safeguard import extensions

from .services.seals import SEAL_LINE

SHA256 = re.compile(r"SHA-256: ([0-9a-f]{64})")


def _case_panel(request, case, can_work, chronology, **_):
    """The seals as the chronology states them: the page reads the chronology anyway (its query result is kept
    for the page), so the panel costs no query. `verify` checks that each line agrees with its seal."""
    if case.closed_at is None:
        return None  # never closed, so never sealed
    seals = []
    for entry in chronology:
        if entry.kind == EntryKind.CLOSURE and entry.text.startswith(SEAL_LINE) and SHA256.search(entry.text):
            seals.append({"sha256": SHA256.search(entry.text)[1], "at": entry.at, "by": entry.author, "addenda": 0})
        elif entry.kind == EntryKind.ADDENDUM and seals:
            seals[-1]["addenda"] += 1
    closed = case.state == CaseState.CLOSED
    for seal in seals:
        seal["in_force"] = closed and seal is seals[-1]
    return {"seals": seals, "can_add_addendum": can_work and closed and bool(seals), "can_check": can_work}


def register():
    extensions.register_nav(url_name="records:seal_check", label="Sealed records", capability="work_cases", order=60)
    extensions.register_panel("case", template="records/seals/panel.html", context=_case_panel, order=90)
