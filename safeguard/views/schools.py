from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from ..middleware import SESSION_SCHOOL_KEY


@require_POST
def school_switch(request):
    """Make another of the user's schools the current one; a school that is not theirs is ignored."""
    try:
        wanted = int(request.POST.get("school", ""))
    except ValueError:
        wanted = None
    if any(s.pk == wanted for s in request.schools):
        request.session[SESSION_SCHOOL_KEY] = wanted
    # Always the dashboard: the page the user came from belongs to the school they just left.
    return redirect("dashboard")
