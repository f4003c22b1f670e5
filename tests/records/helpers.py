"""Building imagery viewings and devices through the services, for the records tests and the access walk."""

import datetime

from django.utils import timezone

from records.services import custody, viewing


def viewing_details(case, *, viewer, present, head, **overrides):
    """What the DSL records after viewing imagery that a pupil showed a member of staff."""
    now = timezone.now()
    details = {
        "involvement": case.involvements.filter(pupil__isnull=False).first(),
        "viewed_by": viewer,
        "viewed_at": now - datetime.timedelta(hours=1),
        "present": present,
        "reason": "unavoidable",
        "why": "A pupil showed it to her form tutor on her phone before anyone could stop her.",
        "same_sex": True,
        "head_told": head,
        "head_told_at": now - datetime.timedelta(hours=2),
        "what_followed": "The phone was switched off and locked away; the police were called.",
        "not_copied": True,
    }
    return {**details, **overrides}


def record_viewing(case, *, viewer, present, head, actor=None, **overrides):
    details = viewing_details(case, viewer=viewer, present=present, head=head, **overrides)
    return viewing.viewing_record(actor=actor or viewer, incident=case, **details)


def record_device(case, *, actor, first_step="confiscated", **overrides):
    details = {
        "involvement": case.involvements.filter(pupil__isnull=False).first(),
        "description": "Black iPhone 13 in a blue case",
        "first_step": first_step,
        "at": timezone.now() - datetime.timedelta(minutes=20),
        "by": actor,
        "switched_off": True,
        "disconnected": True,
    }
    if first_step == "refused":
        details.update(by=None, switched_off=None, disconnected=None, notes="She would not give it to her tutor.")
    return custody.device_record(actor=actor, incident=case, **{**details, **overrides})


def ready_report(*, actor, incident, pdf=b"%PDF-1.7 a stand-in\n%%EOF\n"):
    """A case record asked for by `actor` and made at once, with a stand-in PDF in place of WeasyPrint's."""
    from unittest import mock

    from records.report_models import ReportKind
    from records.services import reports

    report = reports.report_request(actor=actor, school=incident.school, kind=ReportKind.CASE_RECORD, incident=incident)
    with mock.patch.object(reports, "render_pdf", return_value=(pdf, 1)):
        return reports.report_render(report_id=report.pk)
