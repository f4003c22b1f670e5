"""Background jobs on a real Celery worker and Redis broker (CI), recording the person behind each change."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from safeguard.models import Membership
from safeguard.roles import Role
from safeguard.tasks import memberships_end_expired
from tests.factories import admin_user, member

pytestmark = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL, reason="needs Redis and a Celery worker (set CELERY_BROKER_URL)"
)


@pytest.fixture
def worker(transactional_db):
    from celery.contrib.testing.worker import start_worker

    from safeguard.celery import app

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield


def test_worker_ends_expired_access_and_names_who_granted_it(worker, school):
    today = timezone.localdate()
    inspector = member(
        Role.INSPECTOR,
        school=school,
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today - datetime.timedelta(days=1),
    )
    result = memberships_end_expired.delay()
    assert result.get(timeout=60) == 1
    membership = Membership.objects.get(user=inspector)
    assert membership.ended_at is not None
    latest = membership.history.latest()
    assert latest.history_user == admin_user()
    assert "ended after its last day" in latest.history_change_reason
    assert not inspector.groups.filter(name__startswith=f"school:{school.pk}:").exists()

    # Run twice, one effect: nothing more to end.
    assert memberships_end_expired.delay().get(timeout=60) == 0
