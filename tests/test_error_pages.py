"""Error pages say what happened in plain words and reveal nothing about the record asked for."""

from django.test import override_settings
from django.urls import include, path

from safeguard.roles import Role
from tests.factories import PupilFactory, member


def main_of(response):
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


def boom(request):
    raise RuntimeError("secret detail: pupil Zephyrine")


urlpatterns = [path("", include("safeguard.urls")), path("boom/", boom)]


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_server_error_page_reveals_nothing(people, signed_in, school):
    client = signed_in(people[Role.DSL], school=school)
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "Zephyrine" not in body and "RuntimeError" not in body


@override_settings(DEBUG=False)
def test_another_schools_pupil_is_an_ordinary_not_found_page(school, other_school, signed_in):
    pupil = PupilFactory(school=school, first_name="Zephyrine")
    client = signed_in(member(Role.DSL, school=other_school), school=other_school)
    missing = client.get("/pupils/999999/")
    hidden = client.get(f"/pupils/{pupil.pk}/")
    assert hidden.status_code == missing.status_code == 404
    assert "Zephyrine" not in hidden.content.decode()
    # The same page: "not yours" cannot be told from "not there".
    assert main_of(hidden) == main_of(missing)


@override_settings(DEBUG=False)
def test_forbidden_page_explains_without_detail(school, signed_in):
    client = signed_in(member(Role.STAFF, school=school), school=school)
    response = client.get("/pupils/")
    assert response.status_code == 403
    assert "not available to you" in response.content.decode()


@override_settings(ROOT_URLCONF=__name__, DEBUG=True)
def test_with_debug_on_not_found_is_still_the_products_page_and_an_error_keeps_the_debug_page(
    people, signed_in, school
):
    client = signed_in(people[Role.DSL], school=school)
    no_such_address = client.get("/no-such-page/")
    no_such_pupil = client.get("/pupils/999999/")  # the view raises Http404
    for response in (no_such_address, no_such_pupil):
        assert response.status_code == 404
        assert "Page not found" in main_of(response)
        assert "URLconf" not in response.content.decode()  # Django's debug page lists every address
    assert main_of(no_such_address) == main_of(no_such_pupil)
    assert client.get("/pupils")["Location"] == "/pupils/"  # a missing slash is still added

    client.raise_request_exception = False
    error = client.get("/boom/")
    assert error.status_code == 500 and "secret detail" in error.content.decode()  # the developer's debug page
