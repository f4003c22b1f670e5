"""The imagery-viewing log (issue 9 §2): every rule through the service, and through the pages."""

import datetime

import pytest
from django.core import mail
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from incidents import services as case_services
from incidents.errors import CasePermissionDenied, ReauthenticationFailed, RuleBroken, TransitionRefused
from incidents.models import ChronologyEntry, EntryKind, Notification, NotificationKind
from records.services import viewing as services
from records.viewing_models import ImageryViewing, ViewingSignature, ViewingSigner
from safeguard.roles import Role
from tests.conftest import postgres_only
from tests.factories import TEST_PASSWORD, member, two_factor_code
from tests.records.helpers import record_viewing, viewing_details

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(case_in):
    return case_in("under_review")


def refused_field(error):
    return getattr(error.value.problems[0], "field", None)


# --- Recording: the service --------------------------------------------------------------------------------


def test_the_dsl_records_a_viewing_and_the_headteacher_is_told_in_safeguard_and_by_email(
    case, dsl, deputy, head, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        viewing = record_viewing(case, viewer=dsl, present=deputy, head=head)

    assert viewing.reason == "unavoidable" and viewing.recorded_by == dsl
    entry = ChronologyEntry.objects.get(incident=case, kind=EntryKind.IMAGERY_VIEWING)
    assert "Imagery viewed by" in entry.text and entry.at == viewing.viewed_at
    alert = Notification.objects.get(incident=case, kind=NotificationKind.IMAGERY_VIEWED)
    assert alert.recipient == head and alert.emailed_at is not None
    [email] = mail.outbox
    assert email.to == [head.email] and case.reference in email.subject
    pupil = case.involvements.get().pupil
    assert pupil.first_name not in email.body and pupil.last_name not in email.body
    assert viewing.history.get().history_user == dsl


def test_a_further_viewing_tells_the_headteacher_again(case, dsl, deputy, head, django_capture_on_commit_callbacks):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            record_viewing(case, viewer=dsl, present=deputy, head=head)

    assert len(mail.outbox) == 2
    alert = Notification.objects.get(incident=case, kind=NotificationKind.IMAGERY_VIEWED)
    assert alert.history.count() == 4  # raised, emailed, raised again, emailed again


def test_the_email_goes_once_however_often_the_job_runs(case, dsl, deputy, head, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record_viewing(case, viewer=dsl, present=deputy, head=head)
    assert services.imagery_viewed_email_send(incident_id=case.pk) == 0
    assert len(mail.outbox) == 1


def test_the_headteachers_alert_stays_until_they_have_signed_each_viewing(case, school, dsl, deputy, head):
    """Cleared by the case's progress (the head's signature), never by opening a page (issue 10 §5)."""
    from incidents.selectors import notifications_for_user

    first = record_viewing(case, viewer=dsl, present=deputy, head=head)
    second = record_viewing(case, viewer=dsl, present=deputy, head=head)
    alert = Notification.objects.get(incident=case, kind=NotificationKind.IMAGERY_VIEWED)
    assert list(notifications_for_user(head, school)) == [alert]

    services.viewing_sign(actor=dsl, viewing=first, password=TEST_PASSWORD)  # the viewer's signature is not the head's
    services.viewing_sign(actor=head, viewing=first, password=TEST_PASSWORD)
    assert list(notifications_for_user(head, school)) == [alert]  # the second still waits

    services.viewing_sign(actor=head, viewing=second, password=TEST_PASSWORD)
    assert list(notifications_for_user(head, school)) == []


@pytest.mark.parametrize("reason", ["curiosity", "", "to_check_identity", "UNAVOIDABLE"])
def test_a_reason_outside_the_three_is_refused(case, dsl, deputy, head, reason):
    with pytest.raises(RuleBroken) as refused:
        record_viewing(case, viewer=dsl, present=deputy, head=head, reason=reason)
    assert refused_field(refused) == "reason" and "three reasons" in refused.value.message
    assert not ImageryViewing.objects.exists() and not mail.outbox


@pytest.mark.parametrize("reason", ["decide_on_agencies", "report_for_take_down", "unavoidable"])
def test_each_of_the_three_reasons_is_accepted(case, dsl, deputy, head, reason):
    assert record_viewing(case, viewer=dsl, present=deputy, head=head, reason=reason).reason == reason


def test_a_deputy_views_only_with_the_headteachers_delegated_authority(school, case, dsl, deputy, head):
    with pytest.raises(RuleBroken) as refused:
        record_viewing(case, viewer=deputy, present=dsl, head=head, actor=dsl)
    assert refused_field(refused) == "viewed_by"

    delegation = services.viewing_delegate(actor=head, school=school, user=deputy, reason="The DSL is part-time.")
    assert record_viewing(case, viewer=deputy, present=dsl, head=head).viewed_by == deputy

    services.viewing_delegation_end(actor=head, delegation=delegation)
    with pytest.raises(RuleBroken):
        record_viewing(case, viewer=deputy, present=dsl, head=head)


def test_staff_and_the_head_cannot_be_the_viewer(case, dsl, staff, head, deputy):
    for viewer in (staff, head):
        with pytest.raises(RuleBroken) as refused:
            record_viewing(case, viewer=viewer, present=deputy, head=head, actor=dsl)
        assert refused_field(refused) == "viewed_by"


def test_only_the_headteacher_delegates_and_only_to_a_deputy(school, dsl, deputy, staff, head):
    with pytest.raises(CasePermissionDenied):
        services.viewing_delegate(actor=dsl, school=school, user=deputy, reason="Cover")
    for user in (staff, dsl):
        with pytest.raises(RuleBroken):
            services.viewing_delegate(actor=head, school=school, user=user, reason="Cover")
    services.viewing_delegate(actor=head, school=school, user=deputy, reason="Cover")
    with pytest.raises(RuleBroken):
        services.viewing_delegate(actor=head, school=school, user=deputy, reason="Again")


def test_another_member_of_staff_from_the_school_must_be_present(case, other_school, dsl, head):
    with pytest.raises(RuleBroken) as refused:
        record_viewing(case, viewer=dsl, present=dsl, head=head)
    assert refused_field(refused) == "present"
    outsider = member(Role.STAFF, school=other_school)
    with pytest.raises(RuleBroken) as refused:
        record_viewing(case, viewer=dsl, present=outsider, head=head)
    assert refused_field(refused) == "present"


def test_the_headteacher_told_must_be_the_schools_headteacher(case, dsl, deputy, staff):
    with pytest.raises(RuleBroken) as refused:
        record_viewing(case, viewer=dsl, present=deputy, head=staff)
    assert refused_field(refused) == "head_told"


def test_a_viewer_not_of_the_pupils_sex_needs_the_reason_it_was_not_possible(case, dsl, deputy, head):
    with pytest.raises(RuleBroken) as refused:
        record_viewing(case, viewer=dsl, present=deputy, head=head, same_sex=False)
    assert refused_field(refused) == "not_same_sex_reason"
    viewing = record_viewing(
        case, viewer=dsl, present=deputy, head=head, same_sex=False, not_same_sex_reason="No one else was in school."
    )
    assert viewing.same_sex is False and viewing.not_same_sex_reason == "No one else was in school."


def test_the_record_confirms_the_imagery_was_never_copied(case, dsl, deputy, head):
    with pytest.raises(RuleBroken) as refused:
        record_viewing(case, viewer=dsl, present=deputy, head=head, not_copied=False)
    assert refused_field(refused) == "not_copied" and "illegal" in refused.value.message


def test_the_pupil_must_be_in_this_case_and_the_times_past(case, case_in, dsl, deputy, head):
    elsewhere = case_in("reported").involvements.get()
    with pytest.raises(RuleBroken):
        record_viewing(case, viewer=dsl, present=deputy, head=head, involvement=elsewhere)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        record_viewing(
            case, viewer=dsl, present=deputy, head=head, viewed_at=timezone.now() + datetime.timedelta(days=1)
        )


def test_only_the_team_records_a_viewing_and_not_on_a_closed_case(case_in, case, dsl, deputy, head, staff):
    with pytest.raises(CasePermissionDenied):
        record_viewing(case, viewer=dsl, present=deputy, head=head, actor=head)
    with pytest.raises(CasePermissionDenied):
        record_viewing(case, viewer=dsl, present=deputy, head=head, actor=staff)
    closed = case_in("closed")
    from incidents.errors import CaseReadOnly

    with pytest.raises(CaseReadOnly):
        record_viewing(closed, viewer=dsl, present=deputy, head=head)


# --- Signatures: the service ---------------------------------------------------------------------------------


def test_the_viewer_and_the_headteacher_each_sign_with_a_password_or_code(case, dsl, deputy, head):
    viewing = record_viewing(case, viewer=dsl, present=deputy, head=head)
    with pytest.raises(ReauthenticationFailed):
        services.viewing_sign(actor=dsl, viewing=viewing, password="not it")
    assert not ViewingSignature.objects.exists()

    mine = services.viewing_sign(actor=dsl, viewing=viewing, password=TEST_PASSWORD)
    heads = services.viewing_sign(actor=head, viewing=viewing, otp_token=two_factor_code(head))
    assert (mine.signer, mine.reauthenticated_with) == (ViewingSigner.VIEWER, "password")
    assert (heads.signer, heads.reauthenticated_with) == (ViewingSigner.HEADTEACHER, "two_factor")
    assert ChronologyEntry.objects.filter(incident=case, kind=EntryKind.IMAGERY_VIEWING).count() == 3

    with pytest.raises(RuleBroken):
        services.viewing_sign(actor=head, viewing=viewing, password=TEST_PASSWORD)


def test_no_one_else_signs(case, dsl, deputy, head, trust_lead):
    viewing = record_viewing(case, viewer=dsl, present=deputy, head=head)
    for person in (deputy, trust_lead):
        with pytest.raises(CasePermissionDenied):
            services.viewing_sign(actor=person, viewing=viewing, password=TEST_PASSWORD)


def test_a_case_closes_only_once_each_viewing_is_signed_by_both(case_in, dsl, deputy, head):
    case = case_in("managed_in_school")
    viewing = record_viewing(case, viewer=dsl, present=deputy, head=head)
    services.viewing_sign(actor=dsl, viewing=viewing, password=TEST_PASSWORD)
    with pytest.raises(TransitionRefused) as refused:
        case_services.case_close(actor=dsl, incident=case, summary="Done.", password=TEST_PASSWORD)
    assert any("viewing of imagery" in problem for problem in refused.value.problems)

    services.viewing_sign(actor=head, viewing=viewing, password=TEST_PASSWORD)
    closed = case_services.case_close(actor=dsl, incident=case, summary="Done.", password=TEST_PASSWORD)
    assert closed.state == "closed"


# --- The pages -----------------------------------------------------------------------------------------------


def form_post(case, *, viewer, present, head, **overrides):
    details = viewing_details(case, viewer=viewer, present=present, head=head, **overrides)
    post = {name: getattr(value, "pk", value) for name, value in details.items()}
    for name in ("viewed_at", "head_told_at"):
        post[name] = timezone.localtime(details[name]).strftime("%Y-%m-%d %H:%M")
    post["same_sex"] = "yes" if details["same_sex"] else "no"
    post["not_copied"] = "on" if details["not_copied"] else ""
    return post


def test_the_dsl_records_a_viewing_on_the_page_and_goes_on_to_sign_it(
    case, dsl, deputy, head, signed_in, django_capture_on_commit_callbacks
):
    client = signed_in(dsl)
    post = form_post(case, viewer=dsl, present=deputy, head=head)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cases/{case.pk}/imagery-viewings/new/", post)
    viewing = ImageryViewing.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/imagery-viewings/{viewing.pk}/sign/"
    assert len(mail.outbox) == 1

    response = client.post(response["Location"], {"password": TEST_PASSWORD})
    assert response.status_code == 302
    assert viewing.signatures.get().signer == ViewingSigner.VIEWER

    page = client.get(f"/cases/{case.pk}/imagery-and-devices/").content.decode()
    assert "Imagery viewed" in page and "not yet signed by both" in page and 'id="viewing-signatures-prompt"' in page
    case_page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Imagery viewed: 2 chronology entries" in case_page


def test_the_page_refuses_a_reason_outside_the_three_beside_the_field(case, dsl, deputy, head, signed_in):
    client = signed_in(dsl)
    post = form_post(case, viewer=dsl, present=deputy, head=head, reason="curiosity")
    response = client.post(f"/cases/{case.pk}/imagery-viewings/new/", post)
    assert response.status_code == 200
    assert 'id="id_reason_error"' in response.content.decode()
    assert not ImageryViewing.objects.exists()


def test_the_page_shows_the_services_refusal_of_an_undelegated_viewer(case, dsl, deputy, head, signed_in):
    client = signed_in(dsl)
    post = form_post(case, viewer=deputy, present=dsl, head=head)
    response = client.post(f"/cases/{case.pk}/imagery-viewings/new/", post)
    page = response.content.decode()
    assert response.status_code == 200 and 'id="id_viewed_by_error"' in page and "delegated authority" in page
    assert not ImageryViewing.objects.exists()


def test_the_headteacher_sees_it_waiting_and_signs_it(case, dsl, deputy, head, signed_in):
    viewing = record_viewing(case, viewer=dsl, present=deputy, head=head)
    client = signed_in(head)
    dashboard = client.get("/").content.decode()
    sign_url = f"/cases/{case.pk}/imagery-viewings/{viewing.pk}/sign/"
    assert "Viewings of imagery waiting for your signature" in dashboard and sign_url in dashboard

    assert client.post(sign_url, {"password": "wrong"}).status_code == 200
    assert not viewing.signatures.exists()
    assert client.post(sign_url, {"otp_token": two_factor_code(head)}).status_code == 302
    assert viewing.signatures.get().signer == ViewingSigner.HEADTEACHER
    assert "Viewings of imagery waiting" not in client.get("/").content.decode()


def test_someone_who_may_not_sign_is_told_why(case, dsl, deputy, head, signed_in):
    viewing = record_viewing(case, viewer=dsl, present=deputy, head=head)
    response = signed_in(deputy).post(
        f"/cases/{case.pk}/imagery-viewings/{viewing.pk}/sign/", {"password": TEST_PASSWORD}
    )
    assert response.status_code == 403 and "Only the person who viewed" in response.content.decode()
    assert not viewing.signatures.exists()


def test_the_headteacher_delegates_and_ends_on_the_page(school, deputy, head, dsl, signed_in):
    client = signed_in(head)
    response = client.post("/imagery-viewing/delegations/", {"user": deputy.pk, "reason": "The DSL is part-time."})
    assert response.status_code == 302
    delegation = services.open_delegation(school, deputy)
    assert delegation.granted_by == head
    assert "The DSL is part-time." in client.get("/imagery-viewing/delegations/").content.decode()

    assert client.post(f"/imagery-viewing/delegations/{delegation.pk}/end/").status_code == 302
    assert services.open_delegation(school, deputy) is None
    assert signed_in(dsl).get("/imagery-viewing/delegations/").status_code == 403


@postgres_only()
@pytest.mark.parametrize("table", ["records_imageryviewing", "records_viewingsignature"])
def test_the_database_refuses_to_rewrite_a_viewing_or_a_signature(case, dsl, deputy, head, table):
    viewing = record_viewing(case, viewer=dsl, present=deputy, head=head)
    services.viewing_sign(actor=dsl, viewing=viewing, password=TEST_PASSWORD)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET "id" = "id"')  # noqa: S608 (a table name of ours)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{table}"')  # noqa: S608
