from django.urls import path

from .views import (
    attachments,
    custody,
    deletion,
    imagery_devices,
    inspection,
    reminders,
    reports,
    retention,
    seals,
    sharing,
    transfers,
    viewing,
)

app_name = "records"

urlpatterns = [
    # Documents: the team attaches and withdraws; whoever may open the case downloads.
    path("cases/<int:pk>/documents/", attachments.attachment_list, name="attachment_list"),
    path("cases/<int:pk>/documents/new/", attachments.attachment_add, name="attachment_add"),
    path("cases/<int:pk>/documents/<int:attachment_pk>/", attachments.attachment_download, name="attachment_download"),
    path(
        "cases/<int:pk>/documents/<int:attachment_pk>/withdraw/",
        attachments.attachment_withdraw,
        name="attachment_withdraw",
    ),
    # Information sharing (and decisions not to share), and inter-agency meetings; corrections are new entries.
    path("cases/<int:pk>/sharing-and-meetings/", sharing.case_sharing, name="case_sharing"),
    path("cases/<int:pk>/sharing/new/", sharing.sharing_new, name="sharing_new"),
    path("cases/<int:pk>/sharing/<int:sid>/correct/", sharing.sharing_correct, name="sharing_correct"),
    path("cases/<int:pk>/agency-meetings/new/", sharing.meeting_new, name="meeting_new"),
    path("cases/<int:pk>/agency-meetings/<int:mid>/correct/", sharing.meeting_correct, name="meeting_correct"),
    # Sealed records: a signed addendum to a closed case; the DSL team's check of every seal.
    path("cases/<int:pk>/addenda/new/", seals.addendum_add, name="addendum_add"),
    path("records/seals/", seals.seal_check, name="seal_check"),
    # The imagery-viewing log and device custody: the case's page of both, and recording each.
    path("cases/<int:pk>/imagery-and-devices/", imagery_devices.case_records, name="imagery_and_devices"),
    path("cases/<int:pk>/imagery-viewings/new/", viewing.viewing_new, name="viewing_new"),
    path("cases/<int:pk>/imagery-viewings/<int:vid>/sign/", viewing.viewing_sign, name="viewing_sign"),
    path("imagery-viewing/delegations/", viewing.delegations, name="viewing_delegations"),
    path("imagery-viewing/delegations/<int:did>/end/", viewing.delegation_end, name="viewing_delegation_end"),
    path("cases/<int:pk>/devices/new/", custody.device_new, name="device_new"),
    path("cases/<int:pk>/devices/<int:did>/next/", custody.custody_step, name="custody_step"),
    # Deletion requests (per pupil, with a deadline) and their answers; take-down reports and their follow-ups.
    path("cases/<int:pk>/deletion-and-take-down/", deletion.deletion_section, name="deletion_section"),
    path("cases/<int:pk>/deletion/new/", deletion.deletion_request_new, name="deletion_request_new"),
    path("cases/<int:pk>/deletion/<int:rid>/confirm/", deletion.deletion_confirm, name="deletion_confirm"),
    path("cases/<int:pk>/deletion/<int:rid>/refuse/", deletion.deletion_refuse, name="deletion_refuse"),
    path("cases/<int:pk>/take-down/new/", deletion.takedown_new, name="takedown_new"),
    path("cases/<int:pk>/take-down/<int:tid>/follow-up/", deletion.takedown_follow_up, name="takedown_follow_up"),
    # Retention: the DSL team's review queue, each pupil's file with its holds, the DSL's signed decisions, and the
    # entries left by disposals.
    path("records/retention/", retention.retention_queue, name="retention_queue"),
    path("records/retention/disposed/", retention.retention_disposals, name="retention_disposals"),
    path("records/retention/pupils/<int:pk>/", retention.retention_file, name="retention_file"),
    path("records/retention/pupils/<int:pk>/hold/", retention.legal_hold_new, name="legal_hold_new"),
    path("records/retention/pupils/<int:pk>/hold/<int:hid>/lift/", retention.legal_hold_lift, name="legal_hold_lift"),
    path("records/retention/pupils/<int:pk>/decide/", retention.retention_decide, name="retention_decide"),
    # PDF reports: asked for from the case page, the pupil's page, or the Reports page (a school report), rendered
    # by a background job; each report's page follows it (polling its status fragment) and downloads it.
    path("reports/", reports.report_list, name="report_list"),
    path("reports/school/new/", reports.report_school_new, name="report_school_new"),
    path("cases/<int:pk>/case-record/", reports.report_case_new, name="report_case_new"),
    path("pupils/<int:pk>/child-protection-file/", reports.report_pupil_new, name="report_pupil_new"),
    path("reports/<int:pk>/", reports.report_detail, name="report_detail"),
    path("reports/<int:pk>/status/", reports.report_status, name="report_status"),
    path("reports/<int:pk>/download/", reports.report_download, name="report_download"),
    path("reports/<int:pk>/retry/", reports.report_retry, name="report_retry"),
    # The child protection file follows the pupil: transfers out (started, sent, confirmed, cancelled) and files
    # received, from the pupil's page; the school's list of both.
    path("records/transfers/", transfers.transfer_list, name="transfer_list"),
    path("pupils/<int:pk>/transfers/new/", transfers.transfer_new, name="transfer_new"),
    path("pupils/<int:pk>/transfers/<int:tid>/sent/", transfers.transfer_sent, name="transfer_sent"),
    path("pupils/<int:pk>/transfers/<int:tid>/confirmed/", transfers.transfer_confirmed, name="transfer_confirmed"),
    path("pupils/<int:pk>/transfers/<int:tid>/cancel/", transfers.transfer_cancel, name="transfer_cancel"),
    path("pupils/<int:pk>/files-received/new/", transfers.file_received_new, name="file_received_new"),
    # Inspector access: the school's grants with what each inspector opened; giving access (signed) and ending it.
    path("records/inspection/", inspection.inspection_list, name="inspection_list"),
    path("records/inspection/new/", inspection.inspection_new, name="inspection_new"),
    path("records/inspection/<int:gid>/", inspection.inspection_detail, name="inspection_detail"),
    path("records/inspection/<int:gid>/revoke/", inspection.inspection_revoke, name="inspection_revoke"),
    # A person's reminders of what is late, open ones first (the reminder job writes them: records/reminders.py).
    path("reminders/", reminders.reminder_list, name="reminder_list"),
]
