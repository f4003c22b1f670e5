"""Reminders that chase every deadline (issue 10 §5): the registry of rules, and the beat job's service.

Each kind of late thing is one rule: `rule(now)` returns a `Due` for each thing late at `now`, across every
school, in one or two queries at any size (records/reminder_rules.py has the rules of this app; another app's
plugs in with `register_reminder_rule`). The job (`reminders_send`, every 15 minutes from the beat) reminds the
person responsible (the `owner`) once the thing falls due, and the school's DSL and headteacher once it has stayed
late a further SAFEGUARD_REMINDER_ESCALATE_DAYS working days, each in the app (the Reminders page) and by email.

Once per event, step and person, however often the job runs and even when two runs overlap: the rows are inserted
with ON CONFLICT DO NOTHING against their unique constraint, and a run emails only the rows it inserted itself
(marked with its own run id), each under its own sent marker. A reminder stops being open when its rule no longer
finds the thing late (the job then records the thing as done); nothing is deleted.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from incidents.models import Incident, IncidentUserObjectPermission
from safeguard import outbox
from safeguard.calendar import add_working_days
from safeguard.memberships import roles_in_school
from safeguard.models import Membership, School
from safeguard.roles import Role

from .reminder_models import Reminder, ReminderDone, ReminderEmail, ReminderStep

logger = logging.getLogger(__name__)

ESCALATED_TO = frozenset({Role.DSL, Role.HEADTEACHER})
EMAILS_PER_JOB = 100


@dataclass(frozen=True)
class Due:
    """One thing that is late, as a rule finds it."""

    event: str  # stable key of the thing that is late, e.g. f"transfer:{pk}:unconfirmed"
    school_id: int
    incident_id: int | None  # the case it concerns, if any (None for a transfer not tied to one case)
    owner_id: int  # the person reminded first (case owner, or who started the transfer)
    due_at: datetime  # when it fell due
    summary: str  # calm words naming no child (it goes into an email)
    url: str  # the page where it is dealt with


_rules = {}  # name -> rule(now): iterable of Due


def register_reminder_rule(name: str, rule) -> None:
    """Add a kind of reminder: `rule(now)` yields a Due for each thing late at `now`, in every school.

    A rule reads in a fixed number of queries whatever the number of cases (no query per row), and names no child
    in its summaries. Registering a name again replaces its rule.
    """
    _rules[name] = rule


def escalation_at(school, due_at):
    """When a reminder still not dealt with goes on to the DSL and headteacher: working days after it fell due."""
    return add_working_days(school, due_at, settings.SAFEGUARD_REMINDER_ESCALATE_DAYS)


def reminders_send(*, now=None):
    """The beat job: remind whoever is due a reminder and has not had it, and record what has been done since.

    Safe to run twice, and twice at once. Returns how many reminders this run added.
    """
    now = now or timezone.now()
    found, ran = {}, []
    for name, rule in _rules.items():
        try:
            dues = list(rule(now))
        except Exception:
            # One broken rule must not stop the others; its reminders are neither sent nor marked done this run.
            logger.exception("Reminders: the rule %s failed; the other rules ran.", name)
            continue
        ran.append(name)
        found.update({due.event: (name, due) for due in dues})
    run = uuid.uuid4()
    with transaction.atomic():
        Reminder.objects.bulk_create(_new_reminders(found, now, run), ignore_conflicts=True)
        _record_done(set(found), ran, now)
        added = list(Reminder.objects.filter(run=run).values_list("pk", flat=True))
        for start in range(0, len(added), EMAILS_PER_JOB):
            outbox.enqueue("records.tasks.reminder_emails", reminder_ids=added[start : start + EMAILS_PER_JOB])
    return len(added)


def _new_reminders(found, now, run):
    """The reminders due at `now` that no run has written yet, in a fixed number of queries."""
    if not found:
        return []
    dues = [due for _, due in found.values()]
    school_ids = {due.school_id for due in dues}
    schools = School.objects.in_bulk(school_ids)
    members = {}  # school id -> {user id: roles held there today}
    for school_id, user_id, role in (
        Membership.objects.active().filter(school_id__in=school_ids).values_list("school_id", "user_id", "role")
    ):
        members.setdefault(school_id, {}).setdefault(user_id, set()).add(role)
    may_see = _restricted_cases_named([due.incident_id for due in dues if due.incident_id])
    sent = set(Reminder.objects.filter(event__in=found).values_list("event", "step", "recipient_id"))

    rows = []
    for event, (rule, due) in found.items():
        people = members.get(due.school_id, {})
        named = may_see.get(due.incident_id)  # None: not a restricted case, so its school's roles decide

        def remind(step, recipient_id, *, due=due, event=event, rule=rule, named=named):
            if (event, step, recipient_id) not in sent and (named is None or recipient_id in named):
                fields = {"summary": due.summary, "url": due.url, "due_at": due.due_at}
                rows.append(
                    Reminder(
                        event=event,
                        rule=rule,
                        step=step,
                        recipient_id=recipient_id,
                        school_id=due.school_id,
                        incident_id=due.incident_id,
                        run=run,
                        created_at=now,
                        **fields,
                    )
                )

        # Only people who still work at the school are reminded (an owner who has left is skipped; the
        # escalation still reaches the DSL and head).
        if due.owner_id in people:
            remind(ReminderStep.OWNER, due.owner_id)
        if now >= escalation_at(schools[due.school_id], due.due_at):
            for user_id, roles in people.items():
                if user_id != due.owner_id and roles & ESCALATED_TO:
                    remind(ReminderStep.ESCALATED, user_id)
    return rows


def _restricted_cases_named(incident_ids):
    """{case id: the ids of the people named on it} for the restricted cases among `incident_ids`: on those, only
    the named are reminded, since for everyone else in the team the case does not exist."""
    restricted = Incident.objects.filter(pk__in=incident_ids, restricted=True).values_list("pk", flat=True)
    named = {pk: set() for pk in restricted}
    if named:
        for case_id, user_id in IncidentUserObjectPermission.objects.filter(
            content_object_id__in=named, permission__codename="view_incident"
        ).values_list("content_object_id", "user_id"):
            named[case_id].add(user_id)
    return named


def _record_done(still_late, ran, now):
    """Record as done each event with an open reminder that its rule, which ran, no longer finds late."""
    done = ReminderDone.objects.filter(event=OuterRef("event"))
    open_events = set(
        Reminder.objects.filter(rule__in=ran).exclude(Exists(done)).values_list("event", flat=True).distinct()
    )
    ReminderDone.objects.bulk_create(
        [ReminderDone(event=event, done_at=now) for event in sorted(open_events - still_late)], ignore_conflicts=True
    )


def reminder_emails_send(*, reminder_ids):
    """Email each of these reminders not yet emailed, once: safe to run twice, or twice at once. Returns the count.

    The sent marker is a row inserted before the email goes, in the same transaction: a second run's insert of
    the same marker waits on the first (the unique index's lock) and then finds it, so no one is emailed twice; an
    email that fails rolls its marker back, for the retry. (A row lock on the reminder itself would need UPDATE on
    an append-only table, which the application's database role does not have.)
    """
    sent = 0
    pending = Reminder.objects.filter(pk__in=reminder_ids, email__isnull=True).select_related("recipient", "school")
    for reminder in pending:
        recipient = reminder.recipient
        if not recipient.email or not roles_in_school(recipient, reminder.school):
            continue  # left the school since: the Reminders page no longer shows them the school either
        with transaction.atomic():
            try:
                with transaction.atomic():
                    ReminderEmail.objects.create(reminder=reminder)
            except IntegrityError:
                continue  # another run has sent it
            send_mail(
                subject=_subject(reminder),
                message=_message(reminder),
                from_email=None,
                recipient_list=[recipient.email],
            )
        sent += 1
    return sent


def _subject(reminder):
    prefix = "Reminder" if reminder.step == ReminderStep.OWNER else "Escalated reminder"
    return f"{prefix} from Safeguard at {reminder.school}: {reminder.summary}"


def _message(reminder):
    lines = [f"{reminder.summary}. It fell due on {timezone.localtime(reminder.due_at):%d %B %Y at %H:%M}."]
    if reminder.step == ReminderStep.ESCALATED:
        lines.append(
            "The person responsible was reminded first; it comes to you as the school's designated safeguarding "
            "lead or headteacher."
        )
    lines.append(
        "Please sign in to Safeguard and open Reminders to deal with it. For the child's privacy, no details are sent "
        "by email."
    )
    return "\n\n".join(lines)
