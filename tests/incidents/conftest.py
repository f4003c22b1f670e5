"""Fixtures for the case service tests: one person per role in the school, and cases in each state."""

import pytest

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
def case_jobs_run_here(jobs_run_here):
    """The case tests see what their background jobs did (emails, notifications) as soon as the change commits."""
