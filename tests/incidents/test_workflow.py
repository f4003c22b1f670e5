"""The one transition service: the table of moves, permission, the rules per step, and the record it leaves."""

import datetime

import pytest
from django.utils import timezone

from incidents import workflow
from incidents.errors import CasePermissionDenied, IllegalTransition, TransitionRefused
from incidents.models import CaseState, EntryKind
from incidents.workflow import TRANSITIONS, case_transition
from safeguard.audit import audited_save
from safeguard.models import Membership
from safeguard.roles import Role
from tests.factories import CASE_STATES, CaseFactory, admin_user, member, role_holder

pytestmark = pytest.mark.django_db

ILLEGAL_MOVES = [(frm, to) for frm in CaseState for to in CaseState if (frm, to) not in TRANSITIONS]


def test_the_table_knows_every_state():
    assert {s for move in TRANSITIONS for s in move} == set(CaseState)
    assert set(CASE_STATES) == {s.value for s in CaseState}


@pytest.mark.parametrize(("from_state", "to_state"), ILLEGAL_MOVES, ids=[f"{f}->{t}" for f, t in ILLEGAL_MOVES])
def test_every_move_not_in_the_table_is_refused_with_a_clear_message(school, people, case_in, from_state, to_state):
    case = case_in(from_state)
    actor = people[Role.STAFF] if from_state == CaseState.DRAFT else people[Role.DSL]

    with pytest.raises(IllegalTransition) as refused:
        case_transition(actor=actor, incident=case, to_state=to_state, reason="Trying it")

    message = refused.value.message
    assert CaseState(from_state).label.lower() in message
    if from_state != to_state:
        assert CaseState(to_state).label.lower() in message
    case.refresh_from_db()
    assert case.state == from_state


def test_a_move_needs_a_reason(dsl, case_in):
    case = case_in("reported")
    with pytest.raises(TransitionRefused, match="say why"):
        case_transition(actor=dsl, incident=case, to_state=CaseState.UNDER_REVIEW, reason="  ")


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEADTEACHER, Role.TRUST_LEAD, Role.INSPECTOR])
def test_only_the_safeguarding_team_moves_a_case_on(people, case_in, role):
    case = case_in("reported")
    with pytest.raises(CasePermissionDenied):
        case_transition(actor=people[role], incident=case, to_state=CaseState.UNDER_REVIEW, reason="Reviewing")
    case.refresh_from_db()
    assert case.state == CaseState.REPORTED


def test_another_schools_dsl_cannot_move_the_case(other_school, case_in):
    case = case_in("reported")
    stranger = member(Role.DSL, school=other_school)
    with pytest.raises(CasePermissionDenied):
        case_transition(actor=stranger, incident=case, to_state=CaseState.UNDER_REVIEW, reason="Reviewing")


def test_a_superuser_gets_nothing_extra(case_in):
    case = case_in("reported")
    with pytest.raises(CasePermissionDenied):
        case_transition(actor=admin_user(), incident=case, to_state=CaseState.UNDER_REVIEW, reason="Reviewing")


def test_a_role_past_its_end_date_counts_as_none_before_any_task_runs(school, case_in):
    case = case_in("reported")
    leaver = member(Role.DEPUTY_DSL, school=school, ends_on=timezone.localdate())
    # A day passes: the membership's last day is behind it, and the hourly task has not yet ended it.
    membership = Membership.objects.get(user=leaver)
    membership.ends_on = timezone.localdate() - datetime.timedelta(days=1)
    audited_save(membership, actor=admin_user(), reason="Time passes", update_fields=["ends_on"])
    assert Membership.objects.get(user=leaver).ended_at is None

    with pytest.raises(CasePermissionDenied):
        case_transition(actor=leaver, incident=case, to_state=CaseState.UNDER_REVIEW, reason="Reviewing")


def test_a_move_records_who_when_and_why(dsl, case_in):
    case = case_in("reported")
    before = timezone.now()

    moved = case_transition(actor=dsl, incident=case, to_state=CaseState.UNDER_REVIEW, reason="Meeting booked")

    assert moved.state == CaseState.UNDER_REVIEW and moved.state_changed_at >= before
    record = moved.history.latest()
    assert record.history_user == dsl
    assert record.history_change_reason == "Review started: Meeting booked"
    entry = moved.chronology.filter(kind=EntryKind.STATE).latest("at")
    assert entry.author == dsl and "Meeting booked" in entry.text and "New concern → Under review" in entry.text


def test_the_history_reason_fits_its_column_however_long_the_reason(dsl, case_in):
    case = case_in("reported")
    moved = case_transition(actor=dsl, incident=case, to_state=CaseState.UNDER_REVIEW, reason="x" * 500)
    assert len(moved.history.latest().history_change_reason) == 100
    assert "x" * 500 in moved.chronology.latest("at").text


def test_moves_resting_on_another_apps_rules_fail_closed_without_them(monkeypatch, dsl, case_in):
    case = case_in("under_review")
    monkeypatch.setattr(workflow, "_guards", {})
    with pytest.raises(TransitionRefused, match="not installed"):
        case_transition(actor=dsl, incident=case, to_state=CaseState.REFERRED, reason="Referred by phone")


def test_registering_a_guard_twice_runs_it_once(monkeypatch, dsl, case_in):
    monkeypatch.setattr(workflow, "_guards", {})
    calls = []

    def counting(**kwargs):
        calls.append(kwargs["to_state"])
        return []

    workflow.register_guard(CaseState.UNDER_REVIEW, counting)
    workflow.register_guard(CaseState.UNDER_REVIEW, counting)
    case_transition(actor=dsl, incident=case_in("reported"), to_state=CaseState.UNDER_REVIEW, reason="Review")
    assert calls == [CaseState.UNDER_REVIEW]


# --- the step rules hold whoever calls the transition directly ----------------------------------------------


def test_referred_needs_a_referral_recorded(dsl, case_in):
    case = case_in("under_review")
    with pytest.raises(TransitionRefused, match="Record the referral"):
        case_transition(actor=dsl, incident=case, to_state=CaseState.REFERRED, reason="We phoned")


def test_awaiting_sign_off_needs_a_decision(dsl, case_in):
    case = case_in("under_review")
    with pytest.raises(TransitionRefused, match="decision to manage in school must be recorded"):
        case_transition(actor=dsl, incident=case, to_state=CaseState.AWAITING_SIGN_OFF, reason="Decided")


def test_managed_in_school_needs_a_signed_off_decision(head, case_in):
    case = case_in("awaiting_sign_off")
    with pytest.raises(TransitionRefused, match="only once the decision not to refer has been signed off"):
        case_transition(actor=head, incident=case, to_state=CaseState.MANAGED_IN_SCHOOL, reason="Fine by me")


def test_sent_back_needs_the_signatory_to_send_it_back(head, case_in):
    case = case_in("awaiting_sign_off")
    with pytest.raises(TransitionRefused, match="sends it back"):
        case_transition(actor=head, incident=case, to_state=CaseState.UNDER_REVIEW, reason="Back")


def test_closed_needs_a_signed_closure(dsl, case_in):
    case = case_in("managed_in_school")
    with pytest.raises(TransitionRefused, match="closure summary"):
        case_transition(actor=dsl, incident=case, to_state=CaseState.CLOSED, reason="Done")


def test_closed_needs_an_outcome_for_each_referral(dsl, case_in):
    case = case_in("referred")
    with pytest.raises(TransitionRefused, match="Still waiting for: Children's social care / MASH"):
        case_transition(actor=dsl, incident=case, to_state=CaseState.CLOSED, reason="Done")


def test_reopened_needs_a_reason_recorded(dsl, case_in):
    case = case_in("closed")
    with pytest.raises(TransitionRefused, match="reopened"):
        case_transition(actor=dsl, incident=case, to_state=CaseState.REOPENED, reason="Reopen")


def test_submitted_only_by_its_writer_even_with_the_permission(school, case_in):
    case = case_in("draft")
    writer = role_holder(Role.STAFF, school)
    assert case.reported_by == writer
    moved = case_transition(actor=writer, incident=case, to_state=CaseState.REPORTED, reason="Submitted")
    assert moved.state == CaseState.REPORTED


@pytest.mark.parametrize(
    "trait", ["new_concern", "under_review", "referred_awaiting_outcome", "awaiting_sign_off", "managed_in_school"]
)
def test_the_factory_builds_each_state_through_the_services(school, trait):
    case = CaseFactory(school=school, **{trait: True})
    case.refresh_from_db()
    assert case.history.exclude(history_user__isnull=False).count() == 0
