"""Finding a pupil by a few letters of their name: who finds whom, what each person sees of them, and its cost."""

import datetime

import pytest

from incidents import selectors
from incidents.pupil_search import MOST_SHOWN
from safeguard.roles import Role
from tests.factories import PupilFactory, member, pupil_register
from tests.test_query_counts import queries_for

pytestmark = pytest.mark.django_db

CONCERN_SEARCH, CASE_SEARCH = "/concerns/pupils/", "/cases/pupils/"
BOX = "people-0-pupil_search"


def live_search(client, url, text, box=BOX):
    """Ask as htmx does when someone types in a picker's search box: it names the box the text came from."""
    return client.get(url, {box: text}, headers={"HX-Request": "true", "HX-Trigger-Name": box})


def names(found):
    return [(m.last_name, m.first_name) for m in found.matches]


@pytest.fixture
def amira(school):
    return PupilFactory(school=school, first_name="Amira", last_name="Okoye", year_group="9")


def test_a_few_letters_of_either_name_find_the_pupil_whatever_the_case(school, staff, amira):
    PupilFactory(school=school, first_name="Tom", last_name="Kamara")
    finder = selectors.pupil_finder_to_name(staff, school)

    for text in ("am", "AMI", "oko", "Okoye", "amira okoye", "Okoye Amira", "  am   ok "):
        assert names(finder.search(text)) == [("Okoye", "Amira")], text
    assert finder.search("mir").matches == ()  # the start of a name, not anywhere in it
    assert finder.search("amira kamara").matches == ()


def test_names_of_more_than_one_word_are_found_whole_and_in_parts(school, staff):
    PupilFactory(school=school, first_name="Mary Ann", last_name="de Souza")
    finder = selectors.pupil_finder_to_name(staff, school)

    for text in ("de souza", "de so", "mary ann", "mary ann de", "mary de souza", "de souza mary"):
        assert names(finder.search(text)) == [("de Souza", "Mary Ann")], text


def test_pupils_found_are_in_name_order_and_at_most_twenty(school, staff):
    for n in range(MOST_SHOWN + 1):
        PupilFactory(school=school, first_name=f"Sam{n:02d}", last_name="Lee" if n % 2 else "Ahmed")
    finder = selectors.pupil_finder_to_name(staff, school)

    found = finder.search("sam")

    assert len(found.matches) == MOST_SHOWN and found.more
    assert names(found)[:2] == [("Ahmed", "Sam00"), ("Ahmed", "Sam02")]
    assert names(found) == sorted(names(found))
    assert not finder.search("sam0").more


def test_fewer_than_two_letters_find_nothing(school, staff, amira):
    finder = selectors.pupil_finder_to_name(staff, school)
    assert finder.search("a").too_short and finder.search("a").matches == ()
    assert finder.search(" ").too_short


def test_staff_see_names_and_year_groups_only(client, signed_in, school, staff, amira):
    signed_in(staff, school=school)

    page = live_search(client, CONCERN_SEARCH, "oko").content.decode()

    assert "Okoye, Amira (Year 9)" in page
    assert f'data-pupil-id="{amira.pk}"' in page
    assert "born" not in page and "2012" not in page
    assert selectors.pupil_finder_to_name(staff, school).search("oko").matches[0].date_of_birth is None


@pytest.mark.parametrize("role", [Role.DSL, Role.DEPUTY_DSL])
def test_the_dsl_team_also_sees_the_date_of_birth(client, signed_in, school, people, amira, role):
    signed_in(people[role], school=school)

    for url in (CONCERN_SEARCH, CASE_SEARCH):
        assert "Okoye, Amira (Year 9, born 14 Mar 2012)" in live_search(client, url, "oko").content.decode()


@pytest.mark.parametrize("role", [Role.HEADTEACHER, Role.TRUST_LEAD])
def test_overseers_filtering_cases_see_no_date_of_birth(client, signed_in, school, people, amira, role):
    signed_in(people[role], school=school)

    page = live_search(client, CASE_SEARCH, "oko", box="pupil_search").content.decode()

    assert "Okoye, Amira (Year 9)" in page and "born" not in page


def test_another_schools_pupil_is_never_found(client, signed_in, school, other_school, people, amira):
    theirs = PupilFactory(school=other_school, first_name="Amira", last_name="Okafor")
    other_dsl = member(Role.DSL, school=other_school)

    for person, url in [(people[Role.STAFF], CONCERN_SEARCH), (people[Role.DSL], CASE_SEARCH)]:
        signed_in(person, school=school)
        page = live_search(client, url, "amira").content.decode()
        assert "Okoye" in page and "Okafor" not in page and f'data-pupil-id="{theirs.pk}"' not in page
    signed_in(other_dsl, school=other_school)
    for url in (CONCERN_SEARCH, CASE_SEARCH):
        page = live_search(client, url, "amira").content.decode()
        assert "Okafor" in page and "Okoye" not in page


def test_a_pupil_who_has_left_is_not_offered_for_a_concern_but_is_for_the_case_list(client, signed_in, school, dsl):
    PupilFactory(school=school, first_name="Kai", last_name="Brennan", date_left=datetime.date(2025, 7, 18))
    signed_in(dsl, school=school)

    assert "Brennan" not in live_search(client, CONCERN_SEARCH, "kai").content.decode()
    page = live_search(client, CASE_SEARCH, "kai", box="pupil_search").content.decode()
    assert "Brennan, Kai (Year 9, born 14 Mar 2012, left 18 Jul 2025)" in page


def test_one_letter_gives_a_prompt_not_a_list(client, signed_in, school, staff, amira):
    signed_in(staff, school=school)

    page = live_search(client, CONCERN_SEARCH, "o").content.decode()

    assert "Type two or more letters" in page and "Okoye" not in page and "<button" not in page


def test_no_match_and_too_many_are_said_in_words(client, signed_in, school, staff, amira):
    PupilFactory.create_batch(MOST_SHOWN + 1, school=school, first_name="Ola")
    signed_in(staff, school=school)

    assert "No pupil's name starts with “zz”" in live_search(client, CONCERN_SEARCH, "zz").content.decode()
    page = live_search(client, CONCERN_SEARCH, "ol").content.decode()
    assert f"More than {MOST_SHOWN} pupils' names start with “ol”" in page
    assert page.count('class="pupil-result"') == MOST_SHOWN


def test_the_search_is_read_only_and_gated_like_its_page(client, signed_in, school, people, amira):
    signed_in(people[Role.STAFF], school=school)
    assert client.post(CONCERN_SEARCH, {BOX: "oko"}).status_code == 405
    assert live_search(client, CASE_SEARCH, "oko").status_code == 403  # staff do not see the case list
    signed_in(people[Role.INSPECTOR], school=school)
    assert live_search(client, CONCERN_SEARCH, "oko").status_code == 403


@pytest.mark.parametrize("url, box", [(CONCERN_SEARCH, BOX), (CASE_SEARCH, "pupil_search")])
def test_a_search_costs_the_same_few_queries_with_ten_pupils_or_fifteen_hundred(
    client, signed_in, school, other_school, dsl, url, box
):
    signed_in(dsl, school=school)

    def cost():
        return queries_for(client, f"{url}?{box}=am", headers={"HX-Request": "true", "HX-Trigger-Name": box})

    pupil_register(school, range(10))
    small = cost()
    pupil_register(school, range(10, 1500))
    pupil_register(other_school, range(1500, 3000))  # another school's register is no part of the search
    large = cost()

    # The middleware's sign-in, school and roles, the session saved (the idle timeout), the scope's roles, the
    # search itself, and the request's savepoints: the same whatever the size of the register.
    assert small == large <= 16
    page = live_search(client, url, "am", box=box).content.decode()
    assert page.count('class="pupil-result"') == MOST_SHOWN
