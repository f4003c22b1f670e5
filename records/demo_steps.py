"""The demo stories' records steps (referrals/demo_cases.toml), played through this app's services.

referrals.demo cannot import this app (it sits below it), so this app adds its steps to referrals.demo.STEPS from
its AppConfig.ready(). As in referrals.demo, a story names people ("dsl", "head") and pupils ("girl") by the names it
gives them, and writes times as "3 weekdays ago 14:30"; each step is back-dated to its moment with `recorded_at`.
"""

from safeguard.demo import DEMO_PASSWORD

from . import reminders
from .services import custody, deletion, inspection, seals, sharing, transfers, viewing

# The demo inspector (safeguard.demo makes their account) and where their emails would take them.
DEMO_INSPECTOR_EMAIL = "inspector@example.org"
DEMO_SITE = "http://127.0.0.1:8000"


def _records(story):
    """What this app's steps made in the story so far, by the name the story gives each (a device, a viewing)."""
    return vars(story).setdefault("records", {})


def register_demo_steps():
    from referrals import demo

    when, steps = demo._when, demo.STEPS
    demo.FINISHES.append(_inspector_access)
    demo.AFTER_SEEDING["reminders"] = reminders.reminders_send

    def step(function):
        steps[function.__name__.lstrip("_")] = function
        return function

    @step
    def _addendum(story, by, at, **details):
        # Later information on a closed case, signed (the demo's password stands for the person's own).
        seals.addendum_add(actor=by, incident=story.case, password=DEMO_PASSWORD, recorded_at=at, **details)

    @step
    def _viewing(story, by, at, pupil, present, head_told_at, head_told="head", **details):
        _records(story)["viewing"] = viewing.viewing_record(
            actor=by,
            incident=story.case,
            involvement=story.involvements[pupil],
            viewed_by=by,
            viewed_at=at,
            present=story.people[present],
            head_told=story.people[head_told],
            head_told_at=when(head_told_at),
            not_copied=True,
            recorded_at=at,
            **details,
        )

    @step
    def _viewing_signed(story, by, at):
        viewing.viewing_sign(actor=by, viewing=_records(story)["viewing"], password=DEMO_PASSWORD, recorded_at=at)

    @step
    def _device(story, by, at, name, description, first_step="confiscated", pupil=None, **details):
        involvement = story.involvements[pupil] if pupil else None
        _records(story)[name] = custody.device_record(
            actor=by,
            incident=story.case,
            involvement=involvement,
            description=description,
            first_step=first_step,
            at=at,
            by=by,
            recorded_at=at,
            **details,
        )

    @step
    def _custody(story, by, at, device, **details):
        custody.custody_step(actor=by, device=_records(story)[device], at=at, by=by, recorded_at=at, **details)

    @step
    def _deletion_request(story, by, at, pupil, deadline, **details):
        _records(story)[f"deletion {pupil}"] = deletion.deletion_request(
            actor=by,
            involvement=story.involvements[pupil],
            deadline=when(deadline),
            asked_at=at,
            asked_by=by,
            recorded_at=at,
            **details,
        )

    @step
    def _deletion_confirmed(story, by, at, pupil, checked_by=None, **details):
        deletion.deletion_confirm(
            actor=by,
            request=_records(story)[f"deletion {pupil}"],
            at=at,
            checked_by=story.people[checked_by] if checked_by else by,
            recorded_at=at,
            **details,
        )

    @step
    def _takedown(story, by, at, result_at=None, **details):
        result_at = when(result_at) if result_at else None
        _records(story)["takedown"] = deletion.takedown_report(
            actor=by, incident=story.case, made_at=at, result_at=result_at, recorded_at=at, **details
        )

    @step
    def _takedown_follow_up(story, by, at, result_at=None, **details):
        result_at = when(result_at) if result_at else None
        deletion.takedown_follow_up(
            actor=by, report=_records(story)["takedown"], made_at=at, result_at=result_at, recorded_at=at, **details
        )

    @step
    def _sharing(story, by, at, decided_by=None, **details):
        decided_by = story.people[decided_by] if decided_by else by
        sharing.sharing_record(actor=by, incident=story.case, at=at, decided_by=decided_by, recorded_at=at, **details)

    @step
    def _agency_meeting(story, by, at, invited=(), attended=(), **details):
        sharing.agency_meeting_record(
            actor=by,
            incident=story.case,
            held_at=at,
            invited=[story.people[name] for name in invited],
            attended=[story.people[name] for name in attended],
            recorded_at=at,
            **details,
        )

    @step
    def _transfer(story, by, at, pupil, leaving, **details):
        # The pupil is leaving: their file's transfer to the new DSL is started (its clock runs from `leaving`).
        transfers.transfer_start(
            actor=by, pupil=story.pupils[pupil], leaving_on=when(leaving).date(), recorded_at=at, **details
        )

    @step
    def _file_received(story, by, at, pupil, **details):
        transfers.file_received_record(actor=by, pupil=story.pupils[pupil], received_at=at, recorded_at=at, **details)

def _inspector_access(school, people, played):
    """The school's DSL gives the demo inspector read-only access, from now, to the cases marked `inspector`."""
    cases = [story.case for written, story in played if written.get("inspector")]
    if cases:
        inspection.inspection_grant(
            actor=people["dsl"],
            school=school,
            email=DEMO_INSPECTOR_EMAIL,
            cases=cases,
            reason="Ofsted inspection: the lead inspector reads the records chosen for them",
            link_base=DEMO_SITE,
            password=DEMO_PASSWORD,
        )
