"""Benchmark: verifying every sealed record (`manage.py verify_seals`) with 1,000 closed, sealed cases.

Run: DJANGO_SETTINGS_MODULE=safeguard.settings.test .venv/bin/python bench/verify_seals.py [--cases 1000]
(with DATABASE_URL set it uses that PostgreSQL server; it makes and drops its own test database, named as the
test suite's is: test_<database name>).

Two cases are built and closed through the services (one managed in school with the head's sign-off, one referred
with a follow-up, its outcome and an action), so each record has the usual rows: twenty or more chronology lines
and a dozen rows in other tables. Their rows are then copied in bulk to make up the number, and each copy is
sealed by the same function a closure calls. It prints the time and the number of queries of verifying them all,
three times (the first with a cold cache).
"""

import argparse
import logging
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def _template_cases(school, dsl):
    """Two closed cases built through the services: one managed in school, one referred with its follow-up."""
    from django.utils import timezone

    from incidents import services as cases
    from referrals import services as referrals
    from tests.factories import TEST_PASSWORD, make_case

    managed = make_case(school=school, state="closed")
    referred = make_case(school=school, state="referred")
    referral = referred.referrals.get()
    referrals.referral_follow_up(actor=dsl, referral=referral, method="phone", notes="Left a message.")
    referrals.referral_record_outcome(
        actor=dsl, referral=referral, outcome="social_care_nfa", outcome_at=timezone.now()
    )
    cases.action_add(actor=dsl, incident=referred, description="Check in with her each week")
    action = referred.actions.get()
    cases.action_complete(actor=dsl, action=action, notes="Done for six weeks.")
    cases.case_close(actor=dsl, incident=referred, summary="Outcome known; she is supported.", password=TEST_PASSWORD)
    return [managed, referred]


def _clone(template, copies, dsl):
    """`copies` copies of a sealed case's rows (new ids, foreign keys followed), each then sealed by the service.

    Copying the rows in bulk is only to build the data quickly; each copy's seal is taken as a closure takes it.
    """
    from incidents.models import Incident
    from records.models import Seal
    from records.services import seals

    seal = Seal.objects.get(incident=template)
    new_ids = {}  # (model label, old id) -> [new id of each copy]
    for part in seals.sealed_parts():
        model = part.model
        rows = list(model._base_manager.filter(**{part.case_path: template.pk}).order_by("pk"))
        if model is seals.ChronologyEntry:
            rows = [row for row in rows if row.pk != seal.entry_id]  # each copy gets its own seal line
        made = []
        for n in range(copies):
            for row in rows:
                copy = model(**{f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields})
                copy.pk = None
                if model is Incident:
                    copy.reference = f"{row.reference}-{n}"
                for field in model._meta.concrete_fields:
                    if field.is_relation and field.related_model is not None:
                        key = (field.related_model._meta.label_lower, getattr(row, field.attname))
                        if key in new_ids:
                            setattr(copy, field.attname, new_ids[key][n])
                made.append((row.pk, copy))
        model._base_manager.bulk_create([copy for _, copy in made], batch_size=1000)
        for old, copy in made:
            new_ids.setdefault((part.label, old), []).append(copy.pk)
    for case_id in new_ids[("incidents.incident", template.pk)]:
        case = Incident.objects.get(pk=case_id)
        seals.seal_on_close(actor=dsl, incident=case, now=case.closed_at)


def main(count):
    from records.services import seals
    from safeguard.roles import Role
    from tests.factories import SchoolFactory, TrustFactory, member

    school = SchoolFactory(trust=TrustFactory(), name="Bench School")
    dsl = member(Role.DSL, school=school)
    for role in (Role.HEADTEACHER, Role.STAFF):
        member(role, school=school)
    started = time.perf_counter()
    templates = _template_cases(school, dsl)
    per_template = (count - len(templates)) // len(templates)
    for template in templates:
        _clone(template, per_template, dsl)
    total = len(templates) * (per_template + 1)
    print(f"Built and sealed {total} cases in {time.perf_counter() - started:.0f} s on {connection.vendor}.")
    for run in range(3):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = seals.verify()
            took = time.perf_counter() - started
        assert result.ok and result.records_checked == total, result.failures[:3]
        checked = result.records_checked
        print(f"Run {run + 1}: verified {checked} sealed records in {took:.2f} s, {len(queries)} queries.")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    arguments = parser.parse_args()
    logging.disable(logging.INFO)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        main(arguments.cases)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
