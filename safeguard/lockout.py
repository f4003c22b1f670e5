"""Pausing sign-in after failures, without letting an attacker pause a DSL's account.

Two limits, on django-axes' own record of failed sign-ins:
- an account from one address: AXES_FAILURE_LIMIT failures lock that account at that address only, so wrong
  passwords typed elsewhere cannot keep the DSL out of their account at school;
- one address over every account: SAFEGUARD_LOCKOUT_ADDRESS_FAILURES (higher, since a school's staff share one
  connection) lock the address for everyone, which stops password spraying across many accounts.
Axes compares every lockout parameter with a single limit, so the second limit is added here, in a handler that
counts axes' own rows. A request rate limit (django-ratelimit) would not do: a school's staff sign in from one
address every morning, and only failures say that someone is guessing.
"""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render


def client_address(request):
    """The address a request came from: the peer, or with SAFEGUARD_PROXY_COUNT trusted proxies in front, the address
    the outermost proxy saw. Each proxy appends the address it received from to X-Forwarded-For, so that entry is
    the last `count` from the right; anything to its left was written by the client and is not believed."""
    remote = request.META.get("REMOTE_ADDR")
    count = settings.SAFEGUARD_PROXY_COUNT
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if not count or len(hops) < count:
        return remote  # no proxy, or a request that did not come through all of them
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote


def address_failures(request):
    """Failed sign-ins from the request's address within the cool-off time, over every account."""
    attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0


class AccountAndAddressHandler(AxesDatabaseHandler):
    """Axes' database handler with a second, per-address limit (see the module's docstring).

    A successful sign-in clears only that account's failures at that address (axes resets by the lockout
    parameters), so signing in to one's own account does not wipe out the failures sprayed at others.
    """

    def is_locked(self, request, credentials=None):
        if super().is_locked(request, credentials):
            return True
        if address_failures(request) >= settings.SAFEGUARD_LOCKOUT_ADDRESS_FAILURES:
            request.safeguard_address_locked = True
            return True
        return False

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out:
            return
        if address_failures(request) >= settings.SAFEGUARD_LOCKOUT_ADDRESS_FAILURES:
            request.safeguard_address_locked = True
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )


def _duration(hours):
    minutes = round(hours * 60)
    if minutes % 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return "an hour" if minutes == 60 else f"{minutes // 60} hours"


def lockout_response(request, original_response=None, credentials=None):
    """The calm page shown while sign-in is paused: what happened, for how long, and what to do."""
    context = {
        "address_locked": getattr(request, "safeguard_address_locked", False),
        "duration": _duration(settings.AXES_COOLOFF_TIME),
    }
    return render(request, "registration/locked_out.html", context, status=429)
