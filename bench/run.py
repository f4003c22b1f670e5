"""The benchmark: Safeguard's pages at a small and then a large case load in one run, and the case list's
throughput against a bare Django floor.

    .venv/bin/python bench/run.py            # 500, then 50,000 cases per school (about 10 minutes)
    .venv/bin/python bench/run.py --quick    # 100, then 2,000: a smoke run of a few minutes

Both sizes are measured in one run, growing the same database in place, so the large/small ratios compare like
with like on a noisy shared machine. The app runs under gunicorn (two sync workers) with its production
settings plus a query counter (bench/settings.py); the floor (bench/floor/) runs the same way. Databases
(`bench_…` only) are made afresh at the start and left for a look afterwards unless --drop is given. The method
and the latest numbers are in docs/performance.md.
"""

import argparse
import datetime
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import redis  # noqa: E402
from psycopg import sql  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=500, help="cases per school at the small size")
    parser.add_argument("--large", type=int, default=50_000, help="cases per school at the large size")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 100 then 2,000 cases, fewer requests")
    parser.add_argument("--requests", type=int, default=30, help="timed sequential requests per page")
    parser.add_argument("--page-budget", type=float, default=60, help="seconds of timed requests per page, at most")
    parser.add_argument("--concurrency", type=int, default=16, help="connections in the throughput test")
    parser.add_argument("--duration", type=float, default=15, help="seconds of the throughput test")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--database", default="bench_safeguard")
    parser.add_argument("--cache", default="redis://127.0.0.1:6379/12", help="the sessions' cache (Redis)")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/11", help="Celery's broker; emptied at the end")
    parser.add_argument("--floor-database", default="bench_floor")
    parser.add_argument("--drop", action="store_true", help="drop both databases at the end")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.quick:
        args.small, args.large, args.requests, args.duration = 100, 2000, 10, 5
    for name in (args.database, args.floor_database):
        if not name.startswith("bench_"):
            parser.error(f"database names start with bench_, so the test suite's are never touched: {name}")
    return args


def recreate_database(server, name, *, create=True):
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if create:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


SECRET_KEY = secrets.token_urlsafe(50)  # throwaway, one per run: sessions made here must be valid in gunicorn


def server_env(args, database, settings):
    """What gunicorn (and this process) run with: production settings, throwaway secret, HTTP on 127.0.0.1."""
    env = {k: v for k, v in os.environ.items() if k != "CELERY_RESULT_BACKEND"}
    env.update(
        DJANGO_SETTINGS_MODULE=settings,
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"{args.server}/{database}",
        # Sessions are read from a cache shared by every worker, as in production (docker-compose's Redis).
        DJANGO_CACHE_URL=args.cache,
        # A broker with no worker, as in production the request only queues the new-concern email (the queue is
        # emptied at the end); the backend sends nothing should a job ever run.
        CELERY_BROKER_URL=args.broker,
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        DJANGO_LOG_LEVEL="WARNING",
    )
    return env


# --- What is measured ---------------------------------------------------------------------------------------


def pages(world):
    from bench.seed import PINNED_PUPIL

    school = world.schools[0]
    return [
        ("case list", "dsl", "/cases/"),
        ("case list, name search", "dsl", f"/cases/?q={PINNED_PUPIL[1]}"),
        ("case page (referred)", "dsl", f"/cases/{school.showcase_case}/"),
        ("new concerns (inbox)", "dsl", "/cases/inbox/"),
        ("pupil chronology", "dsl", f"/cases/pupils/{school.pinned_pupil}/"),
        ("dashboard, DSL", "dsl", "/"),
        ("dashboard, headteacher", "headteacher", "/"),
        ("dashboard, trust lead", "trust_lead", "/"),
        ("dashboard, staff", "staff", "/"),
    ]


POST_PAGE = "log a concern (POST)"


def concern_form(world):
    """The concern form as a member of staff fills it in: one pupil from the register, ready to submit."""
    from django.utils import timezone

    school = world.schools[0]
    pupil = school.cohorts[max(school.cohorts)][5]
    when = timezone.localtime(timezone.now() - datetime.timedelta(hours=2))
    person = {"pupil": pupil, "part": "harmed", "own_account": "", "other_name": "", "other_description": ""}
    return {
        "came_to_light_at": when.strftime("%Y-%m-%dT%H:%M"),
        "occurred_at": "",
        "location": "a group chat",
        "how_came_to_light": "told_by_child",
        "how_came_to_light_detail": "",
        "categories": ["contact", "conduct"],
        "harm_kind": "cyberbullying",
        "harm_other": "",
        "childs_words": "They keep putting stuff about me in the group chat and everyone laughs at it in form.",
        "observations": "Pupil asked to speak to me at break. I listened and said I would pass this on today.",
        "imagery_description": "",
        "people-TOTAL_FORMS": "2",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "20",
        **{f"people-0-{k}": v for k, v in person.items()},
        "submit": "1",
    }


def sign_ins(world):
    """A session cookie for each timed person, made afresh (sessions end after 30 idle minutes)."""
    from django.conf import settings

    from bench.signin import app_session_key

    school = world.schools[0]
    people = {str(role): user for role, user in school.people.items()} | {"trust_lead": world.trust_lead}
    return {role: {settings.SESSION_COOKIE_NAME: app_session_key(user, school.school)} for role, user in people.items()}


def measure_size(world, args, log):
    """Every page at the current size, then the concern POST, against a freshly started app server."""
    from django.conf import settings

    from bench import measure, serve

    cookies = sign_ins(world)
    found = {}
    with serve.gunicorn("safeguard.wsgi:application", dict(os.environ), log) as address:
        for name, role, path in pages(world):
            found[name] = measure.time_page(
                address, path, cookies[role], requests=args.requests, budget=args.page_budget
            )
            print(f"  {name:28} {found[name].p50 * 1000:8.1f} ms p50, {len(found[name].seconds)} requests", flush=True)
        found[POST_PAGE] = measure.time_concern_post(
            address,
            cookies["staff"],
            settings.CSRF_COOKIE_NAME,
            concern_form(world),
            requests=args.requests,
            budget=args.page_budget,
        )
        print(f"  {POST_PAGE:28} {found[POST_PAGE].p50 * 1000:8.1f} ms p50", flush=True)
    return found


def measure_throughput(world, args, floor_session, log):
    """The case list at `concurrency` connections against the app, then the floor's list the same way."""
    from django.conf import settings

    from bench import measure, serve

    cookies = sign_ins(world)["dsl"]
    with serve.gunicorn("safeguard.wsgi:application", dict(os.environ), log) as address:
        app = measure.throughput(address, "/cases/", cookies, concurrency=args.concurrency, duration=args.duration)
    env = server_env(args, args.floor_database, "bench.floor.settings")
    with serve.gunicorn("bench.floor.wsgi:application", env, log) as address:
        floor_cookies = {settings.SESSION_COOKIE_NAME: floor_session}
        floor = measure.throughput(
            address, "/items/", floor_cookies, concurrency=args.concurrency, duration=args.duration
        )
    return app, floor


# --- Reporting ----------------------------------------------------------------------------------------------


def ms(seconds):
    return f"{seconds * 1000:.0f}" if seconds >= 0.1 else f"{seconds * 1000:.1f}"


def machine():
    """One line on where the numbers came from: they mean little without it."""
    import platform

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, PostgreSQL {postgres}"


def report(args, small, large, app, floor, timings):
    lines = [
        f"{datetime.date.today():%d %B %Y}; {machine()}.",
        f"Sizes: small {args.small:,} and large {args.large:,} cases per school (two schools); "
        f"{args.requests} timed requests per page (fewer if one page's budget of {args.page_budget:.0f} s ran out).",
        "",
        "| page | queries small / large | small p50 / p95 ms | large p50 / p95 ms | large/small p50 "
        "| requests small / large | case links small / large |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in small:
        s, big = small[name], large[name]
        lines.append(
            f"| {name} | {s.queries} / {big.queries} | {ms(s.p50)} / {ms(s.p95)} | {ms(big.p50)} / {ms(big.p95)} "
            f"| {big.p50 / s.p50:.2f} | {len(s.seconds)} / {len(big.seconds)} | {s.case_links} / {big.case_links} |"
        )
    lines += [
        "",
        f"Throughput at the large size, {args.concurrency} connections for {args.duration:.0f} s:",
        "",
        "| server | requests/s | p50 ms | p95 ms | queries per request | answered in the window (+ after) | errors |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, t in [("app, case list", app), ("floor, 50-row list", floor)]:
        lines.append(
            f"| {name} | {t.per_second:.1f} | {ms(t.p50)} | {ms(t.p95)} | {t.queries} | {t.requests} (+{t.late}) "
            f"| {t.errors} |"
        )
    lines += [
        "",
        f"App/floor: throughput {app.per_second / floor.per_second:.3f}, p95 {app.p95 / floor.p95:.1f}x.",
        "",
        "Times: " + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()),
    ]
    return "\n".join(lines)


def as_json(args, small, large, app, floor, timings):
    def timing(t):
        return {"queries": t.queries, "p50": t.p50, "p95": t.p95, "requests": len(t.seconds), "links": t.case_links}

    def load(t):
        return {
            "per_second": t.per_second,
            "p50": t.p50,
            "p95": t.p95,
            "requests": t.requests,
            "errors": t.errors,
            "late": t.late,
        }

    return {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "sizes": {"small": args.small, "large": args.large},
        "pages": {name: {"small": timing(small[name]), "large": timing(large[name])} for name in small},
        "throughput": {"app": load(app), "floor": load(floor)},
        "timings": timings,
    }


# --- The run ------------------------------------------------------------------------------------------------


def main():
    args = parse_args()
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="safeguard-bench-"))
    log = work / "gunicorn.log"
    env = server_env(args, args.database, "bench.settings")
    for name in set(os.environ) - set(env):
        del os.environ[name]  # the broker settings: without them, jobs run in-process
    os.environ.update(env, BENCH_STATIC_ROOT=str(work / "static"))
    print(f"Benchmark: {args.small:,} then {args.large:,} cases per school; server logs in {log}", flush=True)
    timings = {}
    try:
        clock = time.perf_counter()
        recreate_database(args.server, args.database)
        recreate_database(args.server, args.floor_database)
        import django

        django.setup()
        from django.core.management import call_command

        from bench import seed

        seed.migrate()
        call_command("collectstatic", interactive=False, verbosity=0)
        timings["migrate and collect static"] = time.perf_counter() - clock
        clock = time.perf_counter()
        world = seed.create_world(random.Random(1))  # noqa: S311 (test data)
        timings["people and registers"] = time.perf_counter() - clock
        timings["seed small"] = seed.grow(world, args.small)
        print(f"Seeded {args.small:,} cases per school", flush=True)

        clock = time.perf_counter()
        floor = subprocess.run(  # noqa: S603 (our own command line)
            [sys.executable, "-m", "bench.floor.prepare", "--rows", str(args.large)],
            env=server_env(args, args.floor_database, "bench.floor.settings"),
            cwd=ROOT, check=True, capture_output=True, text=True,
        )  # fmt: skip
        floor_session = json.loads(floor.stdout.strip().splitlines()[-1])["session"]
        timings["floor"] = time.perf_counter() - clock

        print(f"Small ({args.small:,} cases per school):", flush=True)
        small = measure_size(world, args, log)
        timings["grow to large"] = seed.grow(world, args.large)
        print(f"Large ({args.large:,} cases per school):", flush=True)
        large = measure_size(world, args, log)
        print("Throughput:", flush=True)
        app, floor_load = measure_throughput(world, args, floor_session, log)
        timings["whole run"] = time.perf_counter() - started
        print()
        print(report(args, small, large, app, floor_load, timings))
        if args.json:
            args.json.write_text(json.dumps(as_json(args, small, large, app, floor_load, timings), indent=2))
    finally:
        shutil.rmtree(work / "static", ignore_errors=True)
        for url in (args.broker, args.cache):
            redis.Redis.from_url(url).flushdb()
        if args.drop:
            from django.db import connections

            connections.close_all()
            recreate_database(args.server, args.database, create=False)
            recreate_database(args.server, args.floor_database, create=False)


if __name__ == "__main__":
    main()
