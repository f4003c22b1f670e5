"""Two-factor enrolment: a device is created only by a POST, after the password again and, where the account has
an email address, an emailed one-time link (so a stolen session alone cannot enrol the thief's phone)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import outbox

ENROLMENT_DEVICE_NAME = "Authenticator app"


class EnrolmentTokenGenerator(PasswordResetTokenGenerator):
    """One-time enrolment links: a link stops working once any device exists for the person, or their password
    changes, and after PASSWORD_RESET_TIMEOUT like a password reset."""

    key_salt = "safeguard.enrolment.EnrolmentTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        devices = ",".join(str(pk) for pk in TOTPDevice.objects.filter(user=user).order_by("pk").values_list("pk"))
        return f"{user.pk}{user.password}{timestamp}{devices}"


enrolment_tokens = EnrolmentTokenGenerator()


def pending_device(user):
    """The device a person has begun to enrol and not yet confirmed with a code, or None. Never creates one."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()


@transaction.atomic
def enrolment_begin(*, user, link_base):
    """After the password was given again: email the one-time link where the account has an email address (True),
    else create the pending device at once (False). `link_base` is the site's address, for the link."""
    if user.email:
        # Queued with the outbox; the row holds the person's id, and the link is made when the email is sent.
        outbox.enqueue("safeguard.tasks.enrolment_link_email", user_id=user.pk, link_base=link_base)
        return True
    pending_device_create(user=user)
    return False


def enrolment_link_email_send(*, user_id, link_base):
    """The email with the one-time enrolment link."""
    user = get_user_model().objects.get(pk=user_id)
    link = link_base + reverse("two_factor_link", kwargs={"token": enrolment_tokens.make_token(user)})
    send_mail(
        "Set up two-step sign-in for Safeguard",
        f"Hello,\n\nTo set up an authenticator app for the Safeguard account {user.get_username()}, open this link "
        f"in the browser where you are signed in:\n\n{link}\n\nThe link works once. If you did not ask for it, you "
        "can ignore this email, and tell your designated safeguarding lead.",
        None,
        [user.email],
    )


@transaction.atomic
def pending_device_create(*, user):
    """The unconfirmed device for the person to scan, created once (a second call returns the same one)."""
    get_user_model().objects.select_for_update().get(pk=user.pk)  # two tabs at once still make one device
    return pending_device(user) or TOTPDevice.objects.create(user=user, name=ENROLMENT_DEVICE_NAME, confirmed=False)
