"""The administrator is not above the record: the admin is read-only for every model, shows no two-factor secret,
and its sign-in refuses the public demo password on a live system (issue 8, section 1)."""

import pytest
from django.contrib import admin
from django.contrib.auth import SESSION_KEY
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.demo import DEMO_PASSWORD
from safeguard.roles import Role
from tests.factories import admin_user, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def dsl(school):
    return member(Role.DSL, school=school)


@pytest.fixture
def superuser_client(signed_in):
    user = admin_user()
    return signed_in(user), user


def test_every_admin_refuses_adding_changing_and_deleting_even_to_a_superuser(superuser_client):
    _, user = superuser_client
    request = RequestFactory().get("/admin/")
    request.user = user
    assert admin.site._registry, "the admin has models"
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        assert not model_admin.has_add_permission(request), label
        assert not model_admin.has_change_permission(request), label
        assert not model_admin.has_delete_permission(request), label


def test_a_superuser_cannot_set_a_password_or_change_a_user_or_their_groups(dsl, superuser_client):
    client, _ = superuser_client
    password_page = reverse("admin:auth_user_password_change", args=[dsl.pk])
    assert client.post(password_page, {"password1": "taken-over-1!", "password2": "taken-over-1!"}).status_code == 403
    change = client.post(reverse("admin:auth_user_change", args=[dsl.pk]), {"username": "renamed", "is_staff": "on"})
    assert change.status_code == 403
    dsl.refresh_from_db()
    assert dsl.username != "renamed" and not dsl.check_password("taken-over-1!")
    assert client.get(reverse("admin:auth_group_add")).status_code == 403


def test_the_admin_never_shows_a_two_factor_secret(dsl, superuser_client):
    client, _ = superuser_client
    device = TOTPDevice.objects.create(user=dsl, name="phone", confirmed=True)
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])).content.decode()
    assert device.key not in page and "qrcode" not in page.lower()
    assert client.get(reverse("admin:otp_totp_totpdevice_config", args=[device.pk])).status_code in (403, 404)


@override_settings(DEBUG=False)
def test_the_admin_sign_in_refuses_the_demo_password_on_a_live_system(client):
    user = admin_user()
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    response = client.post(reverse("admin:login"), {"username": user.username, "password": DEMO_PASSWORD})
    assert (
        response.status_code == 200 and "Demo passwords cannot be used on a live system." in response.content.decode()
    )
    assert SESSION_KEY not in client.session
