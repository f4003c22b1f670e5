"""The case fixtures are shared with the incidents tests."""

from tests.incidents.conftest import (  # noqa: F401  (fixtures)
    case_in,
    deputy,
    dsl,
    email_task_runs_here,
    head,
    inspector,
    staff,
    trust_lead,
)
