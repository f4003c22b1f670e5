"""Per-request context: the current school and the user's roles in it, and the two-factor gate."""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from . import selectors
from .roles import TWO_FACTOR_ROLES

SESSION_SCHOOL_KEY = "current_school_id"


class CurrentSchoolMiddleware:
    """Sets request.school and request.roles, re-checked against active memberships on every request.

    A membership past its end date, or ended, counts as none from that moment, even before any task tidies up.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.school, request.schools, request.roles = None, [], frozenset()
        if request.user.is_authenticated:
            request.schools = list(selectors.schools_for_user(request.user))
            chosen = request.session.get(SESSION_SCHOOL_KEY)
            request.school = next((s for s in request.schools if s.pk == chosen), None) or next(
                iter(request.schools), None
            )
            if request.school is not None:
                request.session[SESSION_SCHOOL_KEY] = request.school.pk
                request.roles = selectors.roles_in_school(request.user, request.school)
        return self.get_response(request)


def needs_two_factor(user):
    """Whether this person holds, anywhere, a role that signs in with a second factor."""
    if not settings.SAFEGUARD_TWO_FACTOR_REQUIRED:
        return False
    if user.is_staff or user.is_superuser:  # the admin shows audit trails
        return True
    return user.memberships.active().filter(role__in=TWO_FACTOR_ROLES).exists()


class TwoFactorRequiredMiddleware:
    """Until a person who needs a second factor has given one, every page but the two-factor pages is closed."""

    ALLOWED_URL_NAMES = {"two_factor", "two_factor_qr", "logout"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified() or not needs_two_factor(user):
            return None
        if request.resolver_match and request.resolver_match.url_name in self.ALLOWED_URL_NAMES:
            return None
        return redirect(f"{reverse('two_factor')}?{urlencode({'next': request.get_full_path()})}")
