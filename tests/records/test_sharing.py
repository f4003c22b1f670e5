"""Information sharing and inter-agency meetings (issue 9, sections 6 and 7): each rule through the service, and
through the page."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from incidents.errors import CasePermissionDenied, CaseReadOnly, RuleBroken
from incidents.models import Action, EntryKind
from records.models import AgencyMeeting, AgencyMeetingStaff, InformationSharing, LawfulBasis
from records.services.sharing import agency_meeting_record, sharing_record
from safeguard.roles import Role
from tests.factories import member

pytestmark = pytest.mark.django_db

WHEN = "%Y-%m-%dT%H:%M"


def ago(**delta):
    return timezone.now() - datetime.timedelta(**delta)


def share(actor, case, **overrides):
    values = {
        "actor": actor,
        "incident": case,
        "shared": True,
        "recipient": "school",
        "recipient_name": "Riverside Academy, DSL Ms Patel",
        "information": "The pupil's chronology since September and the current plan.",
        "reason": "The pupil is moving to Riverside; their DSL needs to know to keep her safe.",
        "decided_by": actor,
        "method": "email",
        "at": ago(hours=1),
    }
    values.update(overrides)
    return sharing_record(**values)


def meet(actor, case, **overrides):
    values = {
        "actor": actor,
        "incident": case,
        "kind": "strategy",
        "held_at": ago(hours=2),
        "invited": [actor],
        "attended": [actor],
        "report_sent": True,
        "outcome": "Section 47 enquiry to begin.",
    }
    values.update(overrides)
    return agency_meeting_record(**values)


# --- Information sharing: the service ----------------------------------------------------------------------------


def test_sharing_is_recorded_with_the_safeguarding_basis_by_default(dsl, deputy, case_in):
    case = case_in("under_review")

    entry = share(dsl, case, decided_by=deputy)

    assert entry.shared and entry.lawful_basis == LawfulBasis.SAFEGUARDING
    assert (entry.decided_by, entry.recorded_by) == (deputy, dsl)
    assert entry.history.get().history_user == dsl
    line = case.chronology.get(kind=EntryKind.SHARING).text
    assert "Riverside Academy" in line and "Data Protection Act 2018" in line


def test_sharing_with_an_agency_names_it_from_the_referral_agencies(dsl, case_in):
    case = case_in("referred")
    entry = share(dsl, case, recipient="agency", agency="social_care", recipient_name="Duty social worker")
    assert entry.recipient_label == "Children's social care / MASH (Duty social worker)"

    with pytest.raises(ValidationError) as refused:
        share(dsl, case, recipient="agency", agency="")
    assert "agency" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        share(dsl, case, recipient="agency", agency="other")
    assert "agency_other" in refused.value.message_dict


def test_a_person_or_school_must_be_named(dsl, case_in):
    case = case_in("under_review")
    for recipient in ("person", "school"):
        with pytest.raises(ValidationError) as refused:
            share(dsl, case, recipient=recipient, recipient_name=" ")
        assert "recipient_name" in refused.value.message_dict


def test_another_lawful_basis_needs_describing(dsl, case_in):
    case = case_in("under_review")
    with pytest.raises(ValidationError) as refused:
        share(dsl, case, lawful_basis="other")
    assert "lawful_basis_other" in refused.value.message_dict

    entry = share(dsl, case, lawful_basis="other", lawful_basis_other="Court order of 3 March")
    assert entry.lawful_basis_label == "Court order of 3 March"


def test_sharing_needs_how_what_and_why(dsl, case_in):
    case = case_in("under_review")
    with pytest.raises(ValidationError) as refused:
        share(dsl, case, method="")
    assert "method" in refused.value.message_dict
    for field in ("information", "reason"):
        with pytest.raises(RuleBroken) as refused:
            share(dsl, case, **{field: "  "})
        assert refused.value.problems[0].field == field


def test_a_decision_not_to_share_is_recorded_with_its_reason(dsl, case_in):
    case = case_in("under_review")
    with pytest.raises(RuleBroken) as refused:
        share(dsl, case, shared=False, reason="", recipient="person", recipient_name="The pupil's uncle")
    assert "reason for not sharing" in refused.value.message

    entry = share(
        dsl,
        case,
        shared=False,
        recipient="person",
        recipient_name="The pupil's uncle",
        information="He asked what the pupil had told staff.",
        reason="He has no parental responsibility and the pupil asked that he not be told.",
        lawful_basis="public_task",
    )
    # Nothing was shared, so there is no "how" and no lawful basis to record.
    assert not entry.shared and entry.lawful_basis == "" and entry.method == ""
    assert "Decided not to share" in case.chronology.get(kind=EntryKind.NOT_SHARED).text


def test_who_decided_must_work_at_the_school(dsl, case_in, other_school):
    case = case_in("under_review")
    outsider = member(Role.DSL, school=other_school)
    with pytest.raises(RuleBroken) as refused:
        share(dsl, case, decided_by=outsider)
    assert refused.value.problems[0].field == "decided_by"


def test_sharing_cannot_be_dated_in_the_future_or_before_the_concern(dsl, case_in):
    case = case_in("under_review")
    with pytest.raises(ValidationError):
        share(dsl, case, at=timezone.now() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        share(dsl, case, at=case.came_to_light_at - datetime.timedelta(days=1))


def test_only_the_safeguarding_team_records_sharing_and_not_on_a_closed_case(head, staff, dsl, case_in):
    case = case_in("under_review")
    for someone in (head, staff):
        with pytest.raises(CasePermissionDenied):
            share(someone, case, decided_by=dsl)
    with pytest.raises(CaseReadOnly):
        share(dsl, case_in("closed"))


def test_a_correction_is_a_new_entry_and_the_earlier_one_stays(dsl, case_in):
    case = case_in("under_review")
    earlier = share(dsl, case)
    with pytest.raises(RuleBroken):
        share(dsl, case, corrects=earlier, correction_note="")

    later = share(
        dsl,
        case,
        recipient_name="Riverside Academy, deputy DSL Mr Cole",
        corrects=earlier,
        correction_note="Wrong person named",
    )

    earlier.refresh_from_db()
    assert earlier.recipient_name == "Riverside Academy, DSL Ms Patel" and earlier.corrected_by == later
    assert later.corrects == earlier and InformationSharing.objects.count() == 2
    assert "Correction of the entry" in case.chronology.get(kind=EntryKind.SHARING_CORRECTED).text
    # Each entry is corrected once; a further correction corrects the newer entry.
    with pytest.raises(RuleBroken):
        share(dsl, case, corrects=earlier, correction_note="Again")
    with pytest.raises(RuleBroken):
        share(dsl, case_in("under_review"), corrects=later, correction_note="Another case's entry")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only triggers are PostgreSQL's")
def test_entries_cannot_be_rewritten_or_deleted_in_the_database(dsl, case_in):
    case = case_in("referred")
    entry, meeting = share(dsl, case), meet(dsl, case)
    statements = [
        ("UPDATE records_informationsharing SET reason = 'x' WHERE id = %s", entry.pk),
        ("DELETE FROM records_informationsharing WHERE id = %s", entry.pk),
        ("UPDATE records_agencymeeting SET outcome = 'x' WHERE id = %s", meeting.pk),
        ("UPDATE records_agencymeetingstaff SET attended = false WHERE meeting_id = %s", meeting.pk),
    ]
    for sql, pk in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [pk])


# --- Inter-agency meetings: the service --------------------------------------------------------------------------


def test_a_meeting_records_invitations_attendance_report_and_outcome(dsl, deputy, case_in):
    case = case_in("referred")

    meeting = meet(dsl, case, kind="conference", invited=[dsl, deputy], attended=[deputy], called_by="Social care")

    rows = {row.user: (row.invited, row.attended) for row in meeting.staff.all()}
    assert rows == {dsl: (True, False), deputy: (True, True)}
    assert meeting.history.get().history_user == dsl
    line = case.chronology.get(kind=EntryKind.AGENCY_MEETING).text
    assert "Child protection conference held (called by Social care)" in line and "A report was sent" in line


def test_attendance_or_the_reason_no_one_went_is_required(dsl, case_in):
    case = case_in("referred")
    with pytest.raises(RuleBroken) as refused:
        meet(dsl, case, attended=[])
    assert refused.value.problems[0].field == "no_attendance_reason"
    with pytest.raises(RuleBroken):
        meet(dsl, case, no_attendance_reason="Clashed with a lesson")  # someone did attend

    meeting = meet(dsl, case, attended=[], no_attendance_reason="Given two hours' notice; a report was sent instead.")
    assert not meeting.staff.filter(attended=True).exists()
    assert "No one from the school attended" in case.chronology.get(kind=EntryKind.AGENCY_MEETING).text


def test_another_kind_of_meeting_is_named_and_an_outcome_is_needed(dsl, case_in):
    case = case_in("referred")
    with pytest.raises(ValidationError) as refused:
        meet(dsl, case, kind="other")
    assert "kind_other" in refused.value.message_dict
    with pytest.raises(RuleBroken) as refused:
        meet(dsl, case, outcome=" ")
    assert refused.value.problems[0].field == "outcome"


def test_a_meeting_is_recorded_once_held_and_its_people_work_here(dsl, case_in, other_school):
    case = case_in("referred")
    with pytest.raises(ValidationError):
        meet(dsl, case, held_at=timezone.now() + datetime.timedelta(days=2))
    with pytest.raises(RuleBroken):
        meet(dsl, case, attended=[member(Role.DSL, school=other_school)])


def test_only_the_safeguarding_team_records_meetings(head, staff, case_in):
    case = case_in("referred")
    for someone in (head, staff):
        with pytest.raises(CasePermissionDenied):
            meet(someone, case, invited=[], attended=[], no_attendance_reason="x")


def test_actions_for_the_school_become_case_actions(dsl, deputy, case_in):
    case = case_in("referred")
    due = timezone.localdate() + datetime.timedelta(days=7)

    meeting = meet(
        dsl,
        case,
        actions=[
            {"description": "Send attendance data to the social worker", "owner": deputy, "due_on": due},
            {"description": ""},
        ],
    )

    action = Action.objects.get(incident=case)
    assert (action.owner, action.due_on, action.created_by) == (deputy, due, dsl)
    assert [link.action for link in meeting.action_links.all()] == [action]


def test_a_meeting_correction_is_a_new_record(dsl, deputy, case_in):
    case = case_in("referred")
    earlier = meet(dsl, case)
    later = meet(
        dsl, case, attended=[deputy], invited=[deputy], corrects=earlier, correction_note="Mr Cole went, not Ms Ames"
    )
    assert AgencyMeeting.objects.count() == 2 and later.corrects == earlier
    assert AgencyMeetingStaff.objects.filter(meeting=earlier, user=dsl, attended=True).exists()
    with pytest.raises(RuleBroken):
        meet(dsl, case, corrects=earlier, correction_note="Twice")


def test_attendance_rows_are_checked_by_the_database_too(dsl, case_in):
    meeting = meet(dsl, case_in("referred"))
    with pytest.raises(IntegrityError), transaction.atomic():
        AgencyMeetingStaff.objects.bulk_create(
            [AgencyMeetingStaff(meeting=meeting, user=dsl, invited=False, attended=False)]
        )


# --- The pages ---------------------------------------------------------------------------------------------------


def url(name, case, **kwargs):
    return reverse(f"records:{name}", kwargs={"pk": case.pk, **kwargs})


def sharing_post(user, **overrides):
    data = {
        "shared": "yes",
        "recipient": "agency",
        "agency": "police_101",
        "recipient_name": "PC Shah, safer schools officer",
        "information": "Names of the pupils involved and what was seen.",
        "at": ago(hours=1).astimezone(timezone.get_current_timezone()).strftime(WHEN),
        "reason": "The police need it for their enquiry.",
        "decided_by": user.pk,
        "method": "phone",
        "lawful_basis": "safeguarding",
    }
    data.update(overrides)
    return data


def meeting_post(user, **overrides):
    data = {
        "kind": "strategy",
        "held_at": ago(hours=3).astimezone(timezone.get_current_timezone()).strftime(WHEN),
        "invited": [user.pk],
        "attended": [user.pk],
        "report_sent": "yes",
        "outcome": "Section 47 enquiry; the school to share attendance weekly.",
    }
    data.update(overrides)
    return data


def test_the_case_page_counts_sharing_and_meetings_from_its_chronology(signed_in, dsl, deputy, case_in):
    case = case_in("referred")
    first = share(dsl, case)
    share(dsl, case, recipient_name="Hillside Primary")
    share(dsl, case, corrects=first, correction_note="Recorded twice")  # replaces one: still shared twice
    share(dsl, case, shared=False, recipient="person", recipient_name="A neighbour", reason="No need to know.")
    meet(dsl, case)
    meet(dsl, case, attended=[deputy], invited=[deputy], corrects=meet(dsl, case), correction_note="The deputy went")

    html = signed_in(dsl).get(case.get_absolute_url()).content.decode()

    assert "Information shared 2 times, a decision not to share 1 time; 2 inter-agency meetings." in html
    assert url("case_sharing", case) in html
    # The full record, with its links, is on its own page (the case page's chronology has a line for each entry).
    assert "Not shared with A neighbour" not in html and url("sharing_new", case) not in html


def test_a_correction_that_turns_sharing_into_a_decision_not_to_share_moves_the_count(signed_in, dsl, case_in):
    case = case_in("referred")
    first = share(dsl, case)
    share(dsl, case, shared=False, corrects=first, correction_note="It was not sent after all", reason="Not needed.")
    html = signed_in(dsl).get(case.get_absolute_url()).content.decode()
    assert "<p>A decision not to share 1 time.</p>" in html and "Information shared 1 time" not in html
    assert case.chronology.get(kind=EntryKind.CORRECTED_TO_NOT_SHARED)


def test_the_case_page_says_nothing_of_sharing_when_there_is_none(signed_in, dsl, head, case_in):
    case = case_in("referred")
    html = signed_in(head).get(case.get_absolute_url()).content.decode()
    assert "Information sharing" not in html and url("case_sharing", case) not in html
    # The safeguarding team is offered the way to record the first.
    html = signed_in(dsl).get(case.get_absolute_url()).content.decode()
    assert url("case_sharing", case) in html and "Information shared" not in html
    assert "Record information shared or not shared, or an inter-agency meeting" in html


def test_the_sharing_page_shows_sharing_and_meetings_with_attendance(signed_in, dsl, deputy, case_in):
    case = case_in("referred")
    share(dsl, case, shared=False, recipient="person", recipient_name="A neighbour", reason="No need to know.")
    meet(dsl, case, kind="core_group", attended=[deputy], invited=[dsl, deputy])
    meet(dsl, case, attended=[], invited=[dsl], no_attendance_reason="Invited the same morning", report_sent=True)

    html = signed_in(dsl).get(url("case_sharing", case)).content.decode()

    assert "Not shared with A neighbour" in html and "No need to know." in html
    assert "The school attended 1 of 2 inter-agency meetings." in html
    assert "No one from the school attended." in html and "Invited the same morning" in html
    assert url("sharing_new", case) in html and url("meeting_new", case) in html


def test_the_headteacher_sees_the_sharing_page_without_the_links(signed_in, dsl, head, staff, case_in):
    case = case_in("referred")
    entry = share(dsl, case)
    html = signed_in(head).get(url("case_sharing", case)).content.decode()
    assert "Shared with Riverside Academy" in html and url("sharing_new", case) not in html
    assert url("sharing_correct", case, sid=entry.pk) not in html
    assert signed_in(staff).get(url("case_sharing", case)).status_code == 403


def test_opening_the_sharing_page_is_in_the_case_access_log(signed_in, dsl, case_in):
    from safeguard.models import AccessLog

    case = case_in("referred")
    signed_in(dsl).get(url("case_sharing", case))
    assert AccessLog.objects.filter(user=dsl, object_id=str(case.pk), action="view", page=url("case_sharing", case))


def test_recording_sharing_through_the_page(signed_in, dsl, case_in):
    case = case_in("referred")
    client = signed_in(dsl)
    page = client.get(url("sharing_new", case)).content.decode()
    assert "Data Protection Act 2018" in page

    response = client.post(url("sharing_new", case), sharing_post(dsl))

    assert response.status_code == 302 and response["Location"] == url("case_sharing", case)
    entry = InformationSharing.objects.get()
    assert (entry.agency, entry.lawful_basis, entry.recorded_by) == ("police_101", "safeguarding", dsl)


def test_the_sharing_page_shows_each_refusal_beside_its_field(signed_in, dsl, case_in):
    case = case_in("referred")
    client = signed_in(dsl)
    response = client.post(url("sharing_new", case), sharing_post(dsl, method="", lawful_basis="other"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "method" in errors and "lawful_basis_other" in errors
    response = client.post(url("sharing_new", case), sharing_post(dsl, shared="no", reason=""))
    assert "reason" in response.context["form"].errors
    assert not InformationSharing.objects.exists()


def test_correcting_sharing_through_the_page(signed_in, dsl, case_in):
    case = case_in("referred")
    earlier = share(dsl, case)
    client = signed_in(dsl)
    page = client.get(url("sharing_correct", case, sid=earlier.pk))
    assert page.context["form"]["recipient_name"].value() == earlier.recipient_name

    refused = client.post(url("sharing_correct", case, sid=earlier.pk), sharing_post(dsl))
    assert "correction_note" in refused.context["form"].errors

    client.post(url("sharing_correct", case, sid=earlier.pk), sharing_post(dsl, correction_note="Wrong recipient"))
    assert InformationSharing.objects.get(corrects=earlier).correction_note == "Wrong recipient"
    assert client.get(url("sharing_correct", case, sid=earlier.pk)).status_code == 200  # shown, but refused:
    again = client.post(url("sharing_correct", case, sid=earlier.pk), sharing_post(dsl, correction_note="Again"))
    assert "already been corrected" in " ".join(again.context["form"].non_field_errors())
    other = case_in("referred")
    assert client.get(url("sharing_correct", other, sid=earlier.pk)).status_code == 404


def test_recording_a_meeting_through_the_page_with_actions(signed_in, dsl, deputy, case_in):
    case = case_in("referred")
    client = signed_in(dsl)
    due = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()

    response = client.post(
        url("meeting_new", case),
        meeting_post(
            dsl, action_1="Weekly attendance to the social worker", action_1_owner=deputy.pk, action_1_due_on=due
        ),
    )

    assert response.status_code == 302
    meeting = AgencyMeeting.objects.get()
    assert meeting.report_sent and meeting.staff.get().attended
    assert Action.objects.get(incident=case).owner == deputy


def test_the_meeting_page_needs_attendance_or_the_reason(signed_in, dsl, case_in):
    case = case_in("referred")
    response = signed_in(dsl).post(url("meeting_new", case), meeting_post(dsl, attended=[]))
    assert response.status_code == 200
    assert "no_attendance_reason" in response.context["form"].errors
    assert not AgencyMeeting.objects.exists()


def test_correcting_a_meeting_through_the_page(signed_in, dsl, deputy, case_in):
    case = case_in("referred")
    earlier = meet(dsl, case)
    client = signed_in(dsl)
    page = client.get(url("meeting_correct", case, mid=earlier.pk))
    assert page.context["form"]["attended"].value() == [dsl.pk]

    client.post(
        url("meeting_correct", case, mid=earlier.pk),
        meeting_post(deputy, correction_note="The deputy went, not the DSL"),
    )
    later = AgencyMeeting.objects.get(corrects=earlier)
    assert [row.user for row in later.staff.all()] == [deputy]
    html = client.get(url("case_sharing", case)).content.decode()
    assert "(corrected)" in html and "The school attended 1 of 1 inter-agency meeting." in html


def test_the_pages_are_for_the_safeguarding_team(signed_in, head, staff, dsl, case_in):
    case = case_in("referred")
    assert signed_in(head).post(url("sharing_new", case), sharing_post(dsl)).status_code == 403
    assert signed_in(staff).get(url("meeting_new", case)).status_code == 403
    assert not InformationSharing.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"agency": "other"}, "agency_other"),
        ({"recipient": "person", "recipient_name": ""}, "recipient_name"),
        ({"information": ""}, "information"),
        ({"at": (timezone.localtime() + datetime.timedelta(days=1)).strftime(WHEN)}, "at"),
    ],
)
def test_each_sharing_rule_is_shown_beside_its_field(signed_in, dsl, case_in, overrides, field):
    case = case_in("referred")
    response = signed_in(dsl).post(url("sharing_new", case), sharing_post(dsl, **overrides))
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not InformationSharing.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "other"}, "kind_other"),
        ({"outcome": ""}, "outcome"),
        ({"held_at": (timezone.localtime() + datetime.timedelta(days=1)).strftime(WHEN)}, "held_at"),
        ({"no_attendance_reason": "Clashed with a lesson"}, "no_attendance_reason"),
    ],
)
def test_each_meeting_rule_is_shown_beside_its_field(signed_in, dsl, case_in, overrides, field):
    case = case_in("referred")
    response = signed_in(dsl).post(url("meeting_new", case), meeting_post(dsl, **overrides))
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not AgencyMeeting.objects.exists()


def test_a_closed_case_shows_its_sharing_without_links_to_record_more(signed_in, dsl, case_in):
    case = case_in("closed")
    html = signed_in(dsl).get(url("case_sharing", case)).content.decode()
    assert "No information sharing has been recorded." in html and url("sharing_new", case) not in html
    assert url("case_sharing", case) not in signed_in(dsl).get(case.get_absolute_url()).content.decode()
    assert signed_in(dsl).post(url("sharing_new", case), sharing_post(dsl)).status_code == 200
    assert not InformationSharing.objects.exists()
