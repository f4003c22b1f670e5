"""The school's calendar, kept by its safeguarding team or headteacher: whose bank holidays, terms and INSET days."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..access import capability_required
from ..calendar import bank_holidays
from ..forms import InsetDayForm, NationForm, TermForm
from ..models import InsetDay, Nation, Term

# The page shows the year gone and what is ahead; earlier entries are kept, and still count.
SHOWN_SINCE = datetime.timedelta(days=365)
BANK_HOLIDAYS_AHEAD = datetime.timedelta(days=365)


def _upcoming_bank_holidays(school, today):
    """(date, name) of the weekday bank holidays of the school's nation in the year ahead."""
    until = today + BANK_HOLIDAYS_AHEAD
    found = {**bank_holidays(school.nation, today.year), **bank_holidays(school.nation, until.year)}
    return sorted((day, name) for day, name in found.items() if today <= day <= until and day.weekday() < 5)


@capability_required("keep_school_calendar")
def school_calendar(request):
    today = timezone.localdate()
    since = today - SHOWN_SINCE
    terms = list(selectors.terms_for_user(request.user, request.school, since))
    inset_days = list(selectors.inset_days_for_user(request.user, request.school, since))
    context = {
        "nation": Nation(request.school.nation).label,
        "since": since,
        "terms": [t for t in terms if t.withdrawn_at is None],
        "inset_days": [d for d in inset_days if d.withdrawn_at is None],
        "withdrawn": sorted(
            (e for e in [*terms, *inset_days] if e.withdrawn_at is not None), key=lambda e: e.withdrawn_at
        ),
        "bank_holidays": _upcoming_bank_holidays(request.school, today),
    }
    return render(request, "safeguard/school_calendar.html", context)


def _calendar_form(request, form, perform, success, **context):
    """Show one form of the calendar; on a valid post call `perform(cleaned_data)` (one service), then go back to
    the calendar. A refusal is shown beside its field, with everything typed kept."""
    if request.method == "POST" and form.is_valid():
        try:
            perform(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, success)
            return redirect("school_calendar")
    return render(request, "safeguard/school_calendar_form.html", {"form": form, **context})


@capability_required("keep_school_calendar")
def school_nation(request):
    form = NationForm(request.POST or None, initial={"nation": request.school.nation})
    return _calendar_form(
        request,
        form,
        lambda data: services.school_nation_set(actor=request.user, school=request.school, nation=data["nation"]),
        "The bank holidays are saved.",
        title="Whose bank holidays",
        intro="Agencies do not work on bank holidays, so the working-day clocks skip those of the nation the school "
        "is in.",
        button="Save",
    )


@capability_required("keep_school_calendar")
def term_add(request):
    form = TermForm(request.POST or None)
    return _calendar_form(
        request,
        form,
        lambda data: services.term_add(actor=request.user, school=request.school, **data),
        "The term is added.",
        title="Add a term",
        intro="Enter each half of a term as a term of its own, from its first day to its last, INSET days "
        "included: a half term is the gap between two terms.",
        button="Add the term",
    )


@capability_required("keep_school_calendar")
def inset_day_add(request):
    form = InsetDayForm(request.POST or None)
    return _calendar_form(
        request,
        form,
        lambda data: services.inset_day_add(actor=request.user, school=request.school, **data),
        "The INSET day is added.",
        title="Add an INSET day",
        intro="A training day in term, when pupils are not in school. It still counts as a working day, since "
        "agencies work that day, but not as a school day.",
        button="Add the INSET day",
    )


def _withdraw(request, model, pk, success):
    entry = selectors.get_calendar_entry_for_user_or_404(request.user, request.school, model, pk)
    services.calendar_entry_withdraw(actor=request.user, entry=entry)
    messages.success(request, success)
    return redirect("school_calendar")


@require_POST
@capability_required("keep_school_calendar")
def term_withdraw(request, pk):
    return _withdraw(request, Term, pk, "The term is withdrawn. It stays on record, with who withdrew it.")


@require_POST
@capability_required("keep_school_calendar")
def inset_day_withdraw(request, pk):
    return _withdraw(request, InsetDay, pk, "The INSET day is withdrawn. It stays on record, with who withdrew it.")
