"""PDF reports: asking for one, the render job (run twice, one report), failures and Retry, a stuck render, the pages
(scoped, logged, polled) and the download. The PDF itself is made by a stand-in here; test_reports_render reads
real ones back."""

import datetime
import hashlib
import os

import pytest
from celery.exceptions import Retry
from django.contrib.contenttypes.models import ContentType
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident
from records.report_models import Report, ReportKind, ReportState
from records.services import reports
from records.tasks import report_render_attempt
from safeguard import outbox
from safeguard.models import AccessLog, OutboxMessage
from safeguard.roles import Role
from tests.factories import PupilFactory, make_case, member

FAKE_PDF = b"%PDF-1.7 a stand-in\n%%EOF\n"


@pytest.fixture(autouse=True)
def reports_root(settings, tmp_path):
    settings.SAFEGUARD_REPORTS_ROOT = tmp_path / "reports"
    return settings.SAFEGUARD_REPORTS_ROOT


@pytest.fixture
def renders(monkeypatch):
    """Make PDFs with a stand-in (WeasyPrint is tested in test_reports_render); count the renders."""
    made = []

    def render(html):
        made.append(html)
        return FAKE_PDF, 1

    monkeypatch.setattr(reports, "render_pdf", render)
    return made


def files(root):
    return sorted(os.listdir(root)) if os.path.isdir(root) else []


def ask(dsl, school, case, capture):
    with capture(execute=True):
        return reports.report_request(actor=dsl, school=school, kind=ReportKind.CASE_RECORD, incident=case)


# --- The job ----------------------------------------------------------------------------------------------------


def test_asking_queues_the_job_in_the_same_transaction_and_the_job_makes_the_report(
    school, dsl, case_in, renders, reports_root, django_capture_on_commit_callbacks
):
    case = case_in("referred")
    report = ask(dsl, school, case, django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get(task="records.tasks.report_render")
    assert message.kwargs == {"report_id": report.pk}  # an id only, never what the report holds
    report.refresh_from_db()
    assert report.state == ReportState.READY
    assert report.attempts == 1 and report.pages == 1 and report.size == len(FAKE_PDF)
    assert report.sha256 == hashlib.sha256(FAKE_PDF).hexdigest()
    assert report.marking == "OFFICIAL-SENSITIVE"
    assert files(reports_root) == [report.stored_name]
    assert [h.history_user for h in report.history.all()] == [dsl] * report.history.count()


def test_the_job_run_twice_makes_one_report_and_one_file(
    school, dsl, case_in, renders, reports_root, django_capture_on_commit_callbacks
):
    report = ask(dsl, school, case_in("referred"), django_capture_on_commit_callbacks)
    first = Report.objects.get(pk=report.pk)
    report_render_attempt(report.pk)
    report_render_attempt.apply(args=[report.pk])
    assert len(renders) == 1  # a ready report is not made again
    again = Report.objects.get(pk=report.pk)
    assert (again.state, again.stored_name, again.sha256, again.attempts) == (
        ReportState.READY,
        first.stored_name,
        first.sha256,
        1,
    )
    assert files(reports_root) == [first.stored_name]


def test_two_runs_at_once_leave_one_file(school, dsl, case_in, renders, reports_root, monkeypatch):
    """Two workers took the same job (a worker was thought dead): the second to finish throws its file away."""
    report = reports.report_request(actor=dsl, school=school, kind=ReportKind.CASE_RECORD, incident=case_in("referred"))
    real_html = reports._html

    def html_while_another_run_finishes(report):
        monkeypatch.setattr(reports, "_html", real_html)
        reports.report_render(report_id=report.pk)  # the other run, starting and finishing meanwhile
        return real_html(report)

    monkeypatch.setattr(reports, "_html", html_while_another_run_finishes)
    reports.report_render(report_id=report.pk)
    report.refresh_from_db()
    assert report.state == ReportState.READY and report.attempts == 2
    assert files(reports_root) == [report.stored_name]


def test_a_failing_build_marks_the_report_failed_with_a_plain_reason_and_retry_makes_it(
    school, dsl, case_in, renders, monkeypatch, django_capture_on_commit_callbacks
):
    case = case_in("referred")

    def broken(report, progress):
        raise ValueError(f"secret detail of {case.reference}")

    real_builder = reports.builder
    monkeypatch.setattr(reports, "builder", lambda kind: broken)
    report = ask(dsl, school, case, django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert report.state == ReportState.FAILED
    assert report.error.startswith("Something went wrong while the report was being made.")
    assert "Traceback" not in report.error and case.reference not in report.error and "secret" not in report.error

    monkeypatch.setattr(reports, "builder", real_builder)  # mended
    with django_capture_on_commit_callbacks(execute=True):
        reports.report_retry(actor=dsl, report=report)
    report.refresh_from_db()
    assert report.state == ReportState.READY and report.attempts == 2 and report.error == ""


def test_a_database_error_is_left_to_the_task_to_retry(school, dsl, case_in, renders, monkeypatch):
    report = reports.report_request(actor=dsl, school=school, kind=ReportKind.CASE_RECORD, incident=case_in("referred"))

    def database_gone(html):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(reports, "render_pdf", database_gone)
    with pytest.raises(Retry) as retried:  # as a worker runs it: the task asks to be run again, later
        report_render_attempt.apply(args=[report.pk])
    assert isinstance(retried.value.exc, OperationalError)
    assert 0 <= retried.value.when <= 5  # back-off: up to 5 s, then 10, 20... (with jitter)
    assert report_render_attempt.max_retries == 5  # bounded
    report.refresh_from_db()
    assert report.state == ReportState.RENDERING  # not failed by the error itself: reports_recover fails it later


def test_a_report_left_rendering_by_a_killed_worker_is_failed_and_can_be_retried(
    school, dsl, case_in, renders, settings, django_capture_on_commit_callbacks
):
    report = reports.report_request(actor=dsl, school=school, kind=ReportKind.CASE_RECORD, incident=case_in("referred"))
    reports._start(report.pk)  # the worker took it, then was killed
    fresh = reports.report_request(actor=dsl, school=school, kind=ReportKind.CASE_RECORD, incident=case_in("referred"))
    reports._start(fresh.pk)  # still within the time limit: left alone
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    Report.objects.filter(pk=report.pk).update(started_at=long_ago)

    assert reports.reports_recover() == 1
    report.refresh_from_db()
    assert report.state == ReportState.FAILED and report.error == reports.STOPPED
    assert Report.objects.get(pk=fresh.pk).state == ReportState.RENDERING
    assert reports.reports_recover() == 0  # once

    reports.report_render(report_id=report.pk)  # the killed worker's job delivered again: it waits for Retry
    assert Report.objects.get(pk=report.pk).state == ReportState.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        reports.report_retry(actor=dsl, report=report)
    assert Report.objects.get(pk=report.pk).state == ReportState.READY


def test_a_report_whose_job_never_started_is_failed_after_an_hour(school, dsl, case_in):
    report = reports.report_request(actor=dsl, school=school, kind=ReportKind.CASE_RECORD, incident=case_in("referred"))
    Report.objects.filter(pk=report.pk).update(requested_at=timezone.now() - datetime.timedelta(hours=2))
    assert reports.reports_recover() == 1
    assert Report.objects.get(pk=report.pk).error == reports.NOT_STARTED


def test_progress_is_written_at_most_every_few_items_or_half_second(school, dsl, case_in, monkeypatch):
    report = reports.report_request(actor=dsl, school=school, kind=ReportKind.CASE_RECORD, incident=case_in("referred"))
    reports._start(report.pk)
    progress = reports.Progress(report.pk)
    writes = []
    real_update = type(Report.objects.none()).update

    def counted_update(queryset, **values):
        writes.append(values)
        return real_update(queryset, **values)

    monkeypatch.setattr(type(Report.objects.none()), "update", counted_update)
    for done in range(1, 101):
        progress(done, 100)
    assert 4 <= len(writes) <= 6  # the first, every 25th, the last
    assert Report.objects.get(pk=report.pk).progress_done == 100


# --- Who may ask ------------------------------------------------------------------------------------------------


def test_who_may_ask_for_which_report(school, other_school, people, case_in):
    case = case_in("referred")
    pupil = case.involvements.first().pupil
    period = {"period_start": datetime.date(2026, 9, 1), "period_end": datetime.date(2026, 12, 18)}
    for role in (Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER):
        reports.report_request(actor=people[role], school=school, kind=ReportKind.CASE_RECORD, incident=case)
        reports.report_request(actor=people[role], school=school, kind=ReportKind.PUPIL_FILE, pupil=pupil)
        reports.report_request(actor=people[role], school=school, kind=ReportKind.SCHOOL, **period)
    # The trust lead oversees: the school's report, not a copy of a child's file.
    reports.report_request(actor=people[Role.TRUST_LEAD], school=school, kind=ReportKind.SCHOOL, **period)
    with pytest.raises(reports.CasePermissionDenied):
        reports.report_request(actor=people[Role.TRUST_LEAD], school=school, kind=ReportKind.CASE_RECORD, incident=case)
    for role in (Role.STAFF, Role.INSPECTOR):
        with pytest.raises(reports.CasePermissionDenied):
            reports.report_request(actor=people[role], school=school, kind=ReportKind.SCHOOL, **period)
    elsewhere = member(Role.DSL, school=other_school)
    with pytest.raises(reports.CasePermissionDenied):
        reports.report_request(actor=elsewhere, school=other_school, kind=ReportKind.CASE_RECORD, incident=case)
    with pytest.raises(reports.CasePermissionDenied):
        reports.report_request(actor=elsewhere, school=other_school, kind=ReportKind.PUPIL_FILE, pupil=pupil)


def test_a_period_must_end_on_or_after_it_starts(school, dsl):
    with pytest.raises(reports.ValidationError) as refused:
        reports.report_request(
            actor=dsl,
            school=school,
            kind=ReportKind.SCHOOL,
            period_start=datetime.date(2026, 9, 2),
            period_end=datetime.date(2026, 9, 1),
        )
    assert "period_end" in refused.value.message_dict


# --- The pages --------------------------------------------------------------------------------------------------


def test_the_case_page_asks_for_a_case_record_and_the_report_page_follows_it(
    client, signed_in, school, dsl, case_in, renders
):
    signed_in(dsl, school=school)
    case = case_in("referred")
    page = client.get(reverse("incidents:case_detail", args=[case.pk]))
    assert reverse("records:report_case_new", args=[case.pk]) in page.content.decode()

    answer = client.post(reverse("records:report_case_new", args=[case.pk]))
    report = Report.objects.get()
    assert answer.url == reverse("records:report_detail", args=[report.pk])
    queued = client.get(answer.url).content.decode()
    assert "Queued" in queued and 'hx-trigger="every 1s"' in queued and "<progress" in queued
    fragment = client.get(reverse("records:report_status", args=[report.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and case.reference not in fragment

    outbox.dispatch_unsent()  # the job runs (in-process here) as the outbox hands it over
    ready = client.get(reverse("records:report_status", args=[report.pk])).content.decode()
    report.refresh_from_db()
    assert "Ready" in ready and "hx-trigger" not in ready and report.sha256 in ready
    assert reverse("records:report_download", args=[report.pk]) in ready


def test_the_download_is_an_attachment_never_stored_and_in_the_access_log(
    client, signed_in, school, dsl, case_in, renders, django_capture_on_commit_callbacks
):
    signed_in(dsl, school=school)
    case = case_in("referred")
    report = ask(dsl, school, case, django_capture_on_commit_callbacks)
    response = client.get(reverse("records:report_download", args=[report.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == FAKE_PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="case-record-{case.reference}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    downloads = AccessLog.objects.filter(user=dsl, action=AccessLog.Action.DOWNLOAD)
    assert set(downloads.values_list("content_type", "object_id")) == {
        (ContentType.objects.get_for_model(Report).pk, str(report.pk)),
        (ContentType.objects.get_for_model(Incident).pk, str(case.pk)),
    }


def test_a_failed_report_shows_its_reason_and_retry(client, signed_in, school, dsl, case_in, renders):
    signed_in(dsl, school=school)
    report = reports.report_request(actor=dsl, school=school, kind=ReportKind.CASE_RECORD, incident=case_in("referred"))
    reports._start(report.pk)
    reports._fail(report.pk, reports.STOPPED)
    page = client.get(reverse("records:report_detail", args=[report.pk])).content.decode()
    assert reports.STOPPED in page and "Retry" in page and "hx-trigger" not in page
    client.post(reverse("records:report_retry", args=[report.pk]))
    assert Report.objects.get(pk=report.pk).state in (ReportState.QUEUED, ReportState.READY)


def test_a_school_report_is_asked_for_with_a_period_and_errors_by_the_field(client, signed_in, school, people):
    signed_in(people[Role.TRUST_LEAD], school=school)
    url = reverse("records:report_school_new")
    refused = client.post(url, {"period": "dates", "period_start": "2026-09-01"}).content.decode()
    assert 'id="id_period_end_error"' in refused and "Give the last day." in refused
    refused = client.post(url, {"period": "term"}).content.decode()
    assert "Choose the term." in refused
    answer = client.post(url, {"period": "year", "year": str(timezone.localdate().year - 1)})
    report = Report.objects.get()
    assert answer.url == reverse("records:report_detail", args=[report.pk])
    assert report.period_start == datetime.date(timezone.localdate().year - 1, 9, 1)
    assert report.period_end == datetime.date(timezone.localdate().year, 8, 31)


def test_another_schools_report_is_not_found_at_every_address(
    client, signed_in, school, other_school, dsl, case_in, renders, django_capture_on_commit_callbacks
):
    report = ask(dsl, school, case_in("referred"), django_capture_on_commit_callbacks)
    signed_in(member(Role.DSL, school=other_school), school=other_school)
    for name in ("report_detail", "report_status", "report_download", "report_retry"):
        method = client.post if name == "report_retry" else client.get
        assert method(reverse(f"records:{name}", args=[report.pk])).status_code == 404, name
    assert report.incident.reference not in client.get(reverse("records:report_list")).content.decode()


def test_a_restricted_cases_record_is_seen_only_by_its_named_members(
    client, signed_in, school, people, renders, django_capture_on_commit_callbacks
):
    from incidents.restriction import case_restrict

    dsl, deputy = people[Role.DSL], people[Role.DEPUTY_DSL]
    case = make_case(school=school, state="referred", pupils=[PupilFactory(school=school)])
    case_restrict(actor=dsl, incident=case, members=[dsl], reason="A member of staff knows the family.")
    report = ask(dsl, school, case, django_capture_on_commit_callbacks)
    signed_in(deputy, school=school)
    assert client.get(reverse("records:report_detail", args=[report.pk])).status_code == 404
    assert case.reference not in client.get(reverse("records:report_list")).content.decode()


def test_the_buttons_show_to_those_who_may_copy_a_childs_file(client, signed_in, school, people, case_in):
    case = case_in("referred")
    pupil = case.involvements.first().pupil
    ask_case = reverse("records:report_case_new", args=[case.pk])
    ask_pupil = reverse("records:report_pupil_new", args=[pupil.pk])
    signed_in(people[Role.HEADTEACHER], school=school)
    assert ask_case in client.get(reverse("incidents:case_detail", args=[case.pk])).content.decode()
    assert ask_pupil in client.get(reverse("pupil_detail", args=[pupil.pk])).content.decode()
    signed_in(people[Role.TRUST_LEAD], school=school)
    assert ask_case not in client.get(reverse("incidents:case_detail", args=[case.pk])).content.decode()
    assert ask_pupil not in client.get(reverse("pupil_detail", args=[pupil.pk])).content.decode()
    assert client.post(ask_case).status_code == 403
