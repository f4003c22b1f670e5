"""The case fixtures are shared with the incidents tests."""

from tests.incidents.conftest import (  # noqa: F401  (fixtures)
    case_in,
    deputy,
    dsl,
    head,
    inspector,
    jobs_run_here,
    staff,
    trust_lead,
)
