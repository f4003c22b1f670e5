import sys
import time

from django.core.management.base import BaseCommand

from records.services import seals


class Command(BaseCommand):
    help = (
        "Check that every closed case is sealed and that its record, and each addendum, still match their SHA-256. "
        "Lists each one that does not, and then exits with status 1 (for monitoring)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", type=int, help="Only the cases of the school with this id.")

    def handle(self, *args, **options):
        from incidents.models import Incident

        cases = Incident.objects.all()
        if options["school"]:
            cases = cases.filter(school_id=options["school"])
        started = time.monotonic()
        result = seals.verify(cases)
        took = time.monotonic() - started
        self.stdout.write(
            f"Checked {result.records_checked} sealed records and {result.addenda_checked} addenda in {took:.2f} s."
        )
        if result.ok:
            self.stdout.write(self.style.SUCCESS("Every sealed record matches its seal."))
            return
        for failure in result.failures:
            self.stderr.write(f"{failure.reference} (case id {failure.incident_id}): {failure.problem}")
        self.stderr.write(self.style.ERROR(f"{len(result.failures)} problem(s) found."))
        sys.exit(1)
