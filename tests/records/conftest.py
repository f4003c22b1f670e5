"""The case fixtures are shared with the incidents tests."""

import pytest

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


@pytest.fixture(autouse=True)
def attachments_root(settings, tmp_path):
    """Each test keeps the documents it attaches in a folder of its own."""
    settings.SAFEGUARD_ATTACHMENTS_ROOT = tmp_path / "attachments"
    return settings.SAFEGUARD_ATTACHMENTS_ROOT
