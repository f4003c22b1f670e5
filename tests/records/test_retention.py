"""Retention (issue 9 §8): review dates, the review queue, legal holds and decisions by the DSL."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from incidents.errors import CasePermissionDenied, ReauthenticationFailed, RuleBroken
from records import retention_selectors as selectors
from records.retention_models import LegalHold, RetentionDecision, RetentionOutcome
from records.services import retention as services
from safeguard.models import AccessLog, Pupil
from safeguard.selectors import pupil_list_for_user
from tests.conftest import postgres_only
from tests.factories import TEST_PASSWORD, PupilFactory, make_case

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)
OLD = datetime.date(1995, 6, 1)  # reviewed on 1 June 2020 by default: due


@pytest.fixture
def old_pupil(school):
    return PupilFactory(school=school, date_of_birth=OLD)


@pytest.fixture
def closed_file(school, old_pupil):
    make_case(school=school, state="closed", pupils=[old_pupil])
    return old_pupil


def decide(actor, pupil, outcome, reason="Reviewed with the file in front of me.", **kwargs):
    kwargs.setdefault("password", TEST_PASSWORD)
    return services.retention_decide(actor=actor, pupil=pupil, outcome=outcome, reason=reason, today=TODAY, **kwargs)


# --- Review dates ---------------------------------------------------------------------------------------------


def test_review_date_is_birth_plus_25_years_by_default(closed_file):
    assert selectors.review_date(closed_file) == datetime.date(2020, 6, 1)


def test_review_date_years_come_from_the_setting(settings, closed_file):
    settings.SAFEGUARD_RETENTION_YEARS = 30
    assert selectors.review_date(closed_file) == datetime.date(2025, 6, 1)


def test_the_database_computes_the_same_review_date(settings, school, dsl, closed_file):
    leap = PupilFactory(school=school, date_of_birth=datetime.date(2004, 2, 29))
    make_case(school=school, state="reported", pupils=[leap])
    found = {p.pk: p.review_at for p in selectors.files_for_user(dsl, school)}
    assert found[closed_file.pk].date() == datetime.date(2020, 6, 1)
    assert found[leap.pk].date() == selectors.review_date(leap) == datetime.date(2029, 3, 1)
    settings.SAFEGUARD_RETENTION_YEARS = 30
    found = {p.pk: p.review_at for p in selectors.files_for_user(dsl, school)}
    assert found[closed_file.pk].date() == datetime.date(2025, 6, 1)


def test_an_extension_moves_the_review_date(dsl, closed_file):
    decide(dsl, closed_file, RetentionOutcome.EXTEND, next_review_on=datetime.date(2030, 1, 1))
    assert selectors.review_date(closed_file) == datetime.date(2030, 1, 1)
    (row,) = selectors.files_for_user(dsl, closed_file.school)
    assert row.review_at.date() == datetime.date(2030, 1, 1)


def test_keep_reviews_again_a_year_on(dsl, closed_file):
    decision = decide(dsl, closed_file, RetentionOutcome.KEEP)
    assert decision.next_review_on == datetime.date(2027, 11, 22)


def test_an_extension_must_be_later_and_have_a_reason(dsl, closed_file):
    with pytest.raises(ValidationError) as refused:
        decide(dsl, closed_file, RetentionOutcome.EXTEND, next_review_on=TODAY)
    assert "next_review_on" in refused.value.message_dict
    with pytest.raises(RuleBroken):
        decide(dsl, closed_file, RetentionOutcome.EXTEND, reason=" ", next_review_on=datetime.date(2030, 1, 1))
    assert not RetentionDecision.objects.exists()


# --- The queue ------------------------------------------------------------------------------------------------


def test_queue_holds_due_and_soon_due_files_only(settings, school, dsl, closed_file):
    soon = PupilFactory(school=school, date_of_birth=datetime.date(2001, 12, 20))  # 20 December 2026
    later = PupilFactory(school=school, date_of_birth=datetime.date(2003, 1, 1))  # 1 January 2028
    no_file = PupilFactory(school=school, date_of_birth=OLD)
    make_case(school=school, state="reported", pupils=[soon, later])
    queue = list(selectors.review_queue_for_user(dsl, school, TODAY).order_by("review_at", "pk"))
    assert queue == [closed_file, soon]
    assert no_file not in queue
    settings.SAFEGUARD_RETENTION_QUEUE_MONTHS = 18
    assert later in selectors.review_queue_for_user(dsl, school, TODAY)


def test_queue_is_for_the_dsl_team_only(school, head, staff, deputy, closed_file):
    assert list(selectors.review_queue_for_user(deputy, school, TODAY)) == [closed_file]
    assert not selectors.review_queue_for_user(head, school, TODAY).exists()
    assert not selectors.review_queue_for_user(staff, school, TODAY).exists()


# --- Legal holds ----------------------------------------------------------------------------------------------


def test_hold_blocks_disposal_until_lifted(dsl, deputy, closed_file):
    hold = services.legal_hold_place(actor=deputy, pupil=closed_file, reason="A claim against the school")
    with pytest.raises(RuleBroken, match="legal hold"):
        decide(dsl, closed_file, RetentionOutcome.DISPOSE)
    assert not RetentionDecision.objects.exists()
    services.legal_hold_lift(actor=dsl, hold=hold, reason="The claim was settled")
    with pytest.raises(RuleBroken, match="already been lifted"):
        services.legal_hold_lift(actor=dsl, hold=hold, reason="Again")
    decision = decide(dsl, closed_file, RetentionOutcome.DISPOSE)
    assert decision.outcome == RetentionOutcome.DISPOSE


def test_hold_needs_a_reason_and_the_team(head, dsl, closed_file):
    with pytest.raises(RuleBroken):
        services.legal_hold_place(actor=dsl, pupil=closed_file, reason="  ")
    with pytest.raises(CasePermissionDenied):
        services.legal_hold_place(actor=head, pupil=closed_file, reason="A claim")
    hold = services.legal_hold_place(actor=dsl, pupil=closed_file, reason="A claim")
    assert (hold.placed_by, hold.history.get().history_user) == (dsl, dsl)
    with pytest.raises(RuleBroken, match="already on hold"):
        services.legal_hold_place(actor=dsl, pupil=closed_file, reason="Another")
    with pytest.raises(CasePermissionDenied):
        services.legal_hold_lift(actor=head, hold=hold, reason="No")


# --- Decisions ------------------------------------------------------------------------------------------------


def test_only_the_dsl_decides_and_signs(deputy, head, dsl, closed_file):
    for someone in (deputy, head):
        with pytest.raises(CasePermissionDenied):
            decide(someone, closed_file, RetentionOutcome.KEEP)
    with pytest.raises(ReauthenticationFailed):
        decide(dsl, closed_file, RetentionOutcome.DISPOSE, password="wrong")
    with pytest.raises(ReauthenticationFailed):
        decide(dsl, closed_file, RetentionOutcome.DISPOSE, password=None)
    assert not RetentionDecision.objects.exists()


def test_disposal_leaves_an_entry_and_hides_the_file(school, dsl, closed_file):
    decision = decide(dsl, closed_file, RetentionOutcome.DISPOSE)
    assert decision.decided_by == dsl and decision.history.get().history_user == dsl
    assert closed_file.upn in decision.disposed_summary and "cases" in decision.disposed_summary
    # Nothing is deleted here: the pupil's row and cases stay, hidden, until an operator erases them.
    assert Pupil.objects.filter(pk=closed_file.pk).exists()
    assert not selectors.files_for_user(dsl, school).exists()
    assert closed_file not in pupil_list_for_user(dsl, school)
    assert list(selectors.disposals_for_user(dsl, school)) == [decision]
    with pytest.raises(RuleBroken, match="disposed of"):
        decide(dsl, closed_file, RetentionOutcome.DISPOSE)
    with pytest.raises(RuleBroken, match="disposed of"):
        services.legal_hold_place(actor=dsl, pupil=closed_file, reason="Too late")


def test_no_disposal_before_the_review_date_or_with_an_open_case(school, dsl):
    young = PupilFactory(school=school)
    make_case(school=school, state="closed", pupils=[young])
    with pytest.raises(RuleBroken, match="not disposed of before"):
        decide(dsl, young, RetentionOutcome.DISPOSE)
    old = PupilFactory(school=school, date_of_birth=OLD)
    make_case(school=school, state="reported", pupils=[old])
    with pytest.raises(RuleBroken, match="still open"):
        decide(dsl, old, RetentionOutcome.DISPOSE)
    assert not LegalHold.objects.exists() and not RetentionDecision.objects.exists()


# --- The pages ------------------------------------------------------------------------------------------------


def files_due(school, count):
    pupils = [PupilFactory(school=school, date_of_birth=OLD) for _ in range(count)]
    make_case(school=school, state="reported", pupils=pupils)
    return pupils


def test_queue_page_lists_due_files_and_logs_them(school, dsl, signed_in, closed_file):
    young = PupilFactory(school=school)
    make_case(school=school, state="reported", pupils=[young])
    page = signed_in(dsl, school=school).get(reverse("records:retention_queue"))
    assert page.status_code == 200
    # Names as the page writes them (an apostrophe, as in O'Connor, is escaped).
    assert escape(str(closed_file)) in page.content.decode() and escape(str(young)) not in page.content.decode()
    assert AccessLog.objects.filter(
        user=dsl, action=AccessLog.Action.LIST, object_id=str(closed_file.pk), page="/records/retention/"
    ).exists()
    assert not AccessLog.objects.filter(object_id=str(young.pk), page="/records/retention/").exists()


def test_queue_page_keeps_its_queries_at_any_size(school, dsl, signed_in):
    client = signed_in(dsl, school=school)
    url = reverse("records:retention_queue")

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    files_due(school, 3)
    small = count()
    shown = files_due(school, 40)
    large = count()
    assert large == small <= 12
    first = client.get(url)
    assert first.context["page"].after
    second = client.get(url, {"after": first.context["page"].after})
    names = {p.pk for p in first.context["page"]} | {p.pk for p in second.context["page"]}
    assert len(names) == 43 and {p.pk for p in shown} <= names


def test_hold_and_disposal_through_the_pages(school, dsl, deputy, signed_in, closed_file):
    team = signed_in(deputy, school=school)
    hold_url = reverse("records:legal_hold_new", args=[closed_file.pk])
    assert team.post(hold_url, {"reason": ""}).status_code == 200  # refused beside the field
    assert not LegalHold.objects.exists()
    team.post(hold_url, {"reason": "A claim against the school"})
    hold = LegalHold.objects.get()
    assert hold.placed_by == deputy

    decide_url = reverse("records:retention_decide", args=[closed_file.pk])
    lead = signed_in(dsl, client=Client(), school=school)
    form = {"outcome": "dispose", "reason": "Past its review date", "password": TEST_PASSWORD}
    refused = lead.post(decide_url, form)
    assert refused.status_code == 200 and "legal hold" in refused.content.decode()
    assert not RetentionDecision.objects.exists()
    # The deputy may see the file but the decision is the DSL's.
    assert team.post(decide_url, form).status_code == 403

    lift_url = reverse("records:legal_hold_lift", args=[closed_file.pk, hold.pk])
    team.post(lift_url, {"reason": "The claim was settled"})
    assert hold.__class__.objects.get().lift.lifted_by == deputy
    wrong = lead.post(decide_url, {**form, "password": "not it"})
    assert wrong.status_code == 200 and not RetentionDecision.objects.exists()
    done = lead.post(decide_url, form)
    assert done.status_code == 302 and done["Location"] == reverse("records:retention_disposals")
    decision = RetentionDecision.objects.get()
    assert decision.decided_by == dsl
    disposals = lead.get(reverse("records:retention_disposals")).content.decode()
    assert decision.disposed_summary in disposals
    # The file is gone from every page: its retention page, the queue and the pupil register.
    assert lead.get(reverse("records:retention_file", args=[closed_file.pk])).status_code == 404
    assert str(closed_file) not in lead.get(reverse("records:retention_queue")).content.decode()
    assert lead.get(reverse("pupil_detail", args=[closed_file.pk])).status_code == 404


def test_extension_through_the_page_and_the_setting(settings, school, dsl, signed_in, closed_file):
    client = signed_in(dsl, school=school)
    file_url = reverse("records:retention_file", args=[closed_file.pk])
    assert "1 June 2020" in client.get(file_url).content.decode()
    settings.SAFEGUARD_RETENTION_YEARS = 26
    assert "1 June 2021" in client.get(file_url).content.decode()
    decide_url = reverse("records:retention_decide", args=[closed_file.pk])
    form = {"outcome": "extend", "reason": "A sibling's case is open", "password": TEST_PASSWORD}
    assert client.post(decide_url, {**form, "reason": ""}).status_code == 200
    assert client.post(decide_url, form).status_code == 200  # no date: refused beside the field
    later = datetime.date.today() + datetime.timedelta(days=3650)
    assert client.post(decide_url, {**form, "next_review_on": later.isoformat()}).status_code == 302
    assert later.strftime("%-d %B %Y") in client.get(file_url).content.decode()
    assert str(closed_file) not in client.get(reverse("records:retention_queue")).content.decode()


def test_a_disposed_pupil_cannot_be_named_or_found(school, dsl, staff, closed_file):
    from incidents.filters import pupils_named
    from incidents.selectors import pupils_to_name

    decide(dsl, closed_file, RetentionOutcome.DISPOSE)
    assert closed_file not in pupils_to_name(staff, school)
    assert closed_file not in pupils_named(school, closed_file.last_name)


# --- Append-only -------------------------------------------------------------------------------------------------


@postgres_only()
@pytest.mark.parametrize(
    "table",
    [
        "records_legalhold",
        "records_legalholdlift",
        "records_retentiondecision",
        "records_historicallegalhold",
        "records_historicallegalholdlift",
        "records_historicalretentiondecision",
    ],
)
def test_the_tables_refuse_rewrites(table, dsl, closed_file):
    from django.db import DatabaseError, transaction

    hold = services.legal_hold_place(actor=dsl, pupil=closed_file, reason="A claim")
    services.legal_hold_lift(actor=dsl, hold=hold, reason="Settled")
    decide(dsl, closed_file, RetentionOutcome.DISPOSE)
    # The table names are the test's own, never input.
    for statement in (f'UPDATE "{table}" SET id = id', f'DELETE FROM "{table}"'):  # noqa: S608
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)


def test_an_unsubmitted_concern_also_keeps_the_file(school, dsl, closed_file):
    make_case(school=school, state="draft", pupils=[closed_file])
    with pytest.raises(RuleBroken, match="a concern not yet submitted"):
        decide(dsl, closed_file, RetentionOutcome.DISPOSE)
