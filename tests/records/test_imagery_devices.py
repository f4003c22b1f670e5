"""The case's imagery-and-devices page, and the case page's summary of it (read from the chronology alone)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records.services import viewing as services
from safeguard.models import AccessLog
from tests.factories import TEST_PASSWORD
from tests.records.helpers import record_device, record_viewing
from tests.test_query_counts import page_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(case_in):
    return case_in("under_review")


def queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(page_queries(captured))


def test_the_case_page_summary_costs_no_query(case_in, dsl, deputy, head, signed_in):
    client = signed_in(dsl)
    plain = case_in("under_review")
    with_records = case_in("under_review")
    record_viewing(with_records, viewer=dsl, present=deputy, head=head)
    record_device(with_records, actor=dsl)

    assert queries(client, f"/cases/{with_records.pk}/") == queries(client, f"/cases/{plain.pk}/")
    page = client.get(f"/cases/{with_records.pk}/").content.decode()
    assert "Imagery viewed: 1 chronology entry" in page and "Device custody: 1 chronology entry" in page
    assert f"/cases/{with_records.pk}/imagery-and-devices/" in page


def test_the_case_page_says_nothing_of_them_to_an_overseer_when_there_are_none(case, trust_lead, signed_in):
    page = signed_in(trust_lead).get(f"/cases/{case.pk}/").content.decode()
    assert "imagery-and-devices" not in page


def test_the_page_is_logged_and_shows_work_links_only_to_those_who_may(case, dsl, deputy, head, trust_lead, signed_in):
    viewing = record_viewing(case, viewer=dsl, present=deputy, head=head)
    record_device(case, actor=dsl)
    url = f"/cases/{case.pk}/imagery-and-devices/"
    sign_url = f"/cases/{case.pk}/imagery-viewings/{viewing.pk}/sign/"

    as_head = signed_in(head).get(url).content.decode()
    assert sign_url in as_head and 'id="viewing-signatures-prompt"' in as_head
    assert AccessLog.objects.filter(user=head, object_id=str(case.pk), action=AccessLog.Action.VIEW).exists()

    as_deputy = signed_in(deputy).get(url).content.decode()
    assert sign_url not in as_deputy and f"/cases/{case.pk}/devices/new/" in as_deputy

    as_trust_lead = signed_in(trust_lead).get(url).content.decode()
    assert "Chain of custody of" in as_trust_lead
    assert sign_url not in as_trust_lead and f"/cases/{case.pk}/devices/new/" not in as_trust_lead
    assert "/next/" not in as_trust_lead


def test_the_signatures_prompt_goes_once_both_have_signed(case, dsl, deputy, head, signed_in):
    viewing = record_viewing(case, viewer=dsl, present=deputy, head=head)
    services.viewing_sign(actor=dsl, viewing=viewing, password=TEST_PASSWORD)
    client = signed_in(head)
    assert 'id="viewing-signatures-prompt"' in client.get(f"/cases/{case.pk}/imagery-and-devices/").content.decode()
    services.viewing_sign(actor=head, viewing=viewing, password=TEST_PASSWORD)
    page = client.get(f"/cases/{case.pk}/imagery-and-devices/").content.decode()
    assert 'id="viewing-signatures-prompt"' not in page and "Signed by the headteacher" in page
