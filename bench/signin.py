"""Signing in without the sign-in form: a session row made directly, as Client.force_login makes one.

The benchmark times pages, not the sign-in, so each timed person gets a session holding the auth keys (and,
for the app, a confirmed TOTP device and the current school), and the load client sends its key as a cookie.
Works under any settings module: the app's and the floor's.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def session_key(user, **extra):
    """A new saved session for `user` with `extra` keys; returns the value of its cookie."""
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = MODEL_BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.update(extra)
    session.save()
    return session.session_key


def app_session_key(user, school):
    """A session for the app past the second factor (a confirmed TOTP device), in `school`."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safeguard.middleware import SESSION_SCHOOL_KEY

    device = TOTPDevice.objects.filter(user=user, name="bench", confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    return session_key(user, otp_device_id=device.persistent_id, **{SESSION_SCHOOL_KEY: school.pk})
