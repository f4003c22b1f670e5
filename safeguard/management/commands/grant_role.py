import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from safeguard import services
from safeguard.models import School, Trust
from safeguard.roles import Role


class Command(BaseCommand):
    help = (
        "Give a person a role in a school (or a trust lead oversight of a trust). Recorded in the audit trail. "
        "With --email, someone new gets an account and an emailed invitation to choose a password."
    )

    def add_arguments(self, parser):
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", help="Username receiving the role")
        who.add_argument("--email", help="Email address of the person receiving the role (invited if new)")
        parser.add_argument("--first-name", default="", help="With --email, for someone new")
        parser.add_argument("--last-name", default="", help="With --email, for someone new")
        parser.add_argument("--site", help="With --email, the site's address for the invitation's link")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--school", help="School URN (every role but trust_lead)")
        parser.add_argument("--trust", help="Trust name (trust_lead only)")
        parser.add_argument("--ends-on", type=datetime.date.fromisoformat, help="Last day of access (YYYY-MM-DD)")
        parser.add_argument("--actor", required=True, help="Username of the person granting it (recorded)")

    @transaction.atomic
    def handle(self, *args, user, email, role, school, trust, ends_on, actor, site, **options):
        if email and not site:
            raise CommandError("An invitation needs --site, the address people open Safeguard at.")
        users = get_user_model().objects
        try:
            granter = users.get(username=actor)
            target = users.get(username=user) if user else None
            school_obj = School.objects.get(urn=school) if school else None
            trust_obj = Trust.objects.get(name=trust) if trust else None
        except (School.DoesNotExist, Trust.DoesNotExist, get_user_model().DoesNotExist) as exc:
            raise CommandError(f"Not found: {exc}") from None
        if (role == Role.TRUST_LEAD) != bool(trust_obj) or (role != Role.TRUST_LEAD) != bool(school_obj):
            raise CommandError("A trust lead needs --trust; every other role needs --school.")
        try:
            if email:
                target = services.person_for_email(
                    actor=granter, email=email, first_name=options["first_name"], last_name=options["last_name"]
                )
            membership = services.membership_grant(
                actor=granter, user=target, role=role, school=school_obj, trust=trust_obj, ends_on=ends_on
            )
            if email:
                services.invitation_send(membership, actor=granter, link_base=site.rstrip("/"))
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"{target} is now {Role(role).label} ({school_obj or trust_obj})."))
