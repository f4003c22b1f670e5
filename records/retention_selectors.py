"""Reads for retention (issue 9 §8): each pupil's file, its review date, holds and decisions, and the queue."""

import datetime

from django.conf import settings
from django.db.models import DateTimeField, Exists, Func, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from incidents.models import Involvement
from incidents.selectors import incident_list_for_user
from safeguard import policy
from safeguard.memberships import roles_in_school
from safeguard.models import Pupil

from .retention_models import LegalHold, RetentionDecision, RetentionOutcome

KEEP_FOR_YEARS = 1  # a "keep" decision reviews the file again a year on


def add_years(day, years):
    """`day` moved on by whole years; 29 February falls on 1 March in a year without it (as in the database)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return datetime.date(day.year + years, 3, 1)


def add_months(day, months):
    """`day` moved on by whole months, on the month's last day where it is shorter."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last))


def midnight(day):
    """The start of `day` in UTC: the queue's order is a datetime (safeguard.keyset), built from dates alike."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)


class YearsOn(Func):
    """A date moved on by whole years, as midnight UTC (see add_years, which it matches)."""

    output_field = DateTimeField()
    arity = 1

    def __init__(self, expression, *, years):
        super().__init__(expression)
        self.years = int(years)

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite carries 29 February over to 1 March itself.
        return self.as_sql(compiler, connection, template=f"datetime(%(expressions)s, '+{self.years} years')", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        # A day back, the years on, a day forward: 29 February lands on 1 March, every other date on itself.
        template = (
            "(((%(expressions)s) - interval '1 day' + "
            f"make_interval(years => {self.years}) + interval '1 day')::timestamp AT TIME ZONE 'UTC')"
        )
        return self.as_sql(compiler, connection, template=template, **extra)


def _latest_review_on():
    return Subquery(
        RetentionDecision.objects.filter(pupil=OuterRef("pk"), next_review_on__isnull=False)
        .order_by("-decided_at", "-pk")
        .values("next_review_on")[:1]
    )


def _standing_holds():
    return LegalHold.objects.filter(pupil=OuterRef("pk"), lift__isnull=True)


def _disposed():
    return RetentionDecision.objects.filter(pupil=OuterRef("pk"), outcome=RetentionOutcome.DISPOSE)


def disposed_pupil_ids():
    """The ids of every pupil whose file was disposed of: hidden from the register and pickers (a subquery)."""
    return RetentionDecision.objects.filter(outcome=RetentionOutcome.DISPOSE).values("pupil")


def files_for_user(user, school):
    """Pupils of `school` with a child protection file (involved in a case the user may see) not disposed of, with
    `review_at` (their review date, as midnight UTC) and `on_hold`; none for anyone outside the DSL team."""
    cases = incident_list_for_user(user, school).values("pk")
    involved = Involvement.objects.current().filter(pupil=OuterRef("pk"), incident__in=cases)
    years = settings.SAFEGUARD_RETENTION_YEARS
    files = (
        Pupil.objects.filter(school=school)
        .filter(Exists(involved))
        .exclude(Exists(_disposed()))
        .annotate(
            review_at=Coalesce(YearsOn(_latest_review_on(), years=0), YearsOn("date_of_birth", years=years)),
            on_hold=Exists(_standing_holds()),
        )
    )
    # Annotated either way, so that the queue's filter and order apply to an empty list too.
    return files if policy.can(roles_in_school(user, school), "work_cases") else files.none()


def queue_horizon(today=None):
    """The last review date the queue shows: SAFEGUARD_RETENTION_QUEUE_MONTHS from today."""
    today = today or timezone.localdate()
    return midnight(add_months(today, settings.SAFEGUARD_RETENTION_QUEUE_MONTHS))


def review_queue_for_user(user, school, today=None):
    """The files whose review date has passed or falls within the queue's months (order: review_at, then id)."""
    return files_for_user(user, school).filter(review_at__lte=queue_horizon(today))


def get_file_for_user_or_404(user, school, pk):
    """One pupil's file for the retention pages; 404 for missing, not theirs, no file, or disposed of, alike."""
    try:
        return files_for_user(user, school).get(pk=pk)
    except (Pupil.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def holds_for(pupil):
    return (
        LegalHold.objects.filter(pupil=pupil).select_related("placed_by", "lift__lifted_by").order_by("placed_at", "pk")
    )


def decisions_for(pupil):
    return RetentionDecision.objects.filter(pupil=pupil).select_related("decided_by").order_by("decided_at", "pk")


def disposals_for_user(user, school):
    """The entries saying which files were disposed of, newest first: for the DSL team of the school."""
    if not policy.can(roles_in_school(user, school), "work_cases"):
        return RetentionDecision.objects.none()
    return RetentionDecision.objects.filter(pupil__school=school, outcome=RetentionOutcome.DISPOSE).select_related(
        "decided_by", "pupil"
    )


def review_date(pupil):
    """The pupil's review date (a date): the latest one a decision set, or their date of birth plus the years."""
    decided = decisions_for(pupil).filter(next_review_on__isnull=False).order_by("-decided_at", "-pk").first()
    if decided is not None:
        return decided.next_review_on
    return add_years(pupil.date_of_birth, settings.SAFEGUARD_RETENTION_YEARS)
