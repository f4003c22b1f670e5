"""A case's rows set out for a report: each field with its label and its value in words, in one query per table.

The tables of a case are the ones its seal covers (records.services.seals.sealed_parts), so a table a later
section adds to the sealed record is in the case record too, without this module knowing it.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format

from incidents.models import Involvement
from safeguard.models import Pupil
from safeguard.people import person_name

# Fields that say nothing to a reader: internal ids, where a document is kept on disk, the case they belong to.
HIDDEN = {"id", "incident", "school", "stored_name", "restricted"}


@dataclass(frozen=True)
class Row:
    heading: str
    fields: list  # (label, value) pairs, empty values left out


def words(value):
    """A value as a reader would say it."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "j F Y, H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    if isinstance(value, dict):
        return "; ".join(f"{key.replace('_', ' ')}: {words(item)}" for key, item in value.items() if item)
    if isinstance(value, (list, tuple)):
        return ", ".join(words(item) for item in value)
    return "" if value is None else str(value)


def _linked(field):
    """How to read the row an FK points at: (select_related path, how to name it), or None to name it by number."""
    target = field.related_model
    if target is get_user_model():
        return field.name, person_name
    if target is Pupil:
        return field.name, str
    if target is Involvement:
        return f"{field.name}__pupil", lambda person: person.name
    return None


def _fields(model):
    return [f for f in model._meta.concrete_fields if f.name not in HIDDEN]


def read(model, queryset):
    """The rows of `queryset` (of `model`), oldest first, with every person or pupil they name, in one query."""
    joins = [link[0] for f in _fields(model) if f.is_relation and (link := _linked(f))]
    return list(queryset.select_related(*joins).order_by("pk"))


def set_out(model, rows, numbers):
    """Each row as a Row. `numbers` maps (model, pk) to a row's number in its own section, so a row pointing at
    another (a follow-up at its referral) names it as "Referral 2"; this adds the numbers of these rows."""
    label = model._meta.verbose_name.capitalize()
    result = []
    for index, row in enumerate(rows, start=1):
        numbers[(model, row.pk)] = f"{label} {index}"
        pairs = []
        for field in _fields(model):
            if field.is_relation:
                value = getattr(row, field.attname)
                link = _linked(field)
                if value is None:
                    continue
                value = link[1](getattr(row, field.name)) if link else numbers.get((field.related_model, value), "")
            elif field.choices:
                value = row._get_FIELD_display(field) if getattr(row, field.attname) not in ("", None) else ""
            else:
                value = getattr(row, field.attname)
                if isinstance(field, models.BooleanField):
                    value = words(value)
            text = words(value)
            if text:
                pairs.append((field.verbose_name[:1].upper() + field.verbose_name[1:], text))
        result.append(Row(heading=f"{label} {index}", fields=pairs))
    return result
