"""The form asking for a school report: the period is a term of the school calendar, a school year, or any dates."""

import datetime

from django import forms

from safeguard.forms import DateInput

YEARS_OFFERED = 4


def school_year_of(day):
    """The first calendar year of the school year (1 September to 31 August) that `day` falls in."""
    return day.year if day.month >= 9 else day.year - 1


class SchoolReportForm(forms.Form):
    period = forms.ChoiceField(
        label="Which period",
        choices=[("term", "A term"), ("year", "A school year"), ("dates", "Any dates")],
        widget=forms.RadioSelect,
    )
    term = forms.ModelChoiceField(label="Term", queryset=None, required=False, empty_label="Choose a term")
    year = forms.TypedChoiceField(label="School year", coerce=int, required=False)
    period_start = forms.DateField(label="First day", required=False, widget=DateInput())
    period_end = forms.DateField(label="Last day", required=False, widget=DateInput())

    def __init__(self, *args, terms, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = terms
        self.fields["term"].help_text = "For a term, choose it here (from the school calendar)."
        latest = school_year_of(today)
        self.fields["year"].choices = [("", "Choose a school year")] + [
            (year, f"September {year} to August {year + 1}") for year in range(latest, latest - YEARS_OFFERED, -1)
        ]

    def clean(self):
        data = super().clean()
        period = data.get("period")
        if period == "term":
            term = data.get("term")
            if term is None:
                self.add_error("term", "Choose the term.")
            else:
                data.update(start=term.starts_on, end=term.ends_on, label=term.name)
        elif period == "year":
            year = data.get("year")
            if not year:
                self.add_error("year", "Choose the school year.")
            else:
                data.update(
                    start=datetime.date(year, 9, 1), end=datetime.date(year + 1, 8, 31), label=f"{year} to {year + 1}"
                )
        elif period == "dates":
            start, end = data.get("period_start"), data.get("period_end")
            if start is None and "period_start" not in self.errors:
                self.add_error("period_start", "Give the first day.")
            if end is None and "period_end" not in self.errors:
                self.add_error("period_end", "Give the last day.")
            if start and end:
                data.update(start=start, end=end, label="")
        return data
