import pytest
from django.db import connection

from safeguard.roles import Role
from tests.factories import PupilFactory, SchoolFactory, TrustFactory, member, signed_in_client


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = settings.CELERY_BROKER_URL or "none (jobs run in-process)"
    return f"safeguard: database {engine}, Celery broker {broker}"


def pytest_collection_modifyitems(config, items):
    """The long fuzz run takes minutes: it runs only when asked for by name (-m fuzz_long)."""
    if "fuzz_long" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="the long fuzz run; select it with -m fuzz_long")
    for item in items:
        if "fuzz_long" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def trust(db):
    return TrustFactory()


@pytest.fixture
def school(trust):
    return SchoolFactory(trust=trust, name="Oak Hill School")


@pytest.fixture
def other_school(trust):
    return SchoolFactory(trust=trust, name="Elm Park School")


@pytest.fixture
def pupil(school):
    return PupilFactory(school=school)


@pytest.fixture
def people(school, trust):
    """One person per role in `school`, plus the trust's safeguarding lead."""
    found = {role: member(role, school=school) for role in Role if role != Role.TRUST_LEAD}
    found[Role.TRUST_LEAD] = member(Role.TRUST_LEAD, trust=trust)
    return found


@pytest.fixture
def signed_in(client):
    """Sign a user in, past the second factor, as a browser would end up after both steps."""

    def sign_in(user, client=client, school=None):
        return signed_in_client(client, user, school=school)

    return sign_in


def postgres_only():
    return pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL); SQLite has no triggers here"
    )


@pytest.fixture
def jobs_run_here(monkeypatch):
    """Run background jobs in this process even when a broker is configured, as the worker would: the tests of what
    a job does (an email sent) need no worker. The worker itself is tested in test_celery_worker and
    test_broker_faults."""
    from safeguard.celery import app as celery_app

    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
