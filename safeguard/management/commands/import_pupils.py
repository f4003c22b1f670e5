from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from safeguard.models import School
from safeguard.pupil_import import pupils_import


class Command(BaseCommand):
    help = "Import or update a school's pupil register from a CSV file: every row or none."

    def add_arguments(self, parser):
        parser.add_argument("csv_file", type=Path)
        parser.add_argument("--school", required=True, help="The school's URN")
        parser.add_argument("--actor", required=True, help="Username of the DSL making the import (recorded)")

    def handle(self, *args, csv_file, school, actor, **options):
        try:
            school_obj = School.objects.get(urn=school)
            actor_obj = get_user_model().objects.get(username=actor, is_active=True)
        except (School.DoesNotExist, get_user_model().DoesNotExist) as exc:
            raise CommandError(f"Not found: {exc}") from None
        try:
            text = csv_file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {csv_file}: {exc}") from None
        try:
            result = pupils_import(actor=actor_obj, school=school_obj, text=text)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        if not result.ok:
            for error in result.errors:
                self.stderr.write(f"row {error.row}, column {error.column or '-'}: {error.message}")
            raise CommandError(f"Nothing was imported: {len(result.errors)} problem(s) in the file.")
        self.stdout.write(
            self.style.SUCCESS(f"{result.created} added, {result.updated} updated, {result.unchanged} unchanged.")
        )
