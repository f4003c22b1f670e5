"""Working days and school days: the two calendars the clocks count in.

A **working day** is Monday to Friday and not a bank holiday of the school's nation. Agencies work through the
school holidays, so the referral acknowledgement clock counts working days.

A **school day** is a working day inside one of the school's terms that is not one of its INSET days: a day its
pupils are in school. The clock of a child protection file's transfer to a new school counts school days.

Bank holidays come from the `holidays` package (the UK's four nations are its subdivisions of "GB"); terms and
INSET days are what the school entered (`Term`, `InsetDay`). A half term is the gap between two terms.
"""

import datetime
import types
from collections import defaultdict
from functools import lru_cache

import holidays
from django.utils import timezone

from .models import InsetDay, Term


class NoTermDates(LookupError):
    """School days were counted past the last term the school has entered (or before its first)."""


@lru_cache(maxsize=64)
def bank_holidays(nation, year):
    """{date: name} of the bank holidays of `nation` (a `Nation` value) in `year`."""
    return types.MappingProxyType(dict(holidays.country_holidays("GB", subdiv=nation, years=year)))


def is_working_day(school, day):
    """Monday to Friday, and not a bank holiday where the school is."""
    return day.weekday() < 5 and day not in bank_holidays(school.nation, day.year)


def is_school_day(school, day):
    """A working day in one of the school's terms that is not an INSET day."""
    terms, inset_days = _entries(school)
    return is_working_day(school, day) and day not in inset_days and any(first <= day <= last for first, last in terms)


def add_working_days(school, moment, days):
    """`moment` (a date, or a time: the same local time on the day reached) `days` working days on; back if negative."""
    return _count(moment, days, lambda day: is_working_day(school, day))


def add_school_days(school, moment, days):
    """`moment` (a date, or a time, as above) `days` school days on; back if negative.

    Raises NoTermDates if the count runs past the terms the school has entered: an honest "not known yet" rather
    than a guess.
    """
    terms, _ = _entries(school)

    def counts(day):
        if not terms or (day > terms[-1][1] if days > 0 else day < terms[0][0]):
            raise NoTermDates(f"The term dates of {school} do not reach {day:%d %B %Y}.")
        return is_school_day(school, day)

    return _count(moment, days, counts)


def _count(moment, days, counts):
    is_time = isinstance(moment, datetime.datetime)
    if is_time:
        moment = timezone.localtime(moment)
    day = moment.date() if is_time else moment
    step = datetime.timedelta(days=1 if days >= 0 else -1)
    start, left = day, abs(days)
    while left:
        day += step
        if counts(day):
            left -= 1
    # An aware time plus whole days keeps its wall-clock time, across a change to or from summer time too.
    return moment + (day - start)


# Read once per School object and kept on it, so a page asks once however many clocks it shows; the services that
# change a calendar forget it.
_LOADED = "_calendar_entries"


def _entries(school):
    """The school's terms in force, as (first day, last day) in order, and its INSET days in force."""
    loaded = school.__dict__.get(_LOADED)
    if loaded is None:
        terms = list(
            Term.objects.current().filter(school=school).order_by("starts_on").values_list("starts_on", "ends_on")
        )
        inset_days = frozenset(InsetDay.objects.current().filter(school=school).values_list("day", flat=True))
        loaded = school.__dict__[_LOADED] = (terms, inset_days)
    return loaded


def preload(rows):
    """For a clock over many schools' rows (each with a `school`): give the rows of one school one School object,
    and read every school's calendar at once (two queries however many), so no row asks again. Returns the rows."""
    schools = {}
    for row in rows:
        row.school = schools.setdefault(row.school_id, row.school)
    pending = {pk: school for pk, school in schools.items() if _LOADED not in school.__dict__}
    if not pending:
        return rows
    terms, inset_days = defaultdict(list), defaultdict(set)
    for school_id, first, last in (
        Term.objects.current()
        .filter(school__in=pending)
        .order_by("starts_on")
        .values_list("school_id", "starts_on", "ends_on")
    ):
        terms[school_id].append((first, last))
    for school_id, day in InsetDay.objects.current().filter(school__in=pending).values_list("school_id", "day"):
        inset_days[school_id].add(day)
    for pk, school in pending.items():
        school.__dict__[_LOADED] = (terms[pk], frozenset(inset_days[pk]))
    return rows


def forget(school):
    """Drop what was read of the school's calendar, after it changed."""
    school.__dict__.pop(_LOADED, None)
