"""On submission the DSL team is alerted in the app at once, and by email once the concern is saved for good."""

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from incidents import selectors, services, tasks
from incidents.models import Incident, Notification
from safeguard import services as core_services
from safeguard.audit import log_access
from safeguard.models import AccessLog, Membership
from safeguard.roles import Role
from tests.factories import admin_user, concern_details, make_case, meeting_answers

pytestmark = pytest.mark.django_db


def test_submission_alerts_the_dsl_team_in_the_app_and_by_email_after_commit(
    school, staff, dsl, deputy, head, django_capture_on_commit_callbacks
):
    draft = make_case(school=school, state="draft")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.concern_submit(actor=staff, incident=draft)
        assert {n.recipient for n in Notification.objects.filter(incident=draft)} == {dsl, deputy}
        assert mail.outbox == []  # nothing leaves before the concern is committed

    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([dsl.email, deputy.email])
    assert head.email not in {m.to[0] for m in mail.outbox}
    assert [n.incident for n in selectors.notifications_for_user(dsl, school)] == [draft]


def test_nothing_is_emailed_if_the_submission_rolls_back(school, staff, dsl, django_capture_on_commit_callbacks):
    draft = make_case(school=school, state="draft")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.concern_submit(actor=staff, incident=draft)
        raise RuntimeError("the request failed after submitting")
    assert callbacks == [] and mail.outbox == []


def test_the_task_run_twice_sends_one_email_per_recipient(
    school, staff, dsl, deputy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(school=school, state="reported")
    assert len(mail.outbox) == 2

    assert tasks.concern_reported_email.apply(args=[case.pk]).get() == 0
    assert tasks.concern_reported_email.apply(args=[case.pk]).get() == 0
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(incident=case, emailed_at__isnull=False).count() == 2


def test_the_email_carries_no_detail_of_the_concern(school, dsl, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(school=school, state="reported")
    pupil = case.involvements.get().pupil
    for message in mail.outbox:
        text = message.subject + message.body
        assert case.reference in text
        assert pupil.first_name not in text and pupil.last_name not in text
        assert case.childs_words not in text


def test_a_dsl_logging_a_concern_is_not_alerted_to_their_own(
    school, dsl, deputy, pupil, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = services.concern_log(
            actor=dsl, school=school, involvements=[{"pupil": pupil, "part": "harmed"}], **concern_details()
        )
    assert [n.recipient for n in case.notifications.all()] == [deputy]
    assert [m.to for m in mail.outbox] == [[deputy.email]]


def test_someone_who_left_the_team_before_the_email_went_is_not_emailed(school, staff, dsl, deputy):
    case = make_case(school=school, state="draft")
    with transaction.atomic():
        services.concern_submit(actor=staff, incident=case)
    core_services.membership_end(
        actor=admin_user(), membership=Membership.objects.get(user=deputy, role=Role.DEPUTY_DSL), reason="Left"
    )
    mail.outbox.clear()

    services.concern_reported_email_send(incident_id=case.pk)

    assert [m.to for m in mail.outbox] == [[dsl.email]]


def test_notification_history_names_the_person_who_submitted(school, staff, dsl, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(school=school, state="reported")
    notification = case.notifications.get(recipient=dsl)
    assert [r.history_user for r in notification.history.all()] == [staff, staff]


def test_opening_the_case_does_not_clear_a_notification_and_nothing_is_written(school, dsl, deputy, case_in):
    """What clears a notification is the case moving on, not a page being opened (issue 10 §5)."""
    case = case_in("reported")
    notification = case.notifications.get(recipient=dsl)
    history = notification.history.count()
    assert list(selectors.notifications_for_user(dsl, school)) == [notification]

    log_access(user=dsl, school=school, records=[(Incident, case.pk, AccessLog.Action.LIST)])
    log_access(user=dsl, school=school, records=[(Incident, case.pk, AccessLog.Action.VIEW)])

    assert list(selectors.notifications_for_user(dsl, school)) == [notification]
    assert notification.history.count() == history


def test_a_concern_clears_for_everyone_once_its_review_meeting_is_held(school, dsl, deputy, case_in):
    case = case_in("reported")
    assert selectors.notifications_for_user(deputy, school).get().incident == case

    services.review_meeting_record(
        actor=dsl, incident=case, held_at=timezone.now(), attendees=[dsl], answers=meeting_answers()
    )

    assert not selectors.notifications_for_user(dsl, school).exists()
    assert not selectors.notifications_for_user(deputy, school).exists()
    assert Notification.objects.filter(incident=case).count() == 2  # kept on record, only no longer listed


def test_a_concern_once_reviewed_no_longer_calls_for_attention(school, dsl, case_in):
    case_in("under_review")
    assert not selectors.notifications_for_user(dsl, school).exists()


def test_the_notifications_are_read_in_the_same_queries_however_many(school, dsl, case_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            found = list(selectors.notifications_for_user(dsl, school))
        return len(found), len(captured)

    case_in("reported")
    shown, few = queries()
    for _ in range(2):
        case_in("reported")
    assert queries() == (shown + 2, few)
    assert few == 2  # the user's roles (once per request on a page), then the notifications


def test_two_runs_of_the_task_before_any_email_still_send_one_each(school, dsl, deputy):
    case = make_case(school=school, state="reported")  # in the test's transaction: the on-commit hook never fires
    assert mail.outbox == []

    first = tasks.concern_reported_email.apply(args=[case.pk]).get()
    second = tasks.concern_reported_email.apply(args=[case.pk]).get()

    assert (first, second) == (2, 0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([dsl.email, deputy.email])
