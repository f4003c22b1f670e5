"""Logging a concern: drafts, submission, references, the people involved, and what is never stored."""

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone

from incidents import selectors, services
from incidents.errors import CasePermissionDenied, CaseReadOnly, TransitionRefused
from incidents.models import CaseState, EntryKind, Incident, Involvement
from incidents.workflow import school_prefix
from safeguard.roles import Role
from tests.factories import PupilFactory, SchoolFactory, concern_details, make_case, member

pytestmark = pytest.mark.django_db


def test_a_draft_can_be_saved_half_written_and_only_its_writer_sees_it(school, staff, dsl):
    draft = services.concern_draft_create(actor=staff, school=school, childs_words="He keeps messaging me.")

    assert draft.state == CaseState.DRAFT
    assert draft.reference == ""
    assert [r["pk"] for r in selectors.own_report_list_for_user(staff, school)] == [draft.pk]
    assert selectors.own_report_list_for_user(staff, school)[0]["received"] is False
    assert not selectors.incident_list_for_user(dsl, school).exists()
    assert selectors.get_own_draft_for_user_or_404(staff, school, draft.pk) == draft


def test_a_draft_is_finished_later_then_submitted(school, staff, pupil):
    draft = services.concern_draft_create(actor=staff, school=school, location="Changing rooms")
    services.concern_draft_update(actor=staff, incident=draft, **concern_details(location="Changing rooms"))
    services.involvement_add(actor=staff, incident=draft, pupil=pupil, part="harmed", own_account="It was a dare.")

    case = services.concern_submit(actor=staff, incident=draft)

    assert case.state == CaseState.REPORTED
    assert case.submitted_at is not None
    assert draft.state == CaseState.REPORTED  # the caller's copy is kept in step
    entry = case.chronology.get()
    assert entry.kind == EntryKind.REPORTED and entry.author == staff


def test_submitting_an_incomplete_draft_says_what_is_missing(school, staff):
    draft = services.concern_draft_create(actor=staff, school=school)

    with pytest.raises(TransitionRefused) as refused:
        services.concern_submit(actor=staff, incident=draft)

    message = refused.value.message
    for missing in ["when it came to light", "where", "how it came to light", "4Cs", "kind of harm", "person involved"]:
        assert missing in message
    draft.refresh_from_db()
    assert draft.state == CaseState.DRAFT


def test_references_run_per_school_and_year_without_gaps_from_drafts(school, other_school):
    year = timezone.localdate().year
    make_case(school=school, state="draft")
    first = make_case(school=school, state="reported")
    second = make_case(school=school, state="reported")
    elsewhere = make_case(school=other_school, state="reported")

    assert first.reference == f"OHS-{year}-0001"
    assert second.reference == f"OHS-{year}-0002"
    assert elsewhere.reference == f"EPS-{year}-0001"


def test_several_pupils_each_with_their_own_part_and_account(school, staff):
    first, second, third = PupilFactory.create_batch(3, school=school)
    case = services.concern_log(
        actor=staff,
        school=school,
        involvements=[
            {"pupil": first, "part": "harmed", "own_account": "I only sent it to him."},
            {"pupil": second, "part": "caused_harm", "own_account": "Everyone already had it."},
            {"pupil": third, "part": "witness"},
        ],
        **concern_details(),
    )

    people = {i.pupil: i for i in selectors.case_involvements(case)}
    assert people[first].part == "harmed" and people[first].own_account == "I only sent it to him."
    assert people[second].part == "caused_harm"
    assert people[third].own_account == ""


def test_a_person_who_is_not_a_pupil_can_be_involved(school, staff):
    case = make_case(school=school, state="draft")
    adult = services.involvement_add(
        actor=staff,
        incident=case,
        part="caused_harm",
        other_name="'jay_2009' (online account)",
        other_description="Online contact who said he was 15; may be an adult",
        other_is_adult=True,
    )
    pupil_elsewhere = services.involvement_add(
        actor=staff, incident=case, part="received", other_name="Sam", other_setting="Elm Park School"
    )

    assert adult.pupil is None and adult.other_is_adult
    assert pupil_elsewhere.other_setting == "Elm Park School"


def test_an_involvement_is_a_pupil_or_a_described_person(school, staff):
    case = make_case(school=school, state="draft")
    with pytest.raises(ValidationError):
        services.involvement_add(actor=staff, incident=case, part="witness")


def test_a_pupil_of_another_school_cannot_be_chosen_from_the_register(school, other_school, staff):
    case = make_case(school=school, state="draft")
    with pytest.raises(ValidationError) as refused:
        services.involvement_add(actor=staff, incident=case, part="harmed", pupil=PupilFactory(school=other_school))
    assert "pupil" in refused.value.message_dict


def test_taking_someone_off_keeps_the_record_with_the_reason(school, dsl, case_in):
    case = case_in("reported")
    wrong = services.involvement_add(actor=dsl, incident=case, part="witness", pupil=PupilFactory(school=school))

    services.involvement_remove(actor=dsl, involvement=wrong, reason="Wrong pupil chosen: same name")

    wrong.refresh_from_db()
    assert wrong.removed_by == dsl and Involvement.objects.filter(pk=wrong.pk).exists()
    assert wrong not in selectors.case_involvements(case)


def test_when_it_happened_may_be_unknown_but_not_after_it_came_to_light(school, staff):
    case = services.concern_draft_create(actor=staff, school=school, occurred_at=None)
    assert case.occurred_at is None

    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        services.concern_draft_update(
            actor=staff,
            incident=case,
            occurred_at=now - datetime.timedelta(hours=1),
            came_to_light_at=now - datetime.timedelta(days=1),
        )
    assert "came_to_light_at" in refused.value.message_dict


def test_the_childs_words_are_kept_verbatim_apart_from_observations(school, case_in):
    words = "  he said 'send one or I'll tell everyone'  "
    case = case_in("reported", childs_words=words, observations="She seemed frightened.")
    case.refresh_from_db()
    assert case.childs_words == words
    assert case.observations == "She seemed frightened."


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.TRUST_LEAD])
def test_only_people_working_in_the_school_log_concerns_there(school, people, role):
    with pytest.raises(PermissionDenied):
        services.concern_draft_create(actor=people[role], school=school)


def test_only_the_writer_finishes_their_draft(school, staff, dsl):
    draft = make_case(school=school, state="draft")
    colleague = member(Role.STAFF, school=school)

    for someone in (colleague, dsl):
        with pytest.raises(CasePermissionDenied):
            services.concern_draft_update(actor=someone, incident=draft, location="Library")
        with pytest.raises(CasePermissionDenied):
            services.concern_submit(actor=someone, incident=draft)


def test_once_submitted_the_reporter_can_no_longer_change_it(school, staff, case_in):
    case = case_in("reported")
    with pytest.raises(CaseReadOnly):
        services.concern_draft_update(actor=staff, incident=case, location="Elsewhere")
    with pytest.raises(CasePermissionDenied):
        services.involvement_add(actor=staff, incident=case, part="witness", other_name="Another pupil")


def test_the_team_cannot_work_on_a_draft(dsl, case_in):
    draft = case_in("draft")
    with pytest.raises(CaseReadOnly):
        services.note_add(actor=dsl, incident=draft, text="Looking into it")


def test_history_names_the_member_of_staff_who_logged_it(staff, case_in):
    case = case_in("reported")
    records = list(case.history.order_by("history_date", "history_id"))
    assert {r.history_user for r in records} == {staff}
    assert records[-1].state == CaseState.REPORTED
    assert records[0].history_change_reason == "Concern started as a draft"


def test_no_model_in_the_case_apps_can_hold_a_file():
    """Images and videos are never stored (seed 001 §7.2): there is nowhere to put one."""
    for app in ("incidents", "referrals"):
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                assert not isinstance(field, models.FileField), f"{model.__name__}.{field.name} could hold a file"


def test_incident_table_refuses_an_incomplete_reported_case_at_the_database(school, staff):
    """The check constraint backs the submission rules even against code that skips the service."""
    case = services.concern_draft_create(actor=staff, school=school)
    case.state = CaseState.REPORTED
    with pytest.raises(ValidationError):
        case.full_clean()
    assert Incident.objects.get(pk=case.pk).state == CaseState.DRAFT


def test_the_reference_prefix_is_the_schools_initials():
    assert school_prefix(SchoolFactory(name="St Mary's C of E Primary")) == "SMCEP"
