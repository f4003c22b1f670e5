"""Asking again for the password or a two-factor code before a signature (sign-off, closure).

The service checks the secret itself rather than trusting a flag from its caller: a `reauthenticated=True`
argument could be passed by any code path, and then the signature would prove nothing.
"""

from django_otp import devices_for_user

from .errors import Problem, ReauthenticationFailed
from .models import ReauthMethod


def reauthenticate(*, user, password=None, otp_token=None):
    """Check `user`'s current two-factor code or password; return the ReauthMethod that passed, or raise.

    Call this outside any transaction the caller might roll back on failure: a TOTP device counts failed codes
    to slow guessing, and that count must be kept.
    """
    if otp_token:
        token = str(otp_token).strip().replace(" ", "")
        for device in devices_for_user(user, confirmed=True):
            if device.verify_token(token):
                return ReauthMethod.TWO_FACTOR
    if password and user.check_password(password):
        return ReauthMethod.PASSWORD
    raise ReauthenticationFailed(
        Problem(
            "That password or code was not right, so nothing has been signed. Please try again."
            if (password or otp_token)
            else "Please confirm it is you: enter your password or a code from your authenticator app.",
            field="password",
        )
    )
