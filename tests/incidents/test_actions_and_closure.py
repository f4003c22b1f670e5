"""Actions taken and not taken; closing (signed, re-asking for the password or code); addenda; reopening."""

import datetime

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from incidents import services
from incidents.errors import (
    CasePermissionDenied,
    CaseReadOnly,
    IllegalTransition,
    ReauthenticationFailed,
    RuleBroken,
    TransitionRefused,
)
from incidents.models import ActionStatus, CaseState, Closure, EntryKind, ReauthMethod
from incidents.services import case_close
from records.services import seals
from safeguard.roles import Role
from tests.factories import TEST_PASSWORD, PupilFactory, meeting_answers, member, two_factor_code

pytestmark = pytest.mark.django_db


def test_an_action_has_an_owner_and_due_date_and_is_marked_done(dsl, deputy, case_in):
    case = case_in("under_review")
    due = timezone.localdate() + datetime.timedelta(days=2)
    action = services.action_add(actor=dsl, incident=case, description="Speak to both pupils", owner=deputy, due_on=due)

    done = services.action_complete(actor=deputy, action=action, notes="Both seen with form tutor present")

    assert done.status == ActionStatus.DONE and done.done_by == deputy and done.done_at is not None
    assert [r.history_user for r in done.history.order_by("history_id")] == [dsl, deputy]
    assert case.chronology.filter(kind=EntryKind.ACTION).count() == 2


def test_an_action_not_taken_is_recorded_with_its_justification(dsl, case_in):
    case = case_in("under_review")
    planned = services.action_add(actor=dsl, incident=case, description="Confiscate the phone")
    with pytest.raises(RuleBroken, match="reason"):
        services.action_not_taken(actor=dsl, action=planned, reason=" ")

    services.action_not_taken(actor=dsl, action=planned, reason="Police advised the pupil to keep it switched off")
    considered = services.action_record_not_taken(
        actor=dsl, incident=case, description="Tell the other school", reason="No pupil of theirs is involved"
    )

    planned.refresh_from_db()
    assert planned.status == considered.status == ActionStatus.NOT_TAKEN
    assert "Why: No pupil of theirs" in case.chronology.filter(kind=EntryKind.ACTION).latest("at").text


def test_a_finished_action_is_not_changed_again(dsl, case_in):
    action = services.action_add(actor=dsl, incident=case_in("under_review"), description="Call home")
    services.action_complete(actor=dsl, action=action)
    with pytest.raises(RuleBroken, match="already done"):
        services.action_not_taken(actor=dsl, action=action, reason="Changed our minds")


def test_an_action_owner_works_at_the_school(dsl, other_school, case_in):
    with pytest.raises(RuleBroken):
        services.action_add(
            actor=dsl, incident=case_in("under_review"), description="x", owner=member(Role.STAFF, school=other_school)
        )


# --- closing ------------------------------------------------------------------------------------------------


def test_a_dsl_closes_a_case_by_signing_it_with_their_password(dsl, case_in):
    case = case_in("managed_in_school")

    closed = case_close(actor=dsl, incident=case, summary="Support completed.", password=TEST_PASSWORD)

    assert closed.state == CaseState.CLOSED and closed.closed_by == dsl and closed.closed_at is not None
    closure = Closure.objects.get(incident=case)
    assert closure.closed_by == dsl and closure.reauthenticated_with == ReauthMethod.PASSWORD
    assert closed.history.latest().history_user == dsl


def test_the_deputy_may_close_with_a_two_factor_code(deputy, case_in):
    closed = case_close(
        actor=deputy, incident=case_in("managed_in_school"), summary="Done.", otp_token=two_factor_code(deputy)
    )
    assert Closure.objects.get(incident=closed).reauthenticated_with == ReauthMethod.TWO_FACTOR


def test_a_wrong_password_closes_nothing(dsl, case_in):
    case = case_in("managed_in_school")
    for attempt in ({"password": "not-my-password"}, {}):
        with pytest.raises(ReauthenticationFailed):
            case_close(actor=dsl, incident=case, summary="Done.", **attempt)
    case.refresh_from_db()
    assert case.state == CaseState.MANAGED_IN_SCHOOL and not Closure.objects.exists()


def test_a_wrong_code_is_counted_towards_throttling_though_the_close_is_refused(dsl, case_in):
    device = TOTPDevice.objects.create(user=dsl, name="phone", confirmed=True)
    with pytest.raises(ReauthenticationFailed):
        case_close(actor=dsl, incident=case_in("managed_in_school"), summary="Done.", otp_token="000000")
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


@pytest.mark.parametrize("role", ["head", "staff"])
def test_only_the_dsl_or_a_deputy_closes(request, case_in, role):
    with pytest.raises(CasePermissionDenied):
        case_close(
            actor=request.getfixturevalue(role),
            incident=case_in("managed_in_school"),
            summary="Done.",
            password=TEST_PASSWORD,
        )


def test_open_actions_must_be_done_or_carried_over_with_a_reason(dsl, case_in):
    case = case_in("managed_in_school")
    action = services.action_add(actor=dsl, incident=case, description="Check in with the pupil in a month")

    with pytest.raises(TransitionRefused, match="1 action is still open"):
        case_close(actor=dsl, incident=case, summary="Done.", password=TEST_PASSWORD)
    with pytest.raises(RuleBroken, match="carried over"):
        case_close(actor=dsl, incident=case, summary="Done.", carried_over={action.pk: ""}, password=TEST_PASSWORD)

    case_close(
        actor=dsl,
        incident=case,
        summary="Done.",
        carried_over={action.pk: "Pastoral team continue monthly check-ins"},
        password=TEST_PASSWORD,
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.CARRIED_OVER


def test_an_action_of_another_case_cannot_be_carried_over(dsl, case_in):
    other = services.action_add(actor=dsl, incident=case_in("under_review"), description="Elsewhere")
    with pytest.raises(RuleBroken, match="not part of this case"):
        case_close(
            actor=dsl,
            incident=case_in("managed_in_school"),
            summary="Done.",
            carried_over={other.pk: "x"},
            password=TEST_PASSWORD,
        )


def test_a_closure_needs_a_summary(dsl, case_in):
    with pytest.raises(RuleBroken, match="summary"):
        case_close(actor=dsl, incident=case_in("managed_in_school"), summary="", password=TEST_PASSWORD)


@pytest.mark.parametrize("state", ["reported", "under_review", "awaiting_sign_off"])
def test_a_case_without_an_outcome_cannot_be_closed(dsl, case_in, state):
    with pytest.raises(IllegalTransition) as refused:
        case_close(actor=dsl, incident=case_in(state), summary="Done.", password=TEST_PASSWORD)
    assert "cannot become closed" in str(refused.value)


# --- a closed case is read-only, except addenda and reopening -------------------------------------------------


CHANGES = {
    "note": lambda dsl, case: services.note_add(actor=dsl, incident=case, text="Later"),
    "action": lambda dsl, case: services.action_add(actor=dsl, incident=case, description="More"),
    "person": lambda dsl, case: services.involvement_add(actor=dsl, incident=case, part="witness", other_name="A"),
    "owner": lambda dsl, case: services.incident_assign_owner(actor=dsl, incident=case, owner=dsl),
    "classify": lambda dsl, case: services.incident_classify(
        actor=dsl, incident=case, categories=["content"], harm_kind="other", harm_other="x", reason="y"
    ),
    "meeting": lambda dsl, case: services.review_meeting_record(
        actor=dsl, attendees=[dsl], incident=case, held_at=timezone.now(), answers={}
    ),
    "remove person": lambda dsl, case: services.involvement_remove(
        actor=dsl, involvement=case.involvements.first(), reason="x"
    ),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_closed_case_cannot_be_changed(dsl, case_in, change):
    case = case_in("closed")
    with pytest.raises(CaseReadOnly, match="addendum"):
        change(dsl, case)


def test_later_information_on_a_closed_case_is_an_addendum(dsl, case_in):
    case = case_in("closed")
    addendum = seals.addendum_add(
        actor=dsl, incident=case, text="Police confirmed no further contact.", password=TEST_PASSWORD
    )
    entry = addendum.entry
    assert entry.kind == EntryKind.ADDENDUM and entry.author == dsl
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED


def test_an_open_case_takes_notes_not_addenda(dsl, case_in):
    with pytest.raises(RuleBroken, match="add a note"):
        seals.addendum_add(actor=dsl, incident=case_in("under_review"), text="More", password=TEST_PASSWORD)


def test_a_closed_case_is_reopened_with_a_reason_then_reviewed_again(dsl, case_in):
    case = case_in("closed")
    with pytest.raises(RuleBroken):
        services.case_reopen(actor=dsl, incident=case, reason="")

    reopened = services.case_reopen(actor=dsl, incident=case, reason="The image has appeared again")
    assert reopened.state == CaseState.REOPENED
    assert case.chronology.filter(kind=EntryKind.REOPENING, text="The image has appeared again").exists()

    services.review_meeting_record(
        actor=dsl, incident=reopened, held_at=timezone.now(), attendees=[dsl], answers=meeting_answers()
    )
    reopened.refresh_from_db()
    assert reopened.state == CaseState.UNDER_REVIEW


def test_a_correction_is_a_new_entry(dsl, case_in):
    case = case_in("under_review")
    note = services.note_add(actor=dsl, incident=case, text="Mother phoned on Tuesday.")
    services.note_add(actor=dsl, incident=case, text="Correction: it was Wednesday.", correction=True)
    note.refresh_from_db()
    assert note.text == "Mother phoned on Tuesday."
    assert case.chronology.filter(kind=EntryKind.CORRECTION).count() == 1


def test_the_owner_is_a_dsl_or_deputy_of_the_school(dsl, staff, deputy, case_in):
    case = case_in("reported")
    with pytest.raises(RuleBroken):
        services.incident_assign_owner(actor=dsl, incident=case, owner=staff)
    owned = services.incident_assign_owner(actor=dsl, incident=case, owner=deputy)
    assert owned.owner == deputy and owned.history.latest().history_user == dsl


def test_a_pupils_own_account_is_recorded_once_then_notes_follow(school, dsl, case_in):
    case = case_in("reported", pupils=[PupilFactory(school=school)])
    involvement = case.involvements.get()
    services.involvement_record_account(actor=dsl, involvement=involvement, own_account="I didn't want to send it.")
    with pytest.raises(RuleBroken, match="already recorded"):
        services.involvement_record_account(actor=dsl, involvement=involvement, own_account="Another version")
