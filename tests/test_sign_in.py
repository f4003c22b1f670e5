"""Signing in: password, lockout, the second factor for everyone who sees case data, idle timeout, passwords."""

import datetime
import io
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.audit import audited_save
from safeguard.demo import DEMO_PASSWORD
from safeguard.lockout import client_address
from safeguard.roles import Role
from tests.factories import UserFactory, admin_user, member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jobs_run_here")]

PASSWORD = "a-long-test-password"  # set by UserFactory
LOGIN_URL = "/account/sign-in/"
IP = "192.0.2.10"


def sign_in(client, username, password, ip=IP):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


# --- password sign-in -------------------------------------------------------------------------------------------


def test_sign_in_with_password_cycles_the_session_key(client, school):
    user = member(Role.STAFF, school=school)
    client_session = client.session  # a session before sign-in, as a visitor would have
    client_session["seen"] = True
    client_session.save()
    before = client_session.session_key

    response = sign_in(client, user.username, PASSWORD)

    assert response.status_code == 302
    assert response.url == "/"
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert signed_in_user_id(client) == str(user.pk)
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused(client, school):
    user = member(Role.STAFF, school=school)
    response = sign_in(client, user.username, "not-the-password")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert signed_in_user_id(client) is None


@override_settings(DEBUG=False)
def test_demo_password_is_refused_on_a_live_system(client, school):
    user = member(Role.STAFF, school=school)
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])

    response = sign_in(client, user.username, DEMO_PASSWORD)

    assert response.status_code == 200
    assert "Demo passwords cannot be used on a live system." in response.content.decode()
    assert signed_in_user_id(client) is None


@override_settings(DEBUG=True)
def test_demo_password_works_in_the_demo(client, school):
    user = member(Role.STAFF, school=school)
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])

    response = sign_in(client, user.username, DEMO_PASSWORD)

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)


# --- lockout ------------------------------------------------------------------------------------------------------

ELSEWHERE = "198.51.100.7"
WRONG = "wrong-password-here"


def fail(client, username, times, ip=IP):
    for _ in range(times):
        response = sign_in(client, username, WRONG, ip=ip)
    return response


def test_lockout_after_repeated_failures_even_with_the_right_password(client, school):
    user = member(Role.STAFF, school=school)
    assert settings.AXES_FAILURE_LIMIT == 3

    response = fail(client, user.username, settings.AXES_FAILURE_LIMIT - 1)
    assert response.status_code == 200
    assert "Sign-in is paused" not in response.content.decode()

    response = fail(client, user.username, 1)
    assert "Sign-in is paused for this account here" in response.content.decode()

    response = sign_in(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert "Sign-in is paused for this account here" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_failures_from_one_address_do_not_keep_a_dsl_out_elsewhere(client, people):
    """An attacker typing wrong passwords for the DSL pauses the DSL's account at the attacker's address only."""
    dsl = people[Role.DSL]
    fail(client, dsl.username, settings.AXES_FAILURE_LIMIT)
    assert sign_in(client, dsl.username, PASSWORD).status_code == 429

    at_school = Client()
    response = sign_in(at_school, dsl.username, PASSWORD, ip=ELSEWHERE)

    assert response.status_code == 302
    assert signed_in_user_id(at_school) == str(dsl.pk)
    # ...and the address the failures came from stays paused for that account.
    assert sign_in(Client(), dsl.username, PASSWORD).status_code == 429


def test_another_account_is_not_locked_by_someone_elses_failures(client, school):
    victim, other = member(Role.STAFF, school=school), member(Role.STAFF, school=school)
    fail(client, victim.username, settings.AXES_FAILURE_LIMIT)

    response = sign_in(Client(), other.username, PASSWORD)

    assert response.status_code == 302


def spray(client, count, ip=IP):
    """One wrong password for each of `count` different accounts: below every account's own limit."""
    for n in range(count):
        response = sign_in(client, f"guess{n}", WRONG, ip=ip)
    return response


def test_failures_over_many_accounts_from_one_address_pause_that_address_for_everyone(client, school):
    limit = settings.SAFEGUARD_LOCKOUT_ADDRESS_FAILURES
    assert settings.AXES_FAILURE_LIMIT < limit == 8
    user = member(Role.STAFF, school=school)

    response = spray(client, limit - 1)
    assert response.status_code == 200 and "Sign-in is paused" not in response.content.decode()
    response = spray(client, 1, ip=IP)
    assert response.status_code == 429
    assert "Sign-in is paused from this connection" in response.content.decode()

    # Nobody signs in from that address, with the right password either...
    response = sign_in(Client(), user.username, PASSWORD)
    assert response.status_code == 429
    assert "Sign-in is paused from this connection" in response.content.decode()
    # ...while another address works as before.
    elsewhere = Client()
    assert sign_in(elsewhere, user.username, PASSWORD, ip=ELSEWHERE).status_code == 302
    assert signed_in_user_id(elsewhere) == str(user.pk)


def test_signing_in_to_ones_own_account_does_not_clear_failures_sprayed_at_others(client, school):
    own = member(Role.STAFF, school=school)
    limit = settings.SAFEGUARD_LOCKOUT_ADDRESS_FAILURES

    spray(client, limit - 1)
    assert sign_in(Client(), own.username, PASSWORD).status_code == 302

    response = sign_in(client, "one-more-guess", WRONG)
    assert response.status_code == 429
    assert "Sign-in is paused from this connection" in response.content.decode()


def test_the_paused_page_is_calm_and_says_what_to_do(client, school):
    user = member(Role.STAFF, school=school)
    page = fail(client, user.username, settings.AXES_FAILURE_LIMIT).content.decode()

    assert "<title>Sign-in paused" in page
    assert "Nothing in the account has changed, and signing in from another connection still works." in page
    assert "What to do" in page
    assert "Try again in an hour." in page
    assert 'href="/account/password-reset/"' in page
    assert "If these attempts were not yours, tell your Safeguard administrator now." in page

    page = spray(Client(), settings.SAFEGUARD_LOCKOUT_ADDRESS_FAILURES, ip=ELSEWHERE).content.decode()
    assert "this may have nothing to do with you" in page
    assert "Try again in an hour, or sign in from another connection." in page


def test_tries_during_a_pause_do_not_lengthen_it(client, school):
    user = member(Role.STAFF, school=school)
    limit = settings.SAFEGUARD_LOCKOUT_ADDRESS_FAILURES
    spray(client, limit)
    paused_since = AccessAttempt.objects.filter(ip_address=IP).latest("attempt_time").attempt_time

    for _ in range(3):  # staff behind the same connection keep trying, with the right password
        assert sign_in(Client(), user.username, PASSWORD).status_code == 429

    attempts = AccessAttempt.objects.filter(ip_address=IP)
    assert sum(a.failures_since_start for a in attempts) == limit
    assert attempts.latest("attempt_time").attempt_time == paused_since


def test_an_administrator_can_lift_a_pause_early(client, school):
    user = member(Role.STAFF, school=school)
    spray(client, settings.SAFEGUARD_LOCKOUT_ADDRESS_FAILURES)
    assert sign_in(Client(), user.username, PASSWORD).status_code == 429

    call_command("axes_reset_ip", IP, stdout=io.StringIO())

    assert sign_in(Client(), user.username, PASSWORD).status_code == 302


@pytest.mark.parametrize(("hours", "words"), [(1.0, "an hour"), (0.5, "30 minutes"), (24.0, "24 hours")])
def test_the_paused_page_says_how_long_in_words(client, school, hours, words):
    user = member(Role.STAFF, school=school)
    with override_settings(AXES_COOLOFF_TIME=hours):
        page = fail(client, user.username, settings.AXES_FAILURE_LIMIT).content.decode()
    assert f"Try again in {words}." in page


def test_the_admin_sign_in_is_paused_at_the_address_too(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": user.username, "password": WRONG}, REMOTE_ADDR=IP)

    response = client.post("/admin/login/", {"username": user.username, "password": PASSWORD}, REMOTE_ADDR=IP)
    assert response.status_code == 429
    assert "Sign-in is paused for this account here" in response.content.decode()
    assert signed_in_user_id(client) is None

    elsewhere = Client()
    response = elsewhere.post("/admin/login/", {"username": user.username, "password": PASSWORD}, REMOTE_ADDR=ELSEWHERE)
    assert response.status_code == 302
    assert signed_in_user_id(elsewhere) == str(user.pk)


def test_the_admin_sign_in_counts_towards_the_address_limit(client, school):
    user = member(Role.STAFF, school=school)
    for n in range(settings.SAFEGUARD_LOCKOUT_ADDRESS_FAILURES):
        client.post("/admin/login/", {"username": f"admin{n}", "password": WRONG}, REMOTE_ADDR=IP)

    assert sign_in(Client(), user.username, PASSWORD).status_code == 429


@override_settings(OTP_TOTP_THROTTLE_FACTOR=60)  # the first wait a minute long, so the test cannot outrun it
def test_wrong_codes_at_the_second_step_slow_further_tries(client, people):
    """The second factor is throttled per device by django-otp: after a wrong code the next is not even checked
    until a wait has passed (OTP_TOTP_THROTTLE_FACTOR seconds, doubling with each further wrong code)."""
    dsl = people[Role.DSL]
    device = TOTPDevice.objects.create(user=dsl, name="phone", confirmed=True)
    client.force_login(dsl)
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid_tokens(device))
    client.post("/account/two-factor/", {"token": wrong})

    token = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"
    client.post("/account/two-factor/", {"token": token})

    assert client.get("/").status_code == 302  # still not through the second step
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


# --- the client's address -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "", "172.18.0.1"),
        (0, "203.0.113.5", "172.18.0.1"),  # no proxy: whatever the client writes is ignored
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "198.51.100.9, 203.0.113.5", "203.0.113.5"),  # the left entry was written by the client
        (2, "198.51.100.9, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (1, "", "172.18.0.1"),  # not through the proxy
        (1, "not-an-address", "172.18.0.1"),
    ],
)
def test_the_lockout_reads_the_address_the_proxy_saw(proxies, forwarded_for, expected):
    request = RequestFactory().post(LOGIN_URL, REMOTE_ADDR="172.18.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)
    with override_settings(SAFEGUARD_PROXY_COUNT=proxies):
        assert client_address(request) == expected


@override_settings(SAFEGUARD_PROXY_COUNT=1)
def test_behind_a_proxy_one_clients_failures_do_not_pause_another(school):
    user = member(Role.STAFF, school=school)
    attacker, dsl_at_school = Client(), Client()
    via_proxy = {"REMOTE_ADDR": "172.18.0.1"}
    for n in range(settings.SAFEGUARD_LOCKOUT_ADDRESS_FAILURES):
        attacker.post(
            LOGIN_URL,
            {"username": f"guess{n}", "password": WRONG},
            HTTP_X_FORWARDED_FOR=f"{ELSEWHERE}, 203.0.113.66",  # a forged first entry changes nothing
            **via_proxy,
        )

    response = dsl_at_school.post(
        LOGIN_URL, {"username": user.username, "password": PASSWORD}, HTTP_X_FORWARDED_FOR=IP, **via_proxy
    )
    assert response.status_code == 302


# --- two-factor ---------------------------------------------------------------------------------------------------


def valid_tokens(device):
    """Every code the device would accept now (its window allows a step either side)."""
    return {
        f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + d):0{device.digits}d}"
        for d in range(-device.tolerance - 1, device.tolerance + 2)
    }


def pending_device(user):
    return TOTPDevice.objects.get(user=user, confirmed=False)


def enrol_link(client, user, django_capture_on_commit_callbacks):
    """Give the password again and return the path of the emailed enrolment link."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/two-factor/start/", {"password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/account/two-factor/"
    message = mail.outbox[-1]
    assert message.to == [user.email]
    return re.search(r"http://testserver(/account/two-factor/link/\S+/)", message.body).group(1)


def begin_enrolment(client, user, django_capture_on_commit_callbacks):
    """The whole first step: password, emailed link, its button. Returns the pending device."""
    client.post(enrol_link(client, user, django_capture_on_commit_callbacks))
    return pending_device(user)


def test_dsl_without_a_device_is_sent_to_enrol_and_no_get_creates_a_device(client, people):
    dsl = people[Role.DSL]
    client.force_login(dsl)

    response = client.get("/")
    assert response.status_code == 302
    assert response.url == "/account/two-factor/?next=%2F"
    assert client.get("/pupils/").url.startswith("/account/two-factor/")

    response = client.get(response.url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Set up two-step sign-in" in page
    assert "Set up an authenticator app" in page
    assert 'action="/account/two-factor/start/"' in page
    assert "qr.svg" not in page
    assert client.get("/account/two-factor/qr.svg").status_code == 404
    assert client.get("/account/two-factor/start/").status_code == 405
    assert not TOTPDevice.objects.filter(user=dsl).exists()


def test_enrolment_asks_for_the_password_again(client, people, django_capture_on_commit_callbacks):
    dsl = people[Role.DSL]
    client.force_login(dsl)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/two-factor/start/", {"password": "not-the-password"})

    assert response.status_code == 200
    assert response.context["start_form"].errors["password"] == ["That password is not right. Check it and try again."]
    assert 'id="id_password_error"' in response.content.decode()
    assert mail.outbox == []
    assert not TOTPDevice.objects.filter(user=dsl).exists()


def test_guessing_the_password_at_enrolment_counts_towards_the_lockout(client, people):
    dsl = people[Role.DSL]
    client.force_login(dsl)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/account/two-factor/start/", {"password": "a-guess"}, REMOTE_ADDR=IP)

    response = client.post("/account/two-factor/start/", {"password": PASSWORD}, REMOTE_ADDR=IP)

    assert response.context["start_form"].errors["password"]
    assert not TOTPDevice.objects.filter(user=dsl).exists()


def test_enrolment_goes_on_through_an_emailed_one_time_link(client, people, django_capture_on_commit_callbacks):
    dsl = people[Role.DSL]
    client.force_login(dsl)

    link = enrol_link(client, dsl, django_capture_on_commit_callbacks)
    assert "We have emailed a link" in client.get("/account/two-factor/").content.decode()
    assert not TOTPDevice.objects.filter(user=dsl).exists()

    # Opening the link shows a button; only pressing it creates the device.
    response = client.get(link)
    assert response.status_code == 200
    assert "Show the code to scan" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=dsl).exists()
    response = client.post(link)
    assert response.status_code == 302
    assert response.url == "/account/two-factor/"
    device = pending_device(dsl)

    page = client.get("/account/two-factor/").content.decode()
    assert 'src="/account/two-factor/qr.svg"' in page
    assert device.key in page
    qr = client.get("/account/two-factor/qr.svg")
    assert qr.status_code == 200
    assert qr["Content-Type"] == "image/svg+xml"
    assert b"<svg" in qr.content

    # The link works once.
    assert "This link no longer works" in client.get(link).content.decode()
    client.post(link)
    assert TOTPDevice.objects.filter(user=dsl).count() == 1


def test_someone_elses_enrolment_link_does_not_work(client, people, django_capture_on_commit_callbacks):
    dsl, deputy = people[Role.DSL], people[Role.DEPUTY_DSL]
    client.force_login(dsl)
    link = enrol_link(client, dsl, django_capture_on_commit_callbacks)

    other = Client()
    other.force_login(deputy)
    assert "This link no longer works" in other.get(link).content.decode()
    other.post(link)
    assert not TOTPDevice.objects.exists()


def test_without_an_email_address_the_password_leads_straight_to_the_code(client, people):
    dsl = people[Role.DSL]
    dsl.email = ""
    audited_save(dsl, actor=admin_user(), reason="No email address", update_fields=["email"])
    client.force_login(dsl)

    response = client.post("/account/two-factor/start/", {"password": PASSWORD})

    assert response.status_code == 302
    assert mail.outbox == []
    assert pending_device(dsl).key in client.get("/account/two-factor/").content.decode()


def test_correct_code_confirms_the_device_and_opens_the_site(client, people, django_capture_on_commit_callbacks):
    dsl = people[Role.DSL]
    client.force_login(dsl)
    device = begin_enrolment(client, dsl, django_capture_on_commit_callbacks)
    token = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"

    response = client.post("/account/two-factor/?next=/pupils/", {"token": token, "next": "/pupils/"})

    assert response.status_code == 302
    assert response.url == "/pupils/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200
    assert client.get("/pupils/").status_code == 200
    # Once confirmed, the enrolment QR code is no longer handed out.
    assert client.get("/account/two-factor/qr.svg").status_code == 404


def test_wrong_code_is_a_field_error(client, people, django_capture_on_commit_callbacks):
    dsl = people[Role.DSL]
    client.force_login(dsl)
    device = begin_enrolment(client, dsl, django_capture_on_commit_callbacks)
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid_tokens(device))

    response = client.post("/account/two-factor/", {"token": wrong})

    assert response.status_code == 200
    assert response.context["form"].errors["token"] == [
        "That code did not match. Check the time on your phone and try the newest code."
    ]
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/").status_code == 302


def test_code_that_is_not_digits_is_a_field_error(client, people):
    TOTPDevice.objects.create(user=people[Role.DSL], name="phone", confirmed=True)
    client.force_login(people[Role.DSL])
    response = client.post("/account/two-factor/", {"token": "abcdef"})
    assert response.context["form"].errors["token"] == ["Enter the six digits shown in your app."]


def test_an_enrolled_dsl_signing_in_again_is_asked_for_a_code_not_enrolment(client, people):
    dsl = people[Role.DSL]
    TOTPDevice.objects.create(user=dsl, name="phone", confirmed=True)
    client.force_login(dsl)

    response = client.get("/", follow=True)

    page = response.content.decode()
    assert "Enter your sign-in code" in page
    assert "qr.svg" not in page
    assert client.get("/account/two-factor/qr.svg").status_code == 404


def test_staff_are_not_asked_for_a_second_factor(client, people):
    client.force_login(people[Role.STAFF])
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("role", [Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER, Role.INSPECTOR, Role.TRUST_LEAD])
def test_every_role_that_sees_case_data_is_asked(client, people, role):
    client.force_login(people[role])
    assert client.get("/").url.startswith("/account/two-factor/")


@override_settings(SAFEGUARD_TWO_FACTOR_REQUIRED=False)
def test_nobody_is_asked_when_two_factor_is_switched_off(client, people):
    for role in (Role.DSL, Role.HEADTEACHER, Role.TRUST_LEAD):
        client.force_login(people[role])
        assert client.get("/").status_code == 200


# --- idle timeout -------------------------------------------------------------------------------------------------


def test_idle_timeout_defaults():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    # Renewed by IdleTimeoutMiddleware at most once a minute, not written on every request.
    assert settings.SESSION_SAVE_EVERY_REQUEST is False


def test_requests_within_a_minute_renew_the_session_once(school, signed_in):
    client = signed_in(member(Role.STAFF, school=school))
    key = client.session.session_key
    assert client.get("/").status_code == 200
    renewed = Session.objects.get(session_key=key).expire_date
    Session.objects.filter(session_key=key).update(expire_date=renewed - datetime.timedelta(seconds=5))

    assert client.get("/").status_code == 200

    assert Session.objects.get(session_key=key).expire_date == renewed - datetime.timedelta(seconds=5)


def test_each_request_renews_the_session(school, signed_in):
    client = signed_in(member(Role.STAFF, school=school))
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + datetime.timedelta(minutes=1))

    assert client.get("/").status_code == 200

    expires = Session.objects.get(session_key=key).expire_date
    assert expires > timezone.now() + datetime.timedelta(minutes=29)


def test_an_idle_session_is_signed_out(school, signed_in):
    client = signed_in(member(Role.STAFF, school=school))
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    cache.clear()  # the cached copy expires with it: it was stored for the same idle time

    response = client.get("/pupils/")

    assert response.status_code == 302
    assert response.url.startswith("/account/sign-in/")
    assert signed_in_user_id(client) is None


# --- passwords ----------------------------------------------------------------------------------------------------


def test_password_change_needs_twelve_characters(school, signed_in):
    user = member(Role.STAFF, school=school)
    client = signed_in(user)

    eleven = "Kestrel-7hz"
    assert len(eleven) == 11
    response = client.post(
        "/account/password/", {"old_password": PASSWORD, "new_password1": eleven, "new_password2": eleven}
    )
    assert response.status_code == 200
    assert any("at least 12 characters" in e for e in response.context["form"].errors["new_password2"])
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    twelve = eleven + "q"
    response = client.post(
        "/account/password/", {"old_password": PASSWORD, "new_password1": twelve, "new_password2": twelve}
    )
    assert response.status_code == 302
    assert response.url == "/account/password/done/"
    user.refresh_from_db()
    assert user.check_password(twelve)
    # The session survives the change (Django updates its hash).
    assert client.get("/").status_code == 200


def test_password_reset_sends_a_working_link(client, school):
    user = member(Role.STAFF, school=school)

    response = client.post("/account/password-reset/", {"email": user.email})

    assert response.status_code == 302
    assert response.url == "/account/password-reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert user.username in message.body
    link = re.search(r"http://testserver(/account/password-reset/\S+/\S+/)", message.body).group(1)

    response = client.get(link, follow=True)
    assert response.status_code == 200
    assert response.context["validlink"]
    form_url = response.redirect_chain[-1][0]

    new = "Heron-quiet-river-42"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert response.url == "/account/password-reset/complete/"
    user.refresh_from_db()
    assert user.check_password(new)

    # The link works once only.
    response = client.get(link, follow=True)
    assert not response.context["validlink"]


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post("/account/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response.url == "/account/password-reset/sent/"
    assert mail.outbox == []


def test_pages_that_need_no_sign_in_are_reachable(client):
    UserFactory()
    assert client.get(LOGIN_URL).status_code == 200
    assert client.get("/account/password-reset/").status_code == 200
    assert client.get("/").url.startswith(LOGIN_URL)
