"""Every URL, every visitor: who may open what (domain.md, 'People and what each may do')."""

from datetime import timedelta

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import include, path
from django.utils import timezone

from incidents import services
from records import reminders
from records.services import deletion as deletion_services
from records.services import retention as retention_services
from records.services import transfers as transfer_services
from records.services.attachments import attachment_add
from records.services.inspection import inspection_grant
from records.services.sharing import agency_meeting_record, sharing_record
from safeguard.models import AccessLog
from safeguard.roles import Role
from tests.access_matrix import (
    ANON,
    DEPUTY,
    DSL,
    GRANTED_INSPECTOR,
    HEAD,
    INSPECTOR,
    LOGIN,
    OTHER_SCHOOL,
    STAFF,
    TRUST_LEAD,
    VISITORS,
    header_problems,
    unlogged_cases,
    walk,
)
from tests.factories import TEST_PASSWORD, PupilFactory, make_case, member
from tests.records.helpers import ready_report, record_device, record_viewing


def row(default, **overrides):
    # An inspector with a grant opens what an inspector opens, unless a row says otherwise (the granted case).
    overrides.setdefault(GRANTED_INSPECTOR, overrides.get(INSPECTOR, default))
    return {visitor: overrides.get(visitor, default) for visitor in VISITORS}


def signed_in_only(status=200, **overrides):
    """Anyone signed in gets `status`; anonymous visitors are sent to sign in."""
    return row(status, **{ANON: LOGIN, **overrides})


PUBLIC = row(200)
# The pupil register: the DSL team, the head and the trust lead; staff and inspectors are not on its need-to-know.
REGISTER = signed_in_only(200, **{STAFF: 403, INSPECTOR: 403})
# A pupil of the first school: another school's DSL gets 404, exactly as if it did not exist.
ONE_PUPIL = signed_in_only(200, **{STAFF: 403, INSPECTOR: 403, OTHER_SCHOOL: 404})
DSL_TEAM_ONLY = signed_in_only(403, **{DSL: 200, DEPUTY: 200, OTHER_SCHOOL: 200})
TRAIL = signed_in_only(403, **{DSL: 200, DEPUTY: 200, OTHER_SCHOOL: 404})
POST_ONLY = signed_in_only(405)
PEOPLE = signed_in_only(403, **{HEAD: 200, TRUST_LEAD: 200})
CALENDAR = signed_in_only(403, **{DSL: 200, DEPUTY: 200, HEAD: 200, OTHER_SCHOOL: 200})
# Logging concerns: every member of staff and the school's leaders; inspectors and trust leads log nothing here.
LOG_CONCERN = signed_in_only(200, **{INSPECTOR: 403, TRUST_LEAD: 403})
# The staff member's own report or draft: theirs alone, a 404 for everyone else who may log concerns.
OWN_REPORT = signed_in_only(404, **{STAFF: 200, INSPECTOR: 403, TRUST_LEAD: 403})
# The school's cases: the safeguarding team and overseers (domain.md); another school's DSL sees only their own.
CASE_LISTS = signed_in_only(200, **{STAFF: 403, INSPECTOR: 403})
# One case's pages, to read: an inspector opens only a case granted to them (the walk's case is; others are 404).
ONE_CASE = signed_in_only(200, **{STAFF: 403, INSPECTOR: 404, GRANTED_INSPECTOR: 200, OTHER_SCHOOL: 404})
NOT_GRANTED_CASE = signed_in_only(200, **{STAFF: 403, INSPECTOR: 404, OTHER_SCHOOL: 404})
# A pupil's chronology: the team and overseers; never an inspector, whose access is to cases, not pupils.
PUPIL_CHRONOLOGY = signed_in_only(200, **{STAFF: 403, INSPECTOR: 403, OTHER_SCHOOL: 404})
# Inspector access: the team and the head see it; the DSL or the head gives and ends it.
INSPECTION = signed_in_only(403, **{DSL: 200, DEPUTY: 200, HEAD: 200, OTHER_SCHOOL: 200})
INSPECTION_GRANT = signed_in_only(403, **{DSL: 200, HEAD: 200, OTHER_SCHOOL: 200})
# Working a case: the DSL and deputies of its school only.
CASE_WORK = signed_in_only(403, **{DSL: 200, DEPUTY: 200, OTHER_SCHOOL: 404})
REPORTS = signed_in_only(403, **{DSL: 200, DEPUTY: 200, HEAD: 200, TRUST_LEAD: 200, OTHER_SCHOOL: 200})
ONE_REPORT = signed_in_only(404, **{DSL: 200, DEPUTY: 200, HEAD: 200})

EXPECTED = {
    "dashboard": signed_in_only(),
    "school_switch": signed_in_only(405),
    "pupil_list": REGISTER,
    "pupil_import": DSL_TEAM_ONLY,
    "pupil_detail": ONE_PUPIL,
    "record_trail": TRAIL,
    # The school calendar: kept by the safeguarding team and the head; another school's DSL opens their own.
    "school_calendar": CALENDAR,
    "school_nation": CALENDAR,
    "term_add": CALENDAR,
    "inset_day_add": CALENDAR,
    "term_withdraw": POST_ONLY,
    "inset_day_withdraw": POST_ONLY,
    # The school's people: the head, and the trust lead for the trust's schools; no one else.
    "people": PEOPLE,
    "person_add": PEOPLE,
    "membership_detail": PEOPLE,
    "membership_role": POST_ONLY,
    "membership_last_day": POST_ONLY,
    "membership_end": POST_ONLY,
    "membership_also_dsl": POST_ONLY,
    "membership_invite_again": POST_ONLY,
    "login": PUBLIC,
    "logout": signed_in_only(405),  # sign-out is a POST
    "two_factor": signed_in_only(302),  # already past the second factor: sent on to the dashboard
    "two_factor_start": signed_in_only(405),  # enrolment begins with a POST (the password again)
    "two_factor_link": signed_in_only(302),  # already past the second factor: sent on to the dashboard
    "two_factor_qr": signed_in_only(404),  # no enrolment in progress for a verified person
    "password_change": signed_in_only(),
    "password_change_done": signed_in_only(),
    "password_reset": PUBLIC,
    "password_reset_done": PUBLIC,
    "password_reset_confirm": PUBLIC,  # a bad token shows "this link no longer works"
    "password_reset_complete": PUBLIC,
    "health": PUBLIC,
    "incidents:own_report_list": LOG_CONCERN,
    "incidents:concern_new": LOG_CONCERN,
    # The pickers' live searches: gated like the page each serves; another school's DSL finds only their own pupils.
    "incidents:concern_pupil_search": LOG_CONCERN,
    "incidents:own_report": OWN_REPORT,
    "incidents:concern_edit": OWN_REPORT,
    "incidents:concern_person_remove": POST_ONLY,
    "incidents:case_list": CASE_LISTS,
    "incidents:inbox": CASE_LISTS,
    "incidents:case_pupil_search": CASE_LISTS,
    "incidents:case_detail": ONE_CASE,
    "incidents:pupil_chronology": PUPIL_CHRONOLOGY,
    "incidents:review_meeting": CASE_WORK,
    "incidents:owner_set": CASE_WORK,
    "incidents:person_add": CASE_WORK,
    "incidents:person_remove": CASE_WORK,
    "incidents:action_add": CASE_WORK,
    "incidents:action_resolve": CASE_WORK,
    "incidents:classify": CASE_WORK,
    "incidents:note_add": CASE_WORK,
    "incidents:case_close": CASE_WORK,
    "incidents:case_reopen": CASE_WORK,
    "records:addendum_add": CASE_WORK,
    "records:seal_check": DSL_TEAM_ONLY,
    "incidents:case_restriction": CASE_WORK,
    "referrals:decision": CASE_WORK,
    # The headteacher signs; staff and inspectors cannot see the case at all, so for them it does not exist.
    "referrals:sign_off": signed_in_only(403, **{HEAD: 200, STAFF: 404, INSPECTOR: 404, OTHER_SCHOOL: 404}),
    "referrals:referral_new": CASE_WORK,
    "referrals:follow_up": CASE_WORK,
    "referrals:escalate": CASE_WORK,
    "referrals:outcome": CASE_WORK,
    "referrals:parent_contact": CASE_WORK,
    "referrals:signatories": signed_in_only(403, **{HEAD: 200}),
    "referrals:signatory_end": POST_ONLY,
    # A case's documents: the team attaches and withdraws; whoever may open the case downloads.
    "records:attachment_list": ONE_CASE,
    "records:attachment_add": CASE_WORK,
    "records:attachment_download": ONE_CASE,
    "records:attachment_withdraw": CASE_WORK,
    "records:case_sharing": ONE_CASE,
    "records:sharing_new": CASE_WORK,
    "records:sharing_correct": CASE_WORK,
    "records:meeting_new": CASE_WORK,
    "records:meeting_correct": CASE_WORK,
    # The imagery-viewing log: the team records; the viewer (here the DSL) and the headteacher sign, and for
    # anyone else who can see the case the signature page says why they cannot (403).
    "records:imagery_and_devices": ONE_CASE,
    "records:viewing_new": CASE_WORK,
    "records:viewing_sign": signed_in_only(403, **{DSL: 200, HEAD: 200, OTHER_SCHOOL: 404}),
    "records:viewing_delegations": signed_in_only(403, **{HEAD: 200}),
    "records:viewing_delegation_end": POST_ONLY,
    # Device custody: the team's work.
    "records:device_new": CASE_WORK,
    "records:custody_step": CASE_WORK,
    # Deletion requests and take-down reports: whoever may see the case reads them; the DSL and deputies work them.
    "records:deletion_section": NOT_GRANTED_CASE,
    "records:deletion_request_new": CASE_WORK,
    "records:deletion_confirm": CASE_WORK,
    "records:deletion_refuse": CASE_WORK,
    "records:takedown_new": CASE_WORK,
    "records:takedown_follow_up": CASE_WORK,
    # Retention: the school's DSL team reviews its pupils' files (the DSL alone decides, which the service checks).
    "records:retention_queue": DSL_TEAM_ONLY,
    "records:retention_disposals": DSL_TEAM_ONLY,
    "records:retention_file": CASE_WORK,
    "records:legal_hold_new": CASE_WORK,
    "records:legal_hold_lift": CASE_WORK,
    "records:retention_decide": CASE_WORK,
    # PDF reports: the Reports page and the school report for the DSL team, the head and the trust lead; a case
    # record only for those who may see the case and copy a child's file (not the trust lead: a 404, as for staff).
    "records:report_list": REPORTS,
    "records:report_school_new": REPORTS,
    "records:report_case_new": POST_ONLY,
    "records:report_pupil_new": POST_ONLY,
    "records:report_detail": ONE_REPORT,
    "records:report_status": ONE_REPORT,
    "records:report_download": ONE_REPORT,
    "records:report_retry": POST_ONLY,
    # Transfers of child protection files: the school's DSL team; another school's DSL finds no such pupil.
    "records:transfer_list": DSL_TEAM_ONLY,
    "records:transfer_new": CASE_WORK,
    "records:transfer_sent": CASE_WORK,
    "records:transfer_confirmed": CASE_WORK,
    "records:transfer_cancel": CASE_WORK,
    "records:file_received_new": CASE_WORK,
    "records:inspection_list": INSPECTION,
    "records:inspection_new": INSPECTION_GRANT,
    "records:inspection_detail": {**INSPECTION, OTHER_SCHOOL: 404},
    "records:inspection_revoke": {**INSPECTION_GRANT, OTHER_SCHOOL: 404},
    # A person's own reminders: everyone who may be reminded (a named signatory may hold only the staff role).
    "records:reminder_list": signed_in_only(200, **{INSPECTOR: 403, TRUST_LEAD: 403}),
}


@pytest.fixture
def world(school, other_school, trust, people, signed_in, settings, tmp_path):
    pupil = PupilFactory(school=school, first_name="Zephyrine", upn="Z99999999999A")
    users = {
        STAFF: people[Role.STAFF],
        DSL: people[Role.DSL],
        DEPUTY: people[Role.DEPUTY_DSL],
        HEAD: people[Role.HEADTEACHER],
        INSPECTOR: people[Role.INSPECTOR],
        TRUST_LEAD: people[Role.TRUST_LEAD],
        OTHER_SCHOOL: member(Role.DSL, school=other_school),
    }
    clients = {ANON: Client()}
    for visitor, user in users.items():
        clients[visitor] = Client()
        signed_in(user, client=clients[visitor], school=school)
    case = make_case(school=school, state="under_review", pupils=[pupil])
    # The inspector with a grant reads this case alone.
    grant = inspection_grant(
        actor=users[DSL],
        school=school,
        email="inspector@ofsted.example",
        first_name="Ines",
        last_name="Pector",
        cases=[case],
        reason="Ofsted inspection",
        link_base="https://safeguard.example",
        password=TEST_PASSWORD,
    )
    clients[GRANTED_INSPECTOR] = signed_in(grant.inspector, client=Client(), school=school)
    report = make_case(school=school, state="reported")
    draft = make_case(school=school, state="draft")
    action = services.action_add(actor=users[DSL], incident=case, description="Speak to the form tutor")
    person = case.involvements.get()
    awaiting = make_case(school=school, state="awaiting_sign_off")
    referred = make_case(school=school, state="referred")
    referral = {"pk": referred.pk, "rid": referred.referrals.get().pk}
    on_case = {"pk": case.pk}
    document = attachment_add(
        actor=users[DSL],
        incident=case,
        upload=SimpleUploadedFile("minutes.txt", b"Minutes of the meeting.", content_type="text/plain"),
        description="Minutes",
    )
    on_document = {"pk": case.pk, "attachment_pk": document.pk}
    viewing = record_viewing(case, viewer=users[DSL], present=users[DEPUTY], head=users[HEAD])
    device = record_device(case, actor=users[DSL])
    staff_role = users[STAFF].memberships.get(school=school)
    shared = sharing_record(
        actor=users[DSL],
        incident=case,
        shared=True,
        recipient="school",
        recipient_name="Riverside Academy",
        information="The chronology",
        reason="She is moving school",
        decided_by=users[DSL],
        method="email",
    )
    agency_meeting = agency_meeting_record(
        actor=users[DSL],
        incident=case,
        kind="strategy",
        held_at=timezone.now(),
        invited=[users[DSL]],
        attended=[users[DSL]],
        report_sent=True,
        outcome="Section 47 enquiry",
    )
    managed = make_case(school=school, state="managed_in_school")
    deletion = deletion_services.deletion_request(
        actor=users[DSL], involvement=managed.involvements.get(), deadline=timezone.now() + timedelta(days=1)
    )
    takedown = deletion_services.takedown_report(
        actor=users[DSL], incident=managed, platform="Snapchat", route="platform"
    )
    hold = retention_services.legal_hold_place(actor=users[DSL], pupil=pupil, reason="A claim against the school")
    settings.SAFEGUARD_REPORTS_ROOT = tmp_path / "reports"
    case_record = ready_report(actor=users[DSL], incident=case)
    transfer = transfer_services.transfer_start(
        actor=users[DSL],
        pupil=pupil,
        other_school="Hill Top Academy",
        contact_name="Ms Rivera",
        contact_email="dsl@hilltop.example",
        leaving_on=timezone.localdate(),
    )
    on_transfer = {"pk": pupil.pk, "tid": transfer.pk}
    # Ten days on, everything above is late: each person's Reminders page lists cases.
    reminders.reminders_send(now=timezone.now() + timedelta(days=10))
    return {
        "clients": clients,
        "url_kwargs": {
            "pupil_detail": {"pk": pupil.pk},
            "record_trail": {"kind": "pupil", "pk": pupil.pk},
            "password_reset_confirm": {"uidb64": "MQ", "token": "not-a-token"},
            "two_factor_link": {"token": "not-a-token"},
            "incidents:own_report": {"pk": report.pk},
            "incidents:concern_edit": {"pk": draft.pk},
            "incidents:concern_person_remove": {"pk": draft.pk, "person_pk": draft.involvements.get().pk},
            "incidents:case_detail": on_case,
            "incidents:pupil_chronology": {"pk": pupil.pk},
            "incidents:review_meeting": on_case,
            "incidents:owner_set": on_case,
            "incidents:person_add": on_case,
            "incidents:person_remove": {"pk": case.pk, "person_pk": person.pk},
            "incidents:action_add": on_case,
            "incidents:action_resolve": {"pk": case.pk, "action_pk": action.pk},
            "incidents:classify": on_case,
            "incidents:note_add": on_case,
            "incidents:case_close": on_case,
            "incidents:case_reopen": on_case,
            "records:addendum_add": on_case,
            "incidents:case_restriction": on_case,
            "referrals:decision": on_case,
            "referrals:sign_off": {"pk": awaiting.pk},
            "referrals:referral_new": on_case,
            "referrals:follow_up": referral,
            "referrals:escalate": referral,
            "referrals:outcome": referral,
            "referrals:parent_contact": on_case,
            "referrals:signatory_end": {"sid": 1},
            "records:attachment_list": on_case,
            "records:attachment_add": on_case,
            "records:attachment_download": on_document,
            "records:attachment_withdraw": on_document,
            "records:case_sharing": on_case,
            "records:sharing_new": on_case,
            "records:sharing_correct": {"pk": case.pk, "sid": shared.pk},
            "records:meeting_new": on_case,
            "records:meeting_correct": {"pk": case.pk, "mid": agency_meeting.pk},
            "records:imagery_and_devices": on_case,
            "records:viewing_new": on_case,
            "records:viewing_sign": {"pk": case.pk, "vid": viewing.pk},
            "records:viewing_delegation_end": {"did": 1},
            "records:device_new": on_case,
            "records:custody_step": {"pk": case.pk, "did": device.pk},
            "records:deletion_section": {"pk": managed.pk},
            "records:deletion_request_new": {"pk": managed.pk},
            "records:deletion_confirm": {"pk": managed.pk, "rid": deletion.pk},
            "records:deletion_refuse": {"pk": managed.pk, "rid": deletion.pk},
            "records:takedown_new": {"pk": managed.pk},
            "records:takedown_follow_up": {"pk": managed.pk, "tid": takedown.pk},
            "records:retention_file": {"pk": pupil.pk},
            "records:legal_hold_new": {"pk": pupil.pk},
            "records:legal_hold_lift": {"pk": pupil.pk, "hid": hold.pk},
            "records:retention_decide": {"pk": pupil.pk},
            "records:report_case_new": on_case,
            "records:report_pupil_new": {"pk": pupil.pk},
            "records:report_detail": {"pk": case_record.pk},
            "records:report_status": {"pk": case_record.pk},
            "records:report_download": {"pk": case_record.pk},
            "records:report_retry": {"pk": case_record.pk},
            "records:transfer_new": {"pk": pupil.pk},
            "records:transfer_sent": on_transfer,
            "records:transfer_confirmed": on_transfer,
            "records:transfer_cancel": on_transfer,
            "records:file_received_new": {"pk": pupil.pk},
            "records:inspection_detail": {"gid": grant.pk},
            "records:inspection_revoke": {"gid": grant.pk},
            "membership_detail": {"pk": staff_role.pk},
            "membership_role": {"pk": staff_role.pk},
            "membership_last_day": {"pk": staff_role.pk},
            "membership_end": {"pk": staff_role.pk},
            "membership_also_dsl": {"pk": staff_role.pk},
            "membership_invite_again": {"pk": staff_role.pk},
            "term_withdraw": {"pk": 1},
            "inset_day_withdraw": {"pk": 1},
        },
        "forbidden_text": [
            school.name,
            pupil.first_name,
            pupil.upn,
            case.reference,
            report.reference,
            referred.reference,
        ],
    }


def test_every_url_answers_each_visitor_as_the_policy_says(world):
    problems = walk(expected=EXPECTED, **world)
    assert problems == []


# A URLconf with one view that someone forgot to protect: the walk must catch it.
@login_not_required
def leaky_view(request):
    return HttpResponse("every pupil's name")


urlpatterns = [path("", include("safeguard.urls")), path("leak/", leaky_view, name="leak")]


@override_settings(ROOT_URLCONF=__name__)
def test_the_walk_catches_a_view_added_without_protection(world):
    unlisted = walk(expected=EXPECTED, urlconf=__name__, **world)
    assert unlisted == ["leak: not in the access table; decide who may open it"]

    # Even listed as protected, the walk sees that the view answers strangers.
    claimed = {**EXPECTED, "leak": signed_in_only(403, **{DSL: 200})}
    caught = walk(expected=claimed, urlconf=__name__, **world)
    assert "leak as anonymous: expected a redirect to sign in, got 200" in caught
    assert "leak as staff: expected 403, got 200" in caught
    assert "leak as other_school_dsl: expected 403, got 200" in caught


def test_the_walk_catches_a_page_that_may_be_stored_or_use_the_camera():
    bare = HttpResponse("case data")
    assert header_problems("page", bare, signed_in=True) == [
        "page: no Permissions-Policy denying the camera, microphone and location",
        "page: may be stored (no Cache-Control: no-store)",
    ]
    assert header_problems("page", bare, signed_in=False) == [
        "page: no Permissions-Policy denying the camera, microphone and location"
    ]


def test_admin_is_closed_to_everyone_but_staff_accounts(world):
    for visitor in VISITORS:
        response = world["clients"][visitor].get("/admin/")
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), visitor


def test_every_page_that_shows_a_case_logs_that_it_did(world):
    """Every case a page shows, opened or as a line in a list, is in the access log for that page and person."""
    problems = walk(expected=EXPECTED, checks=[unlogged_cases], **world)
    assert problems == []


def test_the_log_check_catches_a_page_that_shows_a_case_without_logging_it(world, school, people):
    client = world["clients"][DSL]
    case = make_case(school=school, state="under_review")
    response = client.get("/cases/")
    assert unlogged_cases("list", response) == []
    listed_rows = AccessLog.objects.filter(object_id=str(case.pk), page="/cases/")
    assert listed_rows.get().action == AccessLog.Action.LIST
    # The same answer, checked as though another page had shown it: nothing from that page is logged.
    response.wsgi_request.path = "/elsewhere/"
    assert f"list: shows case {case.pk} but its access log has no entry from this page" in unlogged_cases(
        "list", response
    )
