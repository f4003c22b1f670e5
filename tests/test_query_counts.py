"""List pages cost the same number of queries however much data there is."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeguard.roles import Role
from tests.factories import PupilFactory


def page_queries(captured):
    """The statements a request ran, less its own transaction (ATOMIC_REQUESTS): in production that is BEGIN and
    COMMIT, which are not counted; inside the test's transaction it is the first savepoint and its release. Every
    other statement counts, the savepoints of nested services included: each is a round trip to the database."""
    statements = [q["sql"] for q in captured.captured_queries]
    opening = next((s for s in statements if s.startswith("SAVEPOINT ")), None)
    if opening is None:
        return statements
    name = opening.split(" ", 1)[1]
    return [s for s in statements if s not in (opening, f"RELEASE SAVEPOINT {name}")]


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
