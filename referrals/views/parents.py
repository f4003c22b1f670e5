"""Whether each pupil's parents or carers were told: when, by whom and how; or the reasons they were not."""

from incidents.selectors import case_involvements
from incidents.views.common import case_for, form_page, working_staff
from safeguard.access import capability_required

from .. import services
from ..forms import ParentContactForm


@capability_required("work_cases")
def parent_contact(request, pk):
    case = case_for(request, pk)
    pupils = case_involvements(case).filter(pupil__isnull=False)
    form = ParentContactForm(request.POST or None, involvements=pupils, staff=working_staff(request.school))

    def perform(data):
        return services.parent_contact_record(
            actor=request.user,
            involvement=data["involvement"],
            told=data["told"],
            told_at=data["told_at"],
            told_by=data["told_by"],
            told_by_other=data["told_by_other"],
            contact_name=data["contact_name"],
            method=data["method"],
            reasons_not_told=data["reasons_not_told"],
        )

    def success(contact):
        if contact.told:
            return f"Recorded: the parents or carers of {contact.involvement.name} were told."
        return f"Recorded: the parents or carers of {contact.involvement.name} were not told, with the reasons."

    return form_page(request, case, form, perform, "referrals/parent_contact_form.html", success)
