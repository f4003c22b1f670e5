"""Keyset pagination: each page of a long list is found from where the page beside it ended, not by counting.

Numbered pages count every row ("page 3 of 2,000") and read past every row before the page asked for, so
both grow with the list. A keyset page reads one range of the index that serves the list's order: `size` rows,
the same at 500 cases or 50,000. The order is a datetime field, then the id to break ties.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q

SEPARATOR = "_"


@dataclass(frozen=True)
class KeysetPage:
    object_list: list = field(default_factory=list)
    before: str = ""  # the cursor for the page before this one in the list's order (?before=), "" if none
    after: str = ""  # the cursor for the page after it (?after=)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def has_other_pages(self):
        return bool(self.before or self.after)


def _cursor(row, key):
    return f"{getattr(row, key).isoformat()}{SEPARATOR}{row.pk}"


def _parse(cursor):
    """(datetime, id) from a cursor, or None for anything else: a bad cursor gives the first page.

    Cursors are written with their offset (_cursor); one edited by hand may have none, or an offset that takes
    year 1 or 9999 past the calendar when it is converted to UTC, as the database needs it.
    """
    value, _, pk = (cursor or "").rpartition(SEPARATOR)
    try:
        moment = datetime.datetime.fromisoformat(value)
        if moment.tzinfo is None:
            return None
        return moment.astimezone(datetime.UTC), int(pk)
    except (ValueError, OverflowError):
        return None


def _beyond(key, value, pk, op):
    # The first condition bounds the index range to read; the second breaks ties on `key` by id.
    return Q(**{f"{key}__{op}e": value}) & (Q(**{f"{key}__{op}": value}) | Q(**{f"pk__{op}": pk}))


def keyset_page(queryset, *, key, descending, size, after="", before=""):
    """One page of `queryset` ordered by (`key`, id), descending or not: the first, the one after the cursor
    `after`, or the one before the cursor `before`."""
    forward, backward = ("lt", "gt") if descending else ("gt", "lt")
    sign = "-" if descending else ""
    back_sign = "" if descending else "-"
    start, end = _parse(after), _parse(before)
    if end is not None:
        rows = list(
            queryset.filter(_beyond(key, *end, backward)).order_by(f"{back_sign}{key}", f"{back_sign}pk")[: size + 1]
        )
        more, rows = len(rows) > size, rows[:size][::-1]
        if not rows:
            return KeysetPage()
        return KeysetPage(rows, before=_cursor(rows[0], key) if more else "", after=_cursor(rows[-1], key))
    if start is not None:
        queryset = queryset.filter(_beyond(key, *start, forward))
    rows = list(queryset.order_by(f"{sign}{key}", f"{sign}pk")[: size + 1])
    more, rows = len(rows) > size, rows[:size]
    if not rows:
        return KeysetPage()
    before = _cursor(rows[0], key) if start is not None else ""
    return KeysetPage(rows, before=before, after=_cursor(rows[-1], key) if more else "")
