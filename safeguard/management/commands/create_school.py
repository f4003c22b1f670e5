from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from safeguard import services
from safeguard.models import Nation, Trust


class Command(BaseCommand):
    help = "Register a school (and its trust, if new). Recorded in the audit trail."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--urn", required=True, help="The school's unique reference number (GIAS)")
        parser.add_argument("--trust", help="Name of the multi-academy trust, if any (created if new)")
        parser.add_argument("--actor", required=True, help="Username of the person registering it (recorded)")
        parser.add_argument(
            "--nation",
            choices=Nation.values,
            default=Nation.ENGLAND,
            help="Whose bank holidays the school keeps: ENG (the default), WLS, SCT or NIR",
        )

    @transaction.atomic
    def handle(self, *args, name, urn, trust, actor, nation, **options):
        try:
            granter = get_user_model().objects.get(username=actor)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user called {actor}") from None
        try:
            trust_obj = None
            if trust:
                trust_obj = Trust.objects.filter(name=trust).first() or services.trust_create(actor=granter, name=trust)
            school = services.school_create(actor=granter, name=name, urn=urn, trust=trust_obj, nation=nation)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Registered {school} (URN {school.urn})."))
