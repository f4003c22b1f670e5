"""Per-request context: the current school and the user's roles in it, the two-factor gate, and the access log."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from . import extensions
from .audit import log_shown
from .memberships import ROLES_CACHE_ATTR, schools_and_roles_for_user
from .roles import TWO_FACTOR_ROLES
from .views.errors import not_found

SESSION_SCHOOL_KEY = "current_school_id"
SESSION_SEEN_KEY = "seen_at"
# How stale the idle clock may get: the session is written at most this often, not on every request.
IDLE_CLOCK_RESOLUTION_SECONDS = 60


class CurrentSchoolMiddleware:
    """Sets request.school and request.roles, re-checked against active memberships on every request.

    A membership past its end date, or ended, counts as none from that moment, even before any task tidies up.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.school, request.schools, request.roles = None, [], frozenset()
        if request.user.is_authenticated:
            found = schools_and_roles_for_user(request.user)
            # Everything later in this request (selectors, services, policy) reads the roles from here
            # (safeguard.memberships), so they are read once.
            setattr(request.user, ROLES_CACHE_ATTR, {school.pk: roles for school, roles in found.items()})
            request.schools = list(found)  # by name, as School orders them
            chosen = request.session.get(SESSION_SCHOOL_KEY)
            request.school = next((s for s in request.schools if s.pk == chosen), None) or next(
                iter(request.schools), None
            )
            if request.school is not None:
                if chosen != request.school.pk:
                    request.session[SESSION_SCHOOL_KEY] = request.school.pk
                request.roles = found[request.school]
        return self.get_response(request)


class AccessLogMiddleware:
    """Logs each record a page showed (noted by audit.shown as the selectors hand records over), in one write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        log_shown(request, response)
        return response


class NoStoreWhenSignedInMiddleware:
    """`Cache-Control: no-store` (and the rest of never-cache) on every answer to a signed-in person."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class IdleTimeoutMiddleware:
    """Keeps a signed-in session alive for SESSION_COOKIE_AGE past the last request, writing it at most once a
    minute rather than on every request (SESSION_SAVE_EVERY_REQUEST would cost a write per page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            now = int(timezone.now().timestamp())
            if now - session.get(SESSION_SEEN_KEY, 0) >= IDLE_CLOCK_RESOLUTION_SECONDS:
                session[SESSION_SEEN_KEY] = now  # marks the session modified, so it is saved with a new expiry
        return self.get_response(request)


def needs_two_factor(user):
    """Whether this person holds, anywhere, a role that signs in with a second factor."""
    if not settings.SAFEGUARD_TWO_FACTOR_REQUIRED:
        return False
    if user.is_staff or user.is_superuser:  # the admin shows audit trails
        return True
    if user.memberships.active().filter(role__in=TWO_FACTOR_ROLES).exists():
        return True
    # A grant in force (an inspector's) gives its role just as a membership does.
    return any(s.role in TWO_FACTOR_ROLES and s.grants(user).exists() for s in extensions.case_grant_sources())


class TwoFactorRequiredMiddleware:
    """Until a person who needs a second factor has given one, every page but the two-factor pages is closed."""

    ALLOWED_URL_NAMES = {"two_factor", "two_factor_start", "two_factor_link", "two_factor_qr", "logout"}

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


class NotFoundPageMiddleware:
    """With DEBUG on (the demo), "not found" is still the product's own page, as on a live system: Django's debug
    404 page would list every address of the site. An error (500) keeps the debug page, for the developer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # No view answers this address (nothing resolved it), so the 404 is Django's own debug page.
        if settings.DEBUG and response.status_code == 404 and request.resolver_match is None:
            return not_found(request)
        return response

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return not_found(request, exception)
        return None
