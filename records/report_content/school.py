"""The school safeguarding report for a period (issue 10 §1): the context of `templates/pdf/school.html`.

What it covers: the school's submitted cases whose concern came to light in the period (the case list's date, read
through its index), as the record stands when the report is generated. Times "as of" are as of then.

Whom it names: no child. Cases are named by reference only, and nothing a child said, no observation, no
description of an action and no free text of any record is printed; staff are named where the record is about what
they did (a sign-off, an action's owner). A restricted case is counted in every figure and named by its reference
wherever a list names cases (an inspector must see the whole record), but its one-line summary shows nothing
else: the PDF may be read by members of the team it is restricted from.

Queries do not grow with the number of cases: each section is one aggregate or one list over the period's cases
(sixteen queries in all, and two for the calendar where pupils left; about 50 ms for 500 cases on PostgreSQL);
medians and the worst times are computed in Python from the one list of cases.
"""

import datetime
import statistics

from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncMonth, TruncYear
from django.utils import timezone

from incidents.models import (
    Action,
    ActionStatus,
    CaseState,
    ChronologyEntry,
    FourC,
    HarmKind,
    Incident,
    InitialReviewMeeting,
    Involvement,
)
from referrals.models import (
    NOTIFICATIONS,
    Agency,
    Decision,
    DecisionKind,
    DecisionStatus,
    Outcome,
    ParentContact,
    Referral,
)
from safeguard.people import person_name

from ..deletion_models import DeletionRequest, DeletionResponse, DeletionResponseKind
from ..seal_models import Seal
from ..sharing_models import AgencyMeeting, AgencyMeetingKind, AgencyMeetingStaff, InformationSharing
from ..transfer_models import FileReceived, FileTransfer
from ..transfer_selectors import transfer_clock, with_state
from .charts import bar_chart

# A referral still waiting for its outcome with no follow-up for this long shows a lack of tenacity (seed 004 §7).
FOLLOW_UP_GAP = datetime.timedelta(days=14)
# Longer periods are charted by year: a bar per month would no longer fit a page.
MONTHS_CHARTED = 24


def build(report, progress):
    """The context for the school report `report` (a Report of kind SCHOOL); `progress(done, total)` is told as
    the cases are summarised."""
    now = timezone.now()
    cases = period_cases(report.school, report.period_start, report.period_end)
    totals = _totals(cases)
    progress(0, totals["cases"])
    rows = _case_rows(cases, now, progress, totals["cases"])
    referrals = Referral.objects.filter(incident__in=cases.values("pk"))
    awaiting = _awaiting_outcome(referrals, now)
    decisions = _decisions_not_to_refer(cases, now)
    actions = _actions(cases, now)
    deletions = _deletions(cases, now)
    meetings = _agency_meetings(cases)
    sharing = _sharing(cases)
    transfers = _transfers(report.school, report.period_start, report.period_end, now)
    chronology = ChronologyEntry.objects.filter(incident__in=cases.values("pk")).aggregate(
        entries=Count("pk"), authors=Count("author", distinct=True)
    )
    timeliness = {"meeting": _times(rows, "first_meeting_at"), "referral": _times(rows, "first_referral_at")}
    # Every case has a review meeting (domain.md §2); many are rightly never referred.
    timeliness["meeting"]["without"] = [
        {"reference": row["reference"], "waiting": duration(now - row["came_to_light_at"])}
        for row in rows
        if not row["first_meeting_at"]
    ]
    return {
        "totals": totals,
        "harm": _by_harm(cases),
        "categories": _by_category(totals),
        "months": _by_month(cases, report.period_start, report.period_end),
        "agencies": _by_agency(referrals),
        "timeliness": timeliness,
        "awaiting": awaiting,
        "decisions": decisions,
        "actions": actions,
        "deletions": deletions,
        "case_rows": rows,
        "checklist": _checklist(
            totals, rows, timeliness, awaiting, decisions, actions, deletions, meetings, sharing, chronology, transfers
        ),
    }


def period_bounds(start, end):
    """The period's first and last days as the moments that bound it, in local time (TIME_ZONE)."""
    first = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    after = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min))
    return first, after


def period_cases(school, start, end):
    """The submitted cases of `school` whose concern came to light from `start` to `end` (dates, both included),
    restricted ones too. The scope is the report's school, which was checked when the report was asked for."""
    first, after = period_bounds(start, end)
    return Incident.objects.filter(school=school, came_to_light_at__gte=first, came_to_light_at__lt=after).exclude(
        state=CaseState.DRAFT
    )


# --- Counts and charts ------------------------------------------------------------------------------------------


def _totals(cases):
    counts = {"cases": Count("pk"), "restricted": Count("pk", filter=Q(restricted=True))}
    counts |= {c.value: Count("pk", filter=Q(**{name: True})) for c, name in Incident.CATEGORY_FIELDS.items()}
    counts |= {"closed": Count("pk", filter=Q(state=CaseState.CLOSED))}
    return cases.order_by().aggregate(**counts)


def _figures(title, rows):
    """A chart and the same figures as (label, count) rows for its table."""
    return {"chart": bar_chart(title, rows), "rows": rows}


def _by_harm(cases):
    found = dict(cases.order_by().values_list("harm_kind").annotate(n=Count("pk")))
    return _figures("Cases by kind of harm", [(kind.label, found.get(kind.value, 0)) for kind in HarmKind])


def _by_category(totals):
    return _figures("Cases by the 4Cs", [(c.label.split(":")[0], totals[c.value]) for c in FourC])


def _by_month(cases, start, end):
    """Cases by the month their concern came to light (by year over a long period), every month of the period
    shown, those with none too."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    by_year = months > MONTHS_CHARTED
    counted = (
        cases.order_by()
        .annotate(at=(TruncYear if by_year else TruncMonth)("came_to_light_at"))
        .values_list("at")
        .annotate(n=Count("pk"))
    )
    found = {timezone.localtime(moment).date(): n for moment, n in counted}
    if by_year:
        rows = [(str(year), found.get(datetime.date(year, 1, 1), 0)) for year in range(start.year, end.year + 1)]
        return _figures("Cases by year the concern came to light", rows) | {"unit": "Year"}
    firsts = [
        datetime.date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1)
        for i in range(months)
    ]
    rows = [(f"{day:%B %Y}", found.get(day, 0)) for day in firsts]
    return _figures("Cases by month the concern came to light", rows) | {"unit": "Month"}


def _by_agency(referrals):
    rows = (
        referrals.order_by()
        .values("agency")
        .annotate(made=Count("pk"), known=Count("pk", filter=~Q(outcome="")), waiting=Count("pk", filter=Q(outcome="")))
    )
    found = {row["agency"]: row for row in rows}
    return [
        {
            "agency": agency.label,
            "notification": agency in NOTIFICATIONS,
            "made": found[agency.value]["made"],
            "known": found[agency.value]["known"],
            "waiting": found[agency.value]["waiting"],
        }
        for agency in Agency
        if agency.value in found
    ]


# --- The cases, one line each -----------------------------------------------------------------------------------


def _count(queryset):
    """How many rows of `queryset` (filtered on OuterRef("pk")), as a subquery that is 0 when there are none."""
    counted = queryset.order_by().values("incident").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _case_rows(cases, now, progress, total):
    """One line per case, oldest first, with what the timings and the checklist need: one query."""
    case = OuterRef("pk")
    referrals = Referral.objects.filter(incident=case)
    decision = Decision.objects.filter(incident=case).order_by("-decided_at", "-pk")
    parents_unrecorded = (
        Involvement.objects.current()
        .filter(incident=case, pupil__isnull=False)
        .exclude(Exists(ParentContact.objects.filter(involvement=OuterRef("pk"))))
    )
    found = (
        cases.order_by("came_to_light_at", "pk")
        .annotate(
            first_meeting_at=Subquery(
                InitialReviewMeeting.objects.filter(incident=case).order_by("held_at").values("held_at")[:1]
            ),
            first_referral_at=Subquery(
                referrals.exclude(agency__in=NOTIFICATIONS).order_by("made_at").values("made_at")[:1]
            ),
            decision_kind=Subquery(decision.values("kind")[:1]),
            decision_status=Subquery(decision.values("status")[:1]),
            outcome=Subquery(referrals.exclude(outcome="").order_by("-outcome_at", "-pk").values("outcome")[:1]),
            waiting=_count(referrals.filter(outcome="")),
            parents_unrecorded=_count(parents_unrecorded),
            sealed=Exists(Seal.objects.filter(incident=case, closure__closed_at__gte=OuterRef("closed_at"))),
        )
        .values(
            "reference",
            "came_to_light_at",
            "harm_kind",
            "harm_other",
            "state",
            "restricted",
            "first_meeting_at",
            "first_referral_at",
            "decision_kind",
            "decision_status",
            "outcome",
            "waiting",
            "parents_unrecorded",
            "sealed",
        )
    )
    rows = []
    for done, row in enumerate(found, start=1):
        rows.append(row | _summary(row))
        progress(done, total)
    return rows


def _summary(row):
    """The words of a case's line in the report: its date, kind of harm, state, decision and outcome."""
    if row["harm_kind"] == HarmKind.OTHER and row["harm_other"]:
        harm = f"Other: {row['harm_other']}"
    else:
        harm = HarmKind(row["harm_kind"]).label
    decision = ""
    if row["decision_kind"] == DecisionKind.REFER:
        decision = "Refer"
    elif row["decision_kind"]:
        decision = f"Manage in school ({DecisionStatus(row['decision_status']).label.lower()})"
    outcomes = [Outcome(row["outcome"]).label] if row["outcome"] else []
    if row["waiting"]:
        outcomes.append(f"{row['waiting']} awaiting an outcome")
    return {
        "date": timezone.localdate(row["came_to_light_at"]),
        "harm_label": harm,
        "state_label": CaseState(row["state"]).label,
        "decision_label": decision or "None yet",
        "outcome_label": "; ".join(outcomes) or "No referral",
    }


def duration(delta):
    """A span of time in words: to the minute under an hour, to the hour under a week ("3 days 4 hours"), then in
    days."""
    minutes = max(round(delta.total_seconds() / 60), 0)
    if not minutes:
        return "less than a minute"
    if minutes < 60:
        return _plural(minutes, "minute")
    if minutes < 7 * 24 * 60:
        days, hours = divmod(round(minutes / 60), 24)
        return " ".join(_plural(n, unit) for n, unit in ((days, "day"), (hours, "hour")) if n)
    return _plural(round(minutes / (24 * 60)), "day")


def _plural(n, noun):
    plural = {"person": "people", "chronology entry": "chronology entries"}.get(noun, f"{noun}s")
    return f"{n} {noun if n == 1 else plural}"


def _times(rows, field):
    """The median and worst time from a concern coming to light to `field`, with the cases behind the worst."""
    spans = [(row[field] - row["came_to_light_at"], row["reference"]) for row in rows if row[field]]
    if not spans:
        median = worst = None
        worst_cases = []
    else:
        median = statistics.median(span for span, _ in spans)
        worst = max(span for span, _ in spans)
        worst_cases = [reference for span, reference in spans if span == worst]
    return {
        "count": len(spans),
        "median": duration(median) if median is not None else "",
        "worst": duration(worst) if worst is not None else "",
        "worst_cases": worst_cases,
    }


# --- Referrals, decisions, actions, deletion --------------------------------------------------------------------


def _awaiting_outcome(referrals, now):
    """Referrals of the period's cases still waiting for their outcome, oldest first, with how long they have
    waited and when they were last chased."""
    rows = (
        referrals.filter(outcome="")
        .annotate(
            follow_up_count=Count("follow_ups", distinct=True),
            last_follow_up=Max("follow_ups__at"),
            escalation_count=Count("escalations", distinct=True),
        )
        .order_by("made_at", "pk")
        .values(
            "incident__reference",
            "agency",
            "agency_other",
            "made_at",
            "acknowledged_at",
            "follow_up_count",
            "last_follow_up",
            "escalation_count",
        )
    )
    found = []
    for row in rows:
        last_contact = row["last_follow_up"] or row["made_at"]
        found.append(
            {
                "reference": row["incident__reference"],
                "agency": row["agency_other"] if row["agency"] == Agency.OTHER else Agency(row["agency"]).label,
                "made_at": row["made_at"],
                "waiting": duration(now - row["made_at"]),
                "acknowledged_at": row["acknowledged_at"],
                "follow_ups": row["follow_up_count"],
                "last_follow_up": row["last_follow_up"],
                "escalations": row["escalation_count"],
                "quiet_for": duration(now - last_contact) if now - last_contact > FOLLOW_UP_GAP else "",
            }
        )
    return found


def _decisions_not_to_refer(cases, now):
    """Every decision to manage a case in school, oldest first, with its sign-off: who and when, or still waiting."""
    decisions = (
        Decision.objects.filter(incident__in=cases.values("pk"), kind=DecisionKind.MANAGE_IN_SCHOOL)
        .select_related("incident", "decided_by", "sign_off__signed_by")
        .only(
            "status",
            "decided_at",
            "incident__reference",
            *(f"decided_by__{f}" for f in ("first_name", "last_name", "username")),
            *(f"sign_off__{f}" for f in ("signed_at", "outcome", "decision")),
            *(f"sign_off__signed_by__{f}" for f in ("first_name", "last_name", "username")),
        )
        .order_by("decided_at", "pk")
    )
    found = []
    for decision in decisions:
        sign_off = getattr(decision, "sign_off", None)
        waited = duration(now - decision.decided_at)
        if decision.status == DecisionStatus.PENDING_SIGN_OFF:
            words = f"Waiting for sign-off for {waited}"
        elif decision.status == DecisionStatus.SUPERSEDED:
            words = "Overtaken by a referral before sign-off"
        elif sign_off is not None:
            words = f"{sign_off.get_outcome_display()} by {person_name(sign_off.signed_by)}"
        else:
            words = decision.get_status_display()
        found.append(
            {
                "reference": decision.incident.reference,
                "decided_at": decision.decided_at,
                "decided_by": person_name(decision.decided_by),
                "sign_off": words,
                "signed_at": sign_off.signed_at if sign_off else None,
                "waiting": decision.status == DecisionStatus.PENDING_SIGN_OFF,
                "waited": waited,
            }
        )
    return found


def _actions(cases, now):
    today = timezone.localdate(now)
    actions = Action.objects.filter(incident__in=cases.values("pk"))
    is_open = Q(status=ActionStatus.OPEN)
    counts = actions.order_by().aggregate(
        total=Count("pk"),
        open=Count("pk", filter=is_open),
        overdue=Count("pk", filter=is_open & Q(due_on__lt=today)),
        done=Count("pk", filter=Q(status=ActionStatus.DONE)),
        done_in_time=Count(
            "pk", filter=Q(status=ActionStatus.DONE) & (Q(due_on__isnull=True) | Q(done_at__date__lte=F("due_on")))
        ),
        not_taken=Count("pk", filter=Q(status=ActionStatus.NOT_TAKEN)),
        carried_over=Count("pk", filter=Q(status=ActionStatus.CARRIED_OVER)),
    )
    overdue = (
        actions.filter(is_open, due_on__lt=today)
        .order_by("due_on", "pk")
        .values("incident__reference", "due_on", "owner__first_name", "owner__last_name", "owner__username")
    )
    counts["overdue_list"] = [
        {
            "reference": row["incident__reference"],
            "due_on": row["due_on"],
            "late": _plural((today - row["due_on"]).days, "day"),
            "owner": f"{row['owner__first_name']} {row['owner__last_name']}".strip()
            or row["owner__username"]
            or "No one named",
        }
        for row in overdue
    ]
    return counts


def _deletions(cases, now):
    """Each deletion request's deadline: met (confirmed by it), missed (confirmed late, refused, or no answer once
    it passed), or not yet due. A request's latest answer stands."""
    latest = DeletionResponse.objects.filter(request=OuterRef("pk")).order_by("-at", "-pk")
    requests = (
        DeletionRequest.objects.filter(incident__in=cases.values("pk"))
        .annotate(answer=Subquery(latest.values("kind")[:1]), answered_at=Subquery(latest.values("at")[:1]))
        .order_by("deadline", "pk")
        .values("incident__reference", "deadline", "answer", "answered_at")
    )
    found = {"met": 0, "pending": 0, "missed": []}
    for request in requests:
        if request["answer"] == DeletionResponseKind.CONFIRMED and request["answered_at"] <= request["deadline"]:
            found["met"] += 1
            continue
        if request["answer"] == DeletionResponseKind.CONFIRMED:
            what = f"confirmed {duration(request['answered_at'] - request['deadline'])} late"
        elif request["answer"] == DeletionResponseKind.REFUSED:
            what = "refused"
        elif request["deadline"] < now:
            what = f"no answer, {duration(now - request['deadline'])} after the deadline"
        else:
            found["pending"] += 1
            continue
        found["missed"].append(
            {"reference": request["incident__reference"], "deadline": request["deadline"], "what": what}
        )
    return found


# --- Partners: sharing and inter-agency meetings -----------------------------------------------------------------


def _sharing(cases):
    standing = InformationSharing.objects.filter(incident__in=cases.values("pk"), corrected_by__isnull=True)
    counts = standing.order_by().aggregate(
        times_shared=Count("pk", filter=Q(shared=True)), times_not_shared=Count("pk", filter=Q(shared=False))
    )
    counts |= (
        ParentContact.objects.filter(incident__in=cases.values("pk"))
        .order_by()
        .aggregate(parents_told=Count("pk", filter=Q(told=True)), parents_not_told=Count("pk", filter=Q(told=False)))
    )
    return counts


def _agency_meetings(cases):
    """The period's inter-agency meetings as they stand (a corrected record gives way to its correction)."""
    rows = (
        AgencyMeeting.objects.filter(incident__in=cases.values("pk"), corrected_by__isnull=True)
        .annotate(attended=Exists(AgencyMeetingStaff.objects.filter(meeting=OuterRef("pk"), attended=True)))
        .order_by("held_at", "pk")
        .values("incident__reference", "held_at", "kind", "kind_other", "report_sent", "attended")
    )
    return [row | {"kind_label": row["kind_other"] or AgencyMeetingKind(row["kind"]).label} for row in rows]


def _transfers(school, start, end, now):
    """The child protection files of pupils who left in the period (sent, confirmed, late), and those received in
    it: two queries, and the school's calendar, which the clocks share. No child is named: each by its new school."""
    first, after = period_bounds(start, end)
    today = timezone.localdate(now)
    out = []
    for transfer in with_state(FileTransfer.objects.filter(school=school, leaving_on__range=(start, end))).order_by(
        "leaving_on", "pk"
    ):
        due_on = transfer_clock(school, transfer.leaving_on).due_on
        ended = transfer.confirmed_at or transfer.cancelled_at
        out.append(
            {
                "to": transfer.other_school,
                "due_on": due_on,
                "sent": transfer.sent_at is not None,
                "confirmed": transfer.confirmed_at is not None,
                "cancelled": transfer.cancelled_at is not None,
                "late": (not ended and due_on < today)
                or (transfer.confirmed_at is not None and timezone.localdate(transfer.confirmed_at) > due_on),
            }
        )
    received = FileReceived.objects.filter(school=school, received_at__gte=first, received_at__lt=after).count()
    return {"out": out, "received": received}


# --- The recording checklist (domain.md §6; seed 004 §7; seed 002) ----------------------------------------------


def _point(question, evidence, *gaps):
    """A checklist point: its evidence, and its gaps (those with no case left out)."""
    return {"question": question, "evidence": evidence, "gaps": [gap for gap in gaps if gap["cases"]]}


def _gap(what, cases):
    """One kind of gap and the cases that have it, each a reference with any detail: "OHS-2026-0012 (3 days)".
    The sections above give each one in full; here a kind of gap is one paragraph, however many cases have it."""
    return {"what": what, "cases": list(cases)}


def _each_once(references):
    """Each reference once, in order, with how many times it came if more than once: "OHS-2026-0012 (2)"."""
    counts = {}
    for reference in references:
        counts[reference] = counts.get(reference, 0) + 1
    return [f"{reference} ({n})" if n > 1 else reference for reference, n in counts.items()]


def _checklist(
    totals, rows, timeliness, awaiting, decisions, actions, deletions, meetings, sharing, chronology, transfers
):
    """For each thing Ofsted looks for in the records (domain.md §6), the evidence the system holds and the gaps it
    finds, by kind, with the cases behind each."""
    n = totals["cases"]
    meeting, referral = timeliness["meeting"], timeliness["referral"]
    referred = sum(1 for row in rows if row["first_referral_at"])
    in_school = len(decisions)
    sealed = sum(1 for row in rows if row["state"] == CaseState.CLOSED and row["sealed"])
    attended = sum(1 for m in meetings if m["attended"])
    follow_ups = sum(r["follow_ups"] for r in awaiting)
    out = transfers["out"]
    return [
        _point(
            "Are records up to date and complete?",
            [
                f"{_plural(n, 'case')}, each with its reference, when it came to light, its 4Cs and kind of harm "
                "(a concern cannot be submitted without them).",
                f"{meeting['count']} of {n} cases have an initial review meeting recorded.",
            ],
            _gap(
                "No review meeting yet (time since the concern came to light)",
                (f"{c['reference']} ({c['waiting']})" for c in meeting["without"]),
            ),
        ),
        _point(
            "Do records show the risk of harm identified and managed?",
            [
                f"{_plural(meeting['count'], 'review meeting')} answered the seven questions and the six "
                "immediate-referral criteria, each with who attended.",
                f"Deletion deadlines: {deletions['met']} met, {len(deletions['missed'])} missed, "
                f"{deletions['pending']} not yet due.",
            ],
            _gap(
                "A referral is required and has not been made yet",
                (row["reference"] for row in rows if row["state"] == CaseState.REFERRAL_REQUIRED),
            ),
            _gap(
                "Deletion deadline missed (see Deletion deadlines)",
                _each_once(d["reference"] for d in deletions["missed"]),
            ),
        ),
        _point(
            "Do records show sound decisions and timely referrals?",
            [
                f"{_plural(referred, 'case')} referred to the police or another agency; "
                f"{_plural(in_school, 'decision')} to manage a case in school, each with its reasons and the Annex A "
                "risk assessment.",
                f"Time from concern to referral: median {referral['median'] or 'none made'}"
                + (f", worst {referral['worst']}." if referral["worst"] else "."),
            ],
            _gap(
                "Decision not to refer not yet signed off (time waiting)",
                (f"{d['reference']} ({d['waited']})" for d in decisions if d["waiting"]),
            ),
        ),
        _point(
            "Do records show action taken in time?",
            [
                f"Time from concern to review meeting: median {meeting['median'] or 'no meeting yet'}"
                + (f", worst {meeting['worst']}." if meeting["worst"] else "."),
                f"Actions: {actions['done']} done ({actions['done_in_time']} by their due date), {actions['open']} "
                f"open, of which {actions['overdue']} overdue.",
            ],
            _gap(
                "Action overdue (see Actions; the number of overdue actions where more than one)",
                _each_once(a["reference"] for a in actions["overdue_list"]),
            ),
        ),
        _point(
            "Do records show tenacity in following up with agencies?",
            [
                f"{_plural(len(awaiting), 'referral')} awaiting an outcome, followed up "
                f"{_plural(follow_ups, 'time')} in all.",
            ],
            _gap(
                f"Awaiting an outcome with no follow-up for over {FOLLOW_UP_GAP.days} days (time since the last "
                "contact)",
                (f"{r['reference']} ({r['quiet_for']})" for r in awaiting if r["quiet_for"]),
            ),
        ),
        _point(
            "Do records show partnership working and the sharing of information?",
            [
                f"Information shared {_plural(sharing['times_shared'], 'time')}; "
                f"{_plural(sharing['times_not_shared'], 'decision')} not to share, each with its reason and lawful "
                "basis.",
                f"Parents or carers told {_plural(sharing['parents_told'], 'time')}; not told "
                f"{_plural(sharing['parents_not_told'], 'time')}, each with the reasons.",
            ],
            _gap(
                "No record of telling a pupil's parents or carers, or why not (the number of pupils where more "
                "than one)",
                (
                    f"{row['reference']} ({row['parents_unrecorded']})"
                    if row["parents_unrecorded"] > 1
                    else row["reference"]
                    for row in rows
                    if row["parents_unrecorded"]
                ),
            ),
        ),
        _point(
            "Is there attendance at inter-agency meetings?",
            [f"{_plural(len(meetings), 'inter-agency meeting')} recorded; the school attended {attended}."],
            _gap(
                "Inter-agency meeting not attended, with the reason recorded",
                (
                    f"{m['incident__reference']} ({m['kind_label'].lower()}, "
                    f"{timezone.localtime(m['held_at']):%d %B %Y}; "
                    + ("report sent)" if m["report_sent"] else "no report sent)")
                    for m in meetings
                    if not m["attended"]
                ),
            ),
        ),
        _point(
            "Is there a clear policy on internal sharing, safe keeping and transfer of records?",
            [
                f"Cases restricted to named members of the team: {totals['restricted']}.",
                f"Closed cases sealed with a SHA-256 of the signed-off record: {sealed} of {totals['closed']}.",
                "Every view and download of a case is in the access log.",
                f"Child protection files of pupils who left in the period: {len(out)}; sent "
                f"{sum(t['sent'] for t in out)}, receipt confirmed {sum(t['confirmed'] for t in out)}, cancelled "
                f"{sum(t['cancelled'] for t in out)}. Files received from pupils' previous schools: "
                f"{transfers['received']}.",
            ],
            _gap(
                "Closed without a seal",
                (row["reference"] for row in rows if row["state"] == CaseState.CLOSED and not row["sealed"]),
            ),
            _gap(
                "A file's receipt not confirmed within 5 school days of the pupil leaving (the new school, and when it "
                "was due)",
                (f"to {t['to']} (due {t['due_on']:%d %B %Y})" for t in out if t["late"]),
            ),
        ),
        _point(
            "Are actions not taken recorded with their justification?",
            [
                f"Actions not taken: {actions['not_taken']}; carried over at closure: {actions['carried_over']}; each "
                "with its reason (the system refuses one without).",
            ],
        ),
        _point(
            "Is every entry dated, timed and attributed?",
            [
                f"{_plural(chronology['entries'], 'chronology entry')} by {_plural(chronology['authors'], 'person')}, "
                "each with its date, time and author (the system writes them; they are never changed)."
            ],
        ),
    ]
