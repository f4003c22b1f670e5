"""Device custody: recording a device (confiscated, or a pupil's refusal to hand it over) and each later step."""

from django.contrib import messages
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from incidents.selectors import case_involvements
from incidents.views.common import case_for, form_page, working_staff
from safeguard.access import capability_required

from ..selectors import custody as selectors
from ..services import custody as services
from ..viewing_forms import CustodyStepForm, DeviceForm
from ..viewing_models import NEXT_STEPS, CustodyStep


def _now():
    return timezone.localtime().replace(second=0, microsecond=0)


def _parents_next(request, case, event):
    """After a refusal or a confiscation, a pupil's parents are to be told: the next page asks."""
    involvement = event.device.involvement
    if event.step in (CustodyStep.CONFISCATED, CustodyStep.REFUSED) and involvement and involvement.pupil_id:
        messages.info(request, "Record whether the pupil's parents or carers were told, or why not.")
        return reverse("referrals:parent_contact", args=[case.pk])
    return None


@capability_required("work_cases")
def device_new(request, pk):
    case = case_for(request, pk)
    form = DeviceForm(
        request.POST or None,
        people=case_involvements(case),
        staff=working_staff(request.school),
        initial={"at": _now(), "by": request.user},
    )

    def perform(data):
        return services.device_record(
            actor=request.user,
            incident=case,
            involvement=data["involvement"],
            owner_other=data["owner_other"],
            description=data["description"],
            first_step=data["first_step"],
            **form.step_details(),
        )

    def then(device):
        return _parents_next(request, case, device.events.get())

    return form_page(request, case, form, perform, "records/custody/device_form.html", "The device is recorded.", then)


@capability_required("work_cases")
def custody_step(request, pk, did):
    case = case_for(request, pk)
    device = selectors.device_for_case_or_none(case, did)
    if device is None:
        raise Http404
    latest, _ = services.custody_state(device.events.all())
    steps = NEXT_STEPS[latest]
    form = CustodyStepForm(
        request.POST or None, steps=steps, staff=working_staff(request.school), initial={"at": _now()}
    )

    def perform(data):
        return services.custody_step(actor=request.user, device=device, step=data["step"], **form.step_details())

    def success(event):
        return f"Recorded: {event.get_step_display().lower()}."

    return form_page(
        request,
        case,
        form,
        perform,
        "records/custody/step_form.html",
        success,
        lambda event: _parents_next(request, case, event),
        device=device,
        steps=steps,
    )
