"""Date fields use the browser's own picker, and their hints never give an order of day and month that the picker
may contradict (English (US) shows mm/dd/yyyy, English (UK) dd/mm/yyyy)."""

import inspect
import re

import django_filters
import pytest
from django import forms

from incidents import filters
from incidents import forms as case_forms
from referrals import forms as referral_forms

NUMERIC_DATE = re.compile(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}")


def date_fields():
    for module in (case_forms, referral_forms):
        for _, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, forms.BaseForm) and form.__module__ == module.__name__:
                for name, field in form.base_fields.items():
                    if isinstance(field, forms.DateField | forms.DateTimeField):
                        yield f"{form.__name__}.{name}", field
    for name, field in filters.CaseFilter.base_filters.items():
        if isinstance(field, django_filters.DateFilter):
            yield f"CaseFilter.{name}", field.field


def test_every_date_field_is_a_native_picker_with_a_hint_in_words():
    found = dict(date_fields())
    assert {"ConcernForm.came_to_light_at", "ActionForm.due_on", "ReferralForm.made_at"} <= set(found)
    for name, field in found.items():
        wanted = "datetime-local" if isinstance(field, forms.DateTimeField) else "date"
        assert field.widget.input_type == wanted, name
        assert not NUMERIC_DATE.search(str(field.help_text)), name


@pytest.mark.django_db
def test_the_concern_page_shows_the_hint_beside_the_picker(client, signed_in, school, staff):
    signed_in(staff, school=school)
    page = client.get("/concerns/new/").content.decode()
    assert 'type="datetime-local" name="came_to_light_at"' in page
    assert "Use the date picker, or type the date and time, e.g. 21 November 2026, 14:30." in page
