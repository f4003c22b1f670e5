"""Cases carried through the real pages in Chromium, with axe-core on every page visited.

One case goes from a staff member's concern, through the review meeting (which finds an aggravating factor) and a
decision not to refer that gives its reason for that factor, to the headteacher's sign-off, which shows that reason
first, and closure; another goes to a police referral, the prompt to tell parents, a follow-up and an outcome.
"""

import datetime
import re

from django.utils import timezone

from incidents.models import CaseState, Incident
from safeguard.roles import Role
from tests.factories import TEST_PASSWORD, PupilFactory, make_case, two_factor_code

from .test_sign_in import sign_in

PHONE = {"width": 375, "height": 740}


def local(delta):
    return (timezone.localtime() - delta).strftime("%Y-%m-%dT%H:%M")


def past_second_factor(view, user):
    page = view.page
    page.get_by_role("heading", name="Enter your sign-in code").wait_for()
    view.check()
    page.get_by_label("Six-digit code from your authenticator app").fill(two_factor_code(user))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/account/two-factor/" not in url)


def open_as(browse, user, *, viewport=None):
    """Sign in through the real pages (with a second factor where the role needs one) and land on the dashboard."""
    two_factor_code(user)  # an authenticator already set up
    view = sign_in(browse, user, viewport=viewport)
    if user.memberships.exclude(role=Role.STAFF).exists():
        past_second_factor(view, user)
    view.page.get_by_role("heading", level=1).wait_for()
    view.check()
    return view


def go(view, link_name, heading):
    """Follow a link, wait for the next page's heading, and check it."""
    view.page.get_by_role("link", name=link_name, exact=True).first.click()
    view.page.get_by_role("heading", name=heading, level=1).wait_for()
    view.check()


def submit(view, button, heading):
    view.page.get_by_role("button", name=button).click()
    view.page.get_by_role("heading", name=heading, level=1).wait_for()
    view.check()


def describe_concern(page, *, where, childs_words):
    """Fill in a concern told by a child this morning: nudes shared, the conduct of the 4Cs, and her own words."""
    page.get_by_label(re.compile("^When it came to light")).fill(local(datetime.timedelta(hours=3)))
    page.get_by_label(re.compile("^Where")).fill(where)
    page.get_by_label(re.compile("^How it came to light")).select_option("told_by_child")
    page.get_by_label("Conduct: online behaviour that causes or risks harm").check()
    page.get_by_label(re.compile("^Kind of harm \\(")).select_option("nudes_sharing")
    page.get_by_label("The child's own words").fill(childs_words)


def answer_all(page, answer, *, except_=None):
    """Choose `answer` for every question and criterion of the review meeting, except those in `except_`."""
    except_ = except_ or {}
    for radio in page.locator(f"input[type=radio][value='{answer}']").all():
        name = radio.get_attribute("name")
        page.check(f"input[name='{name}'][value='{except_.get(name, answer)}']")


def record_parents_told(view, case):
    page = view.page
    go(view, "Record parents told, or not told", f"Parents and carers: case {case.reference}")
    page.get_by_label("Pupil", exact=True).select_option(index=1)
    page.get_by_label("Yes, they were told").check()
    page.get_by_label(re.compile("^When they were told")).fill(local(datetime.timedelta(minutes=20)))
    page.get_by_label(re.compile("^Told by")).select_option(index=1)
    page.get_by_label(re.compile("^Who was told")).fill("Her mother")
    page.get_by_label(re.compile("^How")).select_option("phone")
    submit(view, "Record it", f"Case {case.reference}")


def test_a_concern_managed_in_school_is_signed_off_by_the_head_and_closed(browse, school, people):
    staff, dsl, head = people[Role.STAFF], people[Role.DSL], people[Role.HEADTEACHER]
    PupilFactory(school=school, first_name="Maya", last_name="Rahman", year_group="10")

    # A member of staff logs the concern on a phone.
    view = open_as(browse, staff, viewport=PHONE)
    page = view.page
    go(view, "Log a concern", "Log a concern")
    describe_concern(
        page,
        where="Told to me after registration; the photo is in a Year 10 chat",
        childs_words="I only sent it to Sam. I didn't think he'd show anyone.",
    )
    page.get_by_label("Your observations").fill("Maya was upset but calm. I said I had to pass this on.")
    page.locator("#id_people-0-pupil").fill("Rahm")
    page.get_by_role("button", name="Rahman, Maya (Year 10)").click()
    page.locator("#id_people-0-part").select_option("harmed")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    submit(view, "Submit to the safeguarding team", re.compile("^Your concern [A-Z]+-"))
    case = Incident.objects.get()
    assert "Received by the safeguarding team" in page.locator("main").inner_text()

    # The DSL sees it waiting, holds the review meeting and decides to manage it in school.
    dsl_view = view = open_as(browse, dsl)
    page = view.page
    assert "New concerns waiting for review" in page.locator("main").inner_text()
    go(view, "New concerns", "New concerns")
    go(view, case.reference, f"Case {case.reference}")
    go(view, "Record the initial review meeting", f"Initial review meeting: case {case.reference}")
    page.get_by_label("When the meeting was held").fill(local(datetime.timedelta(hours=1)))
    page.get_by_label(dsl.get_full_name()).check()
    answer_all(page, "no", except_={"tell_parents": "yes", "shared_without_consent": "yes"})
    submit(view, "Record the meeting", f"Case {case.reference}")
    go(view, "Record the decision", f"The decision on case {case.reference}")
    assert "Warning: the guidance points to a referral" in page.locator("main").inner_text()
    page.get_by_label("Manage in school, without a referral").check()
    page.get_by_label(re.compile("^Why the school can manage the case despite this")).fill(
        "Forwarded once, to one friend, who deleted it at once and told us; it went no further."
    )
    page.get_by_label("Reasons for the decision").fill(
        "Shared once within a relationship between two Year 10 pupils of the same age; no coercion; deleted."
    )
    page.get_by_label("The plan").fill("Weekly check-ins with her head of year; deletion confirmed by both pupils.")
    answer_all(page, "no")  # the Annex A questions, each answered yes, no or not yet known
    for annex in page.locator("section textarea[name^='annex_']").all():
        annex.fill("Considered at the meeting: no concern beyond what the reasons say.")
    submit(view, "Record the decision", f"Case {case.reference}")
    assert "Awaiting sign-off" in page.locator("main").inner_text()

    # The headteacher signs the decision off, confirming with her password.
    view = open_as(browse, head)
    page = view.page
    assert "Decisions waiting for your signature" in page.locator("main").inner_text()
    go(view, f"Case {case.reference}", f"Sign off the decision not to refer: case {case.reference}")
    main = page.locator("main").inner_text()
    assert main.index("Read first: aggravating factors") < main.index("The reasons")
    assert "deleted it at once and told us" in main
    page.get_by_label("Sign off: the case is managed in school, without a referral").check()
    page.get_by_label("Your password").fill(TEST_PASSWORD)
    submit(view, "Confirm", f"Case {case.reference}")
    assert "Managed in school" in page.locator("main").inner_text()

    # The DSL, still signed in, records that Maya's parents were told, then closes it with her signature.
    view, page = dsl_view, dsl_view.page
    page.goto(f"/cases/{case.pk}/")
    view.check()
    record_parents_told(view, case)
    go(view, "Close and sign off", f"Close and sign off case {case.reference}")
    page.get_by_label("Closure summary").fill("The plan is complete and Maya says she feels supported.")
    page.get_by_label("Your password").fill(TEST_PASSWORD)
    submit(view, "Sign and close the case", f"Case {case.reference}")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert "Closed and signed off" in page.locator("main").inner_text()


def test_a_case_meeting_a_criterion_is_referred_to_police_followed_up_and_given_an_outcome(browse, school, people):
    dsl = people[Role.DSL]
    case = make_case(school=school, state="reported", harm_kind="sextortion")

    view = open_as(browse, dsl)
    page = view.page
    page.goto(f"/cases/{case.pk}/")
    view.check()
    go(view, "Record the initial review meeting", f"Initial review meeting: case {case.reference}")
    page.get_by_label("When the meeting was held").fill(local(datetime.timedelta(minutes=40)))
    page.get_by_label(dsl.get_full_name()).check()
    answer_all(page, "no", except_={"coercion_or_capacity": "yes", "referral_needed": "yes"})
    submit(view, "Record the meeting", f"Case {case.reference}")
    assert "Referral required." in page.locator("main").inner_text()

    go(view, "Record the decision", f"The decision on case {case.reference}")
    assert page.get_by_label("Manage in school, without a referral").count() == 0
    assert "This case must be referred" in page.locator("main").inner_text()
    page.get_by_label("Refer to the police and/or children's social care").check()
    page.get_by_label("Reasons for the decision").fill("She is being blackmailed for more images: coercion.")
    submit(view, "Record the decision", f"Record a referral: case {case.reference}")

    page.get_by_label("Agency", exact=True).select_option("police_101")
    page.get_by_label("How", exact=True).select_option("phone")
    page.get_by_label("Reference number").fill("CAD-4471-21")
    page.get_by_label("Who we spoke to").fill("PC Ellis, safer schools officer")
    page.get_by_label("What was shared").fill("The concern, the pupil's details and the account she gave.")
    # The police are told, so the next page asks about telling the pupil's parents.
    submit(view, "Record the referral", f"Parents and carers: case {case.reference}")
    page.goto(f"/cases/{case.pk}/")
    view.check()
    main = page.locator("main").inner_text()
    assert "Referred" in main and "The police are involved." in main
    assert "keep the evidence, do not delete anything, and do not pay" in main

    police = "Police (101 or the safer schools officer)"
    go(view, f"Follow up the referral to {police}", f"Follow up the referral to {police}: case {case.reference}")
    page.get_by_label("How", exact=True).select_option("phone")
    page.get_by_label("What was said or done").fill("Called PC Ellis; the case is with the online team.")
    page.get_by_label("An answer came from the agency").check()
    submit(view, "Record the follow-up", f"Case {case.reference}")

    go(view, f"Record the outcome from {police}", f"Record the outcome from {police}: case {case.reference}")
    page.get_by_label("Police: Outcome 21 (further action not in the public interest)").check()
    page.get_by_label("When the outcome was given").fill(local(datetime.timedelta(minutes=5)))
    submit(view, "Record the outcome", f"Case {case.reference}")
    main = page.locator("main").inner_text()
    assert "Police: Outcome 21" in main and "Called PC Ellis" in main
    case.refresh_from_db()
    assert case.state == CaseState.REFERRED
