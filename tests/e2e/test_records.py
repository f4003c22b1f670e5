"""A case's records carried through the real pages in Chromium, with axe-core on every page visited.

The DSL records a viewing of imagery (the headteacher told), which the headteacher signs; a phone confiscated,
locked away and handed to the police; a request to delete and its confirmation; a take-down report; information
shared; an inter-agency meeting; a document (and sees a picture named .pdf refused); then closes the case, sees its
seal, checks the sealed records and adds a signed addendum.
"""

import datetime
import io
import re

from PIL import Image

from incidents.models import CaseState
from records.deletion_models import DeletionRequest
from records.models import Attachment
from records.seal_models import Addendum, SealCheck
from records.sharing_models import AgencyMeeting, InformationSharing
from records.viewing_models import CustodyStep, ImageryViewing
from safeguard.roles import Role
from tests.factories import TEST_PASSWORD, make_case

from .test_case_workflow import go, local, open_as, submit

# The smallest PDF that reads as one: a page and nothing on it.
PDF = b"""%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj
trailer << /Root 1 0 R >>
%%EOF
"""


def ago(minutes):
    return local(datetime.timedelta(minutes=minutes))


def send(view, button):
    """Press the form's button and wait for the page it leads to (a refusal stays on the form, and fails here)."""
    page = view.page
    form_url = page.url
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_url(lambda url: url != form_url)
    view.check()


def group(page, legend):
    return page.get_by_role("group", name=re.compile(f"^{re.escape(legend)}"))


def open_records(view, case, link, heading):
    view.page.goto(f"/cases/{case.pk}/")
    view.page.get_by_role("heading", name=f"Case {case.reference}", level=1).wait_for()
    view.check()
    go(view, link, heading)


def png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="PNG")
    return out.getvalue()


def test_a_dsl_carries_a_case_through_its_records(browse, school, people):
    dsl, deputy, head = people[Role.DSL], people[Role.DEPUTY_DSL], people[Role.HEADTEACHER]
    case = make_case(school=school, state="managed_in_school", harm_kind="nudes_sharing")
    pupil = case.involvements.get(pupil__isnull=False)
    imagery = f"Imagery and devices: case {case.reference}"

    # The DSL records the viewing, the headteacher told before it.
    view = open_as(browse, dsl)
    page = view.page
    open_records(view, case, "The records of imagery viewed and of devices", imagery)
    go(view, "Record a viewing of imagery", f"Record a viewing of imagery: case {case.reference}")
    page.get_by_label("The pupil in the imagery").select_option(str(pupil.pk))
    page.get_by_label(re.compile("^Who viewed it")).select_option(str(dsl.pk))
    page.get_by_label(re.compile("^When it was viewed")).fill(ago(50))
    page.get_by_label(re.compile("^Another member of staff present")).select_option(str(deputy.pk))
    group(page, "Why it was viewed").get_by_label(re.compile("^Unavoidable")).check()
    page.get_by_label(re.compile("^Why viewing was necessary")).fill(
        "She held her phone up to her form tutor with the image open before anyone could stop her."
    )
    group(page, "Is the viewer the same sex as the pupil?").get_by_label("Yes").check()
    page.get_by_label(re.compile("^The headteacher told")).select_option(str(head.pk))
    page.get_by_label(re.compile("^When the headteacher was told")).fill(ago(55))
    page.get_by_label(re.compile("^What followed")).fill("The phone was switched off and taken to the DSL's office.")
    page.get_by_label(re.compile("^I confirm the imagery was not copied")).check()
    send(view, "Record the viewing")
    viewing = ImageryViewing.objects.get(incident=case)

    # The phone: confiscated (switched off and disconnected), locked away, then handed to the police.
    page.goto(f"/cases/{case.pk}/imagery-and-devices/")
    view.check()
    go(view, "Record a device", f"Record a device: case {case.reference}")
    page.get_by_label(re.compile("^Whose device")).select_option(str(pupil.pk))
    page.get_by_label(re.compile("^What it is")).fill("Black iPhone 13 in a blue case")
    group(page, "What happened").get_by_label("Confiscated").check()
    page.get_by_label(re.compile("^When")).fill(ago(45))
    page.get_by_label(re.compile("^By which member of staff")).select_option(str(dsl.pk))
    group(page, "Switched off?").get_by_label("Yes").check()
    group(page, "Disconnected from every network").get_by_label("Yes").check()
    send(view, "Record it")
    for step, minutes, details in (
        ("Locked away", 40, {"Where it is locked away": "The DSL's locked cabinet"}),
        (
            "Handed to the police",
            35,
            {"The officer (name, rank and number)": "PC Ellis 4471", "The police reference": "CAD-4471-21"},
        ),
    ):
        page.goto(f"/cases/{case.pk}/imagery-and-devices/")
        view.check()
        page.get_by_role("link", name=re.compile("^Record the next step")).click()
        page.get_by_role("heading", level=1, name=re.compile("^The next step for")).wait_for()
        view.check()
        group(page, "The next step").get_by_label(step, exact=True).check()
        page.get_by_label(re.compile("^When")).fill(ago(minutes))
        if step == "Locked away":
            page.get_by_label(re.compile("^By which member of staff")).select_option(str(dsl.pk))
        for label, value in details.items():
            page.get_by_label(re.compile(f"^{re.escape(label)}")).fill(value)
        send(view, "Record it")
    assert list(case.devices.get().events.order_by("at").values_list("step", flat=True)) == [
        CustodyStep.CONFISCATED,
        CustodyStep.LOCKED_AWAY,
        CustodyStep.HANDED_TO_POLICE,
    ]

    # The headteacher signs the record of the viewing (her dashboard points to it), then the DSL does.
    head_view = open_as(browse, head)
    head_view.page.get_by_role("link", name=f"Case {case.reference}").first.click()
    head_view.page.get_by_role("heading", name=re.compile("^Sign the record of a viewing")).wait_for()
    head_view.check()
    head_view.page.get_by_label("Your password").fill(TEST_PASSWORD)
    send(head_view, "Sign")
    page.goto(f"/cases/{case.pk}/imagery-and-devices/")
    view.check()
    page.get_by_role("link", name=re.compile("^Sign this record")).click()
    page.get_by_label("Your password").fill(TEST_PASSWORD)
    send(view, "Sign")
    assert viewing.signatures.count() == 2

    # The pupil is asked to delete the imagery, and the deletion is confirmed.
    deletion = f"Deletion and take-down, case {case.reference}"
    open_records(view, case, "Deletion and take-down: requests, answers, deadlines and reports", deletion)
    go(view, "Record a request to delete", f"Request to delete the imagery: case {case.reference}")
    page.get_by_label("Pupil", exact=True).select_option(str(pupil.pk))
    page.get_by_label(re.compile("^When they were asked")).fill(ago(30))
    page.get_by_label(re.compile("^Asked by")).select_option(str(dsl.pk))
    page.get_by_label(re.compile("^Delete by")).fill(local(-datetime.timedelta(days=1)))
    send(view, "Record the request")
    page.goto(f"/cases/{case.pk}/deletion-and-take-down/")
    view.check()
    page.get_by_role("link", name=re.compile("^Record the confirmation")).click()
    page.get_by_role("heading", level=1, name=re.compile("^Deletion confirmed")).wait_for()
    view.check()
    page.get_by_label(re.compile("^When")).fill(ago(25))
    group(page, "Who answered").get_by_label("The pupil").check()
    page.get_by_label("How", exact=True).select_option("in_person")
    page.get_by_label(re.compile("^Checked by")).select_option(str(deputy.pk))
    for place in page.get_by_role("group").all():
        if place.get_by_label("Deleted", exact=True).count():
            place.get_by_label("Deleted", exact=True).check()
    send(view, "Record the confirmation")
    assert DeletionRequest.objects.get(incident=case).responses.count() == 1

    # A take-down report to the platform.
    page.goto(f"/cases/{case.pk}/deletion-and-take-down/")
    view.check()
    go(view, "Record a take-down report", f"Record a take-down report: case {case.reference}")
    page.get_by_label(re.compile("^Platform or site")).fill("The messaging app's group chat")
    page.get_by_label(re.compile("^How it was reported")).select_option("iwf")
    page.get_by_label(re.compile("^When it was reported")).fill(ago(24))
    page.get_by_label(re.compile("^Reference")).fill("RR-20417")
    send(view, "Record the report")
    assert case.takedown_reports.count() == 1

    # Information shared with children's social care, and a strategy meeting.
    sharing = f"Information sharing and inter-agency meetings: case {case.reference}"
    page.goto(f"/cases/{case.pk}/sharing-and-meetings/")
    page.get_by_role("heading", name=sharing, level=1).wait_for()
    view.check()
    go(view, "Record information shared, or not shared", re.compile("^Record information sharing"))
    group(page, "Was the information shared?").get_by_label("Yes").check()
    group(page, "With whom").get_by_label("An agency").check()
    page.get_by_label(re.compile("^Agency \\(")).select_option("social_care")
    page.get_by_label(re.compile("^What was shared")).fill("What she told us, and that her parents know.")
    page.get_by_label(re.compile("^When")).fill(ago(20))
    page.get_by_label(re.compile("^Why")).fill("The front door asked to be told of any police involvement.")
    page.get_by_label(re.compile("^Who decided")).select_option(str(dsl.pk))
    page.get_by_label(re.compile("^How \\(")).select_option("phone")
    send(view, "Record it")
    page.goto(f"/cases/{case.pk}/sharing-and-meetings/")
    view.check()
    go(view, "Record an inter-agency meeting", f"Record an inter-agency meeting: case {case.reference}")
    group(page, "Kind of meeting").get_by_label("Strategy meeting or discussion").check()
    page.get_by_label(re.compile("^When it was held")).fill(ago(15))
    group(page, "Invited from the school").get_by_label(dsl.get_full_name()).check()
    group(page, "Attended from the school").get_by_label(dsl.get_full_name()).check()
    group(page, "Did the school send a report?").get_by_label("Yes").check()
    page.get_by_label(re.compile("^Outcome")).fill("No further action by social care; the school's support continues.")
    send(view, "Record the meeting")
    assert InformationSharing.objects.filter(incident=case, shared=True).count() == 1
    assert AgencyMeeting.objects.filter(incident=case).count() == 1

    # A document: a small PDF is attached; a picture named .pdf is refused, calmly, with what to do instead.
    open_records(view, case, "Attach a document", f"Attach a document to case {case.reference}")
    page.get_by_label(re.compile("^What this document is")).fill("Letter from the police")
    page.get_by_label(re.compile("^Document")).set_input_files(
        {"name": "police-letter.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    send(view, "Attach the document")
    assert Attachment.objects.filter(incident=case).count() == 1
    page.goto(f"/cases/{case.pk}/documents/new/")
    view.check()
    page.get_by_label(re.compile("^What this document is")).fill("Minutes")
    page.get_by_label(re.compile("^Document")).set_input_files(
        {"name": "minutes.pdf", "mimeType": "application/pdf", "buffer": png_bytes()}
    )
    page.get_by_role("button", name="Attach the document").click()
    page.get_by_text("This file is an image or video, whatever its name says.").first.wait_for()
    view.check()
    assert "Describe in words what was seen" in page.locator("main").inner_text()
    assert Attachment.objects.filter(incident=case).count() == 1

    # The DSL closes the case; its record is sealed and the case page shows the seal.
    page.goto(f"/cases/{case.pk}/")
    view.check()
    go(view, "Close and sign off", f"Close and sign off case {case.reference}")
    page.get_by_label("Closure summary").fill("Deletion confirmed, the phone is with the police, and she feels safe.")
    page.get_by_label("Your password").fill(TEST_PASSWORD)
    submit(view, "Sign and close the case", f"Case {case.reference}")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    seal = case.seals.get()
    assert seal.sha256 in page.locator("main").inner_text()

    # The seal check finds every sealed record as it was; then a signed addendum, which the next check counts.
    go(view, "Check that every sealed record still matches its seal", "Sealed records")
    submit(view, "Check every sealed record now", "Sealed records")
    assert "Every sealed record matched its seal." in page.locator("main").inner_text()
    page.goto(f"/cases/{case.pk}/")
    view.check()
    go(view, "Add a signed addendum", f"Add a signed addendum to case {case.reference}")
    page.get_by_label(re.compile("^Addendum")).fill("Her mother phoned: she is doing well.")
    page.get_by_label("Your password").fill(TEST_PASSWORD)
    submit(view, "Sign and add the addendum", f"Case {case.reference}")
    assert Addendum.objects.filter(incident=case).count() == 1
    page.goto("/records/seals/")
    view.check()
    submit(view, "Check every sealed record now", "Sealed records")
    check = SealCheck.objects.latest("pk")
    assert (check.records_checked, check.addenda_checked, check.failures) == (1, 1, [])
    assert not view.console_errors and not head_view.console_errors
