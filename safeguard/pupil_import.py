"""Importing the pupil register from a CSV export of the school's MIS.

All or nothing: every row is checked first, every error is reported by row and column, and nothing is written
unless every row is right. A pupil already on the register (same UPN) is updated, never duplicated.
"""

import csv
import io
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction

from . import policy
from .audit import audited_save
from .memberships import roles_in_school
from .models import YEAR_GROUPS, Pupil, Sex, upn_validator

COLUMNS = [
    "upn",
    "first_name",
    "last_name",
    "date_of_birth",
    "year_group",
    "sex",
    "send",
    "looked_after",
    "known_to_social_care",
    "previously_abused",
    "date_left",
]
REQUIRED_COLUMNS = COLUMNS[:6]
FLAG_COLUMNS = ["send", "looked_after", "known_to_social_care", "previously_abused"]
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
TRUE_WORDS, FALSE_WORDS = {"yes", "y", "true", "1"}, {"no", "n", "false", "0", ""}
MAX_ROWS = 5000


class YesNoField(forms.Field):
    def to_python(self, value):
        word = (value or "").strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise forms.ValidationError("Use yes or no (or leave it empty for no).")


class UpperCaseMixin:
    # Upper-case before the validators run: "f" or a UPN typed in lower case means the same as in capitals.
    def to_python(self, value):
        return super().to_python(value).upper()


class UpnField(UpperCaseMixin, forms.CharField):
    """A UPN, in capitals."""


class CodeChoiceField(UpperCaseMixin, forms.ChoiceField):
    """A one-letter code (sex, year group), in capitals."""


class PupilRowForm(forms.Form):
    upn = UpnField(max_length=13, validators=[upn_validator])
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    date_of_birth = forms.DateField(input_formats=DATE_FORMATS)
    year_group = CodeChoiceField(choices=YEAR_GROUPS)
    sex = CodeChoiceField(choices=Sex.choices)
    send = YesNoField(required=False)
    looked_after = YesNoField(required=False)
    known_to_social_care = YesNoField(required=False)
    previously_abused = YesNoField(required=False)
    date_left = forms.DateField(input_formats=DATE_FORMATS, required=False)


@dataclass(frozen=True)
class RowError:
    row: int  # the line in the file, counting the header as line 1, as a spreadsheet shows it
    column: str
    message: str


@dataclass
class ImportResult:
    errors: list = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self):
        return not self.errors


def parse(text):
    """Check every row of a CSV text; return (cleaned rows, errors). Nothing is written."""
    try:
        return _parse(text)
    except csv.Error:  # a field longer than the csv module allows, or a malformed line: not a register
        return [], [
            RowError(0, "", "This file cannot be read as a register: a field is far too long, or a line is broken.")
        ]


def _parse(text):
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    if missing:
        return [], [RowError(1, c, "This column is missing from the header row.") for c in missing]
    unknown = [h for h in headers if h not in COLUMNS]
    if unknown:
        return [], [RowError(1, h, "This column is not recognised.") for h in unknown]
    reader.fieldnames = headers

    rows, errors, seen = [], [], {}
    for line, raw in enumerate(reader, start=2):
        if line - 1 > MAX_ROWS:
            errors.append(RowError(line, "", f"A file may hold at most {MAX_ROWS} pupils."))
            break
        form = PupilRowForm(data={k: (v or "").strip() for k, v in raw.items() if k})
        if not form.is_valid():
            errors.extend(RowError(line, col, msg) for col, msgs in form.errors.items() for msg in msgs)
            continue
        upn = form.cleaned_data["upn"]
        if upn in seen:
            errors.append(RowError(line, "upn", f"This UPN is already on line {seen[upn]} of the file."))
            continue
        seen[upn] = line
        rows.append(form.cleaned_data)
    if not rows and not errors:
        errors.append(RowError(2, "", "The file has a header row but no pupils."))
    return rows, errors


@transaction.atomic
def pupils_import(*, actor, school, text):
    """Import a register CSV into `school`: all rows or none. Returns an ImportResult."""
    if not policy.can(roles_in_school(actor, school), "import_pupils"):
        raise PermissionDenied("Only the school's DSL team may import the pupil register.")
    rows, errors = parse(text)
    if errors:
        return ImportResult(errors=errors)
    result = ImportResult()
    existing = {
        p.upn: p for p in Pupil.objects.select_for_update().filter(school=school, upn__in=[r["upn"] for r in rows])
    }
    for row in rows:
        pupil = existing.get(row["upn"])
        if pupil is None:
            audited_save(Pupil(school=school, **row), actor=actor, reason="Imported from the register")
            result.created += 1
            continue
        changed = [name for name, value in row.items() if getattr(pupil, name) != value]
        if not changed:
            result.unchanged += 1
            continue
        for name in changed:
            setattr(pupil, name, row[name])
        audited_save(pupil, actor=actor, reason="Updated from the register", update_fields=changed)
        result.updated += 1
    return result
