"""Device custody (domain.md §4; seed 004 §3.8): a device to be handed to the police is confiscated, switched off
and disconnected, locked away, and handed over, each step a new dated, attributed row (the chain of custody). A
pupil's refusal to hand a device over is recorded too; their parents must then be told (checked at closure, see
records.guards).
"""

from django.db import transaction
from django.utils import timezone

from incidents.chronology import chronology_record
from incidents.dates import Dated, check_dates
from incidents.errors import Problem, RuleBroken
from incidents.models import EntryKind, Involvement
from incidents.services import lock_case, require_text
from safeguard.audit import audited_save
from safeguard.memberships import roles_in_school
from safeguard.people import person_name

from ..viewing_models import NEXT_STEPS, CustodyEvent, CustodyStep, Device
from .viewing import WORKING_ROLES

LOCK_AWAY_MESSAGE = (
    "A device is locked away only once it is switched off and disconnected from every network, so that nothing on "
    "it can change or be wiped remotely. Record that first."
)


def _staff_check(user, school, field):
    if user is None:
        raise RuleBroken(Problem("Please say which member of staff did this.", field=field))
    if not roles_in_school(user, school) & WORKING_ROLES:
        raise RuleBroken(Problem(f"{person_name(user)} does not work at this school.", field=field))


@transaction.atomic
def device_record(*, actor, incident, description, involvement=None, owner_other="", first_step, **step):
    """Record a device (whose, what it is) with the first step of its custody: confiscated, or a pupil's refusal
    to hand it over. `step` holds that step's details, as for custody_step."""
    case = lock_case(actor=actor, incident=incident)
    description = require_text(description, Problem("Please say what the device is.", field="description"))
    owner_other = (owner_other or "").strip()
    if involvement is not None:
        if not Involvement.objects.current().filter(pk=involvement.pk, incident=case).exists():
            raise RuleBroken(Problem("Choose a person involved in this case.", field="involvement"))
        owner_other = ""
    elif not owner_other:
        raise RuleBroken(Problem("Please say whose device it is.", field="involvement"))
    if first_step not in NEXT_STEPS[None]:
        raise RuleBroken(Problem("A device's record begins when it is confiscated, or refused.", field="first_step"))
    if first_step == CustodyStep.REFUSED and involvement is None:
        raise RuleBroken(Problem("A refusal is recorded for a pupil involved in the case.", field="involvement"))
    now = step.pop("recorded_at", None) or timezone.now()
    device = audited_save(
        Device(
            incident=case,
            involvement=involvement,
            owner_other=owner_other,
            description=description,
            recorded_by=actor,
            recorded_at=now,
        ),
        actor=actor,
        reason="Device recorded",
        at=now,
    )
    _step(actor=actor, case=case, device=device, step=CustodyStep(first_step), now=now, **step)
    return device


@transaction.atomic
def custody_step(
    *,
    actor,
    device,
    step,
    at,
    by=None,
    switched_off=None,
    disconnected=None,
    where="",
    officer="",
    reference="",
    returned_to="",
    notes="",
    recorded_at=None,
):
    """Add the next step to a device's chain of custody, if the chain allows it (NEXT_STEPS)."""
    case = lock_case(actor=actor, incident=device.incident)
    device = Device.objects.select_for_update().get(pk=device.pk, incident=case)
    return _step(
        actor=actor,
        case=case,
        device=device,
        step=CustodyStep(step),
        now=recorded_at or timezone.now(),
        at=at,
        by=by,
        switched_off=switched_off,
        disconnected=disconnected,
        where=where,
        officer=officer,
        reference=reference,
        returned_to=returned_to,
        notes=notes,
    )


def custody_state(events):
    """(the latest step, whether the device is switched off and disconnected) from its events, oldest first."""
    latest, secured = None, False
    for event in events:
        latest = CustodyStep(event.step)
        if event.step == CustodyStep.SECURED or (
            event.step == CustodyStep.CONFISCATED and event.switched_off and event.disconnected
        ):
            secured = True
    return latest, secured


def _step(
    *,
    actor,
    case,
    device,
    step,
    now,
    at,
    by=None,
    switched_off=None,
    disconnected=None,
    where="",
    officer="",
    reference="",
    returned_to="",
    notes="",
):
    events = list(CustodyEvent.objects.filter(device=device).order_by("at", "pk"))
    latest, secured = custody_state(events)
    if step not in NEXT_STEPS[latest]:
        now_at = latest.label.lower() if latest else "not yet recorded"
        raise RuleBroken(Problem(f"This device is {now_at}: it cannot now be {step.label.lower()}.", field="step"))
    check_dates(Dated("at", at, events[-1].at if events else None, "the step before it"))
    if at is None:
        raise RuleBroken(Problem("Please say when.", field="at"))
    notes = (notes or "").strip()
    event = CustodyEvent(device=device, step=step, at=at, notes=notes, recorded_by=actor, recorded_at=now)
    if by is not None:  # whoever is named as doing a step works at the school
        _staff_check(by, case.school, "by")
    if step == CustodyStep.CONFISCATED:
        _staff_check(by, case.school, "by")
        if switched_off is None or disconnected is None:
            raise RuleBroken(Problem("Please say whether it was switched off and disconnected.", field="switched_off"))
        event.by, event.switched_off, event.disconnected = by, bool(switched_off), bool(disconnected)
        text = (
            f"Device confiscated by {person_name(by)}: {device.description} ({device.owner_name}). "
            f"Switched off: {'yes' if switched_off else 'no'}. Disconnected: {'yes' if disconnected else 'no'}."
        )
    elif step == CustodyStep.SECURED:
        if not (switched_off and disconnected):
            raise RuleBroken(
                Problem("Record this once it is both switched off and disconnected.", field="switched_off")
            )
        event.by, event.switched_off, event.disconnected = by, True, True
        text = f"Device switched off and disconnected: {device.description}."
    elif step == CustodyStep.LOCKED_AWAY:
        if not secured:
            raise RuleBroken(Problem(LOCK_AWAY_MESSAGE, field="step"))
        _staff_check(by, case.school, "by")
        event.by = by
        event.where = require_text(where, Problem("Please say where it is locked away.", field="where"))
        text = f"Device locked away by {person_name(by)}: {device.description}, in {event.where}."
    elif step == CustodyStep.HANDED_TO_POLICE:
        event.by = by
        event.officer = require_text(officer, Problem("Please name the officer.", field="officer"))
        event.reference = require_text(reference, Problem("Please give the police reference.", field="reference"))
        text = f"Device handed to the police: {device.description}, to {event.officer}, reference {event.reference}."
    elif step == CustodyStep.REFUSED:
        event.notes = require_text(notes, Problem("Please record what happened.", field="notes"))
        text = (
            f"{device.owner_name} refused to hand over a device: {device.description}. {event.notes} "
            "Their parents or carers must be told."
        )
    else:  # RETURNED
        event.by = by
        event.returned_to = require_text(
            returned_to, Problem("Please say to whom it was returned.", field="returned_to")
        )
        text = f"Device returned to {event.returned_to}: {device.description}."
    audited_save(event, actor=actor, reason=f"Device custody: {step.label.lower()}", at=now)
    if notes and step != CustodyStep.REFUSED:
        text += f" {notes}"
    chronology_record(incident=case, author=actor, kind=EntryKind.DEVICE, at=at, recorded_at=now, text=text)
    return event
