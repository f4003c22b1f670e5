from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from safeguard import outbox


class Command(BaseCommand):
    help = (
        "List the background jobs (such as the DSL team's emails) not done yet, oldest first, with the last error. "
        "Exits with an error if any has waited longer than --late minutes, for monitoring."
    )

    def add_arguments(self, parser):
        parser.add_argument("--late", type=int, default=10, help="Minutes after which a waiting job is late (10)")

    def handle(self, *args, late, **options):
        now = timezone.now()
        waiting = list(outbox.unsent())
        if not waiting:
            self.stdout.write("Nothing waiting: every job in the outbox is done.")
            return
        self.stdout.write(f"{len(waiting)} waiting:")
        for message in waiting:
            minutes = int((now - message.created_at).total_seconds() // 60)
            handed = "taken by the broker" if message.handed_over_at else "not yet taken by the broker"
            line = f"  #{message.pk} {message.task}, {minutes} min, {handed}, {message.attempts} attempts"
            self.stdout.write(line + (f": {message.last_error}" if message.last_error else ""))
        oldest = int((now - waiting[0].created_at).total_seconds() // 60)
        if oldest >= late:
            raise CommandError(f"The oldest has waited {oldest} minutes: is Redis up, and are a worker and the beat?")
