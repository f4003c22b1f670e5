"""Demo cases: the stories in demo_cases.toml, played through the services. Safe to run twice.

Each step goes through the service a school's person would use, so every history row and chronology line names a
person and every rule is checked. Each is back-dated to its moment in the story (`recorded_at`), so the record
reads in time order, as a real one would.
"""

import datetime
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from django.db import transaction
from django.utils import timezone

from incidents import services as cases
from incidents.models import AGGRAVATING_FACTORS, CRITERIA, QUESTIONS, Incident
from safeguard.demo import DEMO_PASSWORD, SCHOOLS
from safeguard.models import Membership, Pupil, School
from safeguard.roles import Role

from . import services as referrals

STORIES = Path(__file__).with_name("demo_cases.toml")
# The people of each demo school, by the name a story gives them (usernames as safeguard.demo makes them).
ROLES = {
    "dsl": Role.DSL,
    "deputy": Role.DEPUTY_DSL,
    "head": Role.HEADTEACHER,
    "staff1": Role.STAFF,
    "staff2": Role.STAFF,
}
PUPIL_FLAGS = ("send", "looked_after", "known_to_social_care", "previously_abused")
# What a review meeting answers: "no" unless a story says "yes" or "not yet known".
MEETING_ANSWERS = [name for name, _ in QUESTIONS + CRITERIA + AGGRAVATING_FACTORS]
AGO = re.compile(r"(\d+) weekdays? ago (\d\d):(\d\d)")
AHEAD = re.compile(r"in (\d+) weekdays?")


# --- Who, and when ----------------------------------------------------------------------------------------------


@dataclass
class Story:
    """One case as it is played: the school's people, the case's pupils, and what the steps have made so far."""

    school: School
    people: dict
    pupils: dict
    case: Incident = None
    involvements: dict = field(default_factory=dict)  # by the name the story gives the person
    decision: object = None
    referrals: dict = field(default_factory=dict)  # by agency, and the latest under None


def _weekday(days):
    """The weekday `days` weekdays from today (back if negative), so the stories' school days are weekdays."""
    day, step = timezone.localdate(), datetime.timedelta(days=1 if days > 0 else -1)
    for _ in range(abs(days)):
        day += step
        while day.weekday() >= 5:
            day += step
    return day


def _when(text):
    """'3 weekdays ago 14:30': a moment at least a weekday back, so never in the future, in school time."""
    found = AGO.fullmatch(text)
    if not found or int(found[1]) < 1:
        raise ValueError(f"Demo time {text!r}: write it as '3 weekdays ago 14:30', at least one weekday ago.")
    days, hour, minute = map(int, found.groups())
    return timezone.make_aware(datetime.datetime.combine(_weekday(-days), datetime.time(hour, minute)))


def _due(text):
    found = AHEAD.fullmatch(text)
    if not found:
        raise ValueError(f"Demo due date {text!r}: write it as 'in 5 weekdays'.")
    return _weekday(int(found[1]))


def _people(school, key):
    memberships = Membership.objects.active().select_related("user").filter(school=school)
    return {name: memberships.get(role=role, user__username=f"{key}.{name}").user for name, role in ROLES.items()}


def _pick_pupils(school, wanted, used):
    """The first pupil on the register for each of `wanted` (name: year, sex and flags), none already `used`."""
    picked = {}
    for name, want in wanted.items():
        want = dict(want)
        year, sex = want.pop("year"), want.pop("sex")
        flags = want or dict.fromkeys(PUPIL_FLAGS, False)
        pupil = (
            Pupil.objects.filter(school=school, year_group=year, sex=sex, date_left__isnull=True, **flags)
            .exclude(pk__in=used)
            .order_by("upn")
            .first()
        )
        if pupil is None:
            raise LookupError(f"The demo register of {school} has no more pupils in year {year} ({sex}) like {name}.")
        used.add(pupil.pk)
        picked[name] = pupil
    return picked


def _with_ages(value, ages):
    """`value` with each pupil's age written in where its text says {name.age}."""
    if isinstance(value, str):
        return value.format_map(ages)
    if isinstance(value, dict):
        return {key: _with_ages(item, ages) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_ages(item, ages) for item in value]
    return value


# --- The steps ----------------------------------------------------------------------------------------------------

STEPS = {}  # the records app adds its own steps (a signed addendum) from its AppConfig.ready()
# What follows a school's stories, once all are played: each is finish(school, people, played), `played` being
# (the story as written, the Story played) pairs. The records app adds the inspector's access to chosen cases.
FINISHES = []
# Jobs the apps above run once the cases are in, by name (records: the reminder job, so that what the stories left
# late has its reminders, as the beat would have sent them).
AFTER_SEEDING = {}


def _step(function):
    """Make `function` the step a story names by the function's name (`do = "follow_up"` for _follow_up)."""
    STEPS[function.__name__.lstrip("_")] = function
    return function


@_step
def _concern(story, by, at, people=(), submit=True, **details):
    for name in ("occurred_at", "came_to_light_at"):
        if name in details:
            details[name] = _when(details[name])
    story.case = cases.concern_draft_create(actor=by, school=story.school, recorded_at=at, **details)
    for person in people:
        person = dict(person)
        name = person.get("pupil") or person["other_name"]
        if "pupil" in person:
            person["pupil"] = story.pupils[person["pupil"]]
        story.involvements[name] = cases.involvement_add(actor=by, incident=story.case, recorded_at=at, **person)
    if submit:
        cases.concern_submit(actor=by, incident=story.case, recorded_at=at)


@_step
def _meeting(story, by, at, yes=(), not_yet_known=(), notes=None, attendees=("dsl", "deputy"), **details):
    notes = notes or {}
    unknown = (set(yes) | set(not_yet_known) | set(notes)) - set(MEETING_ANSWERS)
    if unknown:
        raise ValueError(f"A demo meeting answers questions it does not have: {', '.join(sorted(unknown))}")
    answers = {}
    for name in MEETING_ANSWERS:
        answers[name] = "yes" if name in yes else "not_yet_known" if name in not_yet_known else "no"
        answers[f"{name}_notes"] = notes.get(name, "")
    cases.review_meeting_record(
        actor=by,
        incident=story.case,
        held_at=at,
        answers=answers,
        attendees=[story.people[name] for name in attendees],
        recorded_at=at,
        **details,
    )


@_step
def _parents(story, by, at, pupil, told=True, **details):
    if told:
        details = {"told_at": at, "told_by": by, "method": "phone", **details}
    referrals.parent_contact_record(
        actor=by, involvement=story.involvements[pupil], told=told, recorded_at=at, **details
    )


@_step
def _action(story, by, at, description, owner=None, due=None):
    owner = story.people[owner] if owner else by
    due_on = _due(due) if due else None
    cases.action_add(actor=by, incident=story.case, description=description, owner=owner, due_on=due_on, recorded_at=at)


@_step
def _action_done(story, by, at, description, notes=""):
    action = cases.action_add(actor=by, incident=story.case, description=description, owner=by, recorded_at=at)
    cases.action_complete(actor=by, action=action, notes=notes, recorded_at=at)


@_step
def _not_taken(story, by, at, **details):
    cases.action_record_not_taken(actor=by, incident=story.case, recorded_at=at, **details)


@_step
def _decision(story, by, at, **details):
    story.decision = referrals.decision_record(actor=by, incident=story.case, recorded_at=at, **details)


@_step
def _sign_off(story, by, at, outcome="signed_off", comment=""):
    referrals.decision_sign_off(
        actor=by, decision=story.decision, outcome=outcome, comment=comment, password=DEMO_PASSWORD, recorded_at=at
    )


@_step
def _referral(story, by, at, **details):
    referral = referrals.referral_make(actor=by, incident=story.case, made_at=at, recorded_at=at, **details)
    story.referrals[referral.agency] = story.referrals[None] = referral


@_step
def _acknowledged(story, by, at, agency=None, **details):
    referral = story.referrals[agency]
    referrals.referral_acknowledge(actor=by, referral=referral, acknowledged_at=at, recorded_at=at, **details)


@_step
def _follow_up(story, by, at, agency=None, **details):
    referrals.referral_follow_up(actor=by, referral=story.referrals[agency], at=at, recorded_at=at, **details)


@_step
def _escalation(story, by, at, agency=None, **details):
    referrals.referral_escalate(actor=by, referral=story.referrals[agency], at=at, recorded_at=at, **details)


@_step
def _outcome(story, by, at, agency=None, **details):
    referral = story.referrals[agency]
    referrals.referral_record_outcome(actor=by, referral=referral, outcome_at=at, recorded_at=at, **details)


@_step
def _note(story, by, at, **details):
    cases.note_add(actor=by, incident=story.case, recorded_at=at, **details)


@_step
def _close(story, by, at, **details):
    cases.case_close(actor=by, incident=story.case, password=DEMO_PASSWORD, recorded_at=at, **details)


# --- Playing the stories ------------------------------------------------------------------------------------------


def _play(school, people, used, story_data):
    """Play one case's story, step by step, in the order written; a step dated before the one above is refused."""
    pupils = _pick_pupils(school, story_data.get("pupils", {}), used)
    ages = {name: SimpleNamespace(age=pupil.age_on(timezone.localdate())) for name, pupil in pupils.items()}
    story, last = Story(school=school, people=people, pupils=pupils), None
    for number, details in enumerate(_with_ages(story_data["step"], ages), start=1):
        kind, at = details.pop("do"), _when(details.pop("at"))
        if last is not None and at < last:
            raise ValueError(
                f"Demo case '{story_data['summary']}': step {number} ({kind}) is dated before the one above."
            )
        STEPS[kind](story, people[details.pop("by", "dsl")], at, **details)
        last = at
    return story


def seed_cases():
    """Add the demo cases to each demo school that has no case yet. Returns how many cases were added."""
    stories = tomllib.loads(STORIES.read_text(encoding="utf-8"))["case"]
    added = 0
    for key, _name, urn, _years in SCHOOLS:
        school = School.objects.filter(urn=urn).first()
        if school is not None and not Incident.objects.filter(school=school).exists():
            added += _seed_school(school, key, [story for story in stories if story["school"] == key])
    for job in AFTER_SEEDING.values():
        job()
    return added


@transaction.atomic
def _seed_school(school, key, stories):
    # One transaction per school: a school is either fully seeded or untouched, so a rerun never skips half a set.
    people, used = _people(school, key), set()
    played = [(story, _play(school, people, used, story)) for story in stories]
    for finish in FINISHES:
        finish(school, people, played)
    return len(stories)
