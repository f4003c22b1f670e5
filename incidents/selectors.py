"""Reads of case data, always scoped to what the user may see. "Not yours" and "not there" are the same 404.

Two kinds of reader: the school's safeguarding team and overseers (headteacher, trust lead), who see cases
through `view_incident`; and the member of staff who logged a concern, who sees only what they reported, as
they reported it, and that it was received (`view_own_report`). The second never reaches the team's later
work: their selectors return a plain snapshot, not the case.
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.http import Http404

from safeguard import extensions, policy
from safeguard.memberships import roles_in_school
from safeguard.models import Pupil
from safeguard.selectors import pupil_list_for_user

from .models import (
    CRITERIA_LABELS,
    Action,
    ActionStatus,
    CaseState,
    ChronologyEntry,
    HarmKind,
    HowCameToLight,
    Incident,
    InitialReviewMeeting,
    Involvement,
    MeetingAttendee,
    Notification,
    NotificationKind,
    Part,
)
from .pupil_search import PupilFinder

# What a list shows of each case: never its long texts, which would be read and built for every row.
LIST_FIELDS = (
    "school_id",
    "reference",
    "state",
    "state_changed_at",
    "came_to_light_at",
    "submitted_at",
    "harm_kind",
    "owner",
)


def incident_list_for_user(user, school):
    """Submitted cases of `school` the user may see as the safeguarding team or an overseer, with their people.

    One indexed filter (policy.case_scope), newest first in the order of the `incident_list` index.
    """
    scope = policy.case_scope(user, roles_in_school(user, school), school)
    if scope is None:
        return Incident.objects.none()
    return (
        Incident.objects.filter(scope)
        .only(*LIST_FIELDS)
        .select_related("owner")
        .prefetch_related(
            Prefetch(
                "involvements",
                queryset=Involvement.objects.current()
                .only("incident", "pupil", "pupil__first_name", "pupil__last_name", "other_name", "part")
                .select_related("pupil"),
                to_attr="current_involvements",
            )
        )
        .order_by("-came_to_light_at", "-pk")
    )


def referral_required_with_counts(user, school, shown):
    """For the dashboard, in one query: up to `shown` cases needing a referral now, and the counts of new concerns
    waiting for review, open cases and cases needing a referral.

    Only open cases are read (the `incident_open` index), never the decades of closed ones. Window counts run over
    every open case before the limit, so the counts come with the first rows; the cases
    needing a referral sort first and are kept. With no open case there is no row, and every count is 0.
    """

    def counted(state=None):
        matches = Value(1) if state is None else Case(When(state=state, then=Value(1)), default=Value(0))
        return Window(Sum(matches))

    rows = list(
        incident_list_for_user(user, school)
        .exclude(state=CaseState.CLOSED)
        .prefetch_related(None)  # the dashboard shows each case's reference only
        .annotate(
            inbox_count=counted(CaseState.REPORTED),
            open_count=counted(),
            referral_required_count=counted(CaseState.REFERRAL_REQUIRED),
            needs_referral=Case(When(state=CaseState.REFERRAL_REQUIRED, then=Value(0)), default=Value(1)),
        )
        .order_by("needs_referral", "-came_to_light_at", "-pk")[:shown]
    )
    names = ("inbox_count", "open_count", "referral_required_count")
    counts = {name: getattr(rows[0], name) if rows else 0 for name in names}
    return [row for row in rows if row.state == CaseState.REFERRAL_REQUIRED], counts


def inbox_for_user(user, school):
    """New concerns waiting for the safeguarding team, oldest first."""
    return incident_list_for_user(user, school).filter(state=CaseState.REPORTED).order_by("submitted_at", "pk")


def get_incident_for_user_or_404(user, school, pk):
    """One case the user may see as the safeguarding team, an overseer, or someone named on it or granted it (an
    inspector); 404 for missing or not theirs.

    Found by its id and checked against the user's scope (policy.case_scope) in the same query: one row read by
    its key, so the lookup costs the same however many cases there are, and a named or granted case no more.
    """
    scope = policy.case_scope(user, roles_in_school(user, school), school)
    if scope is None:
        raise Http404
    try:
        case = Incident.objects.select_related("owner", "reported_by").filter(scope).get(pk=pk)
    except (Incident.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    case.school = school
    return case


def _own(user, school, perm):
    """The concerns of `school` on which the user is named as their reporter with `perm`."""
    if not roles_in_school(user, school):
        return Incident.objects.none()
    return Incident.objects.filter(school=school, reported_by=user, pk__in=policy.named_case_ids(user, perm))


# --- The reporter's view ------------------------------------------------------------------------------------


def own_report_list_for_user(user, school):
    """The concerns the user logged in `school`, as dicts of what they may see: drafts and submitted reports."""
    return (
        _own(user, school, policy.OWN_REPORT)
        # The state is reduced to received or not: the team's later steps are not the reporter's to see.
        .annotate(
            received=Case(
                When(state=CaseState.DRAFT, then=Value(False)), default=Value(True), output_field=BooleanField()
            )
        )
        .order_by("-created_at", "-pk")
        .values("pk", "reference", "received", "created_at", "submitted_at", "came_to_light_at")
    )


def get_own_draft_for_user_or_404(user, school, pk):
    """The user's own unsubmitted draft, to finish; 404 for anything else."""
    try:
        return _own(user, school, policy.OWN_DRAFT).filter(state=CaseState.DRAFT).get(pk=pk)
    except (Incident.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass(frozen=True)
class ReportedPerson:
    name: str
    part: str
    own_account: str


@dataclass(frozen=True)
class OwnReport:
    """What a member of staff reported, exactly as they submitted it, and whether it was received."""

    pk: int
    reference: str
    received: bool
    received_at: datetime.datetime | None
    occurred_at: datetime.datetime | None
    came_to_light_at: datetime.datetime | None
    location: str
    how_came_to_light: str
    how_came_to_light_detail: str
    categories: list
    harm_kind: str
    childs_words: str
    observations: str
    imagery_description: str
    people: list


def get_own_report_for_user_or_404(user, school, pk):
    """The user's own report as submitted (from the history at the moment of submission); 404 if not theirs."""
    try:
        case = _own(user, school, policy.OWN_REPORT).get(pk=pk)
    except (Incident.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if case.state == CaseState.DRAFT:
        snapshot, people = case, case.involvements.current().select_related("pupil")
    else:
        # Later corrections by the team are their work: the reporter sees the record as it stood when submitted.
        record = case.history.filter(state=CaseState.REPORTED).order_by("history_date", "history_id").first()
        snapshot = record.instance
        people = [
            p
            for p in Involvement.history.as_of(record.history_date).filter(incident_id=case.pk).order_by("id")
            if p.removed_at is None
        ]
    harm = HarmKind(snapshot.harm_kind).label if snapshot.harm_kind else ""
    if snapshot.harm_kind == HarmKind.OTHER:
        harm = f"{harm}: {snapshot.harm_other}"
    return OwnReport(
        pk=case.pk,
        reference=case.reference,
        received=case.state != CaseState.DRAFT,
        received_at=case.submitted_at,
        occurred_at=snapshot.occurred_at,
        came_to_light_at=snapshot.came_to_light_at,
        location=snapshot.location,
        how_came_to_light=HowCameToLight(snapshot.how_came_to_light).label if snapshot.how_came_to_light else "",
        how_came_to_light_detail=snapshot.how_came_to_light_detail,
        categories=[c.label for c in snapshot.categories],
        harm_kind=harm,
        childs_words=snapshot.childs_words,
        observations=snapshot.observations,
        imagery_description=snapshot.imagery_description,
        people=[ReportedPerson(name=p.name, part=Part(p.part).label, own_account=p.own_account) for p in people],
    )


# --- One case, already fetched through get_incident_for_user_or_404 -----------------------------------------


def case_involvements(incident):
    """The people currently involved in a case, with their pupil records."""
    return incident.involvements.current().select_related("pupil")


def case_actions(incident):
    """A case's actions, open ones first by due date."""
    open_first = Case(When(status=ActionStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
    return incident.actions.select_related("owner", "done_by").order_by(open_first, "due_on", "pk")


def case_chronology(incident):
    """A case's chronology, oldest first: every entry dated, timed and attributed."""
    return incident.chronology.select_related("author").order_by("at", "pk")


def latest_meeting(incident):
    """The most recent initial review meeting held on a case, or None."""
    return InitialReviewMeeting.objects.filter(incident=incident).order_by("-held_at", "-pk").first()


def latest_meeting_with_attendance(incident):
    """The latest review meeting, with `present` (the staff at it) read in the same query; None if none was held.

    The attendance rows carry the meeting with them; only a meeting with no staff recorded needs a second read.
    """
    latest = InitialReviewMeeting.objects.filter(incident=incident).order_by("-held_at", "-pk").values("pk")[:1]
    attendance = list(
        MeetingAttendee.objects.filter(meeting=Subquery(latest))
        .select_related("meeting__recorded_by", "user")
        .order_by("user__last_name", "pk")
    )
    meeting = attendance[0].meeting if attendance else latest_meeting(incident)
    if meeting is not None:
        meeting.present = [row.user for row in attendance]
    return meeting


def case_ids_for_pupil(pupil):
    """The ids of the cases `pupil` is part of, as a subquery; narrow a scoped case list with it."""
    return Involvement.objects.current().filter(pupil=pupil).values("incident")


def pupil_chronology_for_user(user, school, pupil):
    """Every chronology entry of every case the user may see in which `pupil` is involved, as one timeline."""
    cases = incident_list_for_user(user, school).filter(pk__in=case_ids_for_pupil(pupil))
    return (
        ChronologyEntry.objects.filter(incident__in=cases.values("pk"))
        .select_related("incident", "author")
        .order_by("at", "pk")
    )


def open_actions_for_user(user, school):
    """Open actions on the cases the user may see, soonest due first."""
    return (
        Action.objects.filter(incident__in=incident_list_for_user(user, school).values("pk"), status=ActionStatus.OPEN)
        .select_related("incident", "owner")
        .order_by("due_on", "pk")
    )


# kind -> pending(): a filter on Notification that holds while the notification still calls for attention. The
# case's progress clears it, never the opening of a page, so reading the list writes nothing. Higher apps add the
# kinds they raise (records: imagery viewed); a kind with no rule here is never listed.
_pending = {
    # Cleared once a review meeting is held, or the case leaves the inbox by any other move.
    NotificationKind.CONCERN_REPORTED: lambda: (
        Q(incident__state=CaseState.REPORTED)
        & ~Exists(InitialReviewMeeting.objects.filter(incident=OuterRef("incident")))
    )
}


def register_notification_pending(kind, pending):
    """Say when a notification of `kind` still calls for attention: `pending()` returns a filter on Notification."""
    _pending[kind] = pending


def notifications_for_user(user, school):
    """The user's notifications about cases of `school` they may see whose case has not yet moved on, newest first.

    One query, and no write: what clears a notification is the case's own progress (see `_pending`).
    """
    still_pending = Q(pk__in=[])
    for kind, pending in _pending.items():
        still_pending |= Q(kind=kind) & pending()
    return (
        Notification.objects.filter(recipient=user, incident__in=incident_list_for_user(user, school).values("pk"))
        .filter(still_pending)
        .select_related("incident")
        .order_by("-created_at", "-pk")
    )


# --- Suggestions for the initial review meeting -------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """A criterion the facts held here point to. The DSL decides; nothing is answered for them."""

    criterion: str  # the meeting field, e.g. "under_13_sexual_acts"
    label: str
    reason: str


def criteria_suggestions(incident):
    """Immediate-referral criteria that the register and the people involved suggest, each with the fact behind it."""
    on = incident.incident_date
    basis = (
        "on the date it happened"
        if incident.occurred_at
        else "on the date it came to light (when it happened is not known)"
    )
    found = []

    def suggest(criterion, reason):
        found.append(Suggestion(criterion, CRITERIA_LABELS[criterion], reason))

    for person in case_involvements(incident):
        pupil = person.pupil
        if pupil is None:
            if person.other_is_adult:
                suggest("adult_involved", f"{person.name} is recorded as an adult, or believed to be one.")
            continue
        age = pupil.age_on(on)
        if age < 13:
            suggest(
                "under_13_sexual_acts",
                f"{pupil} was {age} {basis}. This criterion applies only if the imagery involves sexual acts.",
            )
        if age >= 18:
            suggest("adult_involved", f"{pupil} was {age} {basis}, an adult in law.")
        if pupil.known_to_social_care or pupil.looked_after or pupil.previously_abused:
            flags = [
                text
                for flag, text in [
                    (pupil.known_to_social_care, "known to children's social care"),
                    (pupil.looked_after, "looked after"),
                    (pupil.previously_abused, "recorded as previously abused"),
                ]
                if flag
            ]
            suggest("vulnerable_pupil", f"{pupil} is {' and '.join(flags)}.")
        if pupil.send:
            suggest(
                "coercion_or_capacity",
                f"{pupil} has special educational needs or a disability: consider whether there are concerns "
                "about their capacity to consent.",
            )
    return found


def pupils_to_name(user, school):
    """Pupils on roll whom a member of staff may name in a concern: names and year groups only are shown.

    Every member of staff knows the pupils' names; the register's details (birth dates, flags) stay with the team.
    """
    if not policy.can(roles_in_school(user, school), "log_concern"):
        return Pupil.objects.none()
    return Pupil.objects.filter(extensions.pupils_shown(), school=school, date_left__isnull=True).order_by(
        "last_name", "first_name", "pk"
    )


def _sees_birth_dates(user, school):
    return policy.can(roles_in_school(user, school), "see_birth_dates")


def pupil_finder_to_name(user, school):
    """Finds, by name, the pupils on roll a member of staff may name in a concern (see pupils_to_name)."""
    return PupilFinder(pupils=pupils_to_name(user, school), with_birth_date=_sees_birth_dates(user, school))


def pupil_finder_for_cases(user, school):
    """Finds, by name, the pupils whose cases the case list may be narrowed to: the register the user may see,
    including pupils who have left (their cases stay on record)."""
    return PupilFinder(pupils=pupil_list_for_user(user, school), with_birth_date=_sees_birth_dates(user, school))
