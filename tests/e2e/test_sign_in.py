"""Each role signs in through the real pages, past the second factor, and lands on its own dashboard."""

import re

import pytest
from django.core import mail
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.roles import Role
from tests.factories import PupilFactory, member

PASSWORD = "a-long-test-password"


def sign_in(browse, user, viewport=None):
    view = browse(viewport)
    page = view.page
    page.goto("/")
    assert page.url.endswith("/account/sign-in/?next=/")
    view.check()
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return view


def current_code(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def enrol_second_factor(view, user, password=PASSWORD):
    """First sign-in of a role that needs a second factor: the password again, the emailed link and its button, then
    the QR code, and a code computed from the device's secret as the phone's app would."""
    page = view.page
    page.get_by_role("heading", name="Set up two-step sign-in").wait_for()
    view.check()
    page.get_by_label("Your password").fill(password)
    page.get_by_role("button", name="Set up an authenticator app").click()
    page.get_by_text("We have emailed a link").wait_for()
    assert not TOTPDevice.objects.filter(user=user).exists()
    link = re.search(r"https?://[^/\s]+(/account/two-factor/link/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(link)
    view.check()
    page.get_by_role("button", name="Show the code to scan").click()
    # The QR code is its own SVG URL: wait until the browser has loaded and decoded it.
    page.wait_for_function(
        "() => { const img = document.querySelector('img.qr-code'); return img.complete && img.naturalWidth > 0; }"
    )
    view.check()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert device.key in page.content()  # the key for typing in, from which the app computes its codes
    page.get_by_label("Six-digit code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Confirm and continue").click()


@pytest.mark.parametrize(
    "role", [Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER, Role.TRUST_LEAD, Role.INSPECTOR], ids=lambda r: r.value
)
def test_role_enrols_second_factor_and_sees_own_dashboard(browse, school, other_school, trust, role):
    PupilFactory(school=other_school, first_name="Quillon")
    user = member(role, trust=trust) if role == Role.TRUST_LEAD else member(role, school=school)
    view = sign_in(browse, user)
    page = view.page

    enrol_second_factor(view, user)

    page.get_by_role("heading", level=1).wait_for()
    view.check()
    body = page.locator("main").inner_text()
    assert f"Your role here: {role.label}" in body
    if role == Role.TRUST_LEAD:
        assert school.name in body and other_school.name in body  # oversight across the trust
    else:
        assert school.name in body and other_school.name not in body
    assert "Quillon" not in page.content()
    assert not view.console_errors, view.console_errors


def test_staff_signs_in_at_phone_width_without_second_factor(browse, school):
    user = member(Role.STAFF, school=school)
    view = sign_in(browse, user, viewport={"width": 375, "height": 740})
    page = view.page
    page.get_by_role("heading", name=school.name).wait_for()
    view.check()
    assert "The safeguarding team" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_wrong_password_is_explained_next_to_the_form(browse, school):
    user = member(Role.STAFF, school=school)
    view = browse()
    page = view.page
    page.goto("/account/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("alert").wait_for()
    view.check()
    assert "There is a problem" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Username").input_value() == user.username  # nothing typed is lost
