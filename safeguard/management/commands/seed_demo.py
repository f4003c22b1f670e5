from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safeguard import demo


class Command(BaseCommand):
    help = "Create the demo trust, schools, people and pupils (safe to run twice). Refused when DEBUG is off."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DEBUG on: demo accounts share a public password.")
        sign_ins = demo.seed()
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in at http://127.0.0.1:8000 as:"))
        width = max(len(u) for u, _ in sign_ins)
        for username, what in sign_ins:
            self.stdout.write(f"  {username:<{width}}  {what}")
        self.stdout.write(f"Every demo account's password is: {demo.DEMO_PASSWORD}")
