"""The school report's speed (issue 10 §6): a 500-case school report built and rendered, and the case list's p95
while reports render beside it.

    .venv/bin/python bench/report_render.py                   # 500 cases, about 3 minutes
    .venv/bin/python bench/report_render.py --cases 100 --load 20

It makes the database afresh (`--database`, dropped first: give it one of its own), seeds one school with
`--cases` cases from the last year, through bench/seed.py's builder (people, chronology, review meetings,
decisions and sign-offs, referrals with follow-ups and outcomes, parents told, actions, closures, and a seal for
each closed case), then:

(a) renders the school report for that year in a process of its own, `--renders` times, through the job's own
    service (records.services.reports.report_render: the content, its template, WeasyPrint, the file), with
    the pages, the pages per second, the CPU time (the process is single-threaded: pages per CPU-second is pages per
    second on one core, whatever else the machine runs) and the process's peak memory (RSS) after each render;
(b) times the case list (`--requests` sequential requests, two gunicorn workers, production settings) at rest, then
    while such a process renders the report again and again, at the web app's CPU priority and then at a lower one
    (`--nice`), and gives the ratio of each p95 to the p95 at rest.

The targets: at least 4 pages a second per core, a 500-case report in under 60 s, and the case list's p95 while
reports render within 1.5x of its p95 at rest. The method and the latest figures are in docs/performance.md.
"""

import argparse
import datetime
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The states of a year's cases: most are closed by the time a report looks back on them.
STATES = {
    "closed": 60,
    "referred": 12,
    "managed_in_school": 12,
    "awaiting_sign_off": 4,
    "under_review": 6,
    "reported": 6,
}
PERIOD_DAYS = 365


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=500, help="cases in the school's year")
    parser.add_argument("--renders", type=int, default=3, help="timed renders in (a)")
    parser.add_argument("--requests", type=int, default=100, help="timed case-list requests, at rest and under load")
    parser.add_argument("--load", type=float, default=90, help="seconds, at most, of the case list under load")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--database", default="bench_report")
    parser.add_argument("--cache", default="redis://127.0.0.1:6379/12", help="the sessions' cache (Redis)")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/11", help="Celery's broker; emptied at the end")
    parser.add_argument(
        "--nice",
        type=int,
        default=10,
        help="(b) times the case list again with the renderer at this niceness: a worker given a lower CPU priority "
        "than the web app (0: only at the web app's priority)",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    # The rendering process started by (a) and (b): renders the school's report and prints one JSON line each.
    parser.add_argument("--render", type=int, metavar="SCHOOL", help=argparse.SUPPRESS)
    parser.add_argument("--until", type=float, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.database.startswith("test_") or args.database in {"postgres", "template0", "template1"}:
        parser.error(f"{args.database} is dropped and made afresh: give the benchmark a database of its own")
    return args


# --- The rendering process ----------------------------------------------------------------------------------------


def render_school_report(report_id):
    """Render the school report `report_id` with the job's own service (records.services.reports.report_render:
    the content, its progress written to the row, the template, WeasyPrint, the file written and fingerprinted), as
    the worker runs it. Returns the ready report and the seconds WeasyPrint took and the rest took."""
    from records.services import reports

    timed = {}
    real = reports.render_pdf

    def render_pdf(html):
        started = time.perf_counter()
        result = real(html)
        timed["weasyprint"] = time.perf_counter() - started
        return result

    reports.render_pdf = render_pdf
    try:
        started = time.perf_counter()
        report = reports.report_render(report_id=report_id)
    finally:
        reports.render_pdf = real
    total = time.perf_counter() - started
    return report, {"weasyprint": timed["weasyprint"], "content_and_file": total - timed["weasyprint"]}


def render_loop(school_id, renders, until, nice):
    """Render `renders` times (or until the clock passes `until`), printing each render's figures as JSON."""
    os.nice(nice)
    import django

    django.setup()
    from django.conf import settings
    from django.utils import timezone

    from records.report_models import Report, ReportKind
    from safeguard.audit import audited_save
    from safeguard.models import Membership, School
    from safeguard.roles import Role

    school = School.objects.get(pk=school_id)
    dsl = Membership.objects.get(school=school, role=Role.DSL).user
    today = timezone.localdate()
    n = 0
    while n < renders or time.time() < until:
        # A row of its own each time, as each request makes (a ready report is never rendered again).
        report = Report(
            school=school,
            kind=ReportKind.SCHOOL,
            period_start=today - datetime.timedelta(days=PERIOD_DAYS - 1),
            period_end=today,
            period_label="The last year",
            marking=settings.SAFEGUARD_REPORT_MARKING,
            requested_by=dsl,
        )
        audited_save(report, actor=dsl, reason="Benchmark: a school report asked for")
        started, cpu = time.perf_counter(), time.process_time()
        report, steps = render_school_report(report.pk)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        n += 1
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # Linux gives KiB
        figures = {"seconds": seconds, "cpu_seconds": cpu, "pages": report.pages, "bytes": report.size, "peak_mb": peak}
        print(json.dumps(figures | steps), flush=True)


def rendering_process(school_id, *, renders=0, until=0, nice=0):
    command = [sys.executable, __file__, "--render", str(school_id), "--renders", str(renders), "--until", str(until)]
    command += ["--nice", str(nice)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)  # noqa: S603 (our own command)


def read_renders(process):
    return [json.loads(line) for line in process.stdout if line.startswith("{")]


def timing(found):
    return {"p50": found.p50, "p95": found.p95, "requests": len(found.seconds)}


def case_list_while_rendering(address, cookies, school, nice, args):
    """The case list timed while a process renders the school report again and again at `nice`."""
    from bench import measure

    loop = rendering_process(school, until=time.time() + args.load + 120, nice=nice)
    time.sleep(5)  # past its start-up, into its first render
    try:
        busy = measure.time_page(address, "/cases/", cookies, requests=args.requests, budget=args.load)
    finally:
        loop.send_signal(signal.SIGTERM)
        loop.wait(timeout=30)
    return busy, read_renders(loop)


# --- Seeding --------------------------------------------------------------------------------------------------


def seed_year(world, cases, rng):
    """`cases` cases of the first school, their concerns spread over the last year, and a seal for each closure."""
    from django.db import connection
    from django.utils import timezone

    from bench import seed

    data = world.schools[0]
    ids = seed.Ids()
    builder = seed.CaseBuilder(rng, world, data, ids)
    now = timezone.now()
    for _ in range(cases):
        state = rng.choices(list(STATES), list(STATES.values()))[0]
        builder.case(state, now - rng.uniform(3, PERIOD_DAYS - 2) * seed.DAY)
    seals = []
    for closure in builder.rows["incidents.Closure"]:
        # As records.services.seals writes inside each closure: the seal and the chronology line that states it.
        entry = builder.add(
            "incidents.ChronologyEntry",
            incident_id=closure["incident_id"],
            at=closure["closed_at"],
            author_id=closure["closed_by_id"],
            kind="closure",
            text="Record sealed.",
        )
        seals.append(
            {
                "incident_id": closure["incident_id"],
                "closure_id": closure["id"],
                "entry_id": entry,
                "sha256": "0" * 64,
                "manifest": {},
                "sealed_by_id": closure["closed_by_id"],
            }
        )
    builder.flush()
    seed.insert("records.Seal", [{"id": ids.take("records.Seal"), **row} for row in seals])
    ids.close()
    seed.set_reference_counters(data)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return data


# --- The run ------------------------------------------------------------------------------------------------------


def main():
    args = parse_args()
    if args.render is not None:
        render_loop(args.render, args.renders, args.until, args.nice)
        return
    from bench.run import recreate_database, server_env, sign_ins

    work = Path(tempfile.mkdtemp(prefix="safeguard-report-bench-"))
    log = work / "gunicorn.log"
    env = server_env(args, args.database, "bench.settings")
    for name in set(os.environ) - set(env):
        del os.environ[name]
    os.environ.update(env, BENCH_STATIC_ROOT=str(work / "static"))
    recreate_database(args.server, args.database)
    import django

    django.setup()
    import redis
    from django.core.management import call_command

    from bench import measure, seed, serve

    results = {"cases": args.cases, "nice": args.nice}
    try:
        seed.migrate()
        call_command("collectstatic", interactive=False, verbosity=0)
        rng = random.Random(1)  # noqa: S311 (test data)
        world = seed.create_world(rng)
        data = seed_year(world, args.cases, rng)
        school = data.school.pk
        print(f"Seeded {args.cases} cases in {data.school.name}'s year", flush=True)

        renders = read_renders(rendering_process(school, renders=args.renders))
        results["renders"] = renders
        best = min(renders, key=lambda r: r["seconds"])
        print(
            f"(a) {best['pages']} pages in {best['seconds']:.1f} s (content, template and file "
            f"{best['content_and_file']:.2f} s, WeasyPrint {best['weasyprint']:.1f} s): "
            f"{best['pages'] / best['seconds']:.1f} pages/s; {best['cpu_seconds']:.1f} s of CPU, "
            f"{best['pages'] / best['cpu_seconds']:.1f} pages per "
            f"CPU-second; peak RSS after each render {[r['peak_mb'] for r in renders]} MB",
            flush=True,
        )

        cookies = sign_ins(world)["dsl"]
        with serve.gunicorn("safeguard.wsgi:application", dict(os.environ), log) as address:
            rest = measure.time_page(address, "/cases/", cookies, requests=args.requests, budget=args.load)
            results["case_list"] = {"rest": timing(rest)}
            print(f"(b) case list at rest: p95 {rest.p95 * 1000:.0f} ms, p50 {rest.p50 * 1000:.0f} ms", flush=True)
            for nice in dict.fromkeys([0, args.nice]):
                busy, renders = case_list_while_rendering(address, cookies, school, nice, args)
                ratio = busy.p95 / rest.p95
                results["case_list"][f"rendering at niceness {nice}"] = timing(busy) | {"ratio_p95": ratio}
                results[f"renders at niceness {nice}"] = renders
                print(
                    f"    while reports render at niceness {nice}: p95 {busy.p95 * 1000:.0f} ms ({ratio:.2f}x), "
                    f"p50 {busy.p50 * 1000:.0f} ms",
                    flush=True,
                )
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
    finally:
        for url in (args.broker, args.cache):
            redis.Redis.from_url(url).flushdb()


if __name__ == "__main__":
    main()
