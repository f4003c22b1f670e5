"""A report in Chromium: the DSL asks for a case record from the case page, watches its page move from queued to
ready without reloading (htmx polling under the strict CSP), and downloads the PDF."""

import hashlib

import pytest
from playwright.sync_api import expect

from records.pdf import weasyprint_available
from records.report_models import Report
from safeguard import outbox
from safeguard.roles import Role
from tests.factories import make_case

from .test_case_workflow import open_as

AVAILABLE, WHY = weasyprint_available()


@pytest.mark.skipif(not AVAILABLE, reason=f"WeasyPrint's libraries are missing: {WHY}")
def test_a_dsl_asks_for_a_case_record_watches_it_become_ready_and_downloads_it(
    browse, school, people, monkeypatch, settings, tmp_path
):
    settings.SAFEGUARD_REPORTS_ROOT = tmp_path
    # The job waits, as it would for a busy worker, until the test hands it over below.
    monkeypatch.setattr(outbox, "hand_over", lambda message_id: False)
    case = make_case(school=school, state="referred")
    view = open_as(browse, people[Role.DSL])
    page = view.page
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("button", name="Make the case record").click()
    page.get_by_role("heading", name="Case record", level=1).wait_for()
    view.check()
    status = page.locator("#report-status")
    expect(status).to_contain_text("Queued")
    expect(page.get_by_label("Progress")).to_be_visible()
    address = page.url

    outbox.dispatch_unsent()  # the worker takes the job and makes the PDF
    expect(status).to_contain_text("Ready", timeout=30_000)
    assert page.url == address  # the page updated itself
    view.check()
    report = Report.objects.get()
    expect(status).to_contain_text(report.sha256)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    data = open(download.value.path(), "rb").read()  # noqa: SIM115
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == report.sha256
    assert download.value.suggested_filename == f"case-record-{case.reference}.pdf"
    assert not [error for error in view.console_errors if "Content Security Policy" in error]
