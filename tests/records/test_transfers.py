"""The child protection file follows the pupil (issue 10 §2): the clock in school days, the services' refusals, the
history, the reminder rule, files received in the pupil's chronology, and the pages."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents.errors import RuleBroken
from incidents.services import note_add
from records import transfer_selectors as selectors
from records.report_models import Report, ReportKind, ReportState
from records.services import transfers as services
from records.transfer_models import FileTransfer, TransferEvent
from records.transfer_reminders import transfers_unconfirmed
from safeguard import services as school_services
from safeguard.audit import audited_save
from safeguard.roles import Role
from tests.conftest import postgres_only
from tests.factories import PupilFactory, make_case, member
from tests.test_school_calendar import SPRING_INSET, TERMS_2025_26

pytestmark = pytest.mark.django_db

D = datetime.date
CONTACT = {"other_school": "Hill Top Academy", "contact_name": "Ms Rivera", "contact_email": "dsl@hilltop.example"}


def at(year, month, day, hour=10):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


@pytest.fixture
def school_year(school, dsl):
    for name, first, last in TERMS_2025_26:
        school_services.term_add(actor=dsl, school=school, name=name, starts_on=first, ends_on=last)
    school_services.inset_day_add(actor=dsl, school=school, day=SPRING_INSET, description="Safeguarding training")
    return school


def pupil_file(pupil, by, state=ReportState.READY):
    """A rendered pupil-file report, standing for what the reports pipeline makes."""
    ready = state == ReportState.READY
    report = Report(
        school=pupil.school,
        kind=ReportKind.PUPIL_FILE,
        pupil=pupil,
        marking="OFFICIAL-SENSITIVE",
        requested_by=by,
        state=state,
        stored_name=uuid.uuid4().hex if ready else None,
        sha256="ab" * 32 if ready else "",
        pages=4 if ready else None,
        finished_at=timezone.now() if ready else None,
    )
    return audited_save(report, actor=by, reason="Rendered")


def start(dsl, pupil, leaving_on=None, **kwargs):
    return services.transfer_start(
        actor=dsl, pupil=pupil, leaving_on=leaving_on or timezone.localdate(), **{**CONTACT, **kwargs}
    )


def send(dsl, transfer, report=None, sent_at=None):
    return services.transfer_sent(
        actor=dsl,
        transfer=transfer,
        report=report or pupil_file(transfer.pupil, dsl),
        sent_at=sent_at or timezone.now(),
        method="transfer_service",
        reference="S2S-1234",
    )


def confirm(dsl, transfer, confirmed_at=None):
    return services.transfer_confirmed(
        actor=dsl,
        transfer=transfer,
        confirmed_at=confirmed_at or timezone.now(),
        confirmed_by="Ms Rivera",
        method="email",
    )


# --- The clock: 5 school days from the leaving date, in the school's calendar ----------------------------------


def test_the_clock_skips_a_weekend(school_year):
    clock = selectors.transfer_clock(school_year, D(2026, 3, 5))  # a Thursday
    assert clock == selectors.Clock(D(2026, 3, 12), in_school_days=True)  # Fri, Mon, Tue, Wed, Thu


def test_the_clock_skips_a_half_term(school_year):
    # Leaving on the Wednesday before the February half term: Thu 12, Fri 13, then Mon 23, Tue 24, Wed 25.
    assert selectors.transfer_clock(school_year, D(2026, 2, 11)).due_on == D(2026, 2, 25)


def test_a_pupil_leaving_at_the_end_of_term_is_due_in_the_first_days_of_the_next_skipping_an_inset_day(school_year):
    # The last day of the autumn term; the spring term opens with an INSET day (5 January), not a school day.
    assert selectors.transfer_clock(school_year, D(2025, 12, 19)).due_on == D(2026, 1, 12)


def test_without_term_dates_the_clock_counts_working_days_and_says_so(school_year):
    # The summer term ends on 22 July and no autumn term is entered: working days, which falls due sooner.
    clock = selectors.transfer_clock(school_year, D(2026, 7, 20))
    assert clock == selectors.Clock(D(2026, 7, 27), in_school_days=False)


# --- The services' rules ---------------------------------------------------------------------------------------


def test_a_transfer_goes_from_started_to_sent_to_confirmed_each_step_attributed(school, dsl, deputy, pupil):
    transfer = start(dsl, pupil, reason="The family is moving to Leeds")
    report = pupil_file(pupil, dsl)
    sent = send(deputy, transfer, report)
    confirmed = confirm(dsl, transfer)

    assert sent.report_sha256 == report.sha256 and sent.reference == "S2S-1234"
    assert transfer.history.get().history_user == dsl
    assert sent.history.get().history_user == deputy
    assert confirmed.history.get().history_user == dsl
    state = selectors.transfers_for_user(dsl, school).get(pk=transfer.pk)
    assert state.sent_at == sent.at and state.confirmed_at == confirmed.at and state.cancelled_at is None
    assert not selectors.open_transfers().filter(pk=transfer.pk).exists()


def test_only_the_pupils_schools_safeguarding_team_transfers(school, other_school, staff, head, pupil):
    for person in (staff, head, member(Role.DSL, school=other_school)):
        with pytest.raises(PermissionDenied):
            start(person, pupil)
        with pytest.raises(PermissionDenied):
            services.file_received_record(
                actor=person, pupil=pupil, received_at=timezone.now(), method="by_hand", summary="x", **CONTACT
            )
    assert not FileTransfer.objects.exists()


def test_the_steps_are_refused_to_another_school_and_to_staff(school, other_school, dsl, staff, pupil):
    transfer = start(dsl, pupil)
    for person in (staff, member(Role.DSL, school=other_school)):
        with pytest.raises(PermissionDenied):
            send(person, transfer, pupil_file(pupil, dsl))
        with pytest.raises(PermissionDenied):
            services.transfer_cancel(actor=person, transfer=transfer, reason="No")
    assert not TransferEvent.objects.exists()


def test_only_a_ready_pupil_file_of_that_pupil_is_sent(school, dsl, pupil):
    transfer = start(dsl, pupil)
    for report in (
        pupil_file(pupil, dsl, state=ReportState.RENDERING),
        pupil_file(PupilFactory(school=school), dsl),
    ):
        with pytest.raises(RuleBroken):
            send(dsl, transfer, report)
    assert not TransferEvent.objects.exists()


def test_receipt_is_confirmed_only_after_the_file_is_sent_and_not_before_it(dsl, pupil):
    transfer = start(dsl, pupil)
    with pytest.raises(RuleBroken, match="sent before"):
        confirm(dsl, transfer)
    sent = send(dsl, transfer, sent_at=timezone.now() - datetime.timedelta(hours=2))
    with pytest.raises(ValidationError):
        confirm(dsl, transfer, confirmed_at=sent.at - datetime.timedelta(hours=1))
    confirm(dsl, transfer)
    with pytest.raises(RuleBroken):
        confirm(dsl, transfer)
    with pytest.raises(RuleBroken, match="complete"):
        services.transfer_cancel(actor=dsl, transfer=transfer, reason="Changed our minds")


def test_nothing_is_recorded_after_a_cancellation(dsl, pupil):
    transfer = start(dsl, pupil)
    with pytest.raises(RuleBroken):
        services.transfer_cancel(actor=dsl, transfer=transfer, reason="  ")
    services.transfer_cancel(actor=dsl, transfer=transfer, reason="The family decided to stay")
    for step in (
        lambda: send(dsl, transfer),
        lambda: confirm(dsl, transfer),
        lambda: services.transfer_cancel(actor=dsl, transfer=transfer, reason="Again"),
    ):
        with pytest.raises(RuleBroken, match="cancelled"):
            step()
    assert TransferEvent.objects.get().reason == "The family decided to stay"


def test_a_contact_needs_a_way_to_reach_them(dsl, pupil):
    with pytest.raises(RuleBroken):
        start(dsl, pupil, contact_email="")
    assert start(dsl, pupil, contact_email="", contact_phone="0113 496 0000").contact_phone


@postgres_only()
def test_postgresql_refuses_to_rewrite_a_transfer_or_its_events(dsl, pupil):
    from django.db import DatabaseError, transaction

    transfer = start(dsl, pupil)
    send(dsl, transfer)
    for table in ("records_filetransfer", "records_transferevent", "records_historicaltransferevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608  (a fixed table name)


# --- The reminder rule -----------------------------------------------------------------------------------------


def test_the_rule_yields_only_unconfirmed_transfers_past_their_clock_once_each(
    school_year, dsl, deputy, pupil
):
    now = at(2026, 3, 20)  # a Friday in the spring term
    late = start(dsl, pupil, leaving_on=D(2026, 3, 5))  # due 12 March
    late_but_sent = start(deputy, pupil, leaving_on=D(2026, 3, 5))
    send(deputy, late_but_sent)
    confirmed = start(dsl, pupil, leaving_on=D(2026, 3, 5))
    send(dsl, confirmed)
    confirm(dsl, confirmed)
    cancelled = start(dsl, pupil, leaving_on=D(2026, 3, 5))
    services.transfer_cancel(actor=dsl, transfer=cancelled, reason="Staying")
    start(dsl, pupil, leaving_on=D(2026, 3, 16))  # due 23 March: not yet

    due = list(transfers_unconfirmed(now))

    assert [d.event for d in due] == [f"transfer:{late.pk}:unconfirmed", f"transfer:{late_but_sent.pk}:unconfirmed"]
    assert [d.owner_id for d in due] == [dsl.pk, deputy.pk]
    first = due[0]
    assert first.due_at == at(2026, 3, 13, 0) and first.incident_id is None and first.school_id == pupil.school_id
    assert first.url == f"/pupils/{pupil.pk}/"
    assert "Hill Top Academy" in first.summary and pupil.first_name not in first.summary
    assert pupil.last_name not in first.summary


def test_the_reminder_job_reminds_whoever_started_a_late_transfer_once(school_year, dsl, pupil, jobs_run_here):
    from records import reminders
    from records.reminder_models import Reminder

    late = start(dsl, pupil, leaving_on=D(2026, 3, 5))  # due 12 March
    reminders.reminders_send(now=at(2026, 3, 20))
    reminders.reminders_send(now=at(2026, 3, 20))

    # Run twice: the DSL who started it once, then (two working days on, already passed) the head, once.
    sent = list(Reminder.objects.filter(event=f"transfer:{late.pk}:unconfirmed").values_list("recipient", "step"))
    head = pupil.school.memberships.get(role=Role.HEADTEACHER).user
    assert sorted(sent) == sorted([(dsl.pk, 1), (head.pk, 2)])


def test_the_rule_reads_in_a_fixed_number_of_queries(school_year, other_school, dsl, pupil):
    def count():
        with CaptureQueriesContext(connection) as captured:
            found = list(transfers_unconfirmed(at(2026, 3, 20)))
        return len(captured), len(found)

    start(dsl, pupil, leaving_on=D(2026, 3, 5))
    small = count()
    other_dsl = member(Role.DSL, school=other_school)
    for _ in range(4):
        start(dsl, PupilFactory(school=school_year), leaving_on=D(2026, 3, 4))
        start(other_dsl, PupilFactory(school=other_school), leaving_on=D(2026, 3, 4))
    large = count()
    assert small == (3, 1) and large == (3, 9)


# --- A file received joins the pupil's chronology --------------------------------------------------------------


def test_a_file_received_appears_in_the_pupils_chronology_in_time_order(school, dsl, head, pupil, signed_in):
    case = make_case(school=school, state="under_review", pupils=[pupil])
    note_add(actor=dsl, incident=case, text="Spoke to her form tutor.")
    received = services.file_received_record(
        actor=dsl,
        pupil=pupil,
        received_at=timezone.now() - datetime.timedelta(days=400),
        method="by_hand",
        summary="Two earlier concerns about online contact; a referral to social care in Year 6.",
        other_school="Brook Primary",
        contact_name="Mr Oduya",
        contact_phone="0113 496 0001",
    )

    page = signed_in(head, client=Client(), school=school).get(f"/cases/pupils/{pupil.pk}/").content.decode()
    assert "Child protection file received from Brook Primary" in page
    assert page.index("Brook Primary") < page.index("Spoke to her form tutor.")
    from safeguard import extensions

    entries = extensions.pupil_timeline(dsl, school, pupil)
    assert [entry.record for entry in entries] == [received]
    assert extensions.pupil_timeline(member(Role.STAFF, school=school), school, pupil) == []


def test_a_file_received_is_in_the_pupil_file_that_goes_with_the_pupil(school, dsl, pupil):
    from records.report_content import pupil_file
    from records.report_models import Report, ReportKind

    case = make_case(school=school, state="under_review", pupils=[pupil])
    note_add(actor=dsl, incident=case, text="Spoke to her form tutor.")
    services.file_received_record(
        actor=dsl,
        pupil=pupil,
        received_at=timezone.now() - datetime.timedelta(days=400),
        method="by_hand",
        summary="Two earlier concerns about online contact.",
        other_school="Brook Primary",
        contact_name="Mr Oduya",
        contact_phone="0113 496 0001",
    )
    report = Report(school=school, kind=ReportKind.PUPIL_FILE, pupil=pupil, requested_by=dsl, marking="OFFICIAL")

    rows = pupil_file.build(report, lambda done, total: None)["chronology"]

    whats = [row["what"] for row in rows]
    assert whats[0] == "Child protection file received from Brook Primary"
    assert rows[0]["case"] == "" and rows[-1]["case"] == case.reference


# --- The pages -------------------------------------------------------------------------------------------------


def test_the_team_starts_a_transfer_from_the_pupils_page_and_sees_its_clock(school, dsl, pupil, signed_in):
    client = signed_in(dsl, school=school)
    assert "Start a transfer" in client.get(f"/pupils/{pupil.pk}/").content.decode()
    response = client.post(
        f"/pupils/{pupil.pk}/transfers/new/",
        {**CONTACT, "other_urn": "123456", "leaving_on": "2026-07-20", "reason": "Moving to Leeds"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    transfer = FileTransfer.objects.get()
    assert (transfer.pupil, transfer.started_by, transfer.other_urn) == (pupil, dsl, "123456")
    page = client.get(f"/pupils/{pupil.pk}/").content.decode()
    assert "Hill Top Academy" in page and "Not sent yet" in page and "counted in working days" in page
    # No ready file yet: the page to record it as sent says so.
    sent_page = client.get(f"/pupils/{pupil.pk}/transfers/{transfer.pk}/sent/").content.decode()
    assert "No child protection file of" in sent_page


def test_recording_the_file_sent_through_the_page(school, dsl, pupil, signed_in):
    transfer = start(dsl, pupil)
    report = pupil_file(pupil, dsl)
    client = signed_in(dsl, school=school)
    response = client.post(
        f"/pupils/{pupil.pk}/transfers/{transfer.pk}/sent/",
        {"report": report.pk, "sent_at": "2026-01-01T10:00", "method": "secure_email", "reference": ""},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert TransferEvent.objects.get().report == report


def test_another_schools_transfer_is_not_found(school, other_school, dsl, pupil, signed_in):
    transfer = start(dsl, pupil)
    stranger = signed_in(member(Role.DSL, school=other_school), client=Client(), school=other_school)
    for step in ("sent", "confirmed", "cancel"):
        assert stranger.get(f"/pupils/{pupil.pk}/transfers/{transfer.pk}/{step}/").status_code == 404
    # Nor is a transfer found under another pupil of the same school.
    client = signed_in(dsl, school=school)
    other_pupil = PupilFactory(school=school)
    assert client.get(f"/pupils/{other_pupil.pk}/transfers/{transfer.pk}/sent/").status_code == 404
    assert "Hill Top" not in stranger.get("/records/transfers/").content.decode()


def test_the_list_puts_overdue_transfers_first(school, dsl, pupil, signed_in):
    today = timezone.localdate()
    late = start(dsl, pupil, leaving_on=today - datetime.timedelta(days=30), other_school="Late Academy")
    start(dsl, PupilFactory(school=school), leaving_on=today, other_school="Fresh Academy")
    client = signed_in(dsl, school=school)
    listing = client.get("/records/transfers/").content.decode()
    waiting = listing[: listing.index("Confirmed or cancelled")]
    assert waiting.index("Late Academy") < waiting.index("Fresh Academy")
    assert waiting.count("Overdue") == 1
    send(dsl, late)
    confirm(dsl, late)
    listing = client.get("/records/transfers/").content.decode()
    assert "Late Academy" not in listing[: listing.index("Confirmed or cancelled")]
    assert "Late Academy" in listing[listing.index("Confirmed or cancelled") :]


def test_a_leaving_date_far_from_today_is_refused(dsl, pupil):
    for days in (400, -400):
        with pytest.raises(ValidationError) as refused:
            start(dsl, pupil, leaving_on=timezone.localdate() + datetime.timedelta(days=days))
        assert "leaving_on" in refused.value.message_dict
