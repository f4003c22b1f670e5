"""Reminders (issue 10 §5): each rule finds what is late and stops when it is done; the owner first, then the DSL and
headteacher; once per event, step and person, however often (and however concurrently) the job runs."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from incidents import services as case_services
from incidents.models import Incident
from records import reminder_rules, reminders
from records.reminder_models import Reminder, ReminderDone, ReminderEmail, ReminderStep
from records.reminder_selectors import open_reminders_for_user, reminders_for_user
from records.services import deletion
from referrals import services as referral_services
from safeguard import services as core_services
from safeguard.calendar import add_working_days
from safeguard.models import Membership
from safeguard.roles import Role
from tests.conftest import postgres_only
from tests.factories import admin_user, make_case, meeting_answers, member

pytestmark = pytest.mark.django_db

D = datetime.date


def at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def submitted_on(case, moment):
    # Tests only: back-date the submission, as if the concern had come in then.
    Incident.objects.filter(pk=case.pk).update(submitted_at=moment)
    case.refresh_from_db()
    return case


def dues(rule, now):
    return {due.event: due for due in rule(now)}


def sent(**filters):
    return sorted(
        (r.event.split(":")[0], r.step, r.recipient_id) for r in Reminder.objects.filter(**filters).order_by("pk")
    )


@pytest.fixture
def terms(school, dsl):
    """Autumn 2026 in two halves, with half term 26 to 30 October."""
    core_services.term_add(actor=dsl, school=school, name="Autumn 1", starts_on=D(2026, 9, 2), ends_on=D(2026, 10, 23))
    core_services.term_add(actor=dsl, school=school, name="Autumn 2", starts_on=D(2026, 11, 2), ends_on=D(2026, 12, 18))


# --- Each rule --------------------------------------------------------------------------------------------------


def test_a_friday_concern_is_due_its_meeting_on_monday(school, terms, case_in):
    friday = D(2026, 10, 9)
    assert friday.weekday() == 4
    case = submitted_on(case_in("reported"), at(friday))
    event = f"concern:{case.pk}:no_meeting"

    assert event not in dues(reminder_rules.concerns_without_meeting, at(D(2026, 10, 12), 9))  # Monday, before
    due = dues(reminder_rules.concerns_without_meeting, at(D(2026, 10, 12), 11))[event]
    assert due.due_at == at(D(2026, 10, 12))
    assert case.reference in due.summary and case.involvements.get().pupil.first_name not in due.summary


def test_over_half_term_the_meeting_is_due_on_the_first_day_back(school, terms, case_in):
    last_day = D(2026, 10, 23)  # a Friday, the last day before half term
    case = submitted_on(case_in("reported"), at(last_day))
    event = f"concern:{case.pk}:no_meeting"

    assert event not in dues(reminder_rules.concerns_without_meeting, at(D(2026, 10, 28)))
    assert dues(reminder_rules.concerns_without_meeting, at(D(2026, 11, 2), 11))[event].due_at == at(D(2026, 11, 2))


def test_without_term_dates_a_working_day_is_counted(school, case_in):
    case = submitted_on(case_in("reported"), at(D(2026, 10, 23)))
    found = dues(reminder_rules.concerns_without_meeting, at(D(2026, 10, 26), 11))
    assert found[f"concern:{case.pk}:no_meeting"].due_at == at(D(2026, 10, 26))


def test_a_concern_stops_being_due_once_its_meeting_is_held(school, dsl, case_in):
    case = submitted_on(case_in("reported"), timezone.now() - datetime.timedelta(days=5))
    now = timezone.now()
    assert f"concern:{case.pk}:no_meeting" in dues(reminder_rules.concerns_without_meeting, now)

    case_services.review_meeting_record(
        actor=dsl,
        incident=case,
        held_at=now - datetime.timedelta(minutes=5),
        attendees=[dsl],
        answers=meeting_answers(),
    )
    assert dues(reminder_rules.concerns_without_meeting, now) == {}


def test_the_owner_is_reminded_first_or_the_dsl_where_there_is_none(school, dsl, deputy, case_in):
    unowned = submitted_on(case_in("reported"), timezone.now() - datetime.timedelta(days=5))
    owned = submitted_on(case_in("reported"), timezone.now() - datetime.timedelta(days=5))
    case_services.incident_assign_owner(actor=dsl, incident=owned, owner=deputy)
    found = dues(reminder_rules.concerns_without_meeting, timezone.now())
    assert found[f"concern:{unowned.pk}:no_meeting"].owner_id == dsl.pk
    assert found[f"concern:{owned.pk}:no_meeting"].owner_id == deputy.pk


def test_a_referral_is_chased_a_working_day_on_until_acknowledged(school, dsl, case_in):
    case = case_in("referred")
    referral = case.referrals.get()
    event = f"referral:{referral.pk}:unacknowledged"
    later = referral.acknowledgement_due_at + datetime.timedelta(minutes=1)

    assert event not in dues(reminder_rules.referrals_unacknowledged, referral.acknowledgement_due_at)
    due = dues(reminder_rules.referrals_unacknowledged, later)[event]
    assert due.due_at == referral.acknowledgement_due_at and due.owner_id == dsl.pk  # who made it, with no owner
    assert due.url == f"/cases/{case.pk}/"  # the case's page, which the head it escalates to may open too

    referral_services.referral_acknowledge(actor=dsl, referral=referral)
    assert event not in dues(reminder_rules.referrals_unacknowledged, later)


def test_a_referral_with_no_outcome_is_chased_after_the_configured_days(school, dsl, case_in, settings):
    settings.SAFEGUARD_REFERRAL_OUTCOME_DAYS = 3
    referral = case_in("referred").referrals.get()
    event = f"referral:{referral.pk}:no_outcome"
    made_on = timezone.localdate(referral.made_at)
    due_at = add_working_days(school, referral.made_at, 3)

    assert due_at.date() > made_on
    assert event not in dues(reminder_rules.referrals_without_outcome, due_at - datetime.timedelta(minutes=1))
    assert dues(reminder_rules.referrals_without_outcome, due_at)[event].due_at == due_at

    referral_services.referral_acknowledge(actor=dsl, referral=referral)
    assert event in dues(reminder_rules.referrals_without_outcome, due_at)  # acknowledged is not an outcome


def test_a_decision_awaiting_sign_off_goes_to_the_headteacher(school, head, case_in):
    case = case_in("awaiting_sign_off")
    decision = case.decisions.get()
    later = add_working_days(school, decision.decided_at, 1) + datetime.timedelta(minutes=1)
    due = dues(reminder_rules.decisions_awaiting_sign_off, later)[f"decision:{decision.pk}:awaiting_sign_off"]
    assert due.owner_id == head.pk and due.url == f"/cases/{case.pk}/sign-off/"


def test_where_the_head_is_also_the_dsl_the_named_signatory_is_reminded(school, head, dsl, staff, case_in):
    referral_services.signatory_designate(actor=head, school=school, user=staff, reason="Deputy head")
    member(Role.DSL, school=school, user=head)
    decision = case_in("awaiting_sign_off").decisions.get()
    later = timezone.now() + datetime.timedelta(days=7)
    assert (
        dues(reminder_rules.decisions_awaiting_sign_off, later)[f"decision:{decision.pk}:awaiting_sign_off"].owner_id
        == staff.pk
    )


def test_a_deletion_deadline_passed_is_due_until_answered(school, dsl, case_in):
    from tests.records.test_deletion import confirm

    case = case_in("managed_in_school")
    deadline = timezone.now() + datetime.timedelta(days=1)
    request = deletion.deletion_request(actor=dsl, involvement=case.involvements.get(), deadline=deadline)
    event = f"deletion:{request.pk}:deadline_passed"

    assert event not in dues(reminder_rules.deletion_deadlines_passed, deadline - datetime.timedelta(minutes=1))
    due = dues(reminder_rules.deletion_deadlines_passed, deadline + datetime.timedelta(minutes=1))[event]
    assert due.due_at == deadline and due.url == f"/cases/{case.pk}/deletion-and-take-down/"

    confirm(dsl, request, at=timezone.now())
    assert event not in dues(reminder_rules.deletion_deadlines_passed, deadline + datetime.timedelta(minutes=1))


def test_each_rule_reads_in_the_same_queries_at_any_size(school, dsl, case_in, terms):
    for state in ("reported", "referred", "awaiting_sign_off"):
        case_in(state)
    later = timezone.now() + datetime.timedelta(days=30)

    def counts():
        from django.test.utils import CaptureQueriesContext

        found = {}
        for name, rule in reminders._rules.items():
            with CaptureQueriesContext(connection) as captured:
                list(rule(later))
            found[name] = len(captured)
        return found

    small = counts()
    for state in ("reported", "referred", "awaiting_sign_off", "reported"):
        case_in(state)
    assert counts() == small
    assert max(small.values()) <= 3, small


# --- The job: steps, escalation, once each -----------------------------------------------------------------------


SUBMITTED = at(D(2026, 11, 2))  # a Monday: its meeting is due on Tuesday at 10:00, escalated on Thursday
DUE = at(D(2026, 11, 3), 11)
ESCALATED = at(D(2026, 11, 5), 11)


@pytest.fixture
def late_concern(school, case_in):
    return submitted_on(case_in("reported"), SUBMITTED)


def run(now=DUE):
    return reminders.reminders_send(now=now)


def test_the_owner_first_then_the_dsl_and_head_after_the_further_period(school, dsl, deputy, head, late_concern):
    assert run() == 1
    assert sent() == [("concern", ReminderStep.OWNER, dsl.pk)]

    later = reminders.escalation_at(school, Reminder.objects.get().due_at)
    assert later == at(D(2026, 11, 5))
    assert run(later - datetime.timedelta(minutes=1)) == 0
    assert run(later) == 1  # the head; the DSL is the owner, and a deputy is not escalated to
    assert sent() == [("concern", ReminderStep.OWNER, dsl.pk), ("concern", ReminderStep.ESCALATED, head.pk)]


def test_run_twice_it_reminds_and_emails_each_person_once(
    school, dsl, head, late_concern, django_capture_on_commit_callbacks
):
    later = ESCALATED
    with django_capture_on_commit_callbacks(execute=True):
        assert run(later) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert run(later) == 0
    assert Reminder.objects.count() == 2 and ReminderEmail.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([dsl.email, head.email])
    for message in mail.outbox:
        assert late_concern.reference in message.subject
        assert late_concern.involvements.get().pupil.last_name not in message.subject + message.body
    assert "Escalated" in next(m.subject for m in mail.outbox if m.to == [head.email])


def test_the_email_task_run_twice_sends_once(school, dsl, late_concern):
    run()  # in the test's transaction: the outbox's hand-over never fires
    ids = list(Reminder.objects.values_list("pk", flat=True))
    assert reminders.reminder_emails_send(reminder_ids=ids) == 1
    assert reminders.reminder_emails_send(reminder_ids=ids) == 0
    assert [m.to for m in mail.outbox] == [[dsl.email]]


def test_someone_who_left_is_neither_reminded_nor_emailed(school, dsl, deputy, late_concern):
    case_services.incident_assign_owner(actor=dsl, incident=late_concern, owner=deputy)
    core_services.membership_end(
        actor=admin_user(), membership=Membership.objects.get(user=deputy, role=Role.DEPUTY_DSL), reason="Left"
    )
    assert run() == 0


def test_a_restricted_case_reminds_only_the_people_it_is_restricted_to(school, dsl, deputy, head, late_concern):
    from incidents.restriction import case_restrict

    case_restrict(actor=deputy, incident=late_concern, members=[deputy], reason="The DSL knows the family.")
    case_services.incident_assign_owner(actor=deputy, incident=late_concern, owner=deputy)
    run(ESCALATED)
    assert sent() == [("concern", ReminderStep.OWNER, deputy.pk)]


def test_a_reminder_stops_being_open_when_the_thing_is_done_and_stays_on_record(school, dsl, late_concern):
    run()
    assert [r.event for r in open_reminders_for_user(dsl, school)] == [f"concern:{late_concern.pk}:no_meeting"]

    case_services.review_meeting_record(
        actor=dsl, incident=late_concern, held_at=timezone.now(), attendees=[dsl], answers=meeting_answers()
    )
    run(ESCALATED)
    assert list(open_reminders_for_user(dsl, school)) == []
    (reminder,) = reminders_for_user(dsl, school)
    assert reminder.is_open is False and reminder.done_at is not None
    assert ReminderDone.objects.count() == 1
    run()
    assert Reminder.objects.count() == 1 and ReminderDone.objects.count() == 1


def test_a_rule_that_fails_neither_stops_the_others_nor_marks_its_reminders_done(school, dsl, late_concern):
    run()

    def broken(now):
        raise RuntimeError("the rule is broken")

    original = reminders._rules["concern_without_meeting"]
    reminders.register_reminder_rule("concern_without_meeting", broken)
    try:
        case_in_deletion = make_case(school=school, state="referred")
        assert run(timezone.now() + datetime.timedelta(days=5)) >= 1  # the referral's reminders still go
        assert ReminderDone.objects.count() == 0
        assert Reminder.objects.filter(incident=case_in_deletion).exists()
    finally:
        reminders.register_reminder_rule("concern_without_meeting", original)


def test_a_rule_of_another_app_plugs_in(school, dsl, monkeypatch):
    due = reminders.Due(
        event="elsewhere:1:late",
        school_id=school.pk,
        incident_id=None,
        owner_id=dsl.pk,
        due_at=timezone.now(),
        summary="Something another app keeps is late",
        url="/",
    )
    monkeypatch.setitem(reminders._rules, "another_app", lambda now: [due])  # taken away again after the test
    assert run() == 1
    assert [r.summary for r in open_reminders_for_user(dsl, school)] == [due.summary]


# --- The Reminders page ------------------------------------------------------------------------------------------


def test_the_page_lists_the_users_open_reminders_first_and_logs_their_cases(
    school, dsl, late_concern, signed_in, client
):
    run()
    signed_in(dsl, school=school)
    page = client.get("/reminders/").content.decode()
    assert late_concern.reference in page and "late" in page
    assert f"/cases/{late_concern.pk}/" in page


def test_another_schools_reminder_never_shows(school, other_school, dsl, late_concern, signed_in, client):
    other_dsl = member(Role.DSL, school=other_school)
    submitted_on(make_case(school=other_school, state="reported"), SUBMITTED)
    run(ESCALATED)
    assert Reminder.objects.filter(recipient=other_dsl).exists()
    signed_in(other_dsl, school=other_school)
    assert late_concern.reference not in client.get("/reminders/").content.decode()
    assert not reminders_for_user(dsl, other_school).exists()
    assert not reminders_for_user(other_dsl, school).exists()


def test_a_role_that_ended_sees_none(school, dsl, deputy, late_concern):
    case_services.incident_assign_owner(actor=dsl, incident=late_concern, owner=deputy)
    run()
    assert reminders_for_user(deputy, school).exists()
    core_services.membership_end(
        actor=admin_user(), membership=Membership.objects.get(user=deputy, role=Role.DEPUTY_DSL), reason="Left"
    )
    assert not reminders_for_user(deputy, school).exists()


# --- Two runs at once (PostgreSQL) --------------------------------------------------------------------------------


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_runs_remind_each_person_once(school, dsl, head, late_concern):
    later = timezone.now() + datetime.timedelta(days=10)  # the concern's escalation long passed
    case_in_sign_off = make_case(school=school, state="awaiting_sign_off")
    start = threading.Barrier(2)
    added, errors = [], []

    def one_run():
        try:
            start.wait()
            added.append(run(later))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    rows = sent()
    assert len(rows) == len(set(rows)) == sum(added)
    assert ("concern", ReminderStep.OWNER, dsl.pk) in rows and ("concern", ReminderStep.ESCALATED, head.pk) in rows
    assert Reminder.objects.filter(incident=case_in_sign_off, recipient=head).count() == 1
