"""Writes for deletion requests and take-down reports (domain.md §4; seed 004 §5.2 and §8).

Each takes the acting person as `actor`, locks the case through incidents.services.lock_case (the safeguarding
team's permission; a closed case is refused), saves a new row through audited_save and writes the chronology.
Nothing is ever changed: a request is answered by a response, a take-down report followed up by a new report.
As elsewhere, `recorded_at` back-dates a record for the demo and tests only.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from incidents.chronology import chronology_record
from incidents.dates import Dated, check_dates
from incidents.errors import Problem, RuleBroken
from incidents.models import CaseState, EntryKind, Involvement
from incidents.services import lock_case, require_text
from referrals.models import ContactMethod, Outcome
from safeguard.audit import audited_save
from safeguard.calendar import NoTermDates, add_school_days, add_working_days
from safeguard.memberships import roles_in_school
from safeguard.people import person_name

from ..deletion_models import (
    DELETION_PLACES,
    TAKEDOWN_RESULTS,
    DeletionRequest,
    DeletionResponse,
    DeletionResponseKind,
    TakedownReport,
    TakedownRoute,
    WhereDeleted,
    WhoAnswered,
)

DEFAULT_DEADLINE_TIME = datetime.time(16, 0)
_WHEN = "when the pupil was asked"


def default_deadline(school, now=None):
    """The deadline a page offers: the end of the next school day (the next working day where the school's term
    dates do not reach that far), so the pupil can be reminded in school if nothing has come."""
    today = timezone.localdate(now or timezone.now())
    try:
        day = add_school_days(school, today, 1)
    except NoTermDates:
        day = add_working_days(school, today, 1)
    return timezone.make_aware(datetime.datetime.combine(day, DEFAULT_DEADLINE_TIME))


def _works_here(person, school, field):
    if not roles_in_school(person, school):
        raise RuleBroken(Problem(f"{person_name(person)} does not work at this school.", field=field))


# --- Deletion requests ----------------------------------------------------------------------------------------


@transaction.atomic
def deletion_request(
    *,
    actor,
    involvement,
    deadline,
    asked_at=None,
    asked_by=None,
    told_consequences=False,
    where_held="",
    recorded_at=None,
):
    """Record that a pupil was asked to delete the imagery from their devices, cloud storage and social media by
    `deadline`. Only on a case managed in school: where the police are involved, they advise on deletion."""
    case = lock_case(actor=actor, incident=involvement.incident)
    if case.state != CaseState.MANAGED_IN_SCHOOL:
        raise RuleBroken(
            "Pupils are asked to delete imagery when a case is managed in school, after the headteacher's sign-off; "
            f"this case is {CaseState(case.state).label.lower()}. Where the police are involved, they advise on "
            "deleting imagery: until then, delete nothing."
        )
    involvement = Involvement.objects.current().filter(pk=involvement.pk, incident=case).first()
    if involvement is None or involvement.pupil_id is None:
        raise RuleBroken(Problem("Choose a pupil from the register who is involved in this case.", field="involvement"))
    now = recorded_at or timezone.now()
    asked_at, asked_by = asked_at or now, asked_by or actor
    check_dates(Dated("asked_at", asked_at))
    if deadline is None or deadline <= asked_at:
        raise ValidationError({"deadline": "The deadline must be after the pupil was asked."})
    _works_here(asked_by, case.school, "asked_by")
    waiting = next((r for r in requests_of(involvement) if r.status == OPEN), None)
    if waiting is not None:
        raise RuleBroken(
            Problem(
                f"{involvement.name} was already asked to delete it by "
                f"{timezone.localtime(waiting.deadline):%d %B %Y, %H:%M}, and has not answered yet. Record their "
                "confirmation or refusal first.",
                field="involvement",
            )
        )
    request = audited_save_new(
        DeletionRequest(
            incident=case,
            involvement=involvement,
            asked_at=asked_at,
            asked_by=asked_by,
            deadline=deadline,
            told_consequences=bool(told_consequences),
            where_held=(where_held or "").strip(),
            recorded_by=actor,
            recorded_at=now,
        ),
        actor=actor,
        reason="Deletion requested",
        at=now,
    )
    told = " They were told it is against the law to keep or share it." if request.told_consequences else ""
    where = f" Known to be held: {request.where_held}" if request.where_held else ""
    chronology_record(
        incident=case,
        author=actor,
        kind=EntryKind.DELETION_REQUEST,
        at=asked_at,
        recorded_at=now,
        text=(
            f"Deletion: {involvement.name} asked by {person_name(asked_by)} to delete the imagery from their devices, "
            f"cloud storage and social media by {timezone.localtime(deadline):%d %B %Y, %H:%M}.{told}{where}"
        ),
    )
    return request


OPEN, CONFIRMED, REFUSED = "open", DeletionResponseKind.CONFIRMED, DeletionResponseKind.REFUSED


def requests_of(involvement):
    """The pupil's deletion requests on their case, each with its `status` (open, confirmed or refused)."""
    requests = list(
        DeletionRequest.objects.filter(involvement=involvement).prefetch_related("responses").order_by("pk")
    )
    for request in requests:
        annotate_status(request)
    return requests


def annotate_status(request, now=None):
    """Set `latest` (the response that stands, or None), `status` and `overdue` on a request whose responses are
    prefetched: the latest response stands, and a request with none is overdue once its deadline has passed."""
    responses = sorted(request.responses.all(), key=lambda r: (r.at, r.pk))
    request.latest = responses[-1] if responses else None
    request.status = request.latest.kind if request.latest else OPEN
    request.overdue = request.status == OPEN and request.deadline < (now or timezone.now())
    return request


def _lock_request(actor, request):
    case = lock_case(actor=actor, incident=request.incident)
    request = DeletionRequest.objects.select_related("involvement__pupil").get(pk=request.pk, incident=case)
    return case, annotate_status(request)


def _answer_checks(request, at, who, who_name, method):
    check_dates(Dated("at", at, request.asked_at, _WHEN))
    who, method = WhoAnswered(who), ContactMethod(method)
    if who != WhoAnswered.PUPIL and not (who_name or "").strip():
        raise RuleBroken(Problem("Please give the name of the person who answered.", field="who_name"))
    return who, method


@transaction.atomic
def deletion_confirm(
    *,
    actor,
    request,
    at,
    who,
    method,
    checked_by,
    devices,
    cloud_storage,
    social_media,
    who_name="",
    notes="",
    recorded_at=None,
):
    """Record that the imagery was deleted: who confirmed it, when and how, who checked it, and for each of devices,
    cloud storage and social media, that it was deleted there or none was held."""
    case, request = _lock_request(actor, request)
    if request.status == CONFIRMED:
        raise RuleBroken(f"{request.involvement.name}'s deletion is already confirmed. Add anything further as a note.")
    who, method = _answer_checks(request, at, who, who_name, method)
    places = {"devices": devices, "cloud_storage": cloud_storage, "social_media": social_media}
    problems = [
        Problem(f"Please say whether it was deleted from: {label.lower()}.", field=field)
        for field, label in DELETION_PLACES
        if places[field] not in WhereDeleted.values
    ]
    if problems:
        raise RuleBroken(" ".join(problems), problems)
    _works_here(checked_by, case.school, "checked_by")
    now = recorded_at or timezone.now()
    response = audited_save_new(
        DeletionResponse(
            request=request,
            kind=CONFIRMED,
            at=at,
            who=who,
            who_name=(who_name or "").strip(),
            method=method,
            checked_by=checked_by,
            notes=(notes or "").strip(),
            recorded_by=actor,
            recorded_at=now,
            **places,
        ),
        actor=actor,
        reason="Deletion confirmed",
        at=now,
    )
    places_text = "; ".join(f"{label}: {done.lower()}" for label, done in response.places)
    late = " (after the deadline)" if at > request.deadline else ""
    chronology_record(
        incident=case,
        author=actor,
        kind=EntryKind.DELETION_CONFIRMED,
        at=at,
        recorded_at=now,
        text=(
            f"Deletion confirmed{late} for {request.involvement.name} by {response.who_display.lower()}, "
            f"{response.get_method_display().lower()}; checked by {person_name(checked_by)}. {places_text}."
            + (f" {response.notes}" if response.notes else "")
        ),
    )
    return response


# Seed 004 §5.2: a pupil who refuses to delete is told the police may become involved.
REFUSAL_ESCALATION = (
    "A refusal to delete the imagery is a reason to involve the police: the case can be escalated to a police referral."
)


@transaction.atomic
def deletion_refuse(*, actor, request, at, who, method, notes, who_name="", recorded_at=None):
    """Record a refusal to delete the imagery, with what was said. It offers the escalation to a police referral
    (the case page links to it, and the chronology says so); making the referral is the DSL's next decision."""
    notes = require_text(notes, Problem("Please record what was said.", field="notes"))
    case, request = _lock_request(actor, request)
    if request.status == REFUSED:
        raise RuleBroken(f"{request.involvement.name}'s refusal is already recorded. Add anything further as a note.")
    who, method = _answer_checks(request, at, who, who_name, method)
    now = recorded_at or timezone.now()
    response = audited_save_new(
        DeletionResponse(
            request=request,
            kind=REFUSED,
            at=at,
            who=who,
            who_name=(who_name or "").strip(),
            method=method,
            notes=notes,
            recorded_by=actor,
            recorded_at=now,
        ),
        actor=actor,
        reason="Refusal to delete recorded",
        at=now,
    )
    chronology_record(
        incident=case,
        author=actor,
        kind=EntryKind.DELETION_REFUSED,
        at=at,
        recorded_at=now,
        text=(
            f"Deletion refused for {request.involvement.name} ({response.who_display.lower()}, "
            f"{response.get_method_display().lower()}). {notes} {REFUSAL_ESCALATION}"
        ),
    )
    return response


def deletion_answered(*, incident, from_state, **_):
    """A case managed in school closes only once every pupil asked to delete has answered: confirmed, or refused
    (a guard on the move to closed). Where the case was referred, the police advise on the imagery instead."""
    if from_state != CaseState.MANAGED_IN_SCHOOL:
        return
    waiting = (
        DeletionRequest.objects.filter(incident=incident)
        .exclude(Exists(DeletionResponse.objects.filter(request=OuterRef("pk"))))
        .select_related("involvement__pupil")
        .order_by("pk")
    )
    names = [request.involvement.name for request in waiting]
    if names:
        yield (
            f"No answer is recorded yet to the request to delete the imagery ({', '.join(names)}): record each "
            "confirmation or refusal before closing."
        )


# --- Take-down reports ----------------------------------------------------------------------------------------


def _result_checks(result, result_at, made_at, notes):
    result = result or ""
    if result and result not in {o.value for o in TAKEDOWN_RESULTS}:
        raise ValidationError({"result": "Choose one of the results offered."})
    if result and result_at is None:
        raise ValidationError({"result_at": "Please say when the result came."})
    if result_at is not None and not result:
        raise ValidationError({"result": "Please choose the result, or leave its date empty."})
    if result == Outcome.OTHER and not (notes or "").strip():
        raise ValidationError({"notes": "Please describe the result."})
    check_dates(Dated("result_at", result_at, made_at, "when the report was made"))
    return result


def _result_text(report):
    if not report.result:
        return " No result yet."
    return f" Result: {report.get_result_display().lower()}, {timezone.localtime(report.result_at):%d %B %Y}."


@transaction.atomic
def takedown_report(
    *,
    actor,
    incident,
    platform,
    route,
    made_at=None,
    reference="",
    result="",
    result_at=None,
    notes="",
    recorded_at=None,
):
    """Record a report asking for imagery to be taken down: the platform, the route (its own reporting, Report
    Remove through the IWF, or CEOP), when, the reference, and the result if it is known. Any open case."""
    platform = require_text(platform, Problem("Please name the platform or site.", field="platform"))
    route = TakedownRoute(route)
    case = lock_case(actor=actor, incident=incident)
    now = recorded_at or timezone.now()
    made_at = made_at or now
    check_dates(Dated("made_at", made_at))
    result = _result_checks(result, result_at, made_at, notes)
    report = audited_save_new(
        TakedownReport(
            incident=case,
            platform=platform,
            route=route,
            made_at=made_at,
            made_by=actor,
            reference=(reference or "").strip(),
            result=result,
            result_at=result_at,
            notes=(notes or "").strip(),
            recorded_by=actor,
            recorded_at=now,
        ),
        actor=actor,
        reason="Take-down report recorded",
        at=now,
    )
    ref = f" Reference {report.reference}." if report.reference else ""
    says = route.label
    chronology_record(
        incident=case,
        author=actor,
        kind=EntryKind.TAKEDOWN,
        at=made_at,
        recorded_at=now,
        text=f"Take-down: {platform} reported ({says}).{ref}{_result_text(report)} {report.notes}".strip(),
    )
    return report


@transaction.atomic
def takedown_follow_up(
    *, actor, report, made_at=None, reference="", result="", result_at=None, notes="", recorded_at=None
):
    """Record a follow-up of a take-down report, and the result if one came: a new report row that follows it."""
    case = lock_case(actor=actor, incident=report.incident)
    original = TakedownReport.objects.get(pk=report.pk, incident=case)
    original = original.follows or original  # a chain of follow-ups all follow the first report
    now = recorded_at or timezone.now()
    made_at = made_at or now
    check_dates(Dated("made_at", made_at, original.made_at, "when the report was made"))
    result = _result_checks(result, result_at, original.made_at, notes)
    if not result and not (notes or "").strip():
        raise RuleBroken(Problem("Please note what was done or said, or the result.", field="notes"))
    follow_up = audited_save_new(
        TakedownReport(
            incident=case,
            follows=original,
            platform=original.platform,
            route=original.route,
            made_at=made_at,
            made_by=actor,
            reference=(reference or "").strip() or original.reference,
            result=result,
            result_at=result_at,
            notes=(notes or "").strip(),
            recorded_by=actor,
            recorded_at=now,
        ),
        actor=actor,
        reason="Take-down report followed up",
        at=now,
    )
    chronology_record(
        incident=case,
        author=actor,
        kind=EntryKind.TAKEDOWN_FOLLOW_UP,
        at=made_at,
        recorded_at=now,
        text=(
            f"Take-down: followed up the report to {original.platform} ({original.get_route_display()})."
            f"{_result_text(follow_up)} {follow_up.notes}"
        ).strip(),
    )
    return follow_up


def audited_save_new(instance, *, actor, reason, at):
    """Save a new row of these append-only tables; they are never saved a second time."""
    assert instance.pk is None  # noqa: S101  (append-only: a row is written once)
    return audited_save(instance, actor=actor, reason=reason, at=at)
