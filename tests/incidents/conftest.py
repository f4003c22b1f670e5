"""Fixtures for the case service tests: one person per role in the school, and cases in each state."""

import pytest

from safeguard.celery import app as celery_app
from safeguard.roles import Role
from tests.factories import make_case


@pytest.fixture
def dsl(people):
    return people[Role.DSL]


@pytest.fixture
def deputy(people):
    return people[Role.DEPUTY_DSL]


@pytest.fixture
def head(people):
    return people[Role.HEADTEACHER]


@pytest.fixture
def staff(people):
    return people[Role.STAFF]


@pytest.fixture
def trust_lead(people):
    return people[Role.TRUST_LEAD]


@pytest.fixture
def inspector(people):
    return people[Role.INSPECTOR]


@pytest.fixture
def case_in(school, people):
    """case_in(state, **kwargs): a case of `school` in `state`, built through the services by its people."""

    def build(state, **kwargs):
        return make_case(school=school, state=state, **kwargs)

    return build


@pytest.fixture(autouse=True)
def jobs_run_here(monkeypatch):
    """Run background jobs in this process even when a broker is configured, as the worker would."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
