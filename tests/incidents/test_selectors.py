"""Who sees which case: the team and overseers see their school's cases; a reporter sees only what they reported."""

import dataclasses
import datetime

import pytest
from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils import timezone

from incidents import selectors, services
from incidents.filters import CaseFilter
from incidents.models import CaseState
from incidents.selectors import get_incident_for_user_or_404, incident_list_for_user
from safeguard.roles import Role
from tests.factories import PupilFactory, admin_user, make_case, member

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.mark.parametrize("role", [Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER, Role.TRUST_LEAD])
def test_the_team_and_overseers_see_the_schools_cases(school, people, case_in, role):
    case = case_in("reported")
    assert list(incident_list_for_user(people[role], school)) == [case]
    assert get_incident_for_user_or_404(people[role], school, case.pk) == case


@pytest.mark.parametrize("role", [Role.STAFF, Role.INSPECTOR])
def test_staff_and_inspectors_see_no_case_through_the_case_selectors(school, people, case_in, role):
    case = case_in("reported")
    assert not incident_list_for_user(people[role], school).exists()
    with pytest.raises(Http404):
        get_incident_for_user_or_404(people[role], school, case.pk)


def test_the_reporter_sees_only_their_own_report_and_that_it_was_received(school, staff, case_in):
    mine = case_in("under_review")
    colleague = member(Role.STAFF, school=school)
    theirs = services.concern_draft_create(actor=colleague, school=school, location="Field")

    listed = list(selectors.own_report_list_for_user(staff, school))
    assert [r["pk"] for r in listed] == [mine.pk]
    assert listed[0]["received"] is True
    assert "state" not in listed[0]  # the team's later steps are not the reporter's to see
    with pytest.raises(Http404):
        selectors.get_own_report_for_user_or_404(staff, school, theirs.pk)
    with pytest.raises(Http404):
        get_incident_for_user_or_404(staff, school, mine.pk)  # not even their own, as a case


def test_the_reporter_sees_what_they_reported_not_the_teams_later_work(school, staff, dsl, case_in):
    case = case_in("reported", categories=["conduct"], harm_kind="nudes_sharing")
    services.incident_classify(
        actor=dsl, incident=case, categories=["contact"], harm_kind="sextortion", reason="Money was demanded"
    )
    services.involvement_add(actor=dsl, incident=case, part="witness", pupil=PupilFactory(school=school))
    services.note_add(actor=dsl, incident=case, text="Spoke to the pupil's mother.")

    report = selectors.get_own_report_for_user_or_404(staff, school, case.pk)

    assert report.received and report.reference == case.reference
    assert report.categories == ["Conduct: online behaviour that causes or risks harm"]
    assert report.harm_kind == "Sharing nudes or semi-nudes"
    assert len(report.people) == 1
    fields = {f.name for f in dataclasses.fields(report)}
    assert not fields & {"state", "owner", "chronology", "actions", "decisions", "referrals"}


def test_another_schools_case_is_a_404(school, other_school, case_in):
    case = case_in("reported")
    other_dsl = member(Role.DSL, school=other_school)
    with pytest.raises(Http404):
        get_incident_for_user_or_404(other_dsl, other_school, case.pk)
    with pytest.raises(Http404):
        get_incident_for_user_or_404(other_dsl, school, case.pk)  # claiming the other school changes nothing


def test_missing_and_malformed_ids_are_the_same_404(dsl, school):
    for pk in (999999, "abc", None):
        with pytest.raises(Http404):
            get_incident_for_user_or_404(dsl, school, pk)


def test_a_superuser_sees_no_case(school, case_in):
    case_in("reported")
    assert not incident_list_for_user(admin_user(), school).exists()


def test_drafts_are_not_in_the_teams_list(school, dsl, case_in):
    case_in("draft")
    assert not incident_list_for_user(dsl, school).exists()


def test_the_inbox_holds_new_concerns_oldest_first(school, dsl, case_in):
    first, second = case_in("reported"), case_in("reported")
    case_in("under_review")
    assert list(selectors.inbox_for_user(dsl, school)) == [first, second]


def test_filters_by_pupil_category_state_owner_dates_and_name(school, dsl, deputy, case_in):
    amira = PupilFactory(school=school, first_name="Amira", last_name="Okoye")
    about_amira = case_in("reported", pupils=[amira], categories=["content"])
    other = case_in("under_review", categories=["contact"])
    services.incident_assign_owner(actor=dsl, incident=other, owner=deputy)
    every = incident_list_for_user(dsl, school)
    pupils = selectors.pupil_finder_for_cases(dsl, school)

    def found(**data):
        return list(CaseFilter(data, every, school=school, finder=pupils, team=User.objects.all()).qs)

    assert found(pupil=amira.pk) == [about_amira]
    assert found(category="content") == [about_amira]
    assert found(state=CaseState.UNDER_REVIEW) == [other]
    assert found(owner=deputy.pk) == [other]
    assert found(q="amira") == [about_amira]
    assert found(q=about_amira.reference) == [about_amira]
    today = timezone.localdate()
    assert len(found(date_from=today - datetime.timedelta(days=3), date_to=today)) == 2
    assert found(date_to=today - datetime.timedelta(days=10)) == []
    assert len(found()) == 2


def test_listing_cases_with_their_pupils_takes_the_same_queries_however_many(
    school, dsl, case_in, django_assert_num_queries
):
    def read_list():
        return [
            (c.reference, c.owner, [i.name for i in c.current_involvements])
            for c in incident_list_for_user(dsl, school)
        ]

    case_in("reported", pupils=PupilFactory.create_batch(2, school=school))
    with django_assert_num_queries(3) as few:  # roles (1), the cases, their people
        read_list()
    for _ in range(4):
        case_in("reported", pupils=PupilFactory.create_batch(3, school=school))
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(read_list()) == 5


def test_a_pupils_cases_read_as_one_chronology(school, dsl, case_in):
    pupil = PupilFactory(school=school)
    first, second = case_in("reported", pupils=[pupil]), case_in("under_review", pupils=[pupil])
    case_in("reported")  # another pupil's case

    entries = list(selectors.pupil_chronology_for_user(dsl, school, pupil))

    assert {e.incident for e in entries} == {first, second}
    assert entries == sorted(entries, key=lambda e: (e.at, e.pk))


def test_the_reporter_finishes_only_their_own_draft(school, staff, case_in):
    draft, submitted = case_in("draft"), case_in("reported")
    assert selectors.get_own_draft_for_user_or_404(staff, school, draft.pk) == draft
    with pytest.raises(Http404):
        selectors.get_own_draft_for_user_or_404(staff, school, submitted.pk)


def test_an_own_draft_report_shows_the_live_draft(school, staff):
    draft = make_case(school=school, state="draft", location="Bus stop")
    report = selectors.get_own_report_for_user_or_404(staff, school, draft.pk)
    assert not report.received and report.location == "Bus stop" and len(report.people) == 1
