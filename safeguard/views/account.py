"""Two-factor sign-in: enrolment of an authenticator app at first sign-in, then a code at every sign-in.

Enrolment: the password again (a POST), then, where the account has an email address, the emailed one-time link
(its page asks for a click: a POST), and only then a device is created; its QR code is shown until a code from the
app confirms it. No GET in this flow writes anything.
"""

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import authenticate
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login

from ..enrolment import enrolment_begin, enrolment_tokens, pending_device, pending_device_create
from ..forms import PasswordAgainForm, TokenForm
from ..middleware import needs_two_factor


def _safe_next(request):
    """The page to go on to: a path on this site, never another site, and never a bare word (which redirect() would
    try as a URL name)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    on_this_site = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if on_this_site and target.startswith("/") else None


def _done(request):
    return request.user.is_verified() or not needs_two_factor(request.user)


def _page(request, *, form=None, start_form=None):
    """The two-factor page in whichever step the person is: starting enrolment, scanning a code, or giving one."""
    confirmed = list(devices_for_user(request.user, confirmed=True))
    pending = None if confirmed else pending_device(request.user)
    context = {"next": _safe_next(request) or "", "enrolling": not confirmed}
    if confirmed or pending:
        context["form"] = form or TokenForm()
        context["secret"] = pending.key if pending else None
    else:
        context["start_form"] = start_form or PasswordAgainForm()
    return render(request, "registration/two_factor.html", context)


@never_cache
def two_factor(request):
    """Ask for a code from a confirmed device, or from the device being enrolled; without either, offer to start."""
    if _done(request):
        return redirect(_safe_next(request) or "dashboard")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = list(devices_for_user(request.user, confirmed=True))
        pending = None if confirmed else pending_device(request.user)
        candidates = confirmed or ([pending] if pending else [])
        device = next((d for d in candidates if d.verify_token(form.cleaned_data["token"])), None)
        if device is not None:
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_safe_next(request) or "dashboard")
        form.add_error("token", "That code did not match. Check the time on your phone and try the newest code.")
    return _page(request, form=form if request.method == "POST" else None)


@require_POST
@never_cache
def two_factor_start(request):
    """Begin enrolment: the password again; then the emailed link, or (with no email address) the QR code."""
    if _done(request) or any(devices_for_user(request.user, confirmed=None)):
        return redirect("two_factor")
    start_form = PasswordAgainForm(request.POST)
    if start_form.is_valid():
        # authenticate() goes through the lockout, so a stolen session cannot guess the password here either.
        password = start_form.cleaned_data["password"]
        if authenticate(request, username=request.user.get_username(), password=password) == request.user:
            if enrolment_begin(user=request.user, link_base=f"{request.scheme}://{request.get_host()}"):
                messages.success(
                    request,
                    f"We have emailed a link to {request.user.email}. Open it in this browser to go on. "
                    "It can take a few minutes to arrive.",
                )
            return redirect("two_factor")
        start_form.add_error("password", "That password is not right. Check it and try again.")
    return _page(request, start_form=start_form)


@never_cache
def two_factor_link(request, token):
    """The emailed link: its page asks for a click (GET shows, POST creates the device to scan)."""
    if _done(request):
        return redirect("dashboard")
    valid = not any(devices_for_user(request.user, confirmed=None)) and enrolment_tokens.check_token(
        request.user, token
    )
    if valid and request.method == "POST":
        pending_device_create(user=request.user)
        return redirect("two_factor")
    return render(request, "registration/two_factor_link.html", {"valid": valid})


@never_cache
def two_factor_qr(request):
    """The QR code of the device being enrolled, as an SVG image; 404 when no enrolment is under way."""
    device = None if request.user.is_verified() else pending_device(request.user)
    if device is None or any(devices_for_user(request.user, confirmed=True)):
        raise Http404
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return HttpResponse(image.to_string(), content_type="image/svg+xml")
