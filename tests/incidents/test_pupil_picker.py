"""The pupil pickers on the concern form, the case's "add a person" page and the case list, as a browser without
JavaScript uses them: Search posts the form, and the pupils found come back as radio buttons."""

import datetime
from urllib.parse import quote

import pytest
from django.utils.html import escape

from incidents.models import Incident
from tests.factories import PupilFactory, make_case

from .test_views import concern_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def amira(school):
    return PupilFactory(school=school, first_name="Amira", last_name="Okoye", year_group="9")


def searching(pupil_search, row="people-0-pupil", **overrides):
    """A concern as typed so far, with `pupil_search` typed in the first person's box and its Search pressed."""
    data = concern_post(None, **{"people-0-pupil": "", "people-0-pupil_search": pupil_search, **overrides})
    data.pop("submit")
    data["find_pupil"] = row
    return data


def test_search_without_javascript_offers_the_pupils_found_and_keeps_everything_typed(
    client, signed_in, school, staff, amira
):
    PupilFactory(school=school, first_name="Amira", last_name="Osei", year_group="7")
    signed_in(staff, school=school)

    response = client.post("/concerns/new/", searching("amira"))

    assert response.status_code == 200 and not Incident.objects.exists()
    page = response.content.decode()
    assert f'<input type="radio" name="people-0-pupil" value="{amira.pk}"' in page
    assert "Okoye, Amira (Year 9)" in page and "Osei, Amira (Year 7)" in page and "born" not in page
    assert "2 pupils found for “amira”" in page
    assert 'name="people-0-pupil_search" value="amira"' in page
    assert escape("He said he'd send it to everyone if I didn't send more.") in page
    assert "An online contact who says he is 16" in page  # the second person, as typed
    assert "There is a problem" not in page  # nothing is checked until they save or submit


def test_the_pupil_chosen_from_the_search_is_the_one_added(client, signed_in, school, staff, amira):
    signed_in(staff, school=school)
    chosen = {**searching("amira"), "people-0-pupil": str(amira.pk)}
    chosen.pop("find_pupil")

    response = client.post("/concerns/new/", {**chosen, "submit": "1"})

    case = Incident.objects.get()
    assert response["Location"] == f"/concerns/{case.pk}/"
    assert [p.pupil for p in case.involvements.current() if p.pupil] == [amira]


def test_the_chosen_pupil_is_shown_with_a_way_to_change_them(client, signed_in, school, staff, amira):
    signed_in(staff, school=school)
    data = {**searching("", row="people-1-pupil"), "people-0-pupil": str(amira.pk)}

    page = client.post("/concerns/new/", data).content.decode()

    assert '<strong id="id_people-0-pupil_chosen" data-pupil-chosen-name>Okoye, Amira (Year 9)</strong>' in page
    assert f'<input type="hidden" name="people-0-pupil" value="{amira.pk}" data-pupil-value>' in page
    assert 'name="find_pupil" value="people-0-pupil" class="link-button" data-pupil-change' in page


def test_every_box_with_a_name_typed_is_searched_whichever_search_was_pressed(client, signed_in, school, staff, amira):
    signed_in(staff, school=school)
    data = searching("", **{"people-1-pupil_search": "oko", "people-1-other_name": ""})

    page = client.post("/concerns/new/", data).content.decode()

    assert f'name="people-1-pupil" value="{amira.pk}"' in page
    assert "Type two or more letters" in page  # the first person's box, empty


def test_the_dsl_team_tells_pupils_apart_by_date_of_birth_too(client, signed_in, school, dsl, amira):
    case = make_case(school=school, state="reported")
    signed_in(dsl, school=school)

    response = client.post(f"/cases/{case.pk}/people/new/", {**searching("oko"), "people-1-other_name": ""})

    assert "Okoye, Amira (Year 9, born 14 Mar 2012)" in response.content.decode()
    assert case.involvements.count() == 1  # nothing added by a search


def test_a_pupil_typed_but_not_chosen_is_not_quietly_dropped(client, signed_in, school, staff, amira):
    signed_in(staff, school=school)
    data = {**searching("oko"), "save": "1"}
    data.pop("find_pupil")

    response = client.post("/concerns/new/", data)

    errors = response.context["people"].forms[0].errors
    assert errors["pupil"] == ["Choose one of the pupils found, or empty the search box."]
    assert not Incident.objects.exists()


def test_a_forged_pupil_id_is_refused_beside_the_search_box(client, signed_in, school, other_school, staff, amira):
    theirs = PupilFactory(school=other_school, first_name="Amira", last_name="Okafor")
    left = PupilFactory(school=school, first_name="Kai", last_name="Brennan", date_left=datetime.date(2025, 7, 18))
    signed_in(staff, school=school)

    for pupil in (theirs, left):
        response = client.post("/concerns/new/", concern_post(pupil))

        assert response.status_code == 200 and not Incident.objects.exists()
        form = response.context["people"].forms[0]
        assert form.errors["pupil"] == ["That pupil is not on this school's roll. Search for them again."]
        page = response.content.decode()
        assert 'href="#id_people-0-pupil"' in page  # the summary leads to the search box
        assert 'id="id_people-0-pupil" name="people-0-pupil_search"' in page
        assert 'aria-describedby="id_people-0-pupil_helptext id_people-0-pupil_error" aria-invalid="true"' in page
        assert "Okafor" not in page and "Brennan" not in page


# --- The case list's pupil filter --------------------------------------------------------------------------


def test_the_case_list_filters_by_the_pupil_chosen_and_keeps_them_on_every_page(client, signed_in, school, dsl, amira):
    for _ in range(26):
        make_case(school=school, state="reported", pupils=[amira])
    make_case(school=school, state="reported")
    signed_in(dsl, school=school)

    response = client.get("/cases/", {"pupil": amira.pk, "pupil_search": "oko"})

    assert len(response.context["page"]) == 25
    page = response.content.decode()
    assert "Okoye, Amira (Year 9, born 14 Mar 2012)" in page  # the pupil chosen, shown by name
    cursor = quote(response.context["page"].after)
    assert f'href="?pupil={amira.pk}&amp;pupil_search=oko&amp;after={cursor}"' in page
    second = client.get("/cases/", {"pupil": amira.pk, "pupil_search": "oko", "after": response.context["page"].after})
    assert len(second.context["page"]) == 1


def test_the_case_list_search_without_javascript_offers_pupils_to_filter_by(client, signed_in, school, dsl, amira):
    PupilFactory(school=school, first_name="Kai", last_name="Okafor", date_left=datetime.date(2025, 7, 18))
    make_case(school=school, state="reported", pupils=[amira])
    signed_in(dsl, school=school)

    response = client.get("/cases/", {"pupil_search": "ok", "state": "reported", "find_pupil": "pupil"})

    page = response.content.decode()
    assert f'<input type="radio" name="pupil" value="{amira.pk}"' in page
    assert "Okafor, Kai (Year 9, born 14 Mar 2012, left 18 Jul 2025)" in page  # their cases stay on record
    assert len(response.context["page"]) == 1  # the other filters still apply
    assert "find_pupil" not in response.context["query"]


def test_the_case_list_refuses_another_schools_pupil(client, signed_in, school, other_school, dsl):
    theirs = PupilFactory(school=other_school, last_name="Okafor")
    make_case(school=other_school, state="reported", pupils=[theirs])
    signed_in(dsl, school=school)

    response = client.get("/cases/", {"pupil": theirs.pk})

    assert response.context["form"].errors["pupil"] == [
        "That pupil is not on this school's register. Search for them again."
    ]
    assert "Okafor" not in response.content.decode()
