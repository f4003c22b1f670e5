"""PDF reports in the browser (issue 10 §3): ask for one, watch it render, download it, retry a failed one.

Every read of a report goes through records.report_selectors.reports_for_user. The report's page polls a small
fragment (its state and progress, nothing of the case) once a second while the job runs; a plain reload shows the
same. Downloads are in the access log.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from incidents.models import Incident
from incidents.views.common import case_for, form_page
from safeguard.access import capability_required
from safeguard.audit import listed, shown
from safeguard.models import AccessLog, Pupil
from safeguard.selectors import get_pupil_for_user_or_404

from .. import report_selectors as selectors
from ..report_forms import SchoolReportForm
from ..report_models import Report, ReportKind, ReportState
from ..services import reports as services

QUEUED = "The report is queued. This page shows when it is ready."


def _detail_url(report):
    return reverse("records:report_detail", args=[report.pk])


def _log_covered(request, reports, action):
    """Note the cases and pupils the reports name (a case's reference, a pupil's name) in the access log."""
    shown(request, Incident, [report.incident_id for report in reports if report.incident_id], action)
    shown(request, Pupil, [report.pupil_id for report in reports if report.pupil_id], action)


@capability_required("request_school_reports")
def report_list(request):
    """The school's latest reports the user may see, newest first, with where each stands."""
    reports = list(selectors.report_list_for_user(request.user, request.school)[: selectors.LIST_SIZE])
    listed(request, Incident, [report.incident_id for report in reports if report.incident_id])
    listed(request, Pupil, [report.pupil_id for report in reports if report.pupil_id])
    return render(request, "records/reports/list.html", {"reports": reports, "shown_at_most": selectors.LIST_SIZE})


@capability_required("request_school_reports")
def report_school_new(request):
    """Ask for the school's safeguarding report for a term, a school year or any dates."""
    today = timezone.localdate()
    form = SchoolReportForm(
        request.POST or None, terms=selectors.report_terms(request.user, request.school, today=today), today=today
    )

    def perform(data):
        return services.report_request(
            actor=request.user,
            school=request.school,
            kind=ReportKind.SCHOOL,
            period_start=data["start"],
            period_end=data["end"],
            period_label=data["label"],
        )

    return form_page(request, None, form, perform, "records/reports/school_form.html", QUEUED, then=_detail_url)


@require_POST
@capability_required("export_case_files")
def report_case_new(request, pk):
    """Ask for the case record of one case (the button on the case page)."""
    case = case_for(request, pk)
    report = services.report_request(
        actor=request.user, school=request.school, kind=ReportKind.CASE_RECORD, incident=case
    )
    messages.success(request, QUEUED)
    return redirect(_detail_url(report))


@require_POST
@capability_required("export_case_files")
def report_pupil_new(request, pk):
    """Ask for a pupil's child protection file (the button on the pupil's page)."""
    pupil = get_pupil_for_user_or_404(request.user, request.school, pk)
    shown(request, Pupil, [pupil.pk])
    report = services.report_request(actor=request.user, school=request.school, kind=ReportKind.PUPIL_FILE, pupil=pupil)
    messages.success(request, QUEUED)
    return redirect(_detail_url(report))


@require_safe
def report_detail(request, pk):
    """One report: who asked, when, what it covers, where it stands; Download once ready, Retry once failed."""
    report = selectors.get_report_for_user_or_404(request.user, request.school, pk)
    _log_covered(request, [report], AccessLog.Action.LIST)
    shown(request, Report, [report.pk])
    can_retry = services.can_request(request.roles, report.kind)
    return render(request, "records/reports/detail.html", {"report": report, "can_retry": can_retry})


@require_safe
def report_status(request, pk):
    """The fragment the report's page polls: its state and progress only, so polling names no case or child."""
    report = selectors.get_report_for_user_or_404(request.user, request.school, pk)
    can_retry = services.can_request(request.roles, report.kind)
    return render(request, "records/reports/_status.html", {"report": report, "can_retry": can_retry})


@require_safe
def report_download(request, pk):
    """The PDF, always as a download, never shown in the browser; each download is in the access log."""
    report = selectors.get_report_for_user_or_404(request.user, request.school, pk)
    if report.state != ReportState.READY:
        raise Http404
    try:
        file = open(services.report_path(report), "rb")  # noqa: SIM115  (FileResponse closes it)
    except FileNotFoundError:
        raise Http404 from None
    shown(request, Report, [report.pk], AccessLog.Action.DOWNLOAD)
    _log_covered(request, [report], AccessLog.Action.DOWNLOAD)
    response = FileResponse(file, as_attachment=True, filename=_filename(report), content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _filename(report):
    # No child's name in a file name: it shows in download folders and lists of recent files.
    if report.kind == ReportKind.CASE_RECORD:
        return f"case-record-{report.incident.reference}.pdf"
    if report.kind == ReportKind.PUPIL_FILE:
        return f"child-protection-file-{report.pk}.pdf"
    return f"school-report-{report.period_start:%Y-%m-%d}-to-{report.period_end:%Y-%m-%d}.pdf"


@require_POST
def report_retry(request, pk):
    """Queue a failed report again."""
    report = selectors.get_report_for_user_or_404(request.user, request.school, pk)
    try:
        services.report_retry(actor=request.user, report=report)
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, QUEUED)
    return redirect(_detail_url(report))
