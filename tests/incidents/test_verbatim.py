"""The child's own words and a person's own account are kept exactly as given: spaces and blank lines too."""

import pytest

from incidents import services
from incidents.models import Incident
from tests.factories import PupilFactory
from tests.incidents.test_views import concern_post

pytestmark = pytest.mark.django_db

# As typed into a browser's text box, which sends its line breaks as CR LF.
WORDS = "\r\n  He said: 'send one or I'll tell everyone'.\r\n\r\n   Then nothing.  \r\n\r\n"
ACCOUNT = "  I didn't want to.\r\n\r\nHe kept asking.   \r\n"


def test_the_services_keep_an_account_as_given(school, dsl, case_in):
    case = case_in("reported", childs_words=WORDS)
    person = services.involvement_add(
        actor=dsl, incident=case, part="received", pupil=PupilFactory(school=school), own_account=ACCOUNT
    )
    later = services.involvement_add(actor=dsl, incident=case, part="witness", other_name="Sam")
    services.involvement_record_account(actor=dsl, involvement=later, own_account=ACCOUNT)

    for record in (case, person, later):
        record.refresh_from_db()
    assert (case.childs_words, person.own_account, later.own_account) == (WORDS, ACCOUNT, ACCOUNT)


def test_the_concern_page_keeps_the_childs_words_and_an_account_as_typed(client, signed_in, school, staff, pupil):
    signed_in(staff, school=school)
    data = concern_post(pupil, childs_words=WORDS, save="1")
    data.pop("submit")
    data["people-0-own_account"] = ACCOUNT

    response = client.post("/concerns/new/", data)

    draft = Incident.objects.get()
    assert response.status_code == 302
    assert draft.childs_words == WORDS
    assert draft.involvements.get(pupil=pupil).own_account == ACCOUNT
    # Shown again to finish the draft, the text box holds the words as they are (Django's text box opens with a line
    # break, which the browser drops, so a leading blank line survives the round trip).
    page = client.get(f"/concerns/{draft.pk}/edit/").content.decode()
    assert '">\n\r\n  He said: &#x27;send one' in page


def test_the_team_adds_a_person_with_their_account_as_typed(client, signed_in, school, dsl, case_in):
    case = case_in("under_review")
    signed_in(dsl, school=school)
    data = {
        "people-TOTAL_FORMS": "1",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "20",
        "people-0-other_name": "Sam",
        "people-0-other_description": "A pupil at Elm Park School",
        "people-0-part": "witness",
        "people-0-own_account": ACCOUNT,
    }

    response = client.post(f"/cases/{case.pk}/people/new/", data)

    assert response.status_code == 302
    assert case.involvements.get(other_name="Sam").own_account == ACCOUNT
