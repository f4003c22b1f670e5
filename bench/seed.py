"""Benchmark data: one trust, two schools, their teams and registers, and a case load that grows in place.

Only a few dozen rows (the trust, the schools, the people and their memberships) go through the services, with
history. Pupils and cases are written with PostgreSQL COPY: building 100,000 cases through the services would
take hours. Bulk rows therefore get no history rows (simple_history writes those on save()), which is fine for a
benchmark: no benchmarked page reads history. Nor do they get the reporter's own object permissions, since the
reporter's pages are not benchmarked.

To adapt this module to a model change:
- a row is a dict of field attname -> value, and `insert()` fills every concrete field not given with the
  model's default. A new field with a default (say a `restricted` flag) needs no change; a new required field
  without one fails at once, naming its column.
- no object permissions are written: the team sees a school's cases by role (safeguard.policy).
- references are read back from the database before each growth (`references_taken()`), so cases logged over
  HTTP between sizes never collide with seeded ones, and each school's reference counter is set after it.

Cases look like a real school's records: a live caseload of OPEN_CASES recent cases in every open state, the
same at any size, and behind it the closed cases of 25 years, which is what grows. Each case has the people
involved, a chronology, actions, a review meeting, and a decision with its sign-off or referrals, follow-ups and
outcomes, as the workflow would have left them.
"""

import datetime
import json
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import JSONField
from django.utils import timezone

YEARS_OF_RECORDS = 25
CHUNK = 5000  # cases built and written at a time, to bound memory
ON_ROLL = 1500
YEAR_GROUPS = ["7", "8", "9", "10", "11", "12", "13"]
EXTRA_STAFF = 30  # colleagues who log concerns besides the benchmarked member of staff
SCHOOLS = [("Oak Hill School", "140901"), ("Elm Park Academy", "140902")]
TRUST = "Greenway Learning Trust"
# The pupil whose chronology and name search are timed: a surname no one else has, and the same few cases at
# every size, so those two pages show the same rows at both sizes and only the rest of the table grows.
PINNED_PUPIL = ("Imogen", "Featherstonehaugh")

# Open cases by state (weights); closed cases make up the rest.
# The live caseload: a busy secondary school's team holds about this many open cases at a time, however long
# its archive. The first cases of a school are its open ones; every case after them is closed history.
OPEN_CASES = 120
OPEN_STATES = {"reported": 15, "under_review": 15, "awaiting_sign_off": 10, "referred": 40, "managed_in_school": 20}


def _words(text):
    """A long list of names written as one string of words, so it reads as a paragraph rather than a column."""
    return text.split()


FIRST_NAMES = {
    "F": _words(
        "Amelia Olivia Isla Ava Mia Freya Lily Grace Zara Ivy Evie Ella Ruby Sophie Chloe Poppy Aisha Maryam "
        "Hannah Jessica Emily Lucy Holly Niamh Megan Leah Alice Erin Maisie Daisy"
    ),
    "M": _words(
        "Oliver Noah Leo Arthur Muhammad Oscar George Harry Jack Theo Finley Charlie Jacob Alfie Ethan Logan "
        "Mason Lucas Joshua Samuel Adam Ibrahim Reuben Kai Dylan Callum Owen Rhys Tyler Liam"
    ),
}
LAST_NAMES = _words(
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Khan Evans Thomas Roberts Walker "
    "Wright Ali Clarke Lewis Hall Green Nowak Mensah Robinson Wood Thompson White Watson Jackson Hughes "
    "Edwards Turner Hill Moore Cooper Ward Morris King Harris Baker Lee Martin Allen Young Mitchell "
    "Carter Phillips Shaw Bennett Cook Bailey Parker Miller Davis Murphy Price Bell Hussain Begum Kaur "
    "Singh Ahmed Rahman Kowalski Okafor Adeyemi Fraser Campbell Stewart Murray Graham Kennedy Reid Doyle "
    "Byrne Quinn Gallagher Kelly Ryan Walsh Chapman Ellis Fox Gray Hunt Knight Lloyd Marshall Mason Owen "
    "Palmer Pearson Richards Russell Simpson Webb"
)
LOCATIONS = [
    "online, at home",
    "school toilets",
    "the playground",
    "on the school bus",
    "a group chat",
    "the library",
    "online, over the weekend",
    "the changing rooms",
    "a classroom, period 3",
    "the park near school",
]
HOW = [
    "told_by_child",
    "told_by_friend",
    "told_by_parent",
    "seen_by_staff",
    "found_on_device",
    "monitoring",
    "police_or_ceop",
    "other_school_or_agency",
]
HARMS = [
    "nudes_sharing",
    "sexual_abuse_or_grooming",
    "sextortion",
    "cyberbullying",
    "harmful_content",
    "radicalisation",
]
CHILDS_WORDS = [
    "He said if I didn't send another one he'd show everyone the first one. I didn't know what to do.",
    "They keep putting stuff about me in the group chat and everyone laughs at it in form.",
    "Someone I met on the game said he was fifteen but his voice didn't sound fifteen.",
    "I only sent it to her. I don't know how the whole year has got it now.",
    "It says I owe them money and that they'll send the pictures to my mum if I don't pay by Friday.",
    "My friend showed me videos on her phone that made me feel sick and I can't stop thinking about them.",
]
OBSERVATIONS = [
    "Pupil was tearful at break and asked to speak to me privately. I listened, did not ask leading questions, "
    "and told them I would need to pass this on to the safeguarding team. I did not look at the phone.",
    "I overheard a group of pupils discussing an image being passed around. Two pupils named another pupil. "
    "I have not seen the image and did not ask to see it. I wrote this down straight after lunch.",
    "A parent phoned reception worried about messages on their child's phone. I took the details, explained "
    "that the DSL would be in touch today, and advised them not to delete anything.",
    "The filtering system flagged searches made on a school laptop during period 5. The pupil seemed anxious "
    "when asked about it and said they had been sent a link.",
]
ACTIONS = [
    "Speak with the pupil's form tutor about support in lessons",
    "Agree a safety plan with the pupil and their parents",
    "Check the pupil has a trusted adult to go to each day",
    "Deliver a session on sharing images to the year group",
    "Follow up with the other school's DSL",
    "Review the pupil's attendance over the next four weeks",
    "Ask IT to check the filtering logs for the named sites",
]
AGENCY_OUTCOMES = {
    "social_care": ["strategy_discussion", "section_47", "child_in_need", "early_help", "social_care_nfa"],
    "police_101": ["police_caution", "police_community_resolution", "outcome_21", "police_nfa"],
    "ceop": ["passed_to_police", "advice_given", "nfa"],
    "iwf": ["imagery_removed", "imagery_not_removed"],
}
ANNEX = [
    "annex_why_shared",
    "annex_shared_beyond",
    "annex_online_spread",
    "annex_ages",
    "annex_more_than_one",
    "annex_understanding",
    "annex_vulnerability",
    "annex_parents",
]
MEETING_ANSWERS = [
    "immediate_risk",
    "referral_needed",
    "viewing_needed",
    "further_information_needed",
    "shared_widely",
    "contact_other_setting",
    "tell_parents",
    "adult_involved",
    "coercion_or_capacity",
    "extreme_or_unusual",
    "vulnerable_pupil",
    "under_13_sexual_acts",
    "immediate_risk_of_harm",
    "shared_without_consent",
    "shared_to_harm",
    "sent_to_several",
    "pressure",
    "age_gap_or_power",
]

MINUTE, HOUR, DAY = datetime.timedelta(minutes=1), datetime.timedelta(hours=1), datetime.timedelta(days=1)


# --- Writing rows -------------------------------------------------------------------------------------------


def model(label):
    return apps.get_model(label)


class Ids:
    """Hands out primary keys for rows written with COPY, so children can name their parents before both are
    written. Nothing else writes while the seeder runs; `close()` moves each sequence past what was used."""

    def __init__(self):
        self.next = {}

    def take(self, label):
        if label not in self.next:
            with connection.cursor() as cursor:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [model(label)._meta.db_table])
                self.next[label] = cursor.fetchone()[0]
        value = self.next[label]
        self.next[label] += 1
        return value

    def close(self):
        with connection.cursor() as cursor:
            for label, value in self.next.items():
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [model(label)._meta.db_table, value]
                )
        self.next = {}


def insert(label, rows):
    """COPY `rows` (dicts of attname -> value) into the model's table; fields not given take their defaults."""
    if not rows:
        return
    meta = model(label)._meta
    given = set().union(*(row.keys() for row in rows))
    fields = [f for f in meta.concrete_fields if f.attname in given or not f.primary_key]
    unknown = given - {f.attname for f in fields}
    if unknown:
        raise ValueError(f"{label} has no field {', '.join(sorted(unknown))}")
    defaults = {f.attname: f.get_default() for f in fields if not f.primary_key}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    names = [f.attname for f in fields]
    json_fields = {f for f in fields if isinstance(f, JSONField)}  # COPY takes JSON as its text
    connection.ensure_connection()
    table = connection.ops.quote_name(meta.db_table)
    with connection.connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            values = [row[n] if n in row else defaults[n] for n in names]
            copy.write_row([json.dumps(v) if f in json_fields else v for f, v in zip(fields, values, strict=True)])


# --- The trust, the schools, their people and registers -----------------------------------------------------


@dataclass
class SchoolData:
    school: object
    people: dict  # role -> user (the benchmarked sign-ins)
    reporters: list  # user ids who log concerns
    cohorts: dict  # first academic year -> [pupil ids]
    pinned_pupil: int = 0
    showcase_case: int = 0
    cases: int = 0
    open_cases: int = 0


@dataclass
class World:
    trust: object
    admin: object
    schools: list
    trust_lead: object
    timings: dict = field(default_factory=dict)


def _user(username, first, last, **flags):
    user = get_user_model().objects.create(
        username=username, first_name=first, last_name=last, email=f"{username}@bench.example.org", **flags
    )
    user.set_unusable_password()  # sign-in is by a session made directly (bench/signin.py)
    user.save(update_fields=["password"])
    return user


def create_world(rng):
    """The trust, two schools, each school's team and ~1,500 pupils on roll (and former pupils back 25 years)."""
    from safeguard import services
    from safeguard.roles import Role

    # Made a superuser as it is created: a later change to an account needs a person named for its history.
    admin = _user("bench.admin", "Sam", "Carter", is_staff=True, is_superuser=True)
    trust = services.trust_create(actor=admin, name=TRUST)
    lead = _user("trust.lead", "Helen", "Price")
    services.membership_grant(actor=admin, user=lead, role=Role.TRUST_LEAD, trust=trust)
    schools = []
    for index, (name, urn) in enumerate(SCHOOLS, start=1):
        school = services.school_create(actor=admin, name=name, urn=urn, trust=trust)
        key = f"s{index}"
        people = {}
        for role, first, last in [
            (Role.DSL, "Ruth", "Okafor"),
            (Role.DEPUTY_DSL, "Tom", "Hughes"),
            (Role.HEADTEACHER, "Priya", "Shah"),
            (Role.STAFF, "Daniel", "Moss"),
        ]:
            people[role] = _user(f"{key}.{role}", first, f"{last}-{index}")
            services.membership_grant(actor=admin, user=people[role], role=role, school=school)
        reporters = [people[Role.STAFF].pk, people[Role.DSL].pk, people[Role.DEPUTY_DSL].pk]
        for n in range(EXTRA_STAFF):
            colleague = _user(f"{key}.staff{n}", rng.choice(FIRST_NAMES["F"]), rng.choice(LAST_NAMES))
            services.membership_grant(actor=admin, user=colleague, role=Role.STAFF, school=school)
            reporters.append(colleague.pk)
        data = SchoolData(school=school, people=people, reporters=reporters, cohorts={})
        _register(rng, data, index)
        schools.append(data)
    return World(trust=trust, admin=admin, schools=schools, trust_lead=lead)


def _register(rng, data, index):
    """Pupils in cohorts by the academic year they joined Year 7: seven cohorts on roll, the rest left long ago."""
    today = timezone.localdate()
    this_year = today.year if today.month >= 9 else today.year - 1
    per_cohort = ON_ROLL // len(YEAR_GROUPS)
    rows, ids = [], Ids()
    for start in range(this_year - YEARS_OF_RECORDS - 6, this_year + 1):
        on_roll = start > this_year - len(YEAR_GROUPS)
        cohort = []
        for _ in range(per_cohort):
            sex = rng.choice("FM")
            pk = ids.take("safeguard.Pupil")
            n = len(rows)
            rows.append(
                {
                    "id": pk,
                    "school_id": data.school.pk,
                    "upn": f"B{index:03d}{n:08d}0",
                    "first_name": rng.choice(FIRST_NAMES[sex]),
                    "last_name": rng.choice(LAST_NAMES),
                    "date_of_birth": datetime.date(start - 11, 9, 1) + datetime.timedelta(days=rng.randrange(365)),
                    "year_group": YEAR_GROUPS[min(this_year - start, 6)],
                    "sex": sex,
                    "send": rng.random() < 0.14,
                    "looked_after": rng.random() < 0.02,
                    "known_to_social_care": rng.random() < 0.05,
                    "previously_abused": rng.random() < 0.02,
                    "date_left": None if on_roll else datetime.date(start + 7, 7, 20),
                }
            )
            cohort.append(pk)
        data.cohorts[start] = cohort
    pinned = data.cohorts[this_year - 3][0]  # on roll, in Year 10
    rows[[r["id"] for r in rows].index(pinned)].update(first_name=PINNED_PUPIL[0], last_name=PINNED_PUPIL[1])
    data.pinned_pupil = pinned
    insert("safeguard.Pupil", rows)
    ids.close()


# --- Cases --------------------------------------------------------------------------------------------------


def references_taken(school):
    """The highest reference number used so far in each year, e.g. {2026: 41}, read from the cases themselves."""
    taken = defaultdict(int)
    for reference in model("incidents.Incident").objects.filter(school=school).values_list("reference", flat=True):
        _, year, number = reference.rsplit("-", 2) if reference.count("-") >= 2 else ("", "0", "0")
        if year.isdigit() and number.isdigit():
            taken[int(year)] = max(taken[int(year)], int(number))
    return taken


class CaseBuilder:
    """Builds one school's cases as rows, as the workflow would have left them, and writes them a chunk at a time."""

    def __init__(self, rng, world, data, ids):
        from incidents.workflow import school_prefix

        self.rng, self.world, self.data, self.ids = rng, world, data, ids
        self.prefix = school_prefix(data.school)
        self.taken = references_taken(data.school)
        self.now = timezone.now()
        self.rows = defaultdict(list)
        roles = {str(role): user.pk for role, user in data.people.items()}
        self.dsl, self.deputy, self.head = roles["dsl"], roles["deputy_dsl"], roles["headteacher"]
        self.team = [self.dsl, self.deputy]

    def flush(self):
        # Parents before children, so every foreign key already points at a row.
        for label in [
            "incidents.Incident",
            "incidents.Involvement",
            "incidents.InitialReviewMeeting",
            "incidents.MeetingAttendee",
            "incidents.Action",
            "incidents.ChronologyEntry",
            "incidents.Closure",
            "incidents.Notification",
            "referrals.Decision",
            "referrals.SignOff",
            "referrals.Referral",
            "referrals.FollowUp",
            "referrals.ParentContact",
        ]:
            insert(label, self.rows.pop(label, []))
        assert not self.rows, f"rows built for models never written: {sorted(self.rows)}"

    def add(self, label, **row):
        row["id"] = self.ids.take(label)
        self.rows[label].append(row)
        return row["id"]

    def entry(self, case, at, author, kind, text):
        self.add("incidents.ChronologyEntry", incident_id=case, at=at, author_id=author, kind=kind, text=text)

    def later(self, moment, low, high):
        """A moment between `low` and `high` after `moment`, and never in the future."""
        return min(moment + self.rng.uniform(low, high), self.now - datetime.timedelta(minutes=5))

    def pupils_at(self, when, count, exclude=()):
        """`count` different pupils who were at the school on `when`."""
        start = when.year if when.month >= 9 else when.year - 1
        cohorts = [c for c in range(start - 6, start + 1) if c in self.data.cohorts]
        chosen = set()
        while len(chosen) < count:
            pupil = self.rng.choice(self.data.cohorts[self.rng.choice(cohorts)])
            if pupil != self.data.pinned_pupil and pupil not in exclude:
                chosen.add(pupil)
        return list(chosen)

    def case(self, state, came_to_light_at, *, pupils=None, rich=False):
        """One case in `state` with everything the workflow would have recorded on the way there."""
        rng, r = self.rng, self.rng.random
        submitted = self.later(came_to_light_at, 5 * MINUTE, 2 * DAY)
        reporter = rng.choice(self.data.reporters)
        year = timezone.localdate(submitted).year
        self.taken[year] += 1
        flags = rng.sample(
            ["category_content", "category_contact", "category_conduct", "category_commerce"], 1 if r() < 0.7 else 2
        )
        case = self.add(
            "incidents.Incident",
            school_id=self.data.school.pk,
            reference=f"{self.prefix}-{year}-{self.taken[year]:04d}",
            state=state,
            state_changed_at=submitted,
            reported_by_id=reporter,
            created_at=submitted - rng.uniform(10, 60) * MINUTE,
            submitted_at=submitted,
            occurred_at=came_to_light_at - rng.uniform(0, 10) * DAY if r() < 0.7 else None,
            came_to_light_at=came_to_light_at,
            location=rng.choice(LOCATIONS),
            how_came_to_light=rng.choice(HOW),
            how_came_to_light_detail="Raised at the end of the lesson." if r() < 0.3 else "",
            **dict.fromkeys(flags, True),
            harm_kind=rng.choice(HARMS),
            childs_words=rng.choice(CHILDS_WORDS),
            observations=rng.choice(OBSERVATIONS),
            imagery_description="A screenshot of a chat was described by the pupil; it was not viewed."
            if r() < 0.3
            else "",
            owner_id=None if state == "reported" else rng.choice(self.team),
        )
        incident = self.rows["incidents.Incident"][-1]
        self.entry(
            case,
            submitted,
            reporter,
            "reported",
            "Concern submitted to the safeguarding team (Draft, not yet reported → New concern). "
            "Submitted by the member of staff",
        )
        people = pupils or self.pupils_at(came_to_light_at, rng.choices([1, 2, 3], [50, 35, 15])[0])
        parts = ["harmed", "caused_harm" if r() < 0.5 else "received", "witness"]
        involvements = [
            self.add(
                "incidents.Involvement",
                incident_id=case,
                pupil_id=pupil,
                part=parts[min(i, 2)],
                own_account="In their own words, as told to the DSL." if r() < 0.3 else "",
                added_by_id=reporter,
                added_at=submitted,
            )
            for i, pupil in enumerate(people)
        ]
        if r() < 0.08 or rich:
            involvements.append(None)
            self.add(
                "incidents.Involvement",
                incident_id=case,
                other_name="Unknown online contact",
                other_description="An online contact, age unknown, met through a game",
                part="caused_harm",
                added_by_id=reporter,
                added_at=submitted,
            )
        for member in self.team:
            if member != reporter:
                self.add(
                    "incidents.Notification",
                    recipient_id=member,
                    incident_id=case,
                    kind="concern_reported",
                    triggered_by_id=reporter,
                    created_at=submitted,
                    emailed_at=submitted + MINUTE,
                )
        if state == "reported":
            return case
        # The review: the DSL meets, records the seven questions and six criteria, takes ownership.
        dsl = incident["owner_id"]
        held = self.later(submitted, HOUR, 2 * DAY)
        refer = state == "referred" or (state == "closed" and r() < 0.5)
        answers = {name: "no" for name in MEETING_ANSWERS}
        answers.update(tell_parents="yes", referral_needed="yes" if refer else "no")
        if refer:
            answers[rng.choice(["coercion_or_capacity", "adult_involved", "vulnerable_pupil"])] = "yes"
        meeting = self.add(
            "incidents.InitialReviewMeeting",
            incident_id=case,
            held_at=held,
            recorded_by_id=dsl,
            recorded_at=held + HOUR,
            immediate_risk_notes="None identified at the meeting.",
            **answers,
        )
        for member in self.team if r() < 0.6 else [dsl]:
            self.add("incidents.MeetingAttendee", meeting_id=meeting, user_id=member)
        self.entry(case, held, dsl, "state", "Review started (New concern → Under review). Meeting held")
        self.entry(case, held + HOUR, dsl, "review_meeting", "Initial review meeting recorded.")
        self.entry(case, held + HOUR, dsl, "owner", "Case owner set.")
        moment = held + 2 * HOUR
        for i in range(rng.choice([1, 2, 3]) if rich or r() < 0.8 else 0):
            due = timezone.localdate(moment) + datetime.timedelta(days=rng.randrange(-10, 21))
            open_ = state != "closed"
            self.add(
                "incidents.Action",
                incident_id=case,
                description=ACTIONS[(case + i) % len(ACTIONS)],
                owner_id=rng.choice(self.team),
                due_on=due,
                status="open" if open_ else "done",
                created_by_id=dsl,
                created_at=moment,
                done_at=None if open_ else moment + 3 * DAY,
                done_by_id=None if open_ else dsl,
            )
            self.entry(case, moment, dsl, "action", f"Action added: {ACTIONS[(case + i) % len(ACTIONS)]}.")
        pupils_involved = [i for i in involvements if i]
        if pupils_involved and r() < 0.6:
            told = self.later(held, HOUR, DAY)
            self.add(
                "referrals.ParentContact",
                incident_id=case,
                involvement_id=pupils_involved[0],
                told=True,
                told_at=told,
                told_by_id=dsl,
                contact_name="Mother, Ms Smith",
                method="phone",
                recorded_by_id=dsl,
                recorded_at=told,
            )
            self.entry(case, told, dsl, "parent_contact", "Parents told by phone.")
        if state == "under_review":
            return case
        decided = self.later(held, HOUR, 3 * DAY)
        if refer:
            self.add(
                "referrals.Decision",
                incident_id=case,
                meeting_id=meeting,
                kind="refer",
                status="recorded",
                decided_by_id=dsl,
                decided_at=decided,
                reasons="A criterion for immediate referral is met.",
            )
            self.entry(case, decided, dsl, "decision", "Decision: refer to the police and/or children's social care.")
            self.entry(case, decided, dsl, "state", "Referred (Under review → Referred). Criterion met")
            for n in range(2 if rich or r() < 0.2 else 1):
                agency = ["social_care", "police_101", "ceop", "iwf"][n if rich else rng.randrange(4)]
                made = decided + n * HOUR
                acknowledged = state == "closed" or r() < 0.7
                outcome = rng.choice(AGENCY_OUTCOMES[agency]) if state == "closed" or (not rich and r() < 0.2) else ""
                referral = self.add(
                    "referrals.Referral",
                    incident_id=case,
                    agency=agency,
                    made_at=made,
                    made_by_id=dsl,
                    method="phone",
                    reference_number=f"REF{case:07d}{n}",
                    contact_name="Duty social worker",
                    information_shared="The concern as reported, the pupils' details and the meeting's answers.",
                    recorded_by_id=dsl,
                    recorded_at=made,
                    acknowledged_at=self.later(made, HOUR, 2 * DAY) if acknowledged else None,
                    outcome=outcome,
                    outcome_at=self.later(made, 5 * DAY, 40 * DAY) if outcome else None,
                    outcome_recorded_by_id=dsl if outcome else None,
                )
                self.entry(case, made, dsl, "referral", f"Referral made ({agency}).")
                for k in range(rng.choice([0, 1, 2]) if not rich else 2):
                    at = self.later(made, (k + 1) * DAY, (k + 2) * DAY)
                    self.add(
                        "referrals.FollowUp",
                        referral_id=referral,
                        at=at,
                        by_id=dsl,
                        method="phone",
                        notes="Chased the duty team for an update.",
                        response_received=k > 0,
                    )
                    self.entry(case, at, dsl, "follow_up", "Followed up by phone.")
                if outcome:
                    self.entry(case, self.later(made, 5 * DAY, 40 * DAY), dsl, "outcome", "Outcome recorded.")
        else:
            signed = state != "awaiting_sign_off"
            decision = self.add(
                "referrals.Decision",
                incident_id=case,
                meeting_id=meeting,
                kind="manage_in_school",
                status="signed_off" if signed else "pending_sign_off",
                decided_by_id=dsl,
                decided_at=decided,
                reasons="No criterion for immediate referral is met; the school can support the pupils.",
                plan="Weekly check-ins with the form tutor; a trusted adult named; review in four weeks.",
                **dict.fromkeys(ANNEX, "Considered at the meeting; see the notes."),
                **dict.fromkeys((f"{name}_answer" for name in ANNEX), "no"),
            )
            self.entry(case, decided, dsl, "decision", "Decision: manage in school, sent for sign-off.")
            self.entry(case, decided, dsl, "state", "Decision to manage in school sent for sign-off")
            if signed:
                at = self.later(decided, HOUR, 2 * DAY)
                self.add(
                    "referrals.SignOff",
                    decision_id=decision,
                    signed_by_id=self.head,
                    signed_at=at,
                    outcome="signed_off",
                    reauthenticated_with="password",
                )
                self.entry(case, at, self.head, "sign_off", "Signed off by the headteacher.")
                self.entry(case, at, self.head, "state", "Signed off (Awaiting sign-off → Managed in school)")
        if state == "closed":
            closed = self.later(decided, 7 * DAY, 120 * DAY)
            incident.update(closed_at=closed, closed_by_id=dsl, state_changed_at=closed)
            self.add(
                "incidents.Closure",
                incident_id=case,
                summary="Outcome known; every action done. Closed.",
                closed_by_id=dsl,
                closed_at=closed,
                reauthenticated_with="password",
            )
            self.entry(case, closed, dsl, "closure", "Case closed and signed off by the DSL.")
            self.entry(case, closed, dsl, "state", "Closed and signed off")
        return case

    def random_case(self):
        rng = self.rng
        if self.data.open_cases >= OPEN_CASES:
            return self.case("closed", self.now - rng.uniform(150, 365 * YEARS_OF_RECORDS) * DAY)
        self.data.open_cases += 1
        state = rng.choices(list(OPEN_STATES), list(OPEN_STATES.values()))[0]
        recent = {"reported": 14, "under_review": 30, "awaiting_sign_off": 45}.get(state, 150)
        return self.case(state, self.now - rng.uniform(3, recent) * DAY)

    def pinned_cases(self):
        """The timed pupil's cases, made once: an open referred case full of work (the timed case page) and three
        older closed ones. The showcase case has three pupils, a non-pupil, actions, referrals and follow-ups."""
        pinned = self.data.pinned_pupil
        when = self.now - 20 * DAY
        others = self.pupils_at(when, 2)
        self.data.showcase_case = self.case("referred", when, pupils=[pinned, *others], rich=True)
        for years in (1, 2, 3):
            self.case("closed", self.now - years * 200 * DAY, pupils=[pinned])


def set_reference_counters(data):
    """Start the school's reference counters (incidents.CaseReferenceCounter) where the seeded references end, as
    the workflow would have left them, so a concern logged over HTTP takes the next number."""
    counter = model("incidents.CaseReferenceCounter")
    for year, last in references_taken(data.school).items():
        counter.objects.update_or_create(school=data.school, year=year, defaults={"last": last})


def grow(world, cases_per_school, seed=1):
    """Add cases until each school has `cases_per_school` seeded cases, then VACUUM ANALYZE. Returns seconds."""
    started = time.perf_counter()
    for data in world.schools:
        rng = random.Random(f"{seed}-{data.school.pk}-{data.cases}")  # noqa: S311 (test data, not security)
        ids = Ids()
        builder = CaseBuilder(rng, world, data, ids)
        if data.cases == 0:
            builder.pinned_cases()
            data.cases += 4
        while data.cases < cases_per_school:
            for _ in range(min(CHUNK, cases_per_school - data.cases)):
                builder.random_case()
                data.cases += 1
            builder.flush()
        builder.flush()
        ids.close()
        set_reference_counters(data)
    with connection.cursor() as cursor:
        # VACUUM as well as ANALYZE: fresh statistics, and a visibility map as a long-lived database would have.
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def migrate():
    call_command("migrate", interactive=False, verbosity=0)
