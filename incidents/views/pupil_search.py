"""The live search behind each pupil picker (htmx): the pupils found, as buttons that choose one.

Each page's picker asks its own endpoint, gated by the capability the page needs, and finds only the pupils that
page may offer. A search is a read of names, year groups and (for the DSL team) dates of birth, never of case
data, so it writes nothing, not even an access-log entry.
"""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from safeguard.access import capability_required

from .. import selectors


def _results(request, finder):
    # The search box's name carries its form's prefix (people-0-pupil_search); htmx sends that name with the request.
    name = request.htmx.trigger_name
    found = finder.search(request.GET.get(name, "") if name else "")
    return render(request, "incidents/partials/pupil_results.html", {"found": found})


@require_GET
@capability_required("log_concern")
def concern_pupil_search(request):
    """For the concern form and the case's "add a person" page: pupils on roll."""
    return _results(request, selectors.pupil_finder_to_name(request.user, request.school))


@require_GET
@capability_required("view_cases")
def case_pupil_search(request):
    """For the case list's pupil filter: the register the user may see, pupils who have left included."""
    return _results(request, selectors.pupil_finder_for_cases(request.user, request.school))
