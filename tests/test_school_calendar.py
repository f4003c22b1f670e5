"""The school calendar: working days and school days over Christmas, Easter and a half term, in each nation; the
terms and INSET days a school enters, and the page where its team or head enters them."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from safeguard import demo, services
from safeguard.calendar import NoTermDates, add_school_days, add_working_days, is_school_day, is_working_day
from safeguard.models import InsetDay, Nation, School, Term
from safeguard.roles import Role
from tests.factories import SchoolFactory, UserFactory, member
from tests.test_query_counts import queries_for

pytestmark = pytest.mark.django_db

D = datetime.date


def at(year, month, day, hour=10):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


# An English school year, 2025-26, as a school enters it: each half of a term is a term of its own, and an INSET
# day opens the spring term.
TERMS_2025_26 = [
    ("Autumn 2", D(2025, 11, 3), D(2025, 12, 19)),
    ("Spring 1", D(2026, 1, 5), D(2026, 2, 13)),
    ("Spring 2", D(2026, 2, 23), D(2026, 3, 27)),
    ("Summer 1", D(2026, 4, 13), D(2026, 5, 22)),
    ("Summer 2", D(2026, 6, 1), D(2026, 7, 22)),
]
SPRING_INSET = D(2026, 1, 5)


@pytest.fixture
def dsl(school):
    return member(Role.DSL, school=school)


@pytest.fixture
def school_year(school, dsl):
    for name, first, last in TERMS_2025_26:
        services.term_add(actor=dsl, school=school, name=name, starts_on=first, ends_on=last)
    services.inset_day_add(actor=dsl, school=school, day=SPRING_INSET, description="Safeguarding training")
    return school


def in_nation(nation):
    return SchoolFactory(nation=nation)


# --- Working days: Monday to Friday, less the bank holidays of the school's nation ----------------------------


def test_over_easter_a_working_day_in_england_skips_good_friday_and_easter_monday(school):
    thursday_before_easter = at(2026, 4, 2, 15)
    assert add_working_days(school, thursday_before_easter, 1) == timezone.localtime(at(2026, 4, 7, 15))
    assert add_working_days(school, at(2026, 4, 3), 1).date() == D(2026, 4, 7)  # made on Good Friday itself
    assert not is_working_day(school, D(2026, 4, 6))


def test_scotland_has_no_easter_monday_holiday_but_has_the_second_of_january(db):
    scotland, england = in_nation(Nation.SCOTLAND), in_nation(Nation.ENGLAND)

    assert add_working_days(scotland, at(2026, 4, 2), 1).date() == D(2026, 4, 6)
    assert add_working_days(scotland, at(2025, 12, 31), 1).date() == D(2026, 1, 5)
    assert add_working_days(england, at(2025, 12, 31), 1).date() == D(2026, 1, 2)


def test_wales_and_northern_ireland_keep_their_own_bank_holidays(db):
    wales, northern_ireland = in_nation(Nation.WALES), in_nation(Nation.NORTHERN_IRELAND)
    st_patricks_day = D(2026, 3, 17)
    assert is_working_day(wales, st_patricks_day)
    assert not is_working_day(northern_ireland, st_patricks_day)
    assert not is_working_day(wales, D(2026, 4, 6))  # Easter Monday


def test_over_christmas_a_working_day_skips_christmas_and_boxing_day(school):
    christmas_eve = at(2025, 12, 24)
    assert add_working_days(school, christmas_eve, 1).date() == D(2025, 12, 29)
    assert add_working_days(school, christmas_eve, 3).date() == D(2025, 12, 31)
    assert add_working_days(school, at(2025, 12, 29), -1).date() == D(2025, 12, 24)


def test_a_day_in_half_term_and_an_inset_day_are_working_days_but_not_school_days(school_year):
    half_term = D(2026, 2, 17)
    assert is_working_day(school_year, half_term)
    assert not is_school_day(school_year, half_term)
    assert is_working_day(school_year, SPRING_INSET)
    assert not is_school_day(school_year, SPRING_INSET)
    assert is_school_day(school_year, D(2026, 1, 6))


def test_the_clock_keeps_the_time_of_day_across_the_change_to_summer_time(school):
    friday = at(2026, 3, 27, 10)  # the clocks go forward on Sunday 29 March
    monday = add_working_days(school, friday, 1)
    assert (monday.date(), monday.hour, monday.minute) == (D(2026, 3, 30), 10, 0)
    utc = datetime.UTC
    assert monday.astimezone(utc) - friday.astimezone(utc) == datetime.timedelta(days=3, hours=-1)


# --- School days: working days in term that are not INSET days ------------------------------------------------


def test_over_christmas_school_days_skip_the_holiday_and_the_inset_day(school_year):
    assert add_school_days(school_year, D(2025, 12, 18), 1) == D(2025, 12, 19)
    assert add_school_days(school_year, D(2025, 12, 18), 2) == D(2026, 1, 6)
    assert add_school_days(school_year, D(2026, 1, 6), -2) == D(2025, 12, 18)


def test_over_a_half_term_school_days_skip_the_week(school_year):
    assert add_school_days(school_year, at(2026, 2, 13, 9), 1) == timezone.localtime(at(2026, 2, 23, 9))
    assert add_working_days(school_year, D(2026, 2, 13), 1) == D(2026, 2, 16)


def test_over_easter_school_days_skip_the_holiday(school_year):
    assert add_school_days(school_year, D(2026, 3, 26), 2) == D(2026, 4, 13)
    assert add_working_days(school_year, D(2026, 3, 26), 2) == D(2026, 3, 30)


def test_school_days_are_not_guessed_beyond_the_terms_entered(school_year, school):
    with pytest.raises(NoTermDates):
        add_school_days(school_year, D(2026, 7, 21), 5)
    with pytest.raises(NoTermDates):
        add_school_days(school_year, D(2025, 11, 4), -5)
    with pytest.raises(NoTermDates):
        add_school_days(SchoolFactory(), D(2026, 1, 6), 1)  # no terms at all


def test_a_school_reads_its_calendar_once_however_many_days_are_asked(school_year, django_assert_num_queries):
    with django_assert_num_queries(2):  # its terms, its INSET days
        days = [D(2026, 1, 1) + datetime.timedelta(days=n) for n in range(200)]
        assert sum(is_school_day(school_year, day) for day in days) > 100
        add_school_days(school_year, D(2026, 1, 6), 20)


def test_a_withdrawn_term_or_inset_day_no_longer_counts(school_year, dsl):
    spring_1 = school_year.terms.get(name="Spring 1")
    inset = school_year.inset_days.get(day=SPRING_INSET)
    assert is_school_day(school_year, D(2026, 1, 6))

    services.calendar_entry_withdraw(actor=dsl, entry=spring_1)
    services.calendar_entry_withdraw(actor=dsl, entry=inset)

    assert not is_school_day(school_year, D(2026, 1, 6))
    spring_1.refresh_from_db()
    assert (spring_1.withdrawn_by, spring_1.history.first().history_user) == (dsl, dsl)
    # The right dates are entered anew, now that the wrong ones are out of the way.
    services.term_add(actor=dsl, school=school_year, name="Spring 1", starts_on=D(2026, 1, 5), ends_on=D(2026, 2, 13))
    services.inset_day_add(actor=dsl, school=school_year, day=SPRING_INSET)
    assert Term.objects.filter(school=school_year, name="Spring 1").count() == 2


# --- Entering the calendar: the services' rules -------------------------------------------------------------


def test_a_term_cannot_end_before_it_starts(school, dsl):
    with pytest.raises(ValidationError) as refused:
        services.term_add(actor=dsl, school=school, name="Autumn 1", starts_on=D(2026, 10, 23), ends_on=D(2026, 9, 2))
    assert refused.value.message_dict == {"ends_on": ["The last day is before the first day."]}


def test_terms_cannot_overlap_but_may_follow_one_another(school_year, dsl):
    with pytest.raises(ValidationError) as refused:
        services.term_add(
            actor=dsl, school=school_year, name="Summer 1", starts_on=D(2026, 5, 18), ends_on=D(2026, 5, 29)
        )
    assert "overlap Summer 1" in refused.value.message_dict["starts_on"][0]

    services.term_add(actor=dsl, school=school_year, name="Autumn 1", starts_on=D(2026, 9, 2), ends_on=D(2026, 10, 23))
    services.term_add(
        actor=dsl, school=school_year, name="Autumn 2", starts_on=D(2026, 10, 24), ends_on=D(2026, 12, 18)
    )


def test_an_inset_day_is_a_weekday_entered_once(school_year, dsl):
    with pytest.raises(ValidationError) as twice:
        services.inset_day_add(actor=dsl, school=school_year, day=SPRING_INSET)
    assert twice.value.message_dict == {"day": ["This day is already an INSET day."]}
    with pytest.raises(ValidationError) as saturday:
        services.inset_day_add(actor=dsl, school=school_year, day=D(2026, 1, 10))
    assert "weekend or a bank holiday" in saturday.value.message_dict["day"][0]


@pytest.mark.parametrize("role", [Role.STAFF, Role.INSPECTOR])
def test_only_the_team_and_the_head_keep_the_calendar(school, role):
    outsider = member(role, school=school)
    with pytest.raises(PermissionDenied):
        services.term_add(
            actor=outsider, school=school, name="Autumn 1", starts_on=D(2026, 9, 2), ends_on=D(2026, 10, 23)
        )
    with pytest.raises(PermissionDenied):
        services.school_nation_set(actor=outsider, school=school, nation=Nation.WALES)
    head = member(Role.HEADTEACHER, school=school)
    term = services.term_add(
        actor=head, school=school, name="Autumn 1", starts_on=D(2026, 9, 2), ends_on=D(2026, 10, 23)
    )
    with pytest.raises(PermissionDenied):
        services.calendar_entry_withdraw(actor=outsider, entry=term)


def test_another_schools_team_cannot_change_this_calendar(school, other_school):
    stranger = member(Role.DSL, school=other_school)
    with pytest.raises(PermissionDenied):
        services.inset_day_add(actor=stranger, school=school, day=D(2026, 9, 1))


def test_the_nation_decides_the_bank_holidays_and_is_recorded(school, dsl):
    services.school_nation_set(actor=dsl, school=school, nation=Nation.SCOTLAND)
    assert is_working_day(school, D(2026, 4, 6))
    school.refresh_from_db()
    assert school.nation == Nation.SCOTLAND
    assert school.history.first().history_user == dsl


# --- The page ---------------------------------------------------------------------------------------------------


@pytest.fixture
def team_client(school, dsl, signed_in):
    return signed_in(dsl, school=school)


def test_the_team_enters_a_term_and_sees_it(team_client, school, dsl):
    response = team_client.post(
        "/school/calendar/terms/new/", {"name": "Autumn 1", "starts_on": "2026-09-02", "ends_on": "2026-10-23"}
    )
    assert response.status_code == 302 and response["Location"] == "/school/calendar/"
    term = Term.objects.get(school=school)
    assert (term.name, term.starts_on, term.ends_on, term.added_by) == ("Autumn 1", D(2026, 9, 2), D(2026, 10, 23), dsl)
    page = team_client.get("/school/calendar/").content.decode()
    assert "Autumn 1" in page and "Wed 2 September 2026" in page


def test_a_term_ending_before_it_starts_is_refused_beside_the_field(team_client, school):
    response = team_client.post(
        "/school/calendar/terms/new/", {"name": "Autumn 1", "starts_on": "2026-10-23", "ends_on": "2026-09-02"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and not Term.objects.exists()
    assert '<p class="field-error" id="id_ends_on_error">' in page
    assert '<a href="#id_ends_on">Last day: The last day is before the first day.</a>' in page
    assert 'value="2026-10-23"' in page  # what was typed is kept


def test_an_overlapping_term_is_refused_beside_its_first_day(team_client, school_year):
    response = team_client.post(
        "/school/calendar/terms/new/", {"name": "Extra", "starts_on": "2026-02-20", "ends_on": "2026-03-02"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert '<p class="field-error" id="id_starts_on_error">' in page and "overlap Spring 2" in page
    assert not Term.objects.filter(name="Extra").exists()


def test_a_missing_date_is_asked_for_beside_its_field(team_client):
    response = team_client.post("/school/calendar/inset-days/new/", {"day": "", "description": ""})
    assert '<p class="field-error" id="id_day_error">' in response.content.decode()


def test_the_head_enters_an_inset_day_and_sets_the_nation(school, signed_in):
    client = signed_in(member(Role.HEADTEACHER, school=school), school=school)
    client.post("/school/calendar/inset-days/new/", {"day": "2026-09-01", "description": "Safeguarding training"})
    client.post("/school/calendar/bank-holidays/", {"nation": "WLS"})

    assert InsetDay.objects.get(school=school).description == "Safeguarding training"
    school.refresh_from_db()
    assert school.nation == Nation.WALES
    assert "the bank holidays of Wales" in client.get("/school/calendar/").content.decode()


def test_withdrawing_keeps_the_entry_on_record(team_client, school_year):
    term = Term.objects.get(school=school_year, name="Summer 2")
    assert team_client.post(f"/school/calendar/terms/{term.pk}/withdraw/").status_code == 302
    term.refresh_from_db()
    assert term.withdrawn_at is not None
    page = team_client.get("/school/calendar/").content.decode()
    assert "Withdrawn" in page and "Summer 2, 01 June 2026 to 22 July 2026" in page


def test_another_schools_term_is_not_found(school_year, other_school, signed_in):
    stranger = member(Role.DSL, school=other_school)
    client = signed_in(stranger, school=other_school)
    term = Term.objects.filter(school=school_year).first()
    inset = InsetDay.objects.get(school=school_year)
    assert client.post(f"/school/calendar/terms/{term.pk}/withdraw/").status_code == 404
    assert client.post(f"/school/calendar/inset-days/{inset.pk}/withdraw/").status_code == 404
    assert "Spring 1" not in client.get("/school/calendar/").content.decode()


@pytest.mark.parametrize("role", [Role.STAFF, Role.INSPECTOR, Role.TRUST_LEAD])
def test_people_outside_the_team_and_head_cannot_open_the_calendar(school, people, signed_in, role):
    client = signed_in(people[role], school=school)
    assert client.get("/school/calendar/").status_code == 403
    assert client.post("/school/calendar/terms/new/", {"name": "X", "starts_on": "2026-09-02"}).status_code == 403


def test_the_calendar_page_keeps_its_budget_as_terms_are_added(team_client, school_year, dsl):
    small = queries_for(team_client, "/school/calendar/")
    for n in range(6):
        first = D(2026, 9, 7) + datetime.timedelta(weeks=2 * n)
        services.term_add(
            actor=dsl, school=school_year, name=f"Part {n}", starts_on=first, ends_on=first + datetime.timedelta(days=4)
        )
        services.inset_day_add(actor=dsl, school=school_year, day=first + datetime.timedelta(days=7))
    services.calendar_entry_withdraw(actor=dsl, entry=Term.objects.get(name="Part 0"))
    assert queries_for(team_client, "/school/calendar/") == small <= 12


# --- Setting a calendar up: the demo's English school year, and a school registered in another nation ---------


def test_the_demo_school_year_follows_englands_usual_pattern(school):
    terms, inset_days = demo.english_school_year(school, 2025)

    assert [(first, last) for _, first, last in terms] == [
        (D(2025, 9, 1), D(2025, 10, 24)),
        *[(first, last) for _, first, last in TERMS_2025_26],
    ]
    assert inset_days == [D(2025, 9, 1), D(2025, 9, 2), D(2025, 11, 3), D(2026, 1, 5), D(2026, 4, 13)]


def test_the_demo_schools_have_this_years_terms_and_inset_days(db):
    demo.seed()
    demo.seed()  # safe to run twice
    today = timezone.localdate()
    for _key, _name, urn, _years in demo.SCHOOLS:
        school = School.objects.get(urn=urn)
        assert school.terms.current().count() == 18  # last year's, this year's and next year's
        assert school.inset_days.current().count() == 15
        assert add_school_days(school, today, 20) > today


def test_a_school_registered_in_wales_keeps_welsh_bank_holidays(db):
    UserFactory(username="registrar")
    call_command(
        "create_school", name="Ysgol y Bryn", urn="401234", actor="registrar", nation="WLS", stdout=io.StringIO()
    )
    assert School.objects.get(urn="401234").nation == Nation.WALES
