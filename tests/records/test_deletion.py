"""Deletion requests and take-down reports (issue 9 §4; domain.md §4; seed 004 §5.2 and §8): through the services,
and through the pages."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from incidents.errors import CasePermissionDenied, CaseReadOnly, RuleBroken
from incidents.models import ChronologyEntry, EntryKind
from records.deletion_models import DeletionRequest, DeletionResponse, TakedownReport
from records.deletion_selectors import overdue_deletions_for_user
from records.services import deletion as services
from safeguard.calendar import add_working_days
from safeguard.models import AccessLog
from safeguard.roles import Role
from tests.conftest import postgres_only
from tests.factories import PupilFactory, member
from tests.test_query_counts import queries_for

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def pupil_of(case):
    return case.involvements.filter(pupil__isnull=False).first()


def ask(actor, case, *, deadline=None, asked_at=None, involvement=None, **kwargs):
    now = timezone.now()
    return services.deletion_request(
        actor=actor,
        involvement=involvement or pupil_of(case),
        asked_at=asked_at or now - HOUR,
        deadline=deadline or now + 24 * HOUR,
        **kwargs,
    )


def confirm(actor, request, **overrides):
    values = {
        "at": timezone.now() - datetime.timedelta(minutes=5),
        "who": "pupil",
        "method": "in_person",
        "checked_by": actor,
        "devices": "deleted",
        "cloud_storage": "none_held",
        "social_media": "deleted",
    }
    values.update(overrides)
    return services.deletion_confirm(actor=actor, request=request, **values)


def refuse(actor, request, **overrides):
    values = {"at": timezone.now() - datetime.timedelta(minutes=5), "who": "pupil", "method": "in_person"}
    values.update(overrides)
    values.setdefault("notes", "He said he would keep it.")
    return services.deletion_refuse(actor=actor, request=request, **values)


def chronology(case):
    return list(ChronologyEntry.objects.filter(incident=case).order_by("pk").values_list("text", flat=True))


# --- Deletion requests: the service ---------------------------------------------------------------------------


def test_a_pupil_is_asked_to_delete_by_a_deadline_recorded_with_history_and_chronology(case_in, dsl, deputy):
    case = case_in("managed_in_school")
    request = ask(dsl, case, asked_by=deputy, told_consequences=True, where_held="Her phone; a Snapchat story")
    assert request.asked_by == deputy and request.recorded_by == dsl and request.told_consequences
    history = request.history.get()
    assert history.history_user == dsl and history.history_change_reason == "Deletion requested"
    line = chronology(case)[-1]
    assert line.startswith(f"Deletion: {pupil_of(case).name} asked by")
    assert "devices, cloud storage and social media" in line and "Snapchat story" in line


@pytest.mark.parametrize("state", ["under_review", "awaiting_sign_off", "referred", "referral_required"])
def test_deletion_is_asked_only_of_a_case_managed_in_school(case_in, dsl, state):
    case = case_in(state)
    with pytest.raises(RuleBroken, match="managed in school"):
        ask(dsl, case)
    assert not DeletionRequest.objects.exists()


def test_a_closed_case_takes_no_request(case_in, dsl):
    case = case_in("closed")
    with pytest.raises(CaseReadOnly):
        ask(dsl, case)


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEADTEACHER, Role.TRUST_LEAD, Role.INSPECTOR])
def test_only_the_safeguarding_team_records_deletion(case_in, people, role):
    case = case_in("managed_in_school")
    with pytest.raises(CasePermissionDenied):
        ask(people[role], case)


def test_another_schools_dsl_cannot_record_deletion(case_in, other_school):
    case = case_in("managed_in_school")
    with pytest.raises(CasePermissionDenied):
        ask(member(Role.DSL, school=other_school), case)


def test_the_deadline_comes_after_the_asking_and_the_asking_is_not_in_the_future(case_in, dsl):
    case = case_in("managed_in_school")
    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        ask(dsl, case, asked_at=now - HOUR, deadline=now - 2 * HOUR)
    assert "deadline" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        ask(dsl, case, asked_at=now + 2 * HOUR, deadline=now + 30 * HOUR)
    assert "asked_at" in refused.value.error_dict


def test_only_pupils_on_the_register_still_involved_are_asked(case_in, dsl):
    from incidents import services as case_services

    case = case_in("managed_in_school")
    outsider = case_services.involvement_add(
        actor=dsl, incident=case, other_name="A pupil at another school", part="received"
    )
    with pytest.raises(RuleBroken, match="Choose a pupil"):
        ask(dsl, case, involvement=outsider)
    removed = case_services.involvement_add(
        actor=dsl, incident=case, pupil=PupilFactory(school=case.school), part="witness"
    )
    case_services.involvement_remove(actor=dsl, involvement=removed, reason="Added in error")
    with pytest.raises(RuleBroken, match="Choose a pupil"):
        ask(dsl, case, involvement=removed)


def test_a_pupil_with_an_open_request_is_not_asked_twice_until_they_answer(case_in, dsl):
    case = case_in("managed_in_school")
    first = ask(dsl, case)
    with pytest.raises(RuleBroken, match="already asked"):
        ask(dsl, case)
    refuse(dsl, first)
    second = ask(dsl, case)  # asked again after refusing (a talk with parents, say)
    assert second.pk != first.pk


def test_the_default_deadline_is_the_end_of_the_next_school_day_or_working_day(school):
    # The test school has no terms entered: the next working day is offered, at the end of the school day.
    friday = timezone.make_aware(datetime.datetime(2026, 11, 20, 10, 0))
    deadline = services.default_deadline(school, friday)
    assert timezone.localtime(deadline).date() == add_working_days(school, friday.date(), 1)
    assert timezone.localtime(deadline).weekday() == 0 and timezone.localtime(deadline).hour == 16


# --- Confirmations and refusals -------------------------------------------------------------------------------


def test_a_confirmation_records_who_when_how_who_checked_and_each_place(case_in, dsl, deputy):
    case = case_in("managed_in_school")
    request = ask(dsl, case)
    response = confirm(dsl, request, who="parent", who_name="Mother, Ms Ali", checked_by=deputy)
    assert response.kind == "confirmed" and response.checked_by == deputy
    assert [done for _, done in response.places] == ["Deleted", "None held there", "Deleted"]
    assert response.history.get().history_user == dsl
    line = chronology(case)[-1]
    assert "Deletion confirmed for" in line and "a parent or carer (mother, ms ali)" in line
    assert f"checked by {deputy.get_full_name()}" in line.lower() or "checked by" in line


def test_a_confirmation_answers_devices_cloud_storage_and_social_media(case_in, dsl):
    request = ask(dsl, case_in("managed_in_school"))
    with pytest.raises(RuleBroken) as refused:
        confirm(dsl, request, cloud_storage="", social_media="maybe")
    assert {p.field for p in refused.value.problems} == {"cloud_storage", "social_media"}
    assert not DeletionResponse.objects.exists()


def test_a_confirmation_by_someone_other_than_the_pupil_names_them(case_in, dsl):
    request = ask(dsl, case_in("managed_in_school"))
    with pytest.raises(RuleBroken, match="name of the person"):
        confirm(dsl, request, who="parent", who_name=" ")


def test_a_confirmation_is_checked_by_someone_who_works_here(case_in, dsl, other_school):
    request = ask(dsl, case_in("managed_in_school"))
    with pytest.raises(RuleBroken, match="does not work at this school"):
        confirm(dsl, request, checked_by=member(Role.DSL, school=other_school))


def test_a_confirmation_is_not_dated_before_the_asking_nor_in_the_future(case_in, dsl):
    request = ask(dsl, case_in("managed_in_school"))
    for when in (request.asked_at - HOUR, timezone.now() + 2 * HOUR):
        with pytest.raises(ValidationError) as refused:
            confirm(dsl, request, at=when)
        assert "at" in refused.value.error_dict


def test_a_confirmed_deletion_is_not_confirmed_twice(case_in, dsl):
    request = ask(dsl, case_in("managed_in_school"))
    confirm(dsl, request)
    with pytest.raises(RuleBroken, match="already confirmed"):
        confirm(dsl, request)


def test_a_refusal_is_recorded_with_what_was_said_and_offers_the_police(case_in, dsl):
    case = case_in("managed_in_school")
    request = ask(dsl, case)
    with pytest.raises(RuleBroken, match="what was said"):
        refuse(dsl, request, notes="  ")
    response = refuse(dsl, request)
    assert response.kind == "refused" and response.notes == "He said he would keep it."
    line = chronology(case)[-1]
    assert "Deletion refused" in line and "reason to involve the police" in line
    assert case.state == "managed_in_school"  # the DSL decides on the referral; the refusal does not make it


def test_a_refusal_may_be_followed_by_a_confirmation_and_both_stay_on_record(case_in, dsl):
    request = ask(dsl, case_in("managed_in_school"))
    refuse(dsl, request)
    with pytest.raises(RuleBroken, match="already recorded"):
        refuse(dsl, request)
    confirm(dsl, request, at=timezone.now())
    request = services.annotate_status(DeletionRequest.objects.prefetch_related("responses").get(pk=request.pk))
    assert request.status == "confirmed" and request.responses.count() == 2


def test_an_answer_after_the_case_was_escalated_is_still_recorded(case_in, dsl):
    from referrals import services as referral_services

    case = case_in("managed_in_school")
    request = ask(dsl, case)
    refuse(dsl, request)
    referral_services.referral_make(
        actor=dsl,
        incident=case,
        agency="police_101",
        method="phone",
        information_shared="The refusal to delete.",
        reason="The pupil refused to delete the imagery.",
    )
    confirm(dsl, request, at=timezone.now())  # what the pupil did later is part of the record


# --- Overdue ---------------------------------------------------------------------------------------------------


def test_a_deadline_passed_with_no_answer_is_overdue_until_answered(case_in, dsl):
    case = case_in("managed_in_school")
    now = timezone.now()
    request = ask(dsl, case, asked_at=now - 30 * HOUR, deadline=now - HOUR)
    ask(dsl, case_in("managed_in_school"), asked_at=now - HOUR, deadline=now + HOUR)  # not yet due
    assert [r.pk for r in overdue_deletions_for_user(dsl, case.school)] == [request.pk]
    refuse(dsl, request)
    assert not overdue_deletions_for_user(dsl, case.school).exists()


def test_the_overdue_list_is_scoped_to_the_cases_the_person_may_see(case_in, dsl, deputy, other_school):
    from incidents.restriction import case_restrict

    case = case_in("managed_in_school")
    now = timezone.now()
    ask(dsl, case, asked_at=now - 30 * HOUR, deadline=now - HOUR)
    case_restrict(actor=dsl, incident=case, members=[dsl], reason="The deputy knows the family")
    assert overdue_deletions_for_user(dsl, case.school).count() == 1
    assert overdue_deletions_for_user(deputy, case.school).count() == 0
    assert overdue_deletions_for_user(member(Role.DSL, school=other_school), case.school).count() == 0


# --- Take-down reports -----------------------------------------------------------------------------------------


def test_a_take_down_report_and_its_follow_ups_are_new_rows(case_in, dsl):
    case = case_in("referred")  # take-down is asked for in any open case, referred or not
    made = timezone.now() - 3 * HOUR
    report = services.takedown_report(
        actor=dsl, incident=case, platform="Snapchat", route="platform", made_at=made, reference="SC-123"
    )
    assert report.result == "" and report.history.get().history_user == dsl
    waiting = services.takedown_follow_up(actor=dsl, report=report, made_at=made + HOUR, notes="Chased: no answer.")
    done = services.takedown_follow_up(
        actor=dsl, report=waiting, made_at=made + 2 * HOUR, result="imagery_removed", result_at=made + 2 * HOUR
    )
    assert waiting.follows == report and done.follows == report  # every follow-up follows the first report
    assert (done.platform, done.route, done.reference) == ("Snapchat", "platform", "SC-123")
    report.refresh_from_db()
    assert report.result == ""  # the first row is never changed
    texts = chronology(case)
    assert any("Take-down: Snapchat reported (The platform's own reporting). Reference SC-123." in t for t in texts)
    assert "Result: imagery removed" in texts[-1]


@pytest.mark.parametrize("route", ["iwf", "ceop"])
def test_report_remove_and_ceop_are_routes_named_as_the_referrals_name_them(case_in, dsl, route):
    from referrals.models import Agency

    report = services.takedown_report(
        actor=dsl, incident=case_in("managed_in_school"), platform="Instagram", route=route
    )
    assert report.get_route_display() == Agency(route).label


def test_a_take_down_result_is_dated_and_another_result_is_described(case_in, dsl):
    case = case_in("managed_in_school")
    with pytest.raises(ValidationError) as refused:
        services.takedown_report(actor=dsl, incident=case, platform="X", route="platform", result="imagery_removed")
    assert "result_at" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        services.takedown_report(
            actor=dsl, incident=case, platform="X", route="platform", result="other", result_at=timezone.now()
        )
    assert "notes" in refused.value.error_dict
    with pytest.raises(RuleBroken, match="name the platform"):
        services.takedown_report(actor=dsl, incident=case, platform=" ", route="platform")
    with pytest.raises(ValueError):
        services.takedown_report(actor=dsl, incident=case, platform="X", route="police_101")


def test_a_follow_up_says_what_was_done_and_a_closed_case_takes_none(case_in, dsl, head):
    case = case_in("managed_in_school")
    report = services.takedown_report(actor=dsl, incident=case, platform="TikTok", route="iwf")
    with pytest.raises(RuleBroken, match="what was done"):
        services.takedown_follow_up(actor=dsl, report=report)
    with pytest.raises(CasePermissionDenied):
        services.takedown_report(actor=head, incident=case, platform="TikTok", route="iwf")


# --- Append-only -------------------------------------------------------------------------------------------------


@postgres_only()
@pytest.mark.parametrize(
    "table",
    [
        "records_deletionrequest",
        "records_deletionresponse",
        "records_takedownreport",
        "records_historicaldeletionrequest",
        "records_historicaldeletionresponse",
        "records_historicaltakedownreport",
    ],
)
def test_the_tables_refuse_rewrites(table, case_in, dsl):
    from django.db import DatabaseError, transaction

    request = ask(dsl, case_in("managed_in_school"))
    confirm(dsl, request)
    services.takedown_report(actor=dsl, incident=request.incident, platform="Snapchat", route="platform")
    # The table names are the test's own, never input.
    for statement in (f'UPDATE "{table}" SET id = id', f'DELETE FROM "{table}"'):  # noqa: S608
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)


# --- Through the pages --------------------------------------------------------------------------------------------


def when(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_the_dsl_asks_for_deletion_from_the_case_page(case_in, dsl, signed_in, client):
    case = case_in("managed_in_school")
    signed_in(dsl, school=case.school)
    page = client.get(f"/cases/{case.pk}/deletion-and-take-down/").content.decode()
    assert "Deleting the imagery" in page and f"Not yet asked to delete: {pupil_of(case).name}" in page
    form = client.get(f"/cases/{case.pk}/deletion/new/")
    assert form.status_code == 200 and not DeletionRequest.objects.exists()  # a GET writes nothing
    assert form.context["form"].initial["deadline"] > timezone.now()  # a default deadline is offered
    now = timezone.now()
    response = client.post(
        f"/cases/{case.pk}/deletion/new/",
        {
            "involvement": pupil_of(case).pk,
            "asked_at": when(now - HOUR),
            "asked_by": dsl.pk,
            "deadline": when(now + 24 * HOUR),
            "told_consequences": "on",
            "where_held": "Her phone",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    request = DeletionRequest.objects.get()
    assert request.recorded_by == dsl and request.told_consequences
    page = client.get(f"/cases/{case.pk}/deletion-and-take-down/").content.decode()
    assert "waiting for an answer" in page and "Not yet asked to delete" not in page


def test_the_page_shows_the_services_refusal_beside_the_field(case_in, dsl, signed_in, client):
    case = case_in("referred")
    signed_in(dsl, school=case.school)
    now = timezone.now()
    post = {
        "involvement": pupil_of(case).pk,
        "asked_at": when(now - HOUR),
        "asked_by": dsl.pk,
        "deadline": when(now - 2 * HOUR),
    }
    response = client.post(f"/cases/{case.pk}/deletion/new/", post)
    assert response.status_code == 200 and "managed in school" in response.content.decode()
    assert "Record a request to delete" not in client.get(f"/cases/{case.pk}/").content.decode()
    managed = case_in("managed_in_school")
    post["involvement"] = pupil_of(managed).pk
    response = client.post(f"/cases/{managed.pk}/deletion/new/", post)
    assert response.context["form"].errors["deadline"] == ["The deadline must be after the pupil was asked."]
    assert not DeletionRequest.objects.exists()


def test_a_confirmation_through_the_page(case_in, dsl, deputy, signed_in, client):
    case = case_in("managed_in_school")
    request = ask(dsl, case)
    signed_in(dsl, school=case.school)
    url = f"/cases/{case.pk}/deletion/{request.pk}/confirm/"
    post = {
        "at": when(timezone.now()),
        "who": "parent",
        "who_name": "",
        "method": "phone",
        "checked_by": deputy.pk,
        "devices": "deleted",
        "cloud_storage": "deleted",
        "social_media": "none_held",
    }
    response = client.post(url, post)
    assert response.context["form"].errors["who_name"] == ["Please give the name of the person who answered."]
    response = client.post(url, {**post, "who_name": "Father, Mr Ali"})
    assert response.status_code == 302
    assert DeletionResponse.objects.get().checked_by == deputy
    page = client.get(f"/cases/{case.pk}/deletion-and-take-down/").content.decode()
    assert "confirmed deleted" in page and "Social media and messaging accounts: none held there" in page


def test_a_refusal_through_the_page_opens_the_police_referral(case_in, dsl, signed_in, client):
    case = case_in("managed_in_school")
    request = ask(dsl, case)
    signed_in(dsl, school=case.school)
    response = client.post(
        f"/cases/{case.pk}/deletion/{request.pk}/refuse/",
        {"at": when(timezone.now()), "who": "pupil", "method": "in_person", "notes": "He said no."},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/referrals/new/?agency=police_101"
    referral_page = client.get(response["Location"])
    assert referral_page.context["form"].initial["agency"] == "police_101"
    assert "reason to involve the police" in referral_page.content.decode()
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Escalate to a police referral" in page and "refused to delete" in page


def test_an_overdue_deadline_shows_on_the_section_page_and_the_dashboard(case_in, dsl, head, signed_in, client):
    case = case_in("managed_in_school")
    now = timezone.now()
    ask(dsl, case, asked_at=now - 30 * HOUR, deadline=now - HOUR)
    signed_in(dsl, school=case.school)
    assert "deadline passed, no answer yet" in client.get(f"/cases/{case.pk}/deletion-and-take-down/").content.decode()
    dashboard = client.get("/").content.decode()
    assert "Deletion deadlines passed" in dashboard and f"Case {case.reference}" in dashboard
    assert AccessLog.objects.filter(user=dsl, object_id=str(case.pk), page="/", action=AccessLog.Action.LIST).exists()
    signed_in(head, school=case.school)
    assert "Deletion deadlines passed" not in client.get("/").content.decode()  # the team chases deadlines


def test_take_down_reports_through_the_pages(case_in, dsl, signed_in, client):
    case = case_in("managed_in_school")
    signed_in(dsl, school=case.school)
    made = timezone.now() - HOUR
    response = client.post(
        f"/cases/{case.pk}/take-down/new/",
        {"platform": "Snapchat", "route": "iwf", "made_at": when(made), "reference": "RR-1", "result": ""},
    )
    assert response.status_code == 302
    report = TakedownReport.objects.get()
    url = f"/cases/{case.pk}/take-down/{report.pk}/follow-up/"
    response = client.post(url, {"made_at": when(timezone.now()), "result": "imagery_removed"})
    assert response.context["form"].errors["result_at"] == ["Please say when the result came."]
    response = client.post(
        url, {"made_at": when(timezone.now()), "result": "imagery_removed", "result_at": when(timezone.now())}
    )
    assert response.status_code == 302
    page = client.get(f"/cases/{case.pk}/deletion-and-take-down/").content.decode()
    assert "Snapchat: imagery removed" in page and "IWF / Report Remove" in page
    follow_up = TakedownReport.objects.get(follows=report)
    assert client.get(f"/cases/{case.pk}/take-down/{follow_up.pk}/follow-up/").status_code == 404


def test_the_head_reads_the_section_but_cannot_use_the_pages(case_in, dsl, head, signed_in, client):
    case = case_in("managed_in_school")
    request = ask(dsl, case)
    signed_in(head, school=case.school)
    page = client.get(f"/cases/{case.pk}/deletion-and-take-down/").content.decode()
    assert "waiting for an answer" in page and "Record the confirmation" not in page
    assert client.post(f"/cases/{case.pk}/deletion/{request.pk}/refuse/", {"notes": "x"}).status_code == 403
    assert not DeletionResponse.objects.exists()


def test_a_case_managed_in_school_closes_only_once_every_deletion_request_is_answered(case_in, dsl, signed_in, client):
    from incidents import services as case_services
    from incidents.errors import TransitionRefused
    from tests.factories import TEST_PASSWORD

    case = case_in("managed_in_school")
    request = ask(dsl, case)
    with pytest.raises(TransitionRefused, match="request to delete the imagery") as refused:
        case_services.case_close(actor=dsl, incident=case, summary="Plan completed.", password=TEST_PASSWORD)
    assert pupil_of(case).name in str(refused.value)
    signed_in(dsl, school=case.school)
    page = client.post(f"/cases/{case.pk}/close/", {"summary": "Plan completed.", "password": TEST_PASSWORD})
    assert "record each confirmation or refusal before closing" in page.content.decode()
    confirm(dsl, request)
    closed = case_services.case_close(actor=dsl, incident=case, summary="Plan completed.", password=TEST_PASSWORD)
    assert closed.state == "closed"


def test_the_deletion_section_shows_from_the_sign_off_on(case_in, dsl, signed_in, client):
    signed_in(dsl, school=case_in("reported").school)
    under = case_in("under_review")
    page = client.get(f"/cases/{under.pk}/deletion-and-take-down/").content.decode()
    assert "Deleting the imagery" not in page and "Take-down reports" in page
    page = client.get(f"/cases/{under.pk}/").content.decode()
    assert "Record a take-down report" in page and "Record a request to delete" not in page


def test_the_pages_refuse_a_second_open_request_and_an_empty_follow_up(case_in, dsl, signed_in, client):
    case = case_in("managed_in_school")
    ask(dsl, case)
    report = services.takedown_report(actor=dsl, incident=case, platform="Snapchat", route="platform")
    signed_in(dsl, school=case.school)
    now = timezone.now()
    response = client.post(
        f"/cases/{case.pk}/deletion/new/",
        {
            "involvement": pupil_of(case).pk,
            "asked_at": when(now - HOUR),
            "asked_by": dsl.pk,
            "deadline": when(now + HOUR),
        },
    )
    assert "has not answered yet" in response.context["form"].errors["involvement"][0]
    later = when(now + datetime.timedelta(minutes=1))  # the form's minutes, not before the report's own time
    response = client.post(f"/cases/{case.pk}/take-down/{report.pk}/follow-up/", {"made_at": later})
    assert response.context["form"].errors["notes"] == ["Please note what was done or said, or the result."]
    assert DeletionRequest.objects.count() == 1 and TakedownReport.objects.count() == 1


def test_the_services_write_their_own_chronology_kinds(case_in, dsl):
    case = case_in("managed_in_school")
    confirm(dsl, ask(dsl, case))
    report = services.takedown_report(actor=dsl, incident=case, platform="Snapchat", route="platform")
    services.takedown_follow_up(actor=dsl, report=report, notes="Chased by email.")
    kinds = list(case.chronology.filter(kind__in=list(EntryKind)[-5:]).values_list("kind", flat=True))
    assert sorted(kinds) == sorted(
        [EntryKind.DELETION_REQUEST, EntryKind.DELETION_CONFIRMED, EntryKind.TAKEDOWN, EntryKind.TAKEDOWN_FOLLOW_UP]
    )


def test_the_case_page_counts_from_its_chronology_at_no_cost(case_in, dsl, signed_in, client):
    case = case_in("managed_in_school")
    signed_in(dsl, school=case.school)
    url = f"/cases/{case.pk}/"
    before = queries_for(client, url)
    assert "Record a request to delete" in client.get(url).content.decode()
    refuse(dsl, ask(dsl, case))
    report = services.takedown_report(actor=dsl, incident=case, platform="Snapchat", route="platform")
    services.takedown_follow_up(actor=dsl, report=report, notes="Chased by email.")
    assert queries_for(client, url) == before
    page = client.get(url).content.decode()
    assert "1 request to delete the imagery, 0 confirmed, 1 refused." in page
    assert "1 take-down report, followed up 1 time." in page
    assert "Escalate to a police referral" in page and f"/cases/{case.pk}/deletion-and-take-down/" in page


def test_the_case_page_shows_nothing_to_a_reader_when_there_is_nothing(case_in, dsl, head, signed_in, client):
    case = case_in("managed_in_school")
    signed_in(head, school=case.school)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "deletion-title" not in page
    services.takedown_report(actor=dsl, incident=case, platform="Snapchat", route="platform")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "1 take-down report." in page and "Record a take-down report" not in page


def test_the_section_page_costs_the_same_at_any_size(case_in, school, dsl, signed_in, client):
    case = case_in("managed_in_school", pupils=[PupilFactory(school=school), PupilFactory(school=school)])
    signed_in(dsl, school=case.school)
    url = f"/cases/{case.pk}/deletion-and-take-down/"
    first, second = case.involvements.all()
    confirm(dsl, ask(dsl, case, involvement=first))
    services.takedown_report(actor=dsl, incident=case, platform="Snapchat", route="platform")
    small = queries_for(client, url)
    refuse(dsl, ask(dsl, case, involvement=second))
    for platform in ("Instagram", "TikTok"):
        report = services.takedown_report(actor=dsl, incident=case, platform=platform, route="platform")
        services.takedown_follow_up(actor=dsl, report=report, notes="Chased by email.")
    assert queries_for(client, url) == small <= 12
    assert AccessLog.objects.filter(user=dsl, object_id=str(case.pk), page=url, action=AccessLog.Action.VIEW).exists()
