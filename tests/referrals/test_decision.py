"""The decision: the immediate-referral rule, Annex A and the plan; headteacher sign-off, never by the decider."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from incidents import services as case_services
from incidents.errors import CasePermissionDenied, ReauthenticationFailed, RuleBroken
from incidents.models import CRITERIA, CRITERIA_LABELS, CaseState, EntryKind
from incidents.selectors import latest_meeting
from referrals import selectors, services
from referrals.models import ANNEX_A, Decision, DecisionStatus, Signatory, SignOff
from safeguard import policy
from safeguard import services as core_services
from safeguard.models import Membership
from safeguard.roles import Role
from tests.factories import (
    TEST_PASSWORD,
    admin_user,
    annex_a_answers,
    make_case,
    meeting_answers,
    member,
    two_factor_code,
)

pytestmark = pytest.mark.django_db

REASONS = "Consensual sharing between two Year 10 pupils; no aggravating factors."
PLAN = "Weekly pastoral check-ins; deletion confirmed; parents told."


def manage_in_school(actor, case, **overrides):
    kwargs = {"kind": "manage_in_school", "reasons": REASONS, "plan": PLAN, "annex_a": annex_a_answers()}
    kwargs.update(overrides)
    return services.decision_record(actor=actor, incident=case, **kwargs)


def sign(actor, decision, outcome="signed_off", comment="", password=TEST_PASSWORD, **kwargs):
    return services.decision_sign_off(
        actor=actor, decision=decision, outcome=outcome, comment=comment, password=password, **kwargs
    )


# --- the immediate-referral criteria -------------------------------------------------------------------------


@pytest.mark.parametrize("criterion", [field for field, _ in CRITERIA])
def test_any_criterion_met_refuses_managing_in_school_and_names_it(dsl, case_in, criterion):
    case = case_in("under_review", criteria_yes=[criterion])

    with pytest.raises(RuleBroken) as refused:
        manage_in_school(dsl, case)

    assert CRITERIA_LABELS[criterion] in refused.value.message
    assert "must be referred" in refused.value.message
    case.refresh_from_db()
    assert case.state == CaseState.REFERRAL_REQUIRED and not Decision.objects.exists()


def test_every_criterion_met_is_named(dsl, case_in):
    case = case_in("under_review", criteria_yes=["adult_involved", "under_13_sexual_acts"])
    with pytest.raises(RuleBroken) as refused:
        manage_in_school(dsl, case)
    assert "involves an adult" in refused.value.message and "under 13" in refused.value.message


def test_a_criterion_not_yet_known_refuses_managing_in_school(dsl, case_in):
    case = case_in("reported")
    case_services.review_meeting_record(
        actor=dsl,
        attendees=[dsl],
        incident=case,
        held_at=timezone.now(),
        answers=meeting_answers(not_yet_known=["vulnerable_pupil"]),
    )
    with pytest.raises(
        RuleBroken, match="every criterion answered 'no'. Not yet known: A pupil involved is vulnerable"
    ):
        manage_in_school(dsl, case)


def test_the_latest_meeting_counts(dsl, case_in):
    case = case_in("under_review", criteria_yes=["coercion_or_capacity"])
    case_services.review_meeting_record(
        actor=dsl, attendees=[dsl], incident=case, held_at=timezone.now(), answers=meeting_answers()
    )  # further information showed no coercion
    decision = manage_in_school(dsl, case)
    assert decision.meeting == latest_meeting(case)


def test_no_meeting_no_decision_to_manage_in_school(dsl, case_in):
    with pytest.raises(RuleBroken, match="No review meeting"):
        manage_in_school(dsl, case_in("reported"))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reasons": ""}, "reasons"),
        ({"plan": "  "}, "plan"),
        ({"annex_a": annex_a_answers(annex_parents_answer="")}, ANNEX_A[-1][1]),
        ({"annex_a": {}}, "Annex A"),
    ],
    ids=["reasons", "plan", "one annex answer", "no annex answers"],
)
def test_managing_in_school_needs_reasons_annex_a_and_a_plan(dsl, case_in, overrides, message):
    case = case_in("under_review")
    with pytest.raises(RuleBroken) as refused:
        manage_in_school(dsl, case, **overrides)
    assert message in refused.value.message


def test_a_decision_to_manage_in_school_waits_for_sign_off(dsl, case_in):
    case = case_in("under_review")
    decision = manage_in_school(dsl, case)

    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_SIGN_OFF
    assert decision.status == DecisionStatus.PENDING_SIGN_OFF and decision.decided_by == dsl
    assert decision.history.get().history_user == dsl
    assert case.chronology.filter(kind=EntryKind.DECISION).exists()


def test_a_decision_to_refer_is_recorded_without_sign_off(dsl, case_in):
    case = case_in("referral_required")
    decision = services.decision_record(actor=dsl, incident=case, kind="refer", reasons="An adult is involved.")
    assert decision.status == DecisionStatus.RECORDED
    case.refresh_from_db()
    assert case.state == CaseState.REFERRAL_REQUIRED  # the referral itself moves it on


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEADTEACHER, Role.TRUST_LEAD])
def test_only_the_safeguarding_team_decides(people, case_in, role):
    with pytest.raises(CasePermissionDenied):
        manage_in_school(people[role], case_in("under_review"))


# --- sign-off ------------------------------------------------------------------------------------------------


def test_the_headteacher_signs_off_and_the_case_is_managed_in_school(head, case_in):
    case = case_in("awaiting_sign_off")
    decision = selectors.pending_decision(case)

    sign(head, decision)

    case.refresh_from_db()
    decision.refresh_from_db()
    assert case.state == CaseState.MANAGED_IN_SCHOOL and decision.status == DecisionStatus.SIGNED_OFF
    signature = SignOff.objects.get(decision=decision)
    assert signature.signed_by == head and signature.reauthenticated_with == "password"
    assert case.history.latest().history_user == head
    assert decision.history.latest().history_user == head


def test_the_headteacher_may_sign_with_a_two_factor_code(head, case_in):
    decision = selectors.pending_decision(case_in("awaiting_sign_off"))
    sign(head, decision, password=None, otp_token=two_factor_code(head))
    assert SignOff.objects.get().reauthenticated_with == "two_factor"


def test_a_wrong_password_signs_nothing(head, case_in):
    case = case_in("awaiting_sign_off")
    with pytest.raises(ReauthenticationFailed):
        sign(head, selectors.pending_decision(case), password="guess")
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_SIGN_OFF and not SignOff.objects.exists()


def test_sending_back_needs_a_comment_and_returns_the_case_to_review(dsl, head, case_in):
    case = case_in("awaiting_sign_off")
    decision = selectors.pending_decision(case)
    with pytest.raises(RuleBroken, match="why"):
        sign(head, decision, outcome="sent_back", comment=" ")

    sign(head, decision, outcome="sent_back", comment="Please find out whether the image was shared further.")

    case.refresh_from_db()
    decision.refresh_from_db()
    assert case.state == CaseState.UNDER_REVIEW and decision.status == DecisionStatus.SENT_BACK
    assert "shared further" in case.chronology.filter(kind=EntryKind.SIGN_OFF).get().text
    again = manage_in_school(dsl, case, reasons="Checked: not shared beyond the two pupils.")
    assert again.status == DecisionStatus.PENDING_SIGN_OFF


def test_the_decider_cannot_sign_off_even_as_headteacher(school, case_in):
    head_and_dsl = member(Role.HEADTEACHER, school=school)
    member(Role.DSL, school=school, user=head_and_dsl)
    case = case_in("under_review")
    decision = manage_in_school(head_and_dsl, case)

    with pytest.raises(CasePermissionDenied, match="You made this decision"):
        sign(head_and_dsl, decision)
    assert not selectors.can_sign_off(head_and_dsl, decision)
    assert decision not in selectors.sign_off_queue_for_user(head_and_dsl, school)
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_SIGN_OFF


@pytest.mark.parametrize("role", [Role.DSL, Role.DEPUTY_DSL, Role.STAFF, Role.TRUST_LEAD, Role.INSPECTOR])
def test_no_one_else_signs_off(people, case_in, role):
    decision = selectors.pending_decision(case_in("awaiting_sign_off"))
    with pytest.raises(CasePermissionDenied):
        sign(people[role], decision)


def test_the_head_of_another_school_cannot_sign(other_school, case_in):
    decision = selectors.pending_decision(case_in("awaiting_sign_off"))
    with pytest.raises(CasePermissionDenied):
        sign(member(Role.HEADTEACHER, school=other_school), decision)


def test_a_later_meeting_meeting_a_criterion_stops_the_sign_off(dsl, head, case_in):
    case = case_in("awaiting_sign_off")
    case_services.review_meeting_record(
        actor=dsl,
        attendees=[dsl],
        incident=case,
        held_at=timezone.now(),
        answers=meeting_answers(yes=["immediate_risk_of_harm"]),
    )
    # The case now says only that a referral is required: the decision is overtaken and waits for no one.
    case.refresh_from_db()
    assert case.state == CaseState.REFERRAL_REQUIRED
    decision = Decision.objects.get(incident=case)
    assert decision.status == DecisionStatus.SUPERSEDED and selectors.pending_decision(case) is None
    with pytest.raises(CasePermissionDenied, match="not waiting for sign-off"):
        sign(head, decision)


def test_the_sign_off_queue_shows_the_head_what_waits_for_them(school, head, dsl, case_in):
    waiting = case_in("awaiting_sign_off")
    case_in("under_review")
    assert [d.incident for d in selectors.sign_off_queue_for_user(head, school)] == [waiting]
    assert selectors.sign_off_queue_for_user(dsl, school) == []


# --- where the headteacher is the DSL, a senior leader the head names signs -----------------------------------


@pytest.fixture
def head_is_dsl_school(school):
    """A school whose headteacher is also its DSL, and a deputy headteacher (staff role) to name as signatory."""
    head = member(Role.HEADTEACHER, school=school)
    member(Role.DSL, school=school, user=head)
    deputy_head = member(Role.STAFF, school=school)
    return school, head, deputy_head


def test_a_named_signatory_signs_where_the_head_is_the_dsl(head_is_dsl_school):
    school, head, deputy_head = head_is_dsl_school
    services.signatory_designate(actor=head, school=school, user=deputy_head, reason="The head is the DSL")
    case = make_case(school=school, state="under_review")
    decision = manage_in_school(head, case)

    assert selectors.sign_off_queue_for_user(deputy_head, school) == [decision]
    sign(deputy_head, decision)

    case.refresh_from_db()
    assert case.state == CaseState.MANAGED_IN_SCHOOL
    assert SignOff.objects.get().signed_by == deputy_head


def test_a_named_signatory_does_not_sign_where_the_head_is_independent(school, head, dsl, case_in):
    leader = member(Role.STAFF, school=school)
    services.signatory_designate(actor=head, school=school, user=leader, reason="Cover")
    decision = selectors.pending_decision(case_in("awaiting_sign_off"))
    # Never named on the case, since the head signs here: the signatory cannot even see it.
    assert not policy.case_permits(leader, decision.incident, policy.VIEW)
    with pytest.raises(CasePermissionDenied, match="Only the headteacher"):
        sign(leader, decision)


def test_a_signatory_whose_designation_ended_cannot_sign(head_is_dsl_school):
    school, head, deputy_head = head_is_dsl_school
    signatory = services.signatory_designate(actor=head, school=school, user=deputy_head, reason="The head is the DSL")
    decision = manage_in_school(head, make_case(school=school, state="under_review"))
    services.signatory_end(actor=head, signatory=signatory)
    with pytest.raises(CasePermissionDenied):
        sign(deputy_head, decision)
    assert not deputy_head.groups.filter(name__startswith="signatory:").exists()


def test_only_the_head_names_a_signatory_and_never_one_of_the_dsl_team(school, head, dsl, deputy, staff):
    with pytest.raises(PermissionDenied):
        services.signatory_designate(actor=dsl, school=school, user=staff, reason="x")
    with pytest.raises(RuleBroken, match="cannot be a member of that team"):
        services.signatory_designate(actor=head, school=school, user=deputy, reason="x")
    with pytest.raises(RuleBroken, match="reason|why"):
        services.signatory_designate(actor=head, school=school, user=staff, reason="")
    signatory = services.signatory_designate(actor=head, school=school, user=staff, reason="Deputy head")
    assert signatory.history.get().history_user == head
    with pytest.raises(RuleBroken, match="already"):
        services.signatory_designate(actor=head, school=school, user=staff, reason="Again")
    assert Signatory.objects.count() == 1


def test_a_signatory_who_left_the_school_cannot_sign(head_is_dsl_school):
    school, head, deputy_head = head_is_dsl_school
    services.signatory_designate(actor=head, school=school, user=deputy_head, reason="The head is the DSL")
    decision = manage_in_school(head, make_case(school=school, state="under_review"))
    core_services.membership_end(
        actor=admin_user(), membership=Membership.objects.get(user=deputy_head), reason="Left the school"
    )
    with pytest.raises(CasePermissionDenied):
        sign(deputy_head, decision)


def test_a_decision_older_than_a_day_still_waits(dsl, head, case_in):
    """Sign-off has no deadline in the service; reminders are the dashboard's job."""
    case = case_in("awaiting_sign_off")
    decision = selectors.pending_decision(case)
    assert decision.decided_at <= timezone.now() + datetime.timedelta(seconds=1)
    assert selectors.can_sign_off(head, decision)
