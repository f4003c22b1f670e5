"""The dates and times a person enters for something that has already happened: when it came to light, when the
meeting was held, when the referral was made or followed up. Each must be past, and not before what it follows.

The services check them here, so no page, command or script can date a record impossibly. Dates that are in the
future by nature (an action's due date) are not checked.
"""

from datetime import datetime, timedelta
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

# A browser's or a phone's clock may run a little ahead of the server's: "just now" is not refused as the future.
CLOCK_SKEW = timedelta(minutes=5)


class Dated(NamedTuple):
    """One date and time to check, named by the field a refusal is shown beside."""

    field: str
    when: datetime | None  # None: not given, left to the field's own rules
    not_before: datetime | None = None  # when what it follows happened, if known
    not_before_is: str = ""  # what that was, e.g. "when the concern came to light"


def check_dates(*dates):
    """Refuse, beside each field, a date and time in the future or earlier than what it follows.

    A ValidationError keyed by field, as a model's clean() gives, so a page shows each beside its field.
    """
    latest = timezone.now() + CLOCK_SKEW
    problems = {}
    for dated in dates:
        if dated.when is None:
            continue
        if dated.when > latest:
            problems[dated.field] = "This date and time is in the future. Record it once it has happened."
        elif dated.not_before is not None and dated.when < dated.not_before:
            earliest = date_format(timezone.localtime(dated.not_before), "j F Y, H:i")
            problems[dated.field] = f"This is earlier than {dated.not_before_is} ({earliest})."
    if problems:
        raise ValidationError(problems)
