"""The gentle prompt on wording: it names the words, suggests better ones, and never changes or blocks a record."""

import pytest

from incidents.language import wording_prompts
from incidents.models import Incident
from tests.incidents.test_views import concern_post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text",
    [
        "Images that are child pornography",
        "She shouldn't have sent it",
        "he put himself at risk",
        "They were sexting",
        "It was revenge porn",
    ],
)
def test_blaming_or_misnaming_words_are_found(text):
    [prompt] = wording_prompts([("Your observations", text)])
    assert prompt.field_label == "Your observations" and prompt.words.lower() in text.lower()


def test_plain_words_pass():
    assert wording_prompts([("Notes", "She was pressured into sending an image; it has been reported to CEOP.")]) == []


def test_a_concern_is_held_once_for_a_prompt_then_kept_as_written(client, signed_in, school, staff, pupil):
    signed_in(staff, school=school)
    data = concern_post(pupil, observations="I think she put herself at risk by sending it.")
    data["childs_words"] = "I shouldn't have sent it."  # the child's own words are never prompted on

    response = client.post("/concerns/new/", data)

    page = response.content.decode()
    assert "A note on wording" in page and "put herself at risk" in page
    assert "shouldn" not in page.split("A note on wording")[1].split("</div>")[0]
    assert not Incident.objects.exists()

    response = client.post("/concerns/new/", {**data, "wording_checked": "1"})
    assert response.status_code == 302
    assert Incident.objects.get().observations == "I think she put herself at risk by sending it."


def test_a_note_is_prompted_on_too(client, signed_in, school, dsl):
    from tests.factories import make_case

    case = make_case(school=school, state="under_review")
    signed_in(dsl, school=school)

    response = client.post(f"/cases/{case.pk}/notes/new/", {"text": "Police hold the child porn images."})

    assert "child sexual abuse material" in response.content.decode()
    assert not case.chronology.filter(kind="note").exists()
