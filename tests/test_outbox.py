"""The outbox: a job is written with the change, survives a broker that refuses it, and runs once however often
it is handed over."""

import datetime
import threading

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connections, transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from incidents import services
from incidents.models import Notification
from safeguard import outbox
from safeguard.celery import app as celery_app
from safeguard.models import OutboxMessage
from safeguard.roles import Role
from tests.conftest import postgres_only
from tests.factories import admin_user, make_case

pytestmark = pytest.mark.django_db

EMAIL_TASK = "incidents.tasks.concern_reported_email"


@pytest.fixture(autouse=True)
def jobs_run_here(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def _refuse(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.fixture
def broker_down(monkeypatch):
    monkeypatch.setattr(outbox._task(outbox.DELIVER_TASK), "apply_async", _refuse)


@pytest.fixture
def dsl_team(people):
    return people[Role.DSL], people[Role.DEPUTY_DSL]


def submitted_case(school, capture):
    draft = make_case(school=school, state="draft")
    with capture(execute=True):
        services.concern_submit(actor=draft.reported_by, incident=draft)
    return draft


def test_the_job_is_written_with_the_change_and_rolls_back_with_it(school, dsl_team):
    draft = make_case(school=school, state="draft")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.concern_submit(actor=draft.reported_by, incident=draft)
        assert OutboxMessage.objects.get().kwargs == {"incident_id": draft.pk}
        raise RuntimeError("the request failed after submitting")
    assert not OutboxMessage.objects.exists()


def test_a_broker_that_refuses_leaves_the_job_unsent_and_the_change_saved(
    school, dsl_team, broker_down, django_capture_on_commit_callbacks
):
    case = submitted_case(school, django_capture_on_commit_callbacks)

    case.refresh_from_db()
    assert case.state == "reported"
    message = OutboxMessage.objects.get()
    assert (message.task, message.attempts, message.handed_over_at, message.done_at) == (EMAIL_TASK, 1, None, None)
    assert "Connection refused" in message.last_error
    assert list(outbox.unsent()) == [message]
    assert mail.outbox == []


def test_the_dispatcher_sends_what_waited_once_the_broker_is_back(
    school, dsl_team, django_capture_on_commit_callbacks, monkeypatch
):
    with monkeypatch.context() as down:
        down.setattr(outbox._task(outbox.DELIVER_TASK), "apply_async", _refuse)
        case = submitted_case(school, django_capture_on_commit_callbacks)
        assert outbox.dispatch_unsent() == 0  # still down: tried, and left
    assert OutboxMessage.objects.get().attempts == 2

    assert outbox.dispatch_unsent() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in dsl_team)
    message = OutboxMessage.objects.get()
    assert message.done_at is not None and message.handed_over_at is not None and message.last_error == ""
    assert not Notification.objects.filter(incident=case, emailed_at__isnull=True).exists()

    # A repeat is a no-op: nothing is due, and a message that is done is not run again.
    assert outbox.dispatch_unsent() == 0
    assert outbox.hand_over(message.pk) is False
    assert outbox.deliver(message.pk) is False
    assert len(mail.outbox) == 2


def test_a_message_taken_by_the_broker_but_never_done_is_handed_over_again_later(
    school, dsl_team, monkeypatch, django_capture_on_commit_callbacks
):
    handed = []
    monkeypatch.setattr(outbox._task(outbox.DELIVER_TASK), "apply_async", lambda args: handed.append(args))
    draft = make_case(school=school, state="draft")
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.enqueue(EMAIL_TASK, incident_id=draft.pk)
    assert handed == [[message.pk]]

    assert outbox.dispatch_unsent() == 0  # taken a moment ago: a worker may be on it
    OutboxMessage.objects.filter(pk=message.pk).update(
        handed_over_at=timezone.now() - outbox.REDELIVER_AFTER - datetime.timedelta(seconds=1)
    )
    assert outbox.dispatch_unsent() == 1  # lost with a broker that restarted empty
    assert handed == [[message.pk], [message.pk]]
    assert OutboxMessage.objects.get().attempts == 2


def test_a_job_that_fails_is_not_marked_done_and_keeps_its_reason(school, dsl_team, monkeypatch):
    make_case(school=school, state="reported")  # its job is written; on-commit hand-over never runs in this test
    message = OutboxMessage.objects.get()

    def smtp_down(*args, **kwargs):
        raise ConnectionRefusedError("SMTP server refused the connection")

    monkeypatch.setattr(services, "send_mail", smtp_down)
    with pytest.raises(ConnectionRefusedError):
        outbox.deliver(message.pk)
    message.refresh_from_db()
    assert message.done_at is None
    assert "SMTP server refused" in message.last_error


def test_an_unknown_task_is_refused_inside_the_change():
    with pytest.raises(KeyError):
        outbox.enqueue("incidents.tasks.no_such_task", incident_id=1)
    assert not OutboxMessage.objects.exists()


@postgres_only()
def test_the_database_refuses_to_delete_an_outbox_row(school, dsl_team, django_capture_on_commit_callbacks):
    submitted_case(school, django_capture_on_commit_callbacks)
    with pytest.raises(DatabaseError) as refused, transaction.atomic():
        OutboxMessage.objects.all().delete()
    assert "DELETE on safeguard_outboxmessage is refused, its rows are kept as a record" in str(refused.value)
    assert OutboxMessage.objects.count() == 1


def test_outbox_status_lists_what_waits_and_fails_when_it_is_late(school, dsl_team, broker_down, capsys):
    call_command("outbox_status")
    assert "Nothing waiting" in capsys.readouterr().out

    make_case(school=school, state="reported")
    call_command("outbox_status")
    assert f"1 waiting:\n  #{OutboxMessage.objects.get().pk} {EMAIL_TASK}, 0 min" in capsys.readouterr().out

    OutboxMessage.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=11))
    with pytest.raises(CommandError, match="waited 11 minutes"):
        call_command("outbox_status")


def test_a_job_that_fails_half_way_keeps_what_it_did_so_a_retry_emails_no_one_twice(school, dsl_team, monkeypatch):
    make_case(school=school, state="reported")
    message = OutboxMessage.objects.get()
    real_send_mail = services.send_mail
    calls = []

    def second_fails_once(**kwargs):
        calls.append(kwargs["recipient_list"])
        if len(calls) == 2:
            raise ConnectionResetError("SMTP server went away")
        return real_send_mail(**kwargs)

    monkeypatch.setattr(services, "send_mail", second_fails_once)
    with pytest.raises(ConnectionResetError):
        outbox.deliver(message.pk)
    assert outbox.deliver(message.pk) is True

    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in dsl_team)


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_hand_each_message_over_once(school, dsl_team, monkeypatch):
    handed = []
    monkeypatch.setattr(outbox._task(outbox.DELIVER_TASK), "apply_async", lambda args: handed.append(args))
    with monkeypatch.context() as down:
        down.setattr(outbox._task(outbox.DELIVER_TASK), "apply_async", _refuse)
        first = make_case(school=school, state="reported")
        make_case(school=school, state="reported")
    waiting = list(OutboxMessage.objects.order_by("pk"))
    assert [m.handed_over_at for m in waiting] == [None, None]

    holding, release = threading.Event(), threading.Event()

    def other_dispatcher():
        # Another process's dispatch, part-way through the first message (it holds that row's lock).
        try:
            with transaction.atomic():
                OutboxMessage.objects.select_for_update().get(kwargs__incident_id=first.pk)
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    other = threading.Thread(target=other_dispatcher)
    other.start()
    try:
        assert holding.wait(10)
        assert outbox.dispatch_unsent() == 1  # skips the locked row, without waiting for it
        assert handed == [[waiting[1].pk]]
    finally:
        release.set()
        other.join()


def test_the_admin_lists_what_waits_and_why_read_only(school, dsl_team, broker_down, signed_in):
    make_case(school=school, state="reported")
    client = signed_in(admin_user())
    message = OutboxMessage.objects.get()
    OutboxMessage.objects.update(last_error="OperationalError: Connection refused.")

    page = client.get(reverse("admin:safeguard_outboxmessage_changelist")).content.decode()
    assert EMAIL_TASK in page and "Connection refused." in page
    detail = client.get(reverse("admin:safeguard_outboxmessage_change", args=[message.pk])).content.decode()
    assert "Connection refused." in detail and "incident_id" not in detail
    assert (
        client.post(reverse("admin:safeguard_outboxmessage_delete", args=[message.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert OutboxMessage.objects.filter(pk=message.pk).exists()
