"""The case fixtures are shared with the incidents tests."""

from tests.incidents.conftest import (  # noqa: F401  (fixtures)
    case_in,
    case_jobs_run_here,
    deputy,
    dsl,
    head,
    inspector,
    staff,
    trust_lead,
)
