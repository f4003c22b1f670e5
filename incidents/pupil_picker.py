"""The form side of a pupil picker: a search box that finds a pupil by name, and the `pupil` field it sets.

With JavaScript, the box searches as the person types (htmx, incidents/views/pupil_search.py) and choosing one of
the pupils found sets the hidden `pupil` field (static/js/pupil-picker.js). Without it, the picker's Search
button (named FIND_PUPIL) posts the whole form, and the page comes back with everything typed kept and the pupils
found offered as radio buttons. Either way the form posts the pupil's id in `pupil`, checked against the pupils
the page may offer. The markup is templates/incidents/partials/pupil_picker.html.
"""

from django import forms

# The name of each picker's Search and "Change pupil" buttons; the value is the html name of the picker's `pupil`.
FIND_PUPIL = "find_pupil"
PICKER_FIELDS = ("pupil", "pupil_search")


SEARCH_LABEL = "Find a pupil"


def pupil_field_options(*, not_offered):
    """How a picker's `pupil` field is built; `not_offered` is the error for an id the page does not offer."""
    return {"required": False, "widget": forms.HiddenInput, "error_messages": {"invalid_choice": not_offered}}


def pupil_field(*, label, not_offered):
    return forms.ModelChoiceField(label=label, queryset=None, **pupil_field_options(not_offered=not_offered))


def pupil_search_field():
    return forms.CharField(label=SEARCH_LABEL, required=False)


class PupilPicker:
    """A form with a pupil picker: its `finder` (incidents.pupil_search.PupilFinder) holds the pupils it offers."""

    finder = None
    found = None  # what a search step without JavaScript found, for the picker to offer as radio buttons

    def offer_pupils(self, finder):
        self.finder = finder
        self.fields["pupil"].queryset = finder.pupils

    def search_text(self):
        return self["pupil_search"].value() or ""

    def wants_search(self, asked):
        """Whether a search step should search this picker: its own button was pressed (`asked`), or a name is
        typed in its box and no pupil chosen yet (pressing Enter in any box presses the form's first button)."""
        return asked == self["pupil"].html_name or bool(self.search_text().strip() and not self["pupil"].value())

    def find_pupils(self):
        self.found = self.finder.search(self.search_text())

    @property
    def chosen_pupil(self):
        """The chosen pupil, described as the picker shows them; None when none is chosen or the id was refused."""
        if not self.is_bound or self["pupil"].errors:
            return None
        pupil = self.cleaned_data.get("pupil")
        return self.finder.describe(pupil) if pupil else None

    def fields_beside_picker(self):
        return [self[name] for name in self.fields if name not in PICKER_FIELDS]
