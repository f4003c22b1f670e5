"""Benchmark: the pupil pickers' live search with 1,500 pupils on the register (the goal is 50 ms or less).

Run: DJANGO_SETTINGS_MODULE=safeguard.settings.test .venv/bin/python bench/pupil_search.py
(with DATABASE_URL set it uses that PostgreSQL server; it makes and drops its own test database, named as the
test suite's is: test_<database name>).

It asks each search endpoint, as htmx does, for what people type (two letters, three, a first and last name), and
prints the median and 95th percentile of the whole request, and of the search's own query, and (on PostgreSQL)
the query plans. The concern form finds among pupils on roll of the school; the case list among the register the
reader's role may see (safeguard.selectors.pupil_list_for_user): both are one indexed filter on the school.
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

PUPILS, RUNS = 1500, 200
TYPED = ["am", "sm", "smi", "tay", "isla", "grace jo"]
ENDPOINTS = {
    "concern form": ("/concerns/pupils/", "people-0-pupil_search"),
    "case list": ("/cases/pupils/", "pupil_search"),
}


def percentiles(times):
    times = sorted(times)
    return statistics.median(times) * 1000, times[int(len(times) * 0.95) - 1] * 1000


def timed(call):
    call()  # warm caches
    times = []
    for n in range(RUNS):
        start = time.perf_counter()
        call(n)
        times.append(time.perf_counter() - start)
    return percentiles(times)


def main():
    from incidents import selectors
    from safeguard.roles import Role
    from tests.factories import SchoolFactory, TrustFactory, member, pupil_register, signed_in_client

    trust = TrustFactory()
    school = SchoolFactory(trust=trust, name="Bench School")
    pupil_register(school, range(PUPILS))
    pupil_register(SchoolFactory(trust=trust, name="Another School"), range(PUPILS, 2 * PUPILS))
    dsl = member(Role.DSL, school=school)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # statistics, as autovacuum keeps them on a live database
    client = signed_in_client(Client(), dsl, school=school)

    print(f"database: {connection.vendor}; {PUPILS} pupils in the school (and as many in another); {RUNS} searches")
    for page, (url, box) in ENDPOINTS.items():
        headers = {"HX-Request": "true", "HX-Trigger-Name": box}

        def ask(n=0, url=url, box=box, headers=headers):
            assert client.get(url, {box: TYPED[n % len(TYPED)]}, headers=headers).status_code == 200

        with CaptureQueriesContext(connection) as queries:
            ask()
        count = len(queries)  # now: each request clears the connection's query log
        p50, p95 = timed(ask)
        print(f"{page:13} whole request: p50 {p50:5.1f} ms, p95 {p95:5.1f} ms, {count} queries")

    finders = {
        "concern form": selectors.pupil_finder_to_name(dsl, school),
        "case list": selectors.pupil_finder_for_cases(dsl, school),
    }
    for page, finder in finders.items():
        p50, p95 = timed(lambda n=0, finder=finder: finder.search(TYPED[n % len(TYPED)]))
        print(f"{page:13} its one query: p50 {p50:5.1f} ms, p95 {p95:5.1f} ms")
    if connection.vendor == "postgresql":
        for page, finder in finders.items():
            print(f"\nThe plan of the {page}'s search for 'sm':")
            print(finder.matching(["sm"])[:21].explain(analyze=True))


if __name__ == "__main__":
    logging.disable(logging.INFO)  # the lockout logs each sign-in
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        main()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
