from django.http import Http404
from django.shortcuts import render

from .. import extensions, selectors
from ..access import capability_required
from ..audit import shown

extensions.register_trail("pupil", selectors.get_pupil_for_user_or_404)


@capability_required("view_record_audit")
def record_trail(request, kind, pk):
    """A record's full history of changes and of who opened it."""
    lookup = extensions.trail_lookup(kind)
    if lookup is None:
        raise Http404
    obj = lookup(request.user, request.school, pk)
    shown(request, type(obj), [obj.pk])
    history, accesses = selectors.record_trail(obj)
    return render(
        request,
        "safeguard/record_trail.html",
        {"object": obj, "kind": kind, "history": history, "accesses": accesses[:500]},
    )
