"""The pupil picker in Chromium: a few letters find the pupil as you type, and choosing one fills in the concern."""

import re

import pytest

from incidents.models import Incident
from safeguard.roles import Role
from tests.factories import PupilFactory

from .test_case_workflow import describe_concern, open_as, submit

pytestmark = pytest.mark.e2e


def test_staff_type_a_few_letters_choose_the_pupil_and_submit(browse, school, other_school, people):
    maya = PupilFactory(school=school, first_name="Maya", last_name="Rahman", year_group="10")
    PupilFactory(school=school, first_name="Maya", last_name="Rahman", year_group="7")  # the same name, a year 7
    PupilFactory(school=other_school, first_name="Maya", last_name="Rahim")
    view = open_as(browse, people[Role.STAFF])
    page = view.page
    page.goto("/concerns/new/")
    describe_concern(page, where="Told to me in the library", childs_words="Someone in Year 10 has a picture of me.")

    box = page.locator("#id_people-0-pupil")  # the first person's search box
    box.press_sequentially("rah", delay=40)
    results = page.locator("#id_people-0-pupil_results")
    results.get_by_role("button").first.wait_for()
    assert results.get_by_role("button").all_inner_texts() == ["Rahman, Maya (Year 10)", "Rahman, Maya (Year 7)"]
    assert "2 pupils found" in results.inner_text() and "Rahim" not in page.content()
    view.check()  # with the results showing

    results.get_by_role("button", name="Rahman, Maya (Year 7)").click()
    chosen = page.locator("#id_people-0-pupil_chosen")
    assert chosen.inner_text() == "Rahman, Maya (Year 7)" and not box.is_visible()
    page.get_by_role("button", name="Change pupil").first.click()  # the wrong Maya: choose again, by keyboard
    assert box.is_visible() and box.evaluate("el => el === document.activeElement")
    box.press("Enter")  # searches at once, and sends nothing
    results.get_by_role("button").first.wait_for()
    page.keyboard.press("Tab")  # past the Search button
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Rahman, Maya (Year 10)"
    page.keyboard.press("Enter")
    assert chosen.inner_text() == "Rahman, Maya (Year 10)"
    assert page.evaluate("document.activeElement.textContent") == "Change pupil"
    page.locator("#id_people-0-part").select_option("harmed")
    view.check()

    submit(view, "Submit to the safeguarding team", re.compile("^Your concern [A-Z]+-"))
    case = Incident.objects.get()
    assert [person.pupil for person in case.involvements.current()] == [maya]
    assert not view.console_errors, view.console_errors  # nothing refused by the Content Security Policy
