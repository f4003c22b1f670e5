"""`manage.py seed_demo`: the demo trust, schools and people, and a dozen cases in every state, built once."""

import io
from collections import defaultdict

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import models
from django.test import override_settings
from django.utils import timezone

from incidents.models import ActionStatus, CaseState, Incident
from incidents.selectors import latest_meeting
from records.deletion_models import DeletionRequest, DeletionResponseKind, TakedownReport
from records.deletion_selectors import overdue_deletions_for_user
from records.services import seals
from records.sharing_models import AgencyMeeting, InformationSharing
from records.viewing_models import CustodyStep, Device, ImageryViewing, ViewingSigner
from referrals import demo as demo_cases
from referrals.models import (
    POLICE_OR_SOCIAL_CARE,
    Agency,
    Decision,
    DecisionKind,
    DecisionStatus,
    Outcome,
    ParentContact,
    Referral,
)
from safeguard import demo as demo_people
from safeguard.demo import SCHOOLS
from safeguard.models import School
from safeguard.roles import Role

pytestmark = pytest.mark.django_db

CASE_APPS = ("incidents", "referrals", "records")
BLAMING_PHRASES = ("child pornography", "should not have sent", "put themselves at risk")


def seed_demo(*args):
    out = io.StringIO()
    with override_settings(DEBUG=True):
        call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded():
    """The demo seeded twice over, as `make demo` run twice would leave it (the second time with `PORT=8080`);
    returns both runs' output."""
    return seed_demo(), seed_demo("--port", "8080")


def states_by_school():
    found = defaultdict(set)
    for key, _name, urn, _years in SCHOOLS:
        found[key] = set(Incident.objects.filter(school__urn=urn).values_list("state", flat=True))
    return found


def case_models(history):
    """The models of the case apps: their history models if `history`, else the records themselves."""
    for label in CASE_APPS:
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical") == history:
                yield model


def test_seed_demo_is_refused_without_debug():
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not School.objects.exists()


def test_seed_demo_adds_the_cases_once_and_prints_the_sign_ins(seeded):
    first, second = seeded

    assert "riverside.dsl" in first and "Sign in at http://127.0.0.1:8000 as:" in first
    assert "Demo cases added: 15." in first
    assert "none added" in second and "Sign in at http://127.0.0.1:8080 as:" in second
    # The sign-ins come last, where they stay in view above the server's own lines.
    assert first.splitlines()[-1].startswith("Every demo account's password is")
    assert first.index("Demo cases added") < first.index("Sign in at")
    assert Incident.objects.count() == 15


def test_every_state_appears_across_the_demo_schools(seeded):
    found = states_by_school()

    assert set().union(*found.values()) == {
        CaseState.DRAFT,
        CaseState.REPORTED,
        CaseState.UNDER_REVIEW,
        CaseState.REFERRAL_REQUIRED,
        CaseState.REFERRED,
        CaseState.AWAITING_SIGN_OFF,
        CaseState.MANAGED_IN_SCHOOL,
        CaseState.CLOSED,
    }
    for key in ("riverside", "hillview"):
        assert {CaseState.REPORTED, CaseState.UNDER_REVIEW, CaseState.REFERRED, CaseState.CLOSED} <= found[key], key
    draft = Incident.objects.get(state=CaseState.DRAFT)
    assert draft.reported_by.memberships.filter(role=Role.STAFF, school=draft.school).exists()


def test_referrals_follow_up_and_outcomes(seeded):
    waiting = Referral.objects.get(agency=Agency.POLICE_101, outcome="", incident__harm_kind="sextortion")
    assert waiting.incident.state == CaseState.REFERRED
    assert waiting.follow_ups.exists()

    social_care = Referral.objects.get(agency=Agency.SOCIAL_CARE)
    assert social_care.outcome and social_care.incident.state == CaseState.REFERRED
    assert social_care.incident.actions.filter(status=ActionStatus.OPEN).exists()

    outcome_21 = Referral.objects.get(outcome=Outcome.OUTCOME_21)
    assert outcome_21.incident.state == CaseState.CLOSED


def test_managed_in_school_cases_are_signed_off_by_the_head(seeded):
    managed = Incident.objects.filter(
        decisions__kind=DecisionKind.MANAGE_IN_SCHOOL, decisions__status=DecisionStatus.SIGNED_OFF
    )
    # One was managed in school until a further meeting found a referral required.
    assert {case.state for case in managed} == {
        CaseState.MANAGED_IN_SCHOOL,
        CaseState.CLOSED,
        CaseState.REFERRAL_REQUIRED,
    }
    for case in managed:
        signer = case.decisions.get().sign_off.signed_by
        assert signer.memberships.filter(role=Role.HEADTEACHER, school=case.school).exists()
        assert not case.referrals.exists()


def test_each_reviewed_case_has_a_meeting_and_a_criterion_met_means_a_referral(seeded):
    reviewed = Incident.objects.exclude(state__in=[CaseState.DRAFT, CaseState.REPORTED])
    assert reviewed.count() == 12
    for case in reviewed:
        meeting = latest_meeting(case)
        assert meeting.attendees.exists()
        if meeting.referral_required_by and case.state != CaseState.REFERRAL_REQUIRED:
            assert case.referrals.filter(agency__in=POLICE_OR_SOCIAL_CARE).exists(), case.reference


def test_the_demo_shows_each_new_path(seeded):
    # An aggravating factor, managed in school with its reason, signed off.
    overridden = Decision.objects.exclude(factor_reasons={}).get(status=DecisionStatus.SIGNED_OFF)
    assert overridden.incident.state == CaseState.MANAGED_IN_SCHOOL and overridden.factor_reasons
    # A further meeting after the decision found a referral required: flagged until it is made.
    required = Incident.objects.get(state=CaseState.REFERRAL_REQUIRED)
    assert required.review_meetings.count() == 2 and not required.referrals.exists()
    # A child in immediate danger was referred before the meeting, which was still held.
    referred_first = Referral.objects.get(agency=Agency.POLICE_999).incident
    assert referred_first.referrals.get().made_at < referred_first.review_meetings.get().held_at
    assert Incident.objects.filter(harm_kind="sextortion", review_meetings__coercion_or_capacity="yes").exists()


def test_parents_and_actions_are_recorded(seeded):
    assert ParentContact.objects.filter(told=True).exists()
    not_told = ParentContact.objects.filter(told=False)
    assert not_told.exists() and all(contact.reasons_not_told for contact in not_told)
    statuses = set(Incident.objects.values_list("actions__status", flat=True))
    assert {ActionStatus.DONE, ActionStatus.OPEN, ActionStatus.NOT_TAKEN} <= statuses


def test_hillview_cases_are_about_primary_pupils(seeded):
    years = set(Incident.objects.filter(school__urn="140002").values_list("involvements__pupil__year_group", flat=True))
    assert years - {None} <= {"3", "4", "5", "6"}


def test_every_case_history_row_names_a_person(seeded):
    rows = 0
    for model in case_models(history=True):
        assert not model.objects.filter(history_user__isnull=True).exists(), model.__name__
        rows += model.objects.count()
    assert rows > 100


def test_no_case_text_uses_blaming_or_wrong_language(seeded):
    for model in case_models(history=False):
        text_fields = [f.name for f in model._meta.get_fields() if isinstance(f, models.CharField | models.TextField)]
        if not text_fields:
            continue
        for values in model.objects.values_list(*text_fields):
            text = " ".join(values).lower()
            for phrase in BLAMING_PHRASES:
                assert phrase not in text, f"{model.__name__}: {phrase}"


def in_order(moments):
    return moments == sorted(moments)


def test_every_demo_case_reads_in_time_order_and_nothing_is_dated_in_the_future(seeded):
    now = timezone.now()
    for case in Incident.objects.all():
        written = list(case.chronology.order_by("pk").values_list("at", flat=True))
        assert in_order([*written, now]), case.reference
        # The steps of the case's life follow each other: reported, reviewed, decided, signed off, closed.
        meeting = case.review_meetings.order_by("held_at").first()
        decision = case.decisions.first()
        sign_off = getattr(decision, "sign_off", None)
        steps = [
            case.came_to_light_at,
            case.created_at,
            case.submitted_at,
            meeting and meeting.held_at,
            decision and decision.decided_at,
            sign_off and sign_off.signed_at,
            case.closed_at,
        ]
        steps = [moment for moment in steps if moment]
        assert in_order([*steps, now]), case.reference

    for model in case_models(history=True):
        # Each case's rows (or, for records under another, each record's rows) were written in time order.
        key = "incident_id" if any(f.attname == "incident_id" for f in model._meta.fields) else "id"
        written = defaultdict(list)
        for owner, moment in model.objects.order_by("history_id").values_list(key, "history_date"):
            written[owner].append(moment)
        for owner, moments in written.items():
            assert in_order([*moments, now]), f"{model.__name__} of {owner}"


def test_the_records_of_a_case_appear_in_the_demo(seeded, signed_in, client):
    # The police referral's case, closed: the imagery viewed (the head told, both signed), the boy's phone from
    # confiscation to the police, the take-down report and its result, sharing (and not), a strategy meeting.
    viewing = ImageryViewing.objects.get()
    case = viewing.incident
    assert case.state == CaseState.CLOSED and case.referrals.filter(outcome=Outcome.OUTCOME_21).exists()
    assert viewing.head_told.memberships.filter(role=Role.HEADTEACHER, school=case.school).exists()
    assert set(viewing.signatures.values_list("signer", flat=True)) == {ViewingSigner.VIEWER, ViewingSigner.HEADTEACHER}
    device = Device.objects.get(incident=case)
    steps = list(device.events.order_by("at", "pk").values_list("step", "officer"))
    assert [step for step, _ in steps] == [
        CustodyStep.CONFISCATED,
        CustodyStep.LOCKED_AWAY,
        CustodyStep.HANDED_TO_POLICE,
    ]
    assert steps[-1][1]
    report = TakedownReport.objects.get(incident=case, follows=None)
    assert report.follow_ups.get().result == Outcome.IMAGERY_REMOVED
    assert set(InformationSharing.objects.filter(incident=case).values_list("shared", flat=True)) == {True, False}
    assert AgencyMeeting.objects.get(incident=case).staff.filter(attended=True).exists()
    assert case.addenda.exists()

    # A case managed in school: one pupil's deletion confirmed, another's request past its deadline and unanswered,
    # which the DSL's dashboard lists.
    confirmed = DeletionRequest.objects.get(responses__kind=DeletionResponseKind.CONFIRMED)
    waiting = DeletionRequest.objects.exclude(responses__isnull=False).get()
    assert waiting.incident == confirmed.incident and waiting.incident.state == CaseState.MANAGED_IN_SCHOOL
    dsl = waiting.incident.school.memberships.get(role=Role.DSL).user
    assert [row.pk for row in overdue_deletions_for_user(dsl, waiting.incident.school)] == [waiting.pk]
    signed_in(dsl)
    dashboard = client.get("/").content.decode()
    assert "Deletion deadlines passed" in dashboard and f"Case {waiting.incident.reference}" in dashboard


def test_the_demo_inspector_reads_two_riverside_cases_for_three_days(seeded, signed_in, client):
    from django.contrib.auth import get_user_model

    from records.inspection_models import InspectionGrant

    grant = InspectionGrant.objects.in_force().get()  # seeding twice gives one grant
    assert grant.inspector == get_user_model().objects.get(username="inspector")
    assert grant.school.urn == SCHOOLS[0][2] and grant.ends_at - grant.starts_at == timezone.timedelta(days=3)
    granted = {row.incident for row in grant.case_rows.all()}
    assert {case.state for case in granted} == {CaseState.CLOSED, CaseState.MANAGED_IN_SCHOOL}
    assert not grant.inspector.memberships.exists()  # the grant alone gives the role

    signed_in(grant.inspector)
    home = client.get("/").content.decode()
    assert "Your inspection access" in home
    for case in Incident.objects.filter(school=grant.school).exclude(state=CaseState.DRAFT):
        expected = 200 if case in granted else 404
        assert client.get(f"/cases/{case.pk}/").status_code == expected, case.reference
        assert (f"Case {case.reference}" in home) == (case in granted)


def test_verify_seals_passes_on_the_demo(seeded):
    out = io.StringIO()
    call_command("verify_seals", stdout=out)  # raises SystemExit (status 1) when anything is wrong
    result = seals.verify(Incident.objects.all())
    assert result.ok and result.records_checked == Incident.objects.filter(state=CaseState.CLOSED).count() == 2
    assert result.addenda_checked >= 1


def test_a_story_dated_out_of_order_is_refused():
    # The loader checks the order as it plays, so a mistake in the data is caught where it is written.
    story = {
        "summary": "Out of order",
        "pupils": {"girl": {"year": "8", "sex": "F"}},
        "step": [
            {"do": "concern", "by": "staff1", "at": "2 weekdays ago 10:00", "submit": False},
            {"do": "note", "at": "3 weekdays ago 10:00", "text": "Written before the concern came."},
        ],
    }
    demo_people.seed()
    school = School.objects.get(urn="140001")
    with pytest.raises(ValueError, match="step 2 .note. is dated before"):
        demo_cases._play(school, demo_cases._people(school, "riverside"), set(), story)


def test_the_demo_has_a_leaving_pupils_transfer_and_a_file_received(seeded, signed_in, client):
    from records.transfer_models import FileReceived, FileTransfer

    transfer = FileTransfer.objects.get()
    assert transfer.other_school == "Northgate High School" and not transfer.events.exists()
    received = FileReceived.objects.get()
    dsl = transfer.school.memberships.get(role=Role.DSL).user
    signed_in(dsl)
    assert "Northgate High School" in client.get(f"/pupils/{transfer.pupil_id}/").content.decode()
    chronology = client.get(f"/cases/pupils/{received.pupil_id}/").content.decode()
    assert "Child protection file received from Brookfield Academy" in chronology
def test_the_demo_has_reminders_for_its_overdue_items(seeded, signed_in, client):
    """seed_demo runs the reminder job once at the end, as the beat would: the overdue referral and the deletion
    past its deadline each have their reminder, and the DSL's Reminders page lists them."""
    from records.reminder_models import Reminder

    waiting = DeletionRequest.objects.exclude(responses__isnull=False).get()
    overdue = [r for r in Referral.objects.select_related("incident__school") if r.is_overdue()]
    assert overdue
    events = set(Reminder.objects.values_list("event", flat=True))
    assert f"deletion:{waiting.pk}:deadline_passed" in events
    assert {f"referral:{r.pk}:unacknowledged" for r in overdue} <= events

    dsl = waiting.incident.school.memberships.get(role=Role.DSL).user
    signed_in(dsl)
    page = client.get("/reminders/").content.decode()
    assert waiting.incident.reference in page and "has passed" in page
