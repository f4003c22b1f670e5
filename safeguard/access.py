"""View-level gates. Object-level scoping is the selectors' job; these say which roles may open a page at all."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from . import policy


def capability_required(capability):
    """Refuse (403) unless the user's roles in the current school carry `capability`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.school is None or not policy.can(request.roles, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.capability = capability
        return wrapped

    return decorator
