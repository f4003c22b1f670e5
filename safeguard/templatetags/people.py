"""How a person is named on a page: their full name, else their username."""

from django import template

from safeguard.people import person_name

register = template.Library()


@register.filter
def person(user, missing="–"):
    """`{{ user|person }}`: the user's full name, or username; `missing` when there is no one."""
    if user is None:
        return missing
    return person_name(user)


@register.filter
def people_involved(involvements):
    """`{{ case.current_involvements|people_involved }}`: "Name (part); Name (part)", built in one step, since a
    list shows it on every row."""
    return "; ".join(f"{person.name} ({person.get_part_display().lower()})" for person in involvements)
