import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from safeguard import services
from safeguard.models import School, Trust
from safeguard.roles import Role


class Command(BaseCommand):
    help = "Give a person a role in a school (or a trust lead oversight of a trust). Recorded in the audit trail."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Username receiving the role")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--school", help="School URN (every role but trust_lead)")
        parser.add_argument("--trust", help="Trust name (trust_lead only)")
        parser.add_argument("--ends-on", type=datetime.date.fromisoformat, help="Last day of access (YYYY-MM-DD)")
        parser.add_argument("--actor", required=True, help="Username of the person granting it (recorded)")

    def handle(self, *args, user, role, school, trust, ends_on, actor, **options):
        users = get_user_model().objects
        try:
            target, granter = users.get(username=user), users.get(username=actor)
            school_obj = School.objects.get(urn=school) if school else None
            trust_obj = Trust.objects.get(name=trust) if trust else None
        except (School.DoesNotExist, Trust.DoesNotExist, get_user_model().DoesNotExist) as exc:
            raise CommandError(f"Not found: {exc}") from None
        if (role == Role.TRUST_LEAD) != bool(trust_obj) or (role != Role.TRUST_LEAD) != bool(school_obj):
            raise CommandError("A trust lead needs --trust; every other role needs --school.")
        try:
            services.membership_grant(
                actor=granter, user=target, role=role, school=school_obj, trust=trust_obj, ends_on=ends_on
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"{target} is now {Role(role).label} ({school_obj or trust_obj})."))
