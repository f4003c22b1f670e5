"""Referrals: made, followed up until an outcome, chased when overdue and escalated; and telling parents."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents.errors import CasePermissionDenied, CaseReadOnly, RuleBroken, TransitionRefused
from incidents.models import CaseState, EntryKind
from incidents.services import case_close
from referrals import selectors, services
from referrals.models import DecisionStatus, Outcome, Referral, outcomes_for
from safeguard import services as core_services
from safeguard.calendar import bank_holidays
from safeguard.models import Nation
from safeguard.roles import Role
from tests.factories import TEST_PASSWORD, member

pytestmark = pytest.mark.django_db


def refer(actor, case, **kwargs):
    fields = {
        "agency": "police_101",
        "method": "phone",
        "information_shared": "What the pupil told us, and the names of the pupils involved.",
        "reference_number": "CAD 1234",
        "contact_name": "PC Patel",
    }
    fields.update(kwargs)
    return services.referral_make(actor=actor, incident=case, **fields)


def local(year, month, day, hour=10):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


def a_friday_weeks_ago():
    """A Friday at least two weeks ago with no bank holiday in the days around it, so the clock skips only the
    weekend (the test school keeps England's bank holidays)."""
    day = timezone.localdate() - datetime.timedelta(days=14)
    near = [datetime.timedelta(days=n) for n in range(-3, 4)]
    while day.weekday() != 4 or any(day + n in bank_holidays(Nation.ENGLAND, (day + n).year) for n in near):
        day -= datetime.timedelta(days=1)
    return local(day.year, day.month, day.day)


# --- making a referral --------------------------------------------------------------------------------------


def test_a_referral_records_who_when_how_and_what_and_the_case_is_referred(dsl, deputy, case_in):
    case = case_in("under_review", criteria_yes=["adult_involved"])
    made_at = timezone.now() - datetime.timedelta(hours=3)

    referral = refer(dsl, case, made_at=made_at, made_by=deputy)

    case.refresh_from_db()
    assert case.state == CaseState.REFERRED
    assert (referral.made_by, referral.recorded_by, referral.made_at) == (deputy, dsl, made_at)
    assert referral.history.get().history_user == dsl
    entry = case.chronology.get(kind=EntryKind.REFERRAL)
    assert entry.at == made_at and "CAD 1234" in entry.text and "Police (101" in entry.text


def test_a_child_in_immediate_danger_is_referred_before_any_meeting(dsl, case_in):
    case = case_in("reported")
    refer(dsl, case, agency="police_999")
    case.refresh_from_db()
    assert case.state == CaseState.REFERRED


def test_a_second_referral_keeps_the_case_referred(dsl, case_in):
    case = case_in("referred")
    refer(dsl, case, agency="ceop")
    case.refresh_from_db()
    assert case.state == CaseState.REFERRED and case.referrals.count() == 2


def test_a_case_managed_in_school_is_escalated_keeping_everything(dsl, case_in):
    case = case_in("managed_in_school")
    decision = case.decisions.get()
    with pytest.raises(RuleBroken, match="why the case is being escalated"):
        refer(dsl, case)

    refer(dsl, case, reason="The image has been posted on a public site.")

    case.refresh_from_db()
    decision.refresh_from_db()
    assert case.state == CaseState.REFERRED
    assert decision.status == DecisionStatus.SIGNED_OFF and decision.sign_off.outcome == "signed_off"
    assert case.review_meetings.count() == 1
    assert "posted on a public site" in case.chronology.filter(kind=EntryKind.STATE).latest("at").text


def test_a_referral_while_awaiting_sign_off_overtakes_the_decision(dsl, case_in):
    case = case_in("awaiting_sign_off")
    decision = selectors.pending_decision(case)

    refer(dsl, case, reason="The pupil has now said she was threatened.")

    decision.refresh_from_db()
    assert decision.status == DecisionStatus.SUPERSEDED
    assert selectors.pending_decision(case) is None


def test_another_agency_must_be_named_and_the_time_must_be_past(dsl, case_in):
    case = case_in("under_review")
    with pytest.raises(ValidationError) as refused:
        refer(dsl, case, agency="other")
    assert "agency_other" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        refer(dsl, case, made_at=timezone.now() + datetime.timedelta(hours=1))
    assert "made_at" in refused.value.message_dict


def test_made_by_someone_at_the_school(dsl, other_school, case_in):
    with pytest.raises(RuleBroken):
        refer(dsl, case_in("under_review"), made_by=member(Role.DSL, school=other_school))


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEADTEACHER, Role.TRUST_LEAD])
def test_only_the_safeguarding_team_refers(people, case_in, role):
    with pytest.raises(CasePermissionDenied):
        refer(people[role], case_in("under_review"))


# --- following up: acknowledgement, overdue, escalation, outcome --------------------------------------------


def test_no_acknowledgement_after_one_working_day_is_overdue_skipping_the_weekend(dsl, case_in):
    friday = a_friday_weeks_ago()
    referral = refer(dsl, case_in("under_review"), made_at=friday)
    monday = friday + datetime.timedelta(days=3)

    assert referral.acknowledgement_due_at == timezone.localtime(monday)
    assert not referral.is_overdue(now=friday + datetime.timedelta(days=2))  # Sunday
    assert not referral.is_overdue(now=monday - datetime.timedelta(minutes=1))
    assert referral.is_overdue(now=monday + datetime.timedelta(minutes=1))


def easter_case(case_in):
    """A case that came to light in the week before Easter 2026 (Good Friday 3 April, Easter Monday 6 April)."""
    return case_in("under_review", occurred_at=local(2026, 3, 30), came_to_light_at=local(2026, 3, 31))


def test_a_referral_before_easter_is_due_the_tuesday_after_easter_monday_in_england(dsl, case_in):
    thursday = local(2026, 4, 2, 15)
    referral = refer(dsl, easter_case(case_in), made_at=thursday)

    assert referral.acknowledgement_due_at == timezone.localtime(local(2026, 4, 7, 15))
    assert not referral.is_overdue(now=local(2026, 4, 6, 17))  # Easter Monday: the agency is closed
    assert referral.is_overdue(now=local(2026, 4, 7, 16))
    assert selectors.referrals_overdue_for_user(dsl, referral.incident.school, now=local(2026, 4, 7, 16)) == [referral]


def test_in_scotland_the_same_referral_is_due_on_easter_monday(school, dsl, case_in):
    core_services.school_nation_set(actor=dsl, school=school, nation=Nation.SCOTLAND)
    referral = refer(dsl, easter_case(case_in), made_at=local(2026, 4, 2, 15))

    referral = Referral.objects.select_related("incident__school").get(pk=referral.pk)
    assert referral.acknowledgement_due_at == timezone.localtime(local(2026, 4, 6, 15))
    assert referral.is_overdue(now=local(2026, 4, 6, 16))


def test_a_midweek_referral_is_due_the_next_day(dsl, case_in):
    tuesday = a_friday_weeks_ago() - datetime.timedelta(days=3)
    referral = refer(dsl, case_in("under_review"), made_at=tuesday)
    assert referral.is_overdue(now=tuesday + datetime.timedelta(days=1, minutes=1))


def test_the_overdue_list_holds_only_unacknowledged_referrals(school, dsl, case_in):
    old = a_friday_weeks_ago()
    waiting = refer(dsl, case_in("under_review"), made_at=old)
    answered = refer(dsl, case_in("under_review"), made_at=old)
    refer(dsl, case_in("under_review"))  # made just now: not yet due
    services.referral_follow_up(
        actor=dsl, referral=answered, method="phone", notes="Call handler confirmed receipt", response_received=True
    )

    assert selectors.referrals_overdue_for_user(dsl, school) == [waiting]
    answered.refresh_from_db()
    assert answered.acknowledged_at is not None


def test_every_contact_attempt_is_recorded(dsl, case_in):
    referral = refer(dsl, case_in("under_review"), made_at=a_friday_weeks_ago())
    for n in range(3):
        services.referral_follow_up(actor=dsl, referral=referral, method="phone", notes=f"Voicemail left ({n + 1})")
    assert referral.follow_ups.count() == 3
    assert referral.is_overdue()
    with pytest.raises(RuleBroken):
        services.referral_follow_up(actor=dsl, referral=referral, method="phone", notes="")


def test_an_overdue_referral_is_escalated_and_the_escalation_recorded(dsl, case_in):
    referral = refer(dsl, case_in("under_review"), agency="social_care", made_at=a_friday_weeks_ago())

    escalation = services.referral_escalate(
        actor=dsl, referral=referral, to_whom="MASH team manager", reason="No acknowledgement after two calls"
    )

    assert escalation.by == dsl and escalation.history.get().history_user == dsl
    assert "MASH team manager" in referral.incident.chronology.get(kind=EntryKind.ESCALATION).text
    with pytest.raises(RuleBroken):
        services.referral_escalate(actor=dsl, referral=referral, to_whom="", reason="x")


@pytest.mark.parametrize(
    ("agency", "outcome"),
    [
        ("police_101", Outcome.OUTCOME_21),
        ("police_999", Outcome.POLICE_NFA),
        ("social_care", Outcome.STRATEGY_DISCUSSION),
        ("social_care", Outcome.SECTION_47),
        ("social_care", Outcome.CHILD_IN_NEED),
        ("social_care", Outcome.EARLY_HELP),
        ("social_care", Outcome.SOCIAL_CARE_NFA),
        ("iwf", Outcome.IMAGERY_REMOVED),
    ],
)
def test_agency_outcomes_are_recorded(dsl, case_in, agency, outcome):
    referral = refer(dsl, case_in("under_review"), agency=agency)
    recorded = services.referral_record_outcome(actor=dsl, referral=referral, outcome=outcome, notes="Letter received")
    assert recorded.outcome == outcome and recorded.outcome_recorded_by == dsl and recorded.acknowledged_at
    assert referral.incident.chronology.filter(kind=EntryKind.OUTCOME).exists()


def test_an_outcome_must_fit_the_agency(dsl, case_in):
    referral = refer(dsl, case_in("under_review"), agency="social_care")
    assert Outcome.OUTCOME_21 not in dict(outcomes_for("social_care"))
    with pytest.raises(ValidationError) as refused:
        services.referral_record_outcome(actor=dsl, referral=referral, outcome=Outcome.OUTCOME_21)
    assert "outcome" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.referral_record_outcome(actor=dsl, referral=referral, outcome=Outcome.OTHER)  # needs notes


def test_an_outcome_once_recorded_stands(dsl, case_in):
    referral = refer(dsl, case_in("under_review"))
    services.referral_record_outcome(actor=dsl, referral=referral, outcome=Outcome.OUTCOME_21)
    with pytest.raises(RuleBroken, match="already recorded"):
        services.referral_record_outcome(actor=dsl, referral=referral, outcome=Outcome.POLICE_NFA)


# --- closing with outcomes ----------------------------------------------------------------------------------


def test_a_referred_case_closes_once_each_referral_has_its_outcome(dsl, case_in):
    case = case_in("referred")
    second = refer(dsl, case, agency="ceop")
    services.referral_record_outcome(actor=dsl, referral=case.referrals.first(), outcome=Outcome.EARLY_HELP)
    with pytest.raises(TransitionRefused, match="Still waiting for: NCA-CEOP"):
        case_close(actor=dsl, incident=case, summary="Done.", password=TEST_PASSWORD)

    services.referral_record_outcome(actor=dsl, referral=second, outcome=Outcome.PASSED_TO_POLICE)
    closed = case_close(actor=dsl, incident=case, summary="Early help in place.", password=TEST_PASSWORD)
    assert closed.state == CaseState.CLOSED


def test_a_closed_case_takes_no_follow_ups_or_outcomes(dsl, case_in):
    case = case_in("referred")
    referral = case.referrals.get()
    services.referral_record_outcome(actor=dsl, referral=referral, outcome=Outcome.SOCIAL_CARE_NFA)
    case_close(actor=dsl, incident=case, summary="Done.", password=TEST_PASSWORD)

    for attempt in (
        lambda: services.referral_follow_up(actor=dsl, referral=referral, method="phone", notes="Later call"),
        lambda: services.referral_escalate(actor=dsl, referral=referral, to_whom="Manager", reason="Disagree"),
        lambda: services.referral_acknowledge(actor=dsl, referral=referral),
        lambda: refer(dsl, case),
        lambda: services.decision_record(actor=dsl, incident=case, kind="refer", reasons="x"),
    ):
        with pytest.raises(CaseReadOnly):
            attempt()
    assert Referral.objects.filter(incident=case).count() == 1
