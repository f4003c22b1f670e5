"""Device custody (issue 9 §3): the chain of custody, every rule through the service and through the pages."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from incidents import services as case_services
from incidents.errors import CasePermissionDenied, RuleBroken, TransitionRefused
from incidents.models import ChronologyEntry, EntryKind
from records.services import custody as services
from records.viewing_models import CustodyEvent, Device
from referrals import services as referral_services
from safeguard.roles import Role
from tests.conftest import postgres_only
from tests.factories import TEST_PASSWORD, member
from tests.records.helpers import record_device

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(case_in):
    return case_in("referred")


def minutes_ago(n):
    return timezone.now() - datetime.timedelta(minutes=n)


def step(device, actor, kind, **details):
    return services.custody_step(actor=actor, device=device, step=kind, at=details.pop("at", minutes_ago(5)), **details)


def test_the_chain_of_custody_from_confiscation_to_the_police(case, dsl, deputy):
    device = record_device(case, actor=dsl, at=minutes_ago(30))
    step(device, dsl, "locked_away", by=deputy, where="The DSL's office safe", at=minutes_ago(20))
    step(device, dsl, "handed_to_police", officer="PC 1234 Khan", reference="CR/2026/0099", at=minutes_ago(10))

    steps = list(device.events.values_list("step", flat=True))
    assert steps == ["confiscated", "locked_away", "handed_to_police"]
    lines = ChronologyEntry.objects.filter(incident=case, kind=EntryKind.DEVICE).values_list("text", flat=True)
    assert len(lines) == 3 and "CR/2026/0099" in lines[2]
    assert all(event.history.get().history_user == dsl for event in device.events.all())


def test_a_device_is_locked_away_only_once_switched_off_and_disconnected(case, dsl):
    device = record_device(case, actor=dsl, switched_off=True, disconnected=False, at=minutes_ago(30))
    with pytest.raises(RuleBroken) as refused:
        step(device, dsl, "locked_away", by=dsl, where="The safe", at=minutes_ago(20))
    assert "switched off and disconnected" in refused.value.message

    with pytest.raises(RuleBroken):
        step(device, dsl, "secured", switched_off=True, disconnected=False, at=minutes_ago(25))
    step(device, dsl, "secured", switched_off=True, disconnected=True, at=minutes_ago(25))
    step(device, dsl, "locked_away", by=dsl, where="The safe", at=minutes_ago(20))
    assert device.events.count() == 3


def test_each_step_needs_its_details(case, dsl, other_school):
    with pytest.raises(RuleBroken):
        record_device(case, actor=dsl, switched_off=None)
    outsider = member(Role.STAFF, school=other_school)
    with pytest.raises(RuleBroken) as refused:
        record_device(case, actor=dsl, by=outsider)
    assert refused.value.problems[0].field == "by"
    device = record_device(case, actor=dsl, at=minutes_ago(30))
    with pytest.raises(RuleBroken):
        step(device, dsl, "locked_away", by=dsl, where="  ")
    with pytest.raises(RuleBroken):
        step(device, dsl, "handed_to_police", officer="PC Khan", reference="")
    with pytest.raises(RuleBroken):
        step(device, dsl, "handed_to_police", officer="", reference="CR/1")
    with pytest.raises(RuleBroken):
        step(device, dsl, "returned", returned_to="")
    with pytest.raises(RuleBroken):
        step(device, dsl, "returned", returned_to="Her mother", by=outsider)
    assert device.events.count() == 1


def test_the_chain_refuses_a_step_out_of_order_and_a_step_before_the_last(case, dsl):
    device = record_device(case, actor=dsl, at=minutes_ago(30))
    with pytest.raises(RuleBroken):
        step(device, dsl, "confiscated", by=dsl, switched_off=True, disconnected=True)
    with pytest.raises(RuleBroken):
        step(device, dsl, "refused", notes="Too late to refuse.")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        step(device, dsl, "locked_away", by=dsl, where="The safe", at=minutes_ago(40))
    step(device, dsl, "handed_to_police", officer="PC Khan", reference="CR/1")
    with pytest.raises(RuleBroken) as refused:
        step(device, dsl, "returned", returned_to="Her mother")
    assert "handed to the police" in refused.value.message


def test_whose_device_is_a_person_in_the_case_or_named(case, case_in, dsl):
    elsewhere = case_in("reported").involvements.get()
    with pytest.raises(RuleBroken):
        record_device(case, actor=dsl, involvement=elsewhere)
    with pytest.raises(RuleBroken):
        record_device(case, actor=dsl, involvement=None)
    school_laptop = record_device(case, actor=dsl, involvement=None, owner_other="A school laptop, IT suite 2")
    assert school_laptop.owner_name == "A school laptop, IT suite 2"
    with pytest.raises(RuleBroken):
        record_device(case, actor=dsl, involvement=None, owner_other="A school laptop", first_step="refused")


def test_only_the_team_records_custody(case, dsl, head, staff):
    for person in (head, staff):
        with pytest.raises(CasePermissionDenied):
            record_device(case, actor=person, by=dsl)


def test_a_refusal_is_recorded_and_then_the_parents_must_be_told_before_closing(case_in, dsl):
    case = case_in("managed_in_school")  # the parents were told half an hour ago, before the refusal
    record_device(case, actor=dsl, first_step="refused", at=minutes_ago(5))
    with pytest.raises(TransitionRefused) as refused:
        case_services.case_close(actor=dsl, incident=case, summary="Done.", password=TEST_PASSWORD)
    assert any("refuses to hand one over" in problem for problem in refused.value.problems)

    referral_services.parent_contact_record(
        actor=dsl,
        involvement=case.involvements.get(),
        told=True,
        told_at=minutes_ago(1),
        told_by=dsl,
        contact_name="Her mother",
        method="phone",
    )
    assert case_services.case_close(actor=dsl, incident=case, summary="Done.", password=TEST_PASSWORD).state == "closed"


def test_a_confiscation_also_needs_the_parents_told(case_in, dsl):
    case = case_in("managed_in_school")
    record_device(case, actor=dsl, at=minutes_ago(5))
    with pytest.raises(TransitionRefused):
        case_services.case_close(actor=dsl, incident=case, summary="Done.", password=TEST_PASSWORD)
    referral_services.parent_contact_record(
        actor=dsl,
        involvement=case.involvements.get(),
        told=False,
        reasons_not_told="Telling them would put her at risk.",
    )
    assert case_services.case_close(actor=dsl, incident=case, summary="Done.", password=TEST_PASSWORD).state == "closed"


def test_a_refused_device_handed_over_later_continues_its_chain(case, dsl):
    device = record_device(case, actor=dsl, first_step="refused", at=minutes_ago(30))
    step(device, dsl, "confiscated", by=dsl, switched_off=True, disconnected=True, at=minutes_ago(20))
    assert list(device.events.values_list("step", flat=True)) == ["refused", "confiscated"]
    assert Device.objects.count() == 1 and CustodyEvent.objects.count() == 2


# --- The pages -----------------------------------------------------------------------------------------------


def when(minutes):
    return timezone.localtime(minutes_ago(minutes)).strftime("%Y-%m-%d %H:%M")


def test_a_refusal_on_the_page_goes_on_to_the_parents_and_the_case_page_prompts(case, dsl, signed_in):
    client = signed_in(dsl)
    response = client.post(
        f"/cases/{case.pk}/devices/new/",
        {
            "involvement": case.involvements.get().pk,
            "description": "Black iPhone 13",
            "first_step": "refused",
            "at": when(2),
            "notes": "He would not hand it to his tutor.",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/parents/new/"
    page = client.get(f"/cases/{case.pk}/imagery-and-devices/").content.decode()
    assert 'id="device-parents-prompt"' in page and "The pupil refused to hand it over" in page
    case_page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Device custody: 1 chronology entry" in case_page and f"/cases/{case.pk}/imagery-and-devices/" in case_page


def test_the_chain_of_custody_on_the_pages(case, dsl, signed_in):
    client = signed_in(dsl)
    response = client.post(
        f"/cases/{case.pk}/devices/new/",
        {
            "involvement": case.involvements.get().pk,
            "description": "Black iPhone 13",
            "first_step": "confiscated",
            "at": when(30),
            "by": dsl.pk,
            "switched_off": "yes",
            "disconnected": "no",
        },
    )
    assert response.status_code == 302
    device = Device.objects.get()
    url = f"/cases/{case.pk}/devices/{device.pk}/next/"
    refused = client.post(url, {"step": "locked_away", "at": when(20), "by": dsl.pk, "where": "The safe"})
    assert refused.status_code == 200 and "switched off and disconnected" in refused.content.decode()
    assert device.events.count() == 1

    for post in (
        {"step": "secured", "at": when(25), "switched_off": "yes", "disconnected": "yes"},
        {"step": "locked_away", "at": when(20), "by": dsl.pk, "where": "The safe"},
    ):
        assert client.post(url, post).status_code == 302
    post = {"step": "handed_to_police", "at": when(10), "officer": "PC 1234 Khan", "reference": "CR/2026/0099"}
    assert client.post(url, post).status_code == 302

    page = client.get(f"/cases/{case.pk}/imagery-and-devices/").content.decode()
    assert "Chain of custody of Black iPhone 13" in page and "CR/2026/0099" in page
    timeline = page[page.index("Chain of custody of") :]
    assert (
        timeline.index("Confiscated") < timeline.index("Switched off and disconnected") < timeline.index("Locked away")
    )
    assert timeline.index("Locked away") < timeline.index("Handed to the police")
    assert "there is no further step" in client.get(url).content.decode()


@postgres_only()
@pytest.mark.parametrize("table", ["records_device", "records_custodyevent"])
def test_the_database_refuses_to_rewrite_a_custody_record(case, dsl, table):
    record_device(case, actor=dsl)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET "recorded_at" = now()')  # noqa: S608 (a table name of ours)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{table}"')  # noqa: S608
