import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from referrals import demo as demo_cases
from safeguard import demo


class Command(BaseCommand):
    help = (
        "Create the demo trust, schools, people, pupils and a dozen cases (safe to run twice). "
        "Refused when DEBUG is off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="The port the demo is served on (default 8000).")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DEBUG on: demo accounts share a public password.")
        # The background jobs run in-process in the demo, and each would log a line: only errors are shown here.
        logging.disable(logging.WARNING)
        try:
            sign_ins = demo.seed()
            added = demo_cases.seed_cases()
        finally:
            logging.disable(logging.NOTSET)
        # Printed last, after everything seeding prints, so the sign-ins stay in view.
        self.stdout.write(f"Demo cases added: {added}." if added else "Demo cases: already there, none added.")
        if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            self.stdout.write(f"Email the demo sends is written to files in {settings.EMAIL_FILE_PATH}/.")
        url = f"http://127.0.0.1:{options['port']}"
        self.stdout.write(self.style.SUCCESS(f"Demo data is ready. Sign in at {url} as:"))
        width = max(len(u) for u, _ in sign_ins)
        for username, what in sign_ins:
            self.stdout.write(f"  {username:<{width}}  {what}")
        self.stdout.write(f"Every demo account's password is: {demo.DEMO_PASSWORD}")
