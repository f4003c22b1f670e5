"""Every page that lists or shows cases keeps to its query budget, and the same number as the case load grows.

Each page is asked for with a few cases in the school, and again after many more (in every state, some
restricted, some in another school): the count must be the same and within the budget. The times at 500 and
50,000 cases are measured by `bench/`, not here.
"""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents import services as case_services
from incidents.models import Incident
from incidents.restriction import case_restrict
from records import reminders
from records.report_models import Report, ReportKind, ReportState
from records.services import custody, retention, seals, transfers
from records.services import deletion as deletion_services
from records.services import sharing as sharing_services
from referrals import services as referral_services
from safeguard.audit import audited_save
from safeguard.roles import Role
from tests.factories import TEST_PASSWORD, PupilFactory, make_case, member
from tests.records.helpers import record_device, record_viewing
from tests.test_query_counts import page_queries, queries_for

PAGE_BUDGET = 12
CONCERN_BUDGET = 40
STATES = [
    "reported",
    "under_review",
    "referral_required",
    "referred",
    "awaiting_sign_off",
    "managed_in_school",
    "closed",
]


def grow(school, other_school, pupil, *, rounds):
    """More cases of every state in `school` (some with `pupil`, one restricted) and in `other_school`."""
    dsl = next(iter(school.memberships.filter(role=Role.DSL))).user
    for _ in range(rounds):
        for state in STATES:
            make_case(school=school, state=state, pupils=[pupil, PupilFactory(school=school)])
        overdue_deletion(dsl, school)
        file_transfers(school, dsl, pupil)
        hidden = make_case(school=school, state="reported", pupils=[pupil])
        case_restrict(actor=dsl, incident=hidden, members=[dsl], reason="The deputy knows the family")
        make_case(school=other_school, state="referred")
        with_records = make_case(school=school, state="referred", pupils=[pupil])
        record_viewing(with_records, viewer=dsl, present=head_of(school), head=head_of(school))
        record_device(with_records, actor=dsl)
        # Ten days on, every case above is late: the reminders grow with the cases (both steps).
        reminders.reminders_send(now=timezone.now() + datetime.timedelta(days=10))


def head_of(school):
    return next(iter(school.memberships.filter(role=Role.HEADTEACHER))).user


def overdue_deletion(dsl, school):
    """A case managed in school whose pupil's deletion deadline passed with no answer (the dashboard lists it)."""
    now = timezone.now()
    case = make_case(school=school, state="managed_in_school")
    deletion_services.deletion_request(
        actor=dsl,
        involvement=case.involvements.first(),
        asked_at=now - datetime.timedelta(days=2),
        deadline=now - datetime.timedelta(days=1),
    )


def retention_file_with_disposal(school, dsl, pupil):
    """A legal hold on `pupil`'s file, and a file disposed of (the disposals page lists it)."""
    hold = retention.legal_hold_place(actor=dsl, pupil=pupil, reason="A claim against the school")
    old = PupilFactory(school=school, date_of_birth=datetime.date(1990, 1, 1))
    make_case(school=school, state="closed", pupils=[old])
    disposal = retention.retention_decide(
        actor=dsl, pupil=old, outcome="dispose", reason="Past its review date", password=TEST_PASSWORD
    )
    return hold, disposal


def file_transfers(school, dsl, pupil):
    """Transfers of files (one overdue and unsent, one sent, one confirmed, one cancelled) and a file received, for
    `pupil` and another pupil; returns the overdue one. grow() adds more through it."""
    other = PupilFactory(school=school)
    long_ago = timezone.localdate() - datetime.timedelta(days=40)
    contact = {"other_school": "Hill Top Academy", "contact_name": "Ms Rivera", "contact_email": "dsl@hilltop.example"}
    made = [transfers.transfer_start(actor=dsl, pupil=p, leaving_on=long_ago, **contact) for p in (pupil, other) * 2]
    for transfer in made[1:]:
        report = audited_save(
            Report(
                school=school,
                kind=ReportKind.PUPIL_FILE,
                pupil=transfer.pupil,
                marking="OFFICIAL-SENSITIVE",
                requested_by=dsl,
                state=ReportState.READY,
                stored_name=uuid.uuid4().hex,
                sha256="ab" * 32,
            ),
            actor=dsl,
            reason="Rendered",
        )
        transfers.transfer_sent(
            actor=dsl, transfer=transfer, report=report, sent_at=timezone.now(), method="secure_email"
        )
    transfers.transfer_confirmed(
        actor=dsl, transfer=made[2], confirmed_at=timezone.now(), confirmed_by="Ms Rivera", method="email"
    )
    transfers.transfer_cancel(actor=dsl, transfer=made[3], reason="The family stayed")
    for p in (pupil, other):
        transfers.file_received_record(
            actor=dsl, pupil=p, received_at=timezone.now(), method="by_hand", summary="Two concerns.", **contact
        )
    return made[0]


def rich_case(school, dsl, pupil):
    """A case with something in every part of its page: a meeting, a signed-off decision, then an escalation to a
    referral with a follow-up and an escalation, parents told, an action, information sharing (an entry corrected to
    a decision not to share), an inter-agency meeting with an action of its own."""
    case = make_case(school=school, state="managed_in_school", pupils=[pupil, PupilFactory(school=school)])
    # Asked to delete while managed in school: one pupil confirmed, one refused; a take-down report followed up.
    now = timezone.now()
    for involvement, answer in zip(case.involvements.all(), ("confirm", "refuse"), strict=True):
        deletion = deletion_services.deletion_request(
            actor=dsl, involvement=involvement, asked_at=now - datetime.timedelta(hours=3), deadline=now
        )
        common = {"actor": dsl, "request": deletion, "at": now - datetime.timedelta(hours=1), "method": "in_person"}
        if answer == "confirm":
            places = {"devices": "deleted", "cloud_storage": "none_held", "social_media": "deleted"}
            deletion_services.deletion_confirm(who="pupil", checked_by=dsl, **places, **common)
        else:
            deletion_services.deletion_refuse(who="parent", who_name="Her father", notes="He said no.", **common)
    report = deletion_services.takedown_report(actor=dsl, incident=case, platform="Snapchat", route="platform")
    deletion_services.takedown_follow_up(actor=dsl, report=report, notes="Chased by email.")
    referral = referral_services.referral_make(
        actor=dsl,
        incident=case,
        agency="social_care",
        method="phone",
        information_shared="What she told us.",
        reason="New information: an adult is involved.",
    )
    referral_services.referral_follow_up(actor=dsl, referral=referral, method="phone", notes="Left a message.")
    referral_services.referral_escalate(actor=dsl, referral=referral, to_whom="Team manager", reason="No answer.")
    referral_services.parent_contact_record(
        actor=dsl,
        involvement=case.involvements.first(),
        told=True,
        told_at=timezone.now(),
        told_by=dsl,
        method="phone",
    )
    case_services.action_add(actor=dsl, incident=case, description="Talk to her form tutor", owner=dsl)
    shared = sharing_services.sharing_record(
        actor=dsl,
        incident=case,
        shared=True,
        recipient="agency",
        agency="social_care",
        information="The chronology",
        reason="For the strategy meeting",
        decided_by=dsl,
        method="email",
    )
    sharing_services.sharing_record(
        actor=dsl,
        incident=case,
        shared=False,
        recipient="person",
        recipient_name="A neighbour",
        information="What happened",
        reason="No need to know",
        decided_by=dsl,
        corrects=shared,
        correction_note="Recorded as shared by mistake",
    )
    sharing_services.agency_meeting_record(
        actor=dsl,
        incident=case,
        kind="strategy",
        held_at=timezone.now(),
        invited=[dsl],
        attended=[dsl],
        report_sent=True,
        outcome="Section 47 enquiry",
        actions=[{"description": "Send attendance weekly", "owner": dsl}],
    )
    # The records app's logs: a viewing of imagery, and a device's chain of custody.
    viewing = record_viewing(case, viewer=dsl, present=head_of(school), head=head_of(school))
    device = record_device(case, actor=dsl)
    custody.custody_step(actor=dsl, device=device, step="locked_away", at=timezone.now(), by=dsl, where="The safe")
    case.records = {"viewing": viewing, "device": device}
    return case


@pytest.fixture
def pages(school, other_school, people, signed_in):
    """(url, client signed in as whom) for every page in the budget, with a case and a pupil to show."""
    pupil = PupilFactory(school=school, first_name="Amira", last_name="Okoye")
    case = rich_case(school, people[Role.DSL], pupil)
    deletion = case.deletion_requests.first()
    takedown = case.takedown_reports.filter(follows__isnull=True).get()

    def client_for(role):
        from django.test import Client

        return signed_in(people[role], client=Client(), school=school)

    dsl, head, trust_lead, staff = (client_for(r) for r in (Role.DSL, Role.HEADTEACHER, Role.TRUST_LEAD, Role.STAFF))
    closed = make_case(school=school, state="closed", pupils=[pupil])
    seals.addendum_add(actor=people[Role.DSL], incident=closed, text="Mother phoned.", password=TEST_PASSWORD)
    seals.seal_check_run(actor=people[Role.DSL], school=school, cases=Incident.objects.all())
    hold, _ = retention_file_with_disposal(school, people[Role.DSL], pupil)
    transfer = file_transfers(school, people[Role.DSL], pupil)
    urls = {
        "case list": (dsl, "/cases/"),
        "case list searched by name": (dsl, "/cases/?q=Okoye"),
        "case list filtered": (dsl, f"/cases/?state=referred&pupil={pupil.pk}"),
        "inbox": (dsl, "/cases/inbox/"),
        "case page": (dsl, f"/cases/{case.pk}/"),
        "imagery and devices": (dsl, f"/cases/{case.pk}/imagery-and-devices/"),
        "imagery and devices, as the headteacher": (head, f"/cases/{case.pk}/imagery-and-devices/"),
        "record a viewing of imagery": (dsl, f"/cases/{case.pk}/imagery-viewings/new/"),
        "sign a viewing of imagery": (head, f"/cases/{case.pk}/imagery-viewings/{case.records['viewing'].pk}/sign/"),
        "delegations to view imagery": (head, "/imagery-viewing/delegations/"),
        "record a device": (dsl, f"/cases/{case.pk}/devices/new/"),
        "a device's next step": (dsl, f"/cases/{case.pk}/devices/{case.records['device'].pk}/next/"),
        "who can see a case": (dsl, f"/cases/{case.pk}/access/"),
        "case owner": (dsl, f"/cases/{case.pk}/owner/"),
        "pupil chronology": (dsl, f"/cases/pupils/{pupil.pk}/"),
        "DSL dashboard": (dsl, "/"),
        "headteacher's dashboard": (head, "/"),
        "trust lead's dashboard": (trust_lead, "/"),
        "staff dashboard": (staff, "/"),
        "information sharing and inter-agency meetings": (dsl, f"/cases/{case.pk}/sharing-and-meetings/"),
        "record information sharing": (dsl, f"/cases/{case.pk}/sharing/new/"),
        "record an inter-agency meeting": (dsl, f"/cases/{case.pk}/agency-meetings/new/"),
        "a sealed case's page": (dsl, f"/cases/{closed.pk}/"),
        "a signed addendum": (dsl, f"/cases/{closed.pk}/addenda/new/"),
        "sealed records check": (dsl, "/records/seals/"),
        "deletion and take-down": (dsl, f"/cases/{case.pk}/deletion-and-take-down/"),
        "deletion request": (dsl, f"/cases/{case.pk}/deletion/new/"),
        "deletion confirmed": (dsl, f"/cases/{case.pk}/deletion/{deletion.pk}/confirm/"),
        "deletion refused": (dsl, f"/cases/{case.pk}/deletion/{deletion.pk}/refuse/"),
        "take-down report": (dsl, f"/cases/{case.pk}/take-down/new/"),
        "take-down follow-up": (dsl, f"/cases/{case.pk}/take-down/{takedown.pk}/follow-up/"),
        "retention reviews": (dsl, "/records/retention/"),
        "files disposed of": (dsl, "/records/retention/disposed/"),
        "a pupil's file for retention": (dsl, f"/records/retention/pupils/{pupil.pk}/"),
        "a legal hold": (dsl, f"/records/retention/pupils/{pupil.pk}/hold/"),
        "lifting a legal hold": (dsl, f"/records/retention/pupils/{pupil.pk}/hold/{hold.pk}/lift/"),
        "a retention decision": (dsl, f"/records/retention/pupils/{pupil.pk}/decide/"),
        "the pupil page": (dsl, f"/pupils/{pupil.pk}/"),
        "file transfers": (dsl, "/records/transfers/"),
        "start a transfer": (dsl, f"/pupils/{pupil.pk}/transfers/new/"),
        "record the file sent": (dsl, f"/pupils/{pupil.pk}/transfers/{transfer.pk}/sent/"),
        "record receipt confirmed": (dsl, f"/pupils/{pupil.pk}/transfers/{transfer.pk}/confirmed/"),
        "cancel a transfer": (dsl, f"/pupils/{pupil.pk}/transfers/{transfer.pk}/cancel/"),
        "record a file received": (dsl, f"/pupils/{pupil.pk}/files-received/new/"),
        "reminders": (dsl, "/reminders/"),
        "the headteacher's reminders": (head, "/reminders/"),
        "a member of staff's reminders": (staff, "/reminders/"),
    }
    return urls, pupil


def test_every_case_page_keeps_its_budget_as_cases_grow(pages, school, other_school):
    urls, pupil = pages
    grow(school, other_school, pupil, rounds=1)
    small = {name: queries_for(client, url) for name, (client, url) in urls.items()}
    grow(school, other_school, pupil, rounds=3)
    large = {name: queries_for(client, url) for name, (client, url) in urls.items()}

    assert large == small
    over = {name: count for name, count in large.items() if count > PAGE_BUDGET}
    assert not over, f"over the budget of {PAGE_BUDGET} queries: {over}"


def test_submitting_a_concern_keeps_its_budget_as_cases_grow(school, other_school, people, signed_in):
    from tests.incidents.test_views import concern_post

    pupil = PupilFactory(school=school)
    client = signed_in(people[Role.STAFF], school=school)

    def submit():
        client.get("/concerns/new/")
        with CaptureQueriesContext(connection) as captured:
            response = client.post("/concerns/new/", concern_post(pupil))
        assert response.status_code == 302, response.content.decode()[:2000]
        return len(page_queries(captured))

    submit()  # the school's first concern of the year also starts its reference counter
    small = submit()
    grow(school, other_school, pupil, rounds=2)
    large = submit()

    assert large == small
    assert large <= CONCERN_BUDGET


def test_the_people_pages_keep_their_budget_as_the_staff_grows(school, other_school, people, signed_in):
    from referrals.services import signatory_designate
    from safeguard.models import Membership
    from tests.factories import member

    head = people[Role.HEADTEACHER]
    client = signed_in(head, school=school)
    target = Membership.objects.get(user=people[Role.STAFF], school=school)
    urls = {
        "people": "/school/people/",
        "a person's role": f"/school/people/{target.pk}/",
        "add": "/school/people/add/",
    }

    def grow_staff(count):
        for _ in range(count):
            teacher = member(Role.STAFF, school=school)
            signatory_designate(actor=head, school=school, user=teacher, reason="Signs where the head is the DSL")
            member(Role.DEPUTY_DSL, school=school)
            member(Role.STAFF, school=other_school)

    grow_staff(1)
    small = {name: queries_for(client, url) for name, url in urls.items()}
    grow_staff(10)
    large = {name: queries_for(client, url) for name, url in urls.items()}

    assert large == small
    assert all(count <= PAGE_BUDGET for count in large.values()), large


def test_a_cases_documents_keep_their_budget_as_they_grow(school, other_school, people, signed_in, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from records.services.attachments import attachment_add, attachment_withdraw
    from tests.records.test_attachments import docx
    from tests.test_uploads import pillow

    settings.SAFEGUARD_ATTACHMENTS_ROOT = tmp_path
    dsl = people[Role.DSL]
    case = rich_case(school, dsl, PupilFactory(school=school))
    client = signed_in(dsl, school=school)

    def attach_more(count):
        for number in range(count):
            # Every other one has pictures (with the confirmation) and is then withdrawn: each line of the panel.
            pictures = number % 2 == 1
            data = docx({"word/media/image1.png": pillow("PNG")}) if pictures else b"Minutes."
            attachment = attachment_add(
                actor=dsl,
                incident=case,
                upload=SimpleUploadedFile("letter.docx" if pictures else "minutes.txt", data),
                description=f"Document {number}",
                confirm_no_child_images=pictures,
            )
            if pictures:
                attachment_withdraw(actor=dsl, attachment=attachment, reason="The wrong letter")
        return attachment

    first = attach_more(2)
    urls = {
        "case page": f"/cases/{case.pk}/",
        "the case's documents": f"/cases/{case.pk}/documents/",
        "attach a document": f"/cases/{case.pk}/documents/new/",
        "withdraw a document": f"/cases/{case.pk}/documents/{first.pk}/withdraw/",
        "download a document": f"/cases/{case.pk}/documents/{first.pk}/",
    }
    small = {name: queries_for(client, url) for name, url in urls.items()}
    attach_more(8)
    large = {name: queries_for(client, url) for name, url in urls.items()}

    assert large == small
    assert all(count <= PAGE_BUDGET for count in large.values()), large


def test_the_report_pages_keep_their_budget_as_reports_grow(
    school, other_school, people, signed_in, settings, tmp_path
):
    from records.report_models import ReportKind
    from records.services import reports
    from tests.records.helpers import ready_report

    settings.SAFEGUARD_REPORTS_ROOT = tmp_path
    dsl = people[Role.DSL]
    pupil = PupilFactory(school=school)
    case = make_case(school=school, state="referred", pupils=[pupil])
    client = signed_in(dsl, school=school)
    period = {"period_start": datetime.date(2026, 9, 1), "period_end": datetime.date(2026, 10, 23)}

    def ask_more(count):
        for _ in range(count):
            ready_report(actor=dsl, incident=make_case(school=school, state="reported"))
            reports.report_request(actor=dsl, school=school, kind=ReportKind.PUPIL_FILE, pupil=pupil)
            reports.report_request(actor=people[Role.TRUST_LEAD], school=school, kind=ReportKind.SCHOOL, **period)
            ready_report(actor=next(iter(other_school.memberships.all())).user, incident=make_case(school=other_school))

    member(Role.DSL, school=other_school)
    report = ready_report(actor=dsl, incident=case)
    ask_more(2)
    urls = {
        "reports": "/reports/",
        "ask for a school report": "/reports/school/new/",
        "a report": f"/reports/{report.pk}/",
        "its status": f"/reports/{report.pk}/status/",
        "its download": f"/reports/{report.pk}/download/",
        "the pupil's page": f"/pupils/{pupil.pk}/",
    }
    small = {name: queries_for(client, url) for name, url in urls.items()}
    ask_more(20)
    large = {name: queries_for(client, url) for name, url in urls.items()}

    assert large == small
    assert all(count <= PAGE_BUDGET for count in large.values()), large


def test_inspector_access_pages_keep_their_budget_as_grants_and_views_grow(school, other_school, people, signed_in):
    from django.test import Client

    from records.inspection_models import InspectionGrant
    from records.services.inspection import inspection_grant
    from tests.records.test_inspection import ready_report

    dsl_user = people[Role.DSL]
    pupil = PupilFactory(school=school)
    case = rich_case(school, dsl_user, pupil)
    email = "inspector@ofsted.example"

    def give(cases, to=email):
        return inspection_grant(
            actor=dsl_user,
            school=school,
            email=to,
            first_name="Ines",
            last_name="Pector",
            cases=cases,
            reports=[ready_report(school, dsl_user, incident=cases[0])],
            reason="Ofsted inspection",
            link_base="https://safeguard.example",
            password=TEST_PASSWORD,
        )

    grant = give([case])
    inspector = signed_in(grant.inspector, client=Client(), school=school)
    dsl = signed_in(dsl_user, client=Client(), school=school)
    urls = {
        "inspector's dashboard": (inspector, "/"),
        "a granted case, as the inspector": (inspector, f"/cases/{case.pk}/"),
        "a granted case's documents, as the inspector": (inspector, f"/cases/{case.pk}/documents/"),
        "inspector access": (dsl, "/records/inspection/"),
        "one grant and what the inspector opened": (dsl, f"/records/inspection/{grant.pk}/"),
        "give an inspector access": (dsl, "/records/inspection/new/"),
        "end an inspector's access": (dsl, f"/records/inspection/{grant.pk}/revoke/"),
    }

    def grow_grants(rounds):
        for number in range(rounds):
            more = [make_case(school=school, state="referred", pupils=[pupil]) for _ in range(2)]
            give(more)  # the same inspector: a second grant in force, with its own cases and report
            give(more[:1], to=f"auditor{InspectionGrant.objects.count()}-{number}@trust.example")
            for page in (f"/cases/{more[0].pk}/", f"/cases/{case.pk}/", "/"):
                assert inspector.get(page).status_code == 200  # more lines in the access log
        grow(school, other_school, pupil, rounds=1)

    grow_grants(1)
    small = {name: queries_for(client, url) for name, (client, url) in urls.items()}
    grow_grants(3)
    large = {name: queries_for(client, url) for name, (client, url) in urls.items()}

    assert large == small
    over = {name: count for name, count in large.items() if count > PAGE_BUDGET}
    assert not over, f"over the budget of {PAGE_BUDGET} queries: {over}"
