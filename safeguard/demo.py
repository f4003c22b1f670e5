"""Demo data: one trust, two schools, their people, pupil registers and term dates. Safe to run twice.

The demo password is public: seed_demo prints it, and the sign-in form refuses it whenever DEBUG is off.
"""

import csv
import datetime
import io
import random

from dateutil.easter import easter
from dateutil.relativedelta import FR, MO, relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import services
from .calendar import add_working_days
from .models import Membership, School, Term, Trust
from .pupil_import import COLUMNS, pupils_import
from .roles import Role

DEMO_PASSWORD = "safeguard-demo-2026"  # noqa: S105 (public by design; refused on live systems)
TRUST_NAME = "Riverside Learning Trust"

SCHOOLS = [
    # key, name, URN, year groups
    ("riverside", "Riverside Academy", "140001", ["7", "8", "9", "10", "11"]),
    ("hillview", "Hillview Primary School", "140002", ["3", "4", "5", "6"]),
]
SCHOOL_PEOPLE = [
    # username suffix, first name, last name, role
    ("dsl", "Ruth", "Okafor", Role.DSL),
    ("deputy", "Tom", "Hughes", Role.DEPUTY_DSL),
    ("head", "Priya", "Shah", Role.HEADTEACHER),
    ("staff1", "Daniel", "Moss", Role.STAFF),
    ("staff2", "Aisha", "Bello", Role.STAFF),
]
# First names by the sex recorded on the register, so that the demo cases read true.
FIRST_NAMES = {
    "F": ["Amelia", "Isla", "Ava", "Mia", "Freya", "Lily", "Grace", "Zara", "Ivy", "Evie", "Ella", "Ruby"],
    "M": [
        "Oliver",
        "Noah",
        "Leo",
        "Arthur",
        "Muhammad",
        "Oscar",
        "George",
        "Harry",
        "Jack",
        "Theo",
        "Finley",
        "Charlie",
    ],
}
LAST_NAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Khan",
    "Evans",
    "Thomas",
    "Roberts",
    "Walker",
    "Wright",
    "Ali",
    "Clarke",
    "Lewis",
    "Hall",
    "Green",
    "Nowak",
    "Mensah",
]
PUPILS_PER_SCHOOL = 60


def _user(username, first, last, **extra):
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org", **extra},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _grant_once(*, actor, user, role, school=None, trust=None, ends_on=None):
    open_ = Membership.objects.filter(user=user, role=role, school=school, trust=trust, ended_at__isnull=True)
    if not open_.exists():
        services.membership_grant(actor=actor, user=user, role=role, school=school, trust=trust, ends_on=ends_on)


def _birth_date(rng, year_group, today):
    """A date of birth that puts the child in `year_group` this academic year (which starts on 1 September)."""
    start = today.year if today.month >= 9 else today.year - 1
    first = datetime.date(start - int(year_group) - 5, 9, 1)
    return first + datetime.timedelta(days=rng.randrange(365))


def _weekday_or_friday_before(day):
    return day + relativedelta(weekday=FR(-1)) if day.weekday() >= 5 else day


def english_school_year(school, start):
    """The terms and INSET days of a typical English school year beginning in September of `start`, for `school`
    (an English one: its bank holidays decide which days the INSET days fall on).

    Six terms (each half of a term is a term here): autumn from early September, with half term in the last week
    of October, to 20 December; spring from the first Monday of January, with half term in the third week of
    February, to the Easter holiday (the fortnight from the Monday before Good Friday); summer to 22 July, with
    half term in the week of the late May bank holiday. A term due to end at a weekend ends on the Friday before.
    INSET days open the terms.
    """
    end = start + 1
    september = datetime.date(start, 9, 1)
    autumn = september + relativedelta(weekday=MO) if september.weekday() >= 5 else september
    october_half_term = datetime.date(start, 10, 31) + relativedelta(weekday=MO(-1))
    christmas = _weekday_or_friday_before(datetime.date(start, 12, 20))
    spring = datetime.date(end, 1, 2) + relativedelta(weekday=MO)
    february_half_term = datetime.date(end, 2, 1) + relativedelta(weekday=MO(+3))
    easter_holiday = easter(end) - datetime.timedelta(days=6)  # the Monday before Good Friday
    may_half_term = datetime.date(end, 5, 31) + relativedelta(weekday=MO(-1))
    summer_ends = _weekday_or_friday_before(datetime.date(end, 7, 22))
    week, weekend = datetime.timedelta(weeks=1), datetime.timedelta(days=3)
    terms = [
        ("Autumn 1", autumn, october_half_term - weekend),
        ("Autumn 2", october_half_term + week, christmas),
        ("Spring 1", spring, february_half_term - weekend),
        ("Spring 2", february_half_term + week, easter_holiday - weekend),
        ("Summer 1", easter_holiday + 2 * week, may_half_term - weekend),
        ("Summer 2", may_half_term + week, summer_ends),
    ]
    # A term's first working day may follow a bank holiday (New Year's Day observed, the early May one).
    day_before = datetime.timedelta(days=1)
    autumn_1, autumn_2, spring_1, _, summer_1, _ = (add_working_days(school, t[1] - day_before, 1) for t in terms)
    inset_days = [autumn_1, add_working_days(school, autumn_1, 1), autumn_2, spring_1, summer_1]
    return terms, inset_days


def _seed_calendar(school, actor, today):
    """Last school year's terms, this year's and next year's, unless the school has entered terms already."""
    if Term.objects.current().filter(school=school).exists():
        return
    this_year = today.year if today.month >= 9 else today.year - 1
    for start in (this_year - 1, this_year, this_year + 1):
        terms, inset_days = english_school_year(school, start)
        for name, first, last in terms:
            services.term_add(actor=actor, school=school, name=name, starts_on=first, ends_on=last)
        for day in inset_days:
            services.inset_day_add(actor=actor, school=school, day=day, description="Staff training")


def register_csv(school_index, year_groups, today):
    """A register CSV for one demo school, the same every time."""
    rng = random.Random(school_index)  # noqa: S311 (demo names, not security)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for n in range(PUPILS_PER_SCHOOL):
        year = year_groups[n % len(year_groups)]
        sex = "F" if n % 2 else "M"
        writer.writerow(
            {
                "upn": f"D{school_index:03d}{n:08d}0",
                "first_name": rng.choice(FIRST_NAMES[sex]),
                "last_name": rng.choice(LAST_NAMES),
                "date_of_birth": _birth_date(rng, year, today).isoformat(),
                "year_group": year,
                "sex": sex,
                "send": "yes" if n % 7 == 3 else "no",
                "looked_after": "yes" if n % 13 == 5 else "no",
                "known_to_social_care": "yes" if n % 11 == 4 else "no",
                "previously_abused": "yes" if n % 17 == 9 else "no",
                "date_left": "",
            }
        )
    return out.getvalue()


@transaction.atomic
def seed():
    """Create (or leave as it is) the demo trust, schools, people and registers. Returns the sign-ins."""
    today = timezone.localdate()
    admin = _user("demo.admin", "Sam", "Carter", is_staff=True, is_superuser=True)
    trust = Trust.objects.filter(name=TRUST_NAME).first() or services.trust_create(actor=admin, name=TRUST_NAME)
    sign_ins = [("demo.admin", "System administrator (read-only admin; sees no pupils or cases)")]

    for index, (key, name, urn, year_groups) in enumerate(SCHOOLS, start=1):
        school = School.objects.filter(urn=urn).first() or services.school_create(
            actor=admin, name=name, urn=urn, trust=trust
        )
        for suffix, first, last, role in SCHOOL_PEOPLE:
            user = _user(f"{key}.{suffix}", first, last if index == 1 else f"{last}-{key.title()}")
            _grant_once(actor=admin, user=user, role=role, school=school)
            sign_ins.append((user.username, f"{role.label}, {name}"))
        dsl = get_user_model().objects.get(username=f"{key}.dsl")
        pupils_import(actor=dsl, school=school, text=register_csv(index, year_groups, today))
        _seed_calendar(school, dsl, today)

    lead = _user("trust.lead", "Helen", "Price")
    _grant_once(actor=admin, user=lead, role=Role.TRUST_LEAD, trust=trust)
    sign_ins.append(("trust.lead", f"Trust safeguarding lead, {TRUST_NAME}"))

    # The inspector holds no role: the school's DSL gives them access to two cases once the cases are there
    # (records/demo_steps.py), for SAFEGUARD_INSPECTOR_ACCESS_DAYS from then.
    _user("inspector", "Mark", "Ellis")
    riverside = School.objects.get(urn=SCHOOLS[0][2])
    days = settings.SAFEGUARD_INSPECTOR_ACCESS_DAYS
    sign_ins.append(("inspector", f"Inspector: read-only access to two cases at {riverside.name} for {days} days"))
    return sign_ins
