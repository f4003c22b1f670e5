"""The initial review meeting: who was there, the seven questions, the six criteria, and suggestions from facts."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents import selectors, services
from incidents.errors import CasePermissionDenied, RuleBroken
from incidents.models import CaseState, EntryKind, MeetingAttendee
from safeguard.roles import Role
from tests.factories import PupilFactory, meeting_answers, member

pytestmark = pytest.mark.django_db


def years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def record(actor, case, **kwargs):
    kwargs.setdefault("held_at", timezone.now() - datetime.timedelta(hours=2))
    kwargs.setdefault("answers", meeting_answers())
    kwargs.setdefault("attendees", [actor])
    return services.review_meeting_record(actor=actor, incident=case, **kwargs)


def test_recording_the_meeting_starts_the_review(school, dsl, deputy, case_in):
    case = case_in("reported")
    meeting = record(dsl, case, attendees=[dsl, deputy], other_attendees="PC Jones, safer schools officer")

    case.refresh_from_db()
    assert case.state == CaseState.UNDER_REVIEW
    assert set(meeting.attendees.all()) == {dsl, deputy}
    assert {a.history.get().history_user for a in MeetingAttendee.objects.filter(meeting=meeting)} == {dsl}
    assert meeting.history.get().history_user == dsl
    entry = case.chronology.get(kind=EntryKind.REVIEW_MEETING)
    assert entry.at == meeting.held_at and "No answer requires a referral" in entry.text


def test_the_chronology_names_the_criteria_met(dsl, case_in):
    case = case_in("reported")
    record(dsl, case, answers=meeting_answers(yes=["adult_involved", "vulnerable_pupil"]))
    text = case.chronology.get(kind=EntryKind.REVIEW_MEETING).text
    assert "Referral required" in text and "involves an adult" in text and "vulnerable" in text


def test_every_question_and_criterion_must_be_answered(dsl, case_in):
    answers = meeting_answers()
    del answers["under_13_sexual_acts"]
    with pytest.raises(ValidationError) as refused:
        record(dsl, case_in("reported"), answers=answers)
    assert "under_13_sexual_acts" in refused.value.message_dict


def test_a_meeting_is_recorded_once_held(dsl, case_in):
    with pytest.raises(ValidationError):
        record(dsl, case_in("reported"), held_at=timezone.now() + datetime.timedelta(days=1))


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEADTEACHER, Role.TRUST_LEAD])
def test_only_the_safeguarding_team_records_the_meeting(people, case_in, role):
    with pytest.raises(CasePermissionDenied):
        record(people[role], case_in("reported"))


def test_attendees_with_accounts_work_at_the_school(dsl, other_school, case_in):
    outsider = member(Role.DSL, school=other_school)
    with pytest.raises(RuleBroken, match="others present"):
        record(dsl, case_in("reported"), attendees=[outsider])


def test_a_further_meeting_leaves_the_state_and_becomes_the_latest(dsl, case_in):
    case = case_in("under_review")
    later = record(dsl, case, held_at=timezone.now() - datetime.timedelta(minutes=5))
    case.refresh_from_db()
    assert case.state == CaseState.UNDER_REVIEW
    assert selectors.latest_meeting(case) == later


# --- suggestions from facts the system holds -----------------------------------------------------------------


def suggested(case):
    return {s.criterion: s.reason for s in selectors.criteria_suggestions(case)}


def test_a_pupil_under_13_on_the_date_it_happened_suggests_the_under_13_criterion(school, case_in):
    happened = timezone.now() - datetime.timedelta(days=10)
    # Thirteen five days after it happened: under 13 then, though 13 today.
    pupil = PupilFactory(
        school=school, date_of_birth=years_before(timezone.localdate(happened) + datetime.timedelta(days=5), 13)
    )
    case = case_in("reported", pupils=[pupil], occurred_at=happened)

    reason = suggested(case)["under_13_sexual_acts"]
    assert f"{pupil} was 12 on the date it happened" in reason
    assert "only if the imagery involves sexual acts" in reason


def test_without_a_date_it_happened_the_date_it_came_to_light_is_used_and_said(school, case_in):
    pupil = PupilFactory(school=school, date_of_birth=years_before(timezone.localdate(), 11))
    case = case_in("reported", pupils=[pupil], occurred_at=None)
    assert "when it happened is not known" in suggested(case)["under_13_sexual_acts"]


@pytest.mark.parametrize("flag", ["known_to_social_care", "previously_abused", "looked_after"])
def test_a_vulnerable_pupil_suggests_the_vulnerability_criterion(school, case_in, flag):
    case = case_in("reported", pupils=[PupilFactory(school=school, **{flag: True})])
    assert "vulnerable_pupil" in suggested(case)


def test_send_suggests_the_capacity_to_consent_criterion(school, case_in):
    case = case_in("reported", pupils=[PupilFactory(school=school, send=True)])
    assert "capacity to consent" in suggested(case)["coercion_or_capacity"]


def test_an_adult_involved_suggests_the_adult_criterion(dsl, case_in):
    case = case_in("reported")
    services.involvement_add(
        actor=dsl,
        incident=case,
        part="caused_harm",
        other_name="Unknown",
        other_description="Online",
        other_is_adult=True,
    )
    assert "adult_involved" in suggested(case)


def test_a_pupil_of_18_suggests_the_adult_criterion(school, case_in):
    case = case_in(
        "reported", pupils=[PupilFactory(school=school, date_of_birth=years_before(timezone.localdate(), 19))]
    )
    assert "adult in law" in suggested(case)["adult_involved"]


def test_no_facts_no_suggestions_and_suggestions_answer_nothing(school, dsl, case_in):
    case = case_in("reported", pupils=[PupilFactory(school=school, send=True)])
    assert set(suggested(case)) == {"coercion_or_capacity"}
    assert selectors.latest_meeting(case) is None  # the DSL decides; nothing is answered for them
    plain = case_in("reported")
    assert suggested(plain) == {}


def test_a_pupil_taken_off_the_case_suggests_nothing(school, dsl, case_in):
    case = case_in("reported", pupils=[PupilFactory(school=school), PupilFactory(school=school, send=True)])
    services.involvement_remove(
        actor=dsl, involvement=case.involvements.get(pupil__send=True), reason="Not involved after all"
    )
    assert suggested(case) == {}
