"""A headteacher sets up a new school's staff in the browser; the new DSL accepts the invitation from the email,
chooses a password, signs in, enrols a second factor and reaches the dashboard."""

import re

import pytest
from django.core import mail

from safeguard.models import Membership
from safeguard.roles import Role
from tests.factories import SchoolFactory, member

from .test_case_workflow import open_as
from .test_sign_in import enrol_second_factor

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Lapwing-over-the-fen-27"


def test_a_head_adds_a_dsl_who_accepts_the_invitation_and_signs_in_with_two_factor(browse):
    school = SchoolFactory(name="Willow Lane Primary")
    head = member(Role.HEADTEACHER, school=school)

    view = open_as(browse, head)
    page = view.page
    page.get_by_role("link", name="People", exact=True).click()
    page.get_by_role("heading", name="People at Willow Lane Primary", level=1).wait_for()
    view.check()
    page.get_by_role("link", name="Add a person").click()
    page.get_by_role("heading", name="Add a person", level=1).wait_for()
    view.check()
    page.get_by_label("Email address").fill("asha.patel@example.org")
    page.get_by_label("First name").fill("Asha")
    page.get_by_label("Last name").fill("Patel")
    page.get_by_label("Designated safeguarding lead").check()
    page.get_by_label("Why").fill("Our new DSL")
    page.get_by_role("button", name="Add them").click()
    page.get_by_text("Asha Patel is added as Designated safeguarding lead").wait_for()
    view.check()
    assert "asha.patel@example.org" in page.locator("main").inner_text()

    (invitation,) = [m for m in mail.outbox if m.to == ["asha.patel@example.org"]]
    link = re.search(r"https?://[^/\s]+(/account/password-reset/\S+/\S+/)", invitation.body).group(1)
    dsl = Membership.objects.get(school=school, role=Role.DSL).user

    new = browse()
    page = new.page
    page.goto(link)
    page.get_by_role("heading", name="Set a new password").wait_for()
    new.check()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    page.get_by_role("heading", name="Your new password is set").wait_for()
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("asha.patel@example.org")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    enrol_second_factor(new, dsl, password=NEW_PASSWORD)

    page.get_by_role("heading", level=1).wait_for()
    new.check()
    assert "Your role here: Designated safeguarding lead" in page.locator("main").inner_text()
    assert not new.console_errors, new.console_errors
