"""The gentle prompt on wording: it names the words, suggests better ones, and never changes or blocks a record.

It reads every free text the staff write, on every page, and never the child's own words or a person's own account.
"""

import datetime

import pytest
from django.utils import timezone

from incidents import services
from incidents.forms import DATETIME_FORMAT
from incidents.language import wording_prompts
from incidents.models import Incident
from tests.factories import TEST_PASSWORD, annex_a_answers, make_case, meeting_answers
from tests.incidents.test_views import concern_post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Images that are child pornography", "child pornography"),
        ("It was revenge porn", "revenge porn"),
        ("They were sexting", "sexting"),
        ("She shouldn't have sent it", "shouldn't have sent"),
        ("She should not have shared it with him", "should not have shared"),
        ("He should never have sent the photo", "should never have sent"),
        ("She ought not to have taken the picture", "ought not to have taken"),
        ("he put himself at risk", "put himself at risk"),
        ("She puts herself at risk online", "puts herself at risk"),
        ("by putting themselves at risk", "putting themselves at risk"),
        ("she placed herself at risk by meeting him", "placed herself at risk"),
        ("He placed himself at serious risk", "placed himself at serious risk"),
        ("they place themselves in danger", "place themselves in danger"),
        ("placing themself in harm’s way", "placing themself in harm’s way"),
        ("She put herself directly in danger", "put herself directly in danger"),
        ("He put his own safety at risk", "put his own safety at risk"),
        ("she made herself vulnerable", "made herself vulnerable"),
        ("she was asking for it", "was asking for it"),
        ("He put\nhimself  at risk", "put\nhimself  at risk"),
    ],
)
def test_blaming_or_misnaming_words_are_found(text, words):
    [prompt] = wording_prompts([("Your observations", text)])
    assert prompt.field_label == "Your observations" and prompt.words == words and prompt.suggestion


@pytest.mark.parametrize(
    "text",
    [
        "The pupil is at risk of exploitation.",
        "Staff placed the device in the safe.",
        "She sent a message to her tutor.",
        "He should never have been asked for images.",
        "The adult placed her at risk; police are informed.",
        "She was put at risk by a man who groomed her online.",
        "He put himself forward to help, and the group chat was closed.",
        "She was pressured into sending an image; it has been reported to CEOP.",
        "They should have been told sooner, and were told on Monday.",
        "Put the phone in a locked drawer; it is not to be looked at.",
    ],
)
def test_ordinary_sentences_pass(text):
    assert wording_prompts([("Notes", text)]) == []


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


def test_the_childs_words_and_a_pupils_own_account_are_never_prompted_on(client, signed_in, school, staff, pupil):
    signed_in(staff, school=school)
    data = concern_post(
        pupil, childs_words="I put myself at risk, I know. I shouldn't have sent it.", observations="Calm, clear."
    )
    data["people-0-own_account"] = "I should never have sent it. I put myself in danger."

    response = client.post("/concerns/new/", data)

    assert response.status_code == 302  # saved at once: nothing to prompt on
    case = Incident.objects.get()
    assert case.involvements.get(pupil=pupil).own_account == "I should never have sent it. I put myself in danger."


# --- every page where the team writes -------------------------------------------------------------------------

BLAMING = "She put herself at risk by sending it."


def when(**delta):
    return (timezone.localtime() - datetime.timedelta(**delta)).strftime(DATETIME_FORMAT)


def _meeting(case, dsl):
    answers = meeting_answers()
    answers["shared_widely_notes"] = BLAMING
    return f"/cases/{case.pk}/review-meeting/", {"held_at": when(minutes=10), "attendees": [dsl.pk], **answers}


def _referral_page(name):
    def page(case, dsl):
        referral = case.referrals.get()
        base = f"/cases/{case.pk}/referrals/{referral.pk}"
        return {
            "follow_up": (f"{base}/follow-up/", {"at": when(minutes=5), "method": "phone", "notes": BLAMING}),
            "outcome": (
                f"{base}/outcome/",
                {"outcome": "section_47", "outcome_at": when(minutes=5), "outcome_notes": BLAMING},
            ),
            "escalate": (f"{base}/escalate/", {"to_whom": "The MASH team manager", "reason": BLAMING}),
        }[name]

    return page


def _action_resolve(case, dsl):
    action = services.action_add(actor=dsl, incident=case, description="Talk to her form tutor")
    return f"/cases/{case.pk}/actions/{action.pk}/", {"outcome": "not_taken", "notes": BLAMING}


def _parents(case, dsl):
    pupil = case.involvements.get()
    return f"/cases/{case.pk}/parents/new/", {"involvement": pupil.pk, "told": "no", "reasons_not_told": BLAMING}


TEAM_PAGES = {
    "meeting notes": ("reported", _meeting),
    "an action": (
        "under_review",
        lambda case, dsl: (f"/cases/{case.pk}/actions/new/", {"kind": "to_do", "description": BLAMING}),
    ),
    "an action decided against": (
        "under_review",
        lambda case, dsl: (
            f"/cases/{case.pk}/actions/new/",
            {"kind": "not_taken", "description": "Tell the other school", "reason": BLAMING},
        ),
    ),
    "an action not taken": ("under_review", _action_resolve),
    "a note": ("under_review", lambda case, dsl: (f"/cases/{case.pk}/notes/new/", {"text": BLAMING})),
    "the decision": (
        "under_review",
        lambda case, dsl: (
            f"/cases/{case.pk}/decision/",
            {"kind": "manage_in_school", "reasons": "Both pupils Year 10.", "plan": BLAMING, **annex_a_answers()},
        ),
    ),
    "the referral": (
        "under_review",
        lambda case, dsl: (
            f"/cases/{case.pk}/referrals/new/",
            {
                "agency": "police_101",
                "made_at": when(minutes=5),
                "made_by": dsl.pk,
                "method": "phone",
                "information_shared": BLAMING,
            },
        ),
    ),
    "a follow-up": ("referred", _referral_page("follow_up")),
    "an outcome": ("referred", _referral_page("outcome")),
    "an escalation": ("referred", _referral_page("escalate")),
    "reasons for not telling parents": ("under_review", _parents),
    "a change of category": (
        "under_review",
        lambda case, dsl: (
            f"/cases/{case.pk}/category/",
            {"categories": ["contact"], "harm_kind": "sextortion", "reason": BLAMING},
        ),
    ),
    "the closure": (
        "managed_in_school",
        lambda case, dsl: (f"/cases/{case.pk}/close/", {"summary": BLAMING, "password": TEST_PASSWORD}),
    ),
    "an addendum": (
        "closed",
        lambda case, dsl: (f"/cases/{case.pk}/addenda/new/", {"text": BLAMING, "password": TEST_PASSWORD}),
    ),
    "the reason for reopening": ("closed", lambda case, dsl: (f"/cases/{case.pk}/reopen/", {"reason": BLAMING})),
}


@pytest.mark.parametrize("page", TEAM_PAGES)
def test_every_page_where_the_team_writes_prompts_then_keeps_their_words(client, signed_in, school, dsl, page):
    state, build = TEAM_PAGES[page]
    case = make_case(school=school, state=state)
    signed_in(dsl, school=school)
    path, data = build(case, dsl)
    entries = case.chronology.count()

    response = client.post(path, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "A note on wording" in html and "put herself at risk" in html
    assert case.chronology.count() == entries  # nothing recorded yet

    response = client.post(path, {**data, "wording_checked": "1"})
    assert response.status_code == 302
    assert case.chronology.count() > entries


@pytest.mark.parametrize(("outcome", "state"), [("signed_off", "managed_in_school"), ("sent_back", "under_review")])
def test_the_headteachers_comment_is_prompted_on_too(client, signed_in, school, head, outcome, state):
    case = make_case(school=school, state="awaiting_sign_off")
    signed_in(head, school=school)
    data = {"outcome": outcome, "comment": BLAMING, "password": TEST_PASSWORD}

    response = client.post(f"/cases/{case.pk}/sign-off/", data)

    assert "A note on wording" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "awaiting_sign_off"
    assert client.post(f"/cases/{case.pk}/sign-off/", {**data, "wording_checked": "1"}).status_code == 302
    case.refresh_from_db()
    assert case.state == state
