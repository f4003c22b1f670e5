"""What the pages say about themselves: no internal references, and each field marked needed or optional, not both."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from incidents import services
from safeguard.roles import Role
from tests.factories import make_case
from tests.records.helpers import record_device, record_viewing

pytestmark = pytest.mark.django_db

# Words that belong to the project's own notes, never to a page: "seed 004", "domain.md §7".
INTERNAL = re.compile(r"\bseeds?\s*0\d\d\b|\bdomain\.md\b|\bdesign\.md\b|§", re.IGNORECASE)
FIELD_START = re.compile(r'(?=<(?:div|fieldset) class="(?:field|pupil-picker)\b)')


def deletion_pages(dsl, managed):
    """The deletion and take-down pages of a case managed in school, with a request and a report to answer."""
    import datetime

    from django.utils import timezone

    from records.services import deletion

    request = deletion.deletion_request(
        actor=dsl,
        involvement=managed.involvements.first(),
        deadline=timezone.now() + datetime.timedelta(days=1),
    )
    report = deletion.takedown_report(actor=dsl, incident=managed, platform="Snapchat", route="platform")
    base = f"/cases/{managed.pk}"
    return [
        f"{base}/deletion/new/",
        f"{base}/deletion/{request.pk}/confirm/",
        f"{base}/deletion/{request.pk}/refuse/",
        f"{base}/take-down/new/",
        f"{base}/take-down/{report.pk}/follow-up/",
    ]


def form_pages(school, people):
    """(who, path) of every page with a form, on cases in the states where each is offered."""
    dsl, head = people[Role.DSL], people[Role.HEADTEACHER]
    reported, under = make_case(school=school, state="reported"), make_case(school=school, state="under_review")
    referred, managed = make_case(school=school, state="referred"), make_case(school=school, state="managed_in_school")
    awaiting, closed = make_case(school=school, state="awaiting_sign_off"), make_case(school=school, state="closed")
    action = services.action_add(actor=dsl, incident=managed, description="Check in with the pupil")
    referral = f"/cases/{referred.pk}/referrals/{referred.referrals.get().pk}"
    person = under.involvements.get()
    team_pages = [
        "/concerns/new/",
        f"/cases/{reported.pk}/review-meeting/",
        f"/cases/{under.pk}/owner/",
        f"/cases/{under.pk}/people/new/",
        f"/cases/{under.pk}/people/{person.pk}/remove/",
        f"/cases/{under.pk}/actions/new/",
        f"/cases/{managed.pk}/actions/{action.pk}/",
        f"/cases/{under.pk}/category/",
        f"/cases/{under.pk}/notes/new/",
        f"/cases/{managed.pk}/close/",
        f"/cases/{closed.pk}/reopen/",
        f"/cases/{closed.pk}/addenda/new/",
        f"/cases/{under.pk}/access/",
        f"/cases/{under.pk}/decision/",
        f"/cases/{under.pk}/referrals/new/",
        f"/cases/{managed.pk}/referrals/new/",
        f"{referral}/follow-up/",
        f"{referral}/escalate/",
        f"{referral}/outcome/",
        f"/cases/{under.pk}/parents/new/",
        f"/cases/{under.pk}/imagery-viewings/new/",
        f"/cases/{under.pk}/devices/new/",
        f"/cases/{under.pk}/devices/{record_device(under, actor=dsl).pk}/next/",
        *deletion_pages(dsl, managed),
    ]
    viewing = record_viewing(under, viewer=dsl, present=head, head=head)
    head_pages = [
        f"/cases/{awaiting.pk}/sign-off/",
        "/signatories/",
        f"/cases/{under.pk}/imagery-viewings/{viewing.pk}/sign/",
        "/imagery-viewing/delegations/",
    ]
    return [(dsl, path) for path in team_pages] + [(head, path) for path in head_pages]


def test_no_field_is_marked_both_optional_and_needed(client, signed_in, school, people):
    for user, path in form_pages(school, people):
        signed_in(user, school=school)
        response = client.get(path)
        assert response.status_code == 200, path
        fields = FIELD_START.split(response.content.decode())[1:]
        assert fields, path
        for field in fields:
            words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", field))
            assert not ("(optional)" in words and "needed" in words.lower()), f"{path}: {words[:200]}"


def test_a_field_needed_only_sometimes_says_when(client, signed_in, school, people):
    case = make_case(school=school, state="under_review")
    signed_in(people[Role.DSL], school=school)

    page = client.get(f"/cases/{case.pk}/decision/").content.decode()

    assert 'The plan <span class="optional">(needed to manage in school)</span>' in page
    assert "Needed to manage in school." not in page


def test_no_page_shows_the_projects_internal_references(client, signed_in, school, people):
    for user, path in form_pages(school, people):
        signed_in(user, school=school)
        assert not INTERNAL.findall(client.get(path).content.decode()), path


def test_no_template_holds_an_internal_reference_outside_its_comments():
    comments = re.compile(r"{% comment %}.*?{% endcomment %}|{#.*?#}", re.DOTALL)
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = comments.sub("", template.read_text())
        assert not INTERNAL.findall(text), template
