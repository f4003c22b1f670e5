"""Two-factor sign-in: enrolment with a QR code at first sign-in, then a code at every sign-in."""

import qrcode
import qrcode.image.svg
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..forms import TokenForm
from ..middleware import needs_two_factor

ENROLMENT_DEVICE_NAME = "Authenticator app"


def _pending_device(user):
    """The unconfirmed device a person is enrolling, created on first visit and kept until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=ENROLMENT_DEVICE_NAME, confirmed=False)


def _safe_next(request):
    """The page to go on to: a path on this site, never another site, and never a bare word (which redirect() would
    try as a URL name)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    on_this_site = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if on_this_site and target.startswith("/") else None


@never_cache
def two_factor(request):
    """Ask for a code; a person with no confirmed device first enrols one from the QR code shown."""
    if request.user.is_verified() or not needs_two_factor(request.user):
        return redirect(_safe_next(request) or "dashboard")
    confirmed = list(devices_for_user(request.user, confirmed=True))
    enrolling = not confirmed
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        candidates = [_pending_device(request.user)] if enrolling else confirmed
        device = next((d for d in candidates if d.verify_token(token)), None)
        if device is not None:
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_safe_next(request) or "dashboard")
        form.add_error("token", "That code did not match. Check the time on your phone and try the newest code.")
    context = {"form": form, "enrolling": enrolling, "next": _safe_next(request) or ""}
    if enrolling:
        context["secret"] = _pending_device(request.user).key
    return render(request, "registration/two_factor.html", context)


@never_cache
def two_factor_qr(request):
    """The enrolment QR code, as an SVG image (a separate URL keeps the page free of inline markup)."""
    if request.user.is_verified() or any(devices_for_user(request.user, confirmed=True)):
        return HttpResponse(status=404)
    image = qrcode.make(_pending_device(request.user).config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return HttpResponse(image.to_string(), content_type="image/svg+xml")
