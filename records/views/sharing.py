"""Information sharing (and decisions not to share), and inter-agency meetings, on a case. Each page calls one
service; a correction page starts from the earlier entry and records a new one, leaving the earlier on record."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from incidents.models import CaseState
from incidents.views.common import case_for, form_page, working_staff
from safeguard import policy
from safeguard.access import capability_required

from .. import sharing_selectors
from ..services import sharing as services
from ..sharing_forms import AgencyMeetingForm, SharingForm


@capability_required("read_case")
def case_sharing(request, pk):
    """Every sharing and inter-agency meeting of a case, for whoever may see the case; links to record more, or to
    correct, only for the safeguarding team on an open case."""
    case = case_for(request, pk)
    sharing = list(sharing_selectors.sharing_for_case(case))
    meetings = list(sharing_selectors.agency_meetings_for_case(case))
    for meeting in meetings:
        staff = list(meeting.staff.all())
        meeting.attendees = [row.user for row in staff if row.attended]
        meeting.absent_invitees = [row.user for row in staff if row.invited and not row.attended]
    # A corrected meeting is shown beside its correction, and counted once: Ofsted looks for attendance.
    current = [meeting for meeting in meetings if not hasattr(meeting, "corrected_by")]
    context = {
        "case": case,
        "sharing": sharing,
        "agency_meetings": meetings,
        "meetings_attended": sum(1 for meeting in current if meeting.attendees),
        "meetings_current": len(current),
        "can_record_sharing": policy.can(request.roles, "work_cases") and case.state != CaseState.CLOSED,
    }
    return render(request, "records/sharing/case.html", context)


def _back(case):
    """After recording, the case's page of sharing and meetings, where the new entry shows."""
    return reverse("records:case_sharing", args=[case.pk])


def _now():
    return timezone.localtime().replace(second=0, microsecond=0)


def _sharing_initial(entry):
    if entry is None:
        return {"at": _now()}
    fields = ("recipient", "agency", "agency_other", "recipient_name", "information", "reason", "method")
    initial = {name: getattr(entry, name) for name in fields}
    return {
        **initial,
        "shared": "yes" if entry.shared else "no",
        "at": timezone.localtime(entry.at),
        "decided_by": entry.decided_by_id,
        "lawful_basis": entry.lawful_basis or None,
        "lawful_basis_other": entry.lawful_basis_other,
    }


def _sharing_page(request, case, earlier=None):
    form = SharingForm(
        request.POST or None,
        staff=working_staff(request.school),
        correcting=earlier is not None,
        initial=_sharing_initial(earlier),
    )

    def perform(data):
        return services.sharing_record(
            actor=request.user,
            incident=case,
            shared=data["shared"],
            recipient=data["recipient"],
            agency=data["agency"],
            agency_other=data["agency_other"],
            recipient_name=data["recipient_name"],
            information=data["information"],
            at=data["at"],
            reason=data["reason"],
            decided_by=data["decided_by"],
            method=data["method"],
            lawful_basis=data["lawful_basis"],
            lawful_basis_other=data["lawful_basis_other"],
            corrects=earlier,
            correction_note=data.get("correction_note", ""),
        )

    def success(entry):
        done = "The information sharing is recorded." if entry.shared else "The decision not to share is recorded."
        return f"{done[:-1]}, correcting the earlier entry." if earlier else done

    return form_page(
        request, case, form, perform, "records/sharing/sharing_form.html", success, then=_back(case), earlier=earlier
    )


@capability_required("work_cases")
def sharing_new(request, pk):
    return _sharing_page(request, case_for(request, pk))


@capability_required("work_cases")
def sharing_correct(request, pk, sid):
    case = case_for(request, pk)
    earlier = sharing_selectors.sharing_entry_for_case(case, sid)
    if earlier is None:
        raise Http404
    return _sharing_page(request, case, earlier)


def _meeting_initial(meeting):
    if meeting is None:
        return {}
    fields = ("kind", "kind_other", "called_by", "no_attendance_reason", "others_present", "outcome")
    staff = list(meeting.staff.all())
    return {
        **{name: getattr(meeting, name) for name in fields},
        "actions_for_school": meeting.actions_for_school,
        "held_at": timezone.localtime(meeting.held_at),
        "report_sent": "yes" if meeting.report_sent else "no",
        "invited": [row.user_id for row in staff if row.invited],
        "attended": [row.user_id for row in staff if row.attended],
    }


def _meeting_page(request, case, earlier=None):
    form = AgencyMeetingForm(
        request.POST or None,
        staff=working_staff(request.school),
        correcting=earlier is not None,
        initial=_meeting_initial(earlier),
    )

    def perform(data):
        return services.agency_meeting_record(
            actor=request.user,
            incident=case,
            kind=data["kind"],
            kind_other=data["kind_other"],
            held_at=data["held_at"],
            called_by=data["called_by"],
            invited=list(data["invited"]),
            attended=list(data["attended"]),
            no_attendance_reason=data["no_attendance_reason"],
            report_sent=data["report_sent"],
            others_present=data["others_present"],
            outcome=data["outcome"],
            actions_for_school=data["actions_for_school"],
            actions=form.actions(),
            corrects=earlier,
            correction_note=data.get("correction_note", ""),
        )

    def success(meeting):
        done = f"The {meeting.kind_label.lower()} is recorded"
        return f"{done}, correcting the earlier entry." if earlier else f"{done}."

    return form_page(
        request, case, form, perform, "records/sharing/meeting_form.html", success, then=_back(case), earlier=earlier
    )


@capability_required("work_cases")
def meeting_new(request, pk):
    return _meeting_page(request, case_for(request, pk))


@capability_required("work_cases")
def meeting_correct(request, pk, mid):
    case = case_for(request, pk)
    earlier = sharing_selectors.agency_meeting_for_case(case, mid)
    if earlier is None:
        raise Http404
    return _meeting_page(request, case, earlier)
