"""List pages cost the same number of queries however much data there is."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeguard.roles import Role
from tests.factories import PupilFactory

# The test's own transaction turns each request's transaction (ATOMIC_REQUESTS) into savepoints; in production
# that is BEGIN and COMMIT, which are not statements of the page's, so they are not counted here either.
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def page_queries(captured):
    """The statements a page ran, less the transaction control that the test's transaction adds."""
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(TRANSACTION_CONTROL)]


def queries_for(client, url, **request):
    client.get(url, **request)  # warm the per-process caches (content types, the session): only the page's count
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **request).status_code == 200
    return len(page_queries(captured))


def test_pupil_list_queries_stay_flat_as_the_register_grows(people, signed_in, school):
    client = signed_in(people[Role.DSL], school=school)
    PupilFactory.create_batch(5, school=school, send=True)
    small = queries_for(client, "/pupils/")
    PupilFactory.create_batch(45, school=school, looked_after=True)
    large = queries_for(client, "/pupils/")
    assert small == large


def test_dashboard_queries_stay_flat_as_the_register_grows(people, signed_in, school):
    client = signed_in(people[Role.TRUST_LEAD], school=school)
    PupilFactory.create_batch(3, school=school)
    small = queries_for(client, "/")
    PupilFactory.create_batch(30, school=school)
    assert queries_for(client, "/") == small
