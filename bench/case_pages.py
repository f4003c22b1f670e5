"""Benchmark: the case list and a case page as the school's case load grows.

Run: DJANGO_SETTINGS_MODULE=safeguard.settings.test .venv/bin/python bench/case_pages.py
(with DATABASE_URL set it uses that PostgreSQL server; it makes and drops its own test database).

It builds cases through the services, then times each page at a small and a large case load in the same run and
prints the ratio, so a noisy shared machine affects both sides alike. Goal: the ratio stays near 1 (the pages
read one page of cases, with a fixed number of queries, whatever the case load).
"""

import logging
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

SMALL, LARGE, RUNS = 30, 300, 15


def timed(client, url):
    client.get(url)  # warm caches
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        assert client.get(url).status_code == 200
        times.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(times), len(queries)


def main():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safeguard.middleware import SESSION_SCHOOL_KEY
    from safeguard.roles import Role
    from tests.factories import PupilFactory, SchoolFactory, TrustFactory, make_case, member

    school = SchoolFactory(trust=TrustFactory(), name="Bench School")
    dsl = member(Role.DSL, school=school)
    pupils = PupilFactory.create_batch(60, school=school)
    client = Client()
    client.force_login(dsl)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.create(user=dsl, name="b", confirmed=True).persistent_id
    session[SESSION_SCHOOL_KEY] = school.pk
    session.save()

    states = ["reported", "under_review", "referred"]
    results = {}
    built = 0
    for size in (SMALL, LARGE):
        while built < size:
            make_case(school=school, state=states[built % 3], pupils=[pupils[built % 60], pupils[(built + 7) % 60]])
            built += 1
        first = school.incidents.order_by("pk").first()
        results[size] = {
            "case list": timed(client, "/cases/"),
            "case list, filtered by name": timed(client, f"/cases/?q={pupils[0].last_name}"),
            "case page": timed(client, f"/cases/{first.pk}/"),
        }
    print(f"database: {connection.vendor}; median of {RUNS} requests")
    for page in results[SMALL]:
        (small_t, small_q), (large_t, large_q) = results[SMALL][page], results[LARGE][page]
        print(
            f"{page:30} {SMALL} cases: {small_t * 1000:6.1f} ms, {small_q} queries; "
            f"{LARGE} cases: {large_t * 1000:6.1f} ms, {large_q} queries; ratio {large_t / small_t:.2f}"
        )


if __name__ == "__main__":
    logging.disable(logging.INFO)  # the email task and the lockout log every case built
    setup_test_environment()
    connection.settings_dict["TEST"]["NAME"] = "bench_safeguard"  # apart from the test suite's database
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        main()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
