from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from referrals import demo as demo_cases
from safeguard import demo


class Command(BaseCommand):
    help = (
        "Create the demo trust, schools, people, pupils and a dozen cases (safe to run twice). "
        "Refused when DEBUG is off."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DEBUG on: demo accounts share a public password.")
        sign_ins = demo.seed()
        added = demo_cases.seed_cases()
        # Printed last, after any alert emails the new cases send to the console, so the sign-ins stay in view.
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in at http://127.0.0.1:8000 as:"))
        width = max(len(u) for u, _ in sign_ins)
        for username, what in sign_ins:
            self.stdout.write(f"  {username:<{width}}  {what}")
        self.stdout.write(f"Every demo account's password is: {demo.DEMO_PASSWORD}")
        self.stdout.write(f"Demo cases added: {added}." if added else "Demo cases: already there, none added.")
