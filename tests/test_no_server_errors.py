"""Inputs that once gave a server error now get an ordinary answer (issue 8, section 6)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from incidents.filters import pupils_named
from safeguard.roles import Role
from tests.factories import TEST_PASSWORD, PupilFactory, make_case, member, pupil_register, two_factor_code

pytestmark = pytest.mark.django_db


def test_a_bare_word_as_next_after_the_second_factor_goes_to_the_dashboard(client, school):
    dsl = member(Role.DSL, school=school)
    client.post(reverse("login"), {"username": dsl.username, "password": TEST_PASSWORD})
    response = client.post(reverse("two_factor"), {"token": two_factor_code(dsl), "next": "cases"})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


def test_a_register_with_an_enormous_field_is_refused_with_a_message(client, signed_in, school):
    dsl = member(Role.DSL, school=school)
    signed_in(dsl, school=school)
    text = "upn,first_name,last_name,date_of_birth,year_group,sex\n" + '"' + "x" * 140_000 + '",A,B,2012-01-01,8,F\n'
    upload = SimpleUploadedFile("register.csv", text.encode(), content_type="text/csv")
    response = client.post(reverse("pupil_import"), {"file": upload})
    assert response.status_code == 200 and "cannot be read as a register" in response.content.decode()


def test_a_sign_in_name_of_256_characters_is_a_wrong_sign_in(client, db):
    response = client.post(reverse("login"), {"username": "a" * 256, "password": "whatever"})
    assert response.status_code == 200 and response.context["form"].errors


def test_changing_the_owner_of_a_closed_case_is_refused_not_an_error(client, signed_in, school):
    case = make_case(school=school, state="closed")
    dsl = case.closed_by
    signed_in(dsl, school=school)
    response = client.post(reverse("incidents:owner_set", kwargs={"pk": case.pk}), {"owner": dsl.pk})
    assert response.status_code in (200, 403) and "closed" in response.content.decode()


def test_a_case_search_of_hundreds_of_words_is_refused_beside_the_field(client, signed_in, school):
    dsl = member(Role.DSL, school=school)
    signed_in(dsl, school=school)
    response = client.get(reverse("incidents:case_list"), {"q": " ".join(["smith"] * 300)})
    assert response.status_code == 200
    assert "at most 5 words" in " ".join(response.context["form"].errors["q"])
    response = client.get(reverse("incidents:case_list"), {"q": "x" * 500})
    assert response.context["form"].errors["q"]


def test_a_page_cursor_edited_to_fall_off_the_calendar_gives_the_first_page(client, signed_in, school):
    case = make_case(school=school, state="under_review")
    signed_in(member(Role.DSL, school=school), school=school)
    # Year 1 an hour ahead of UTC is in year 0 in UTC, which no datetime holds; a cursor without an offset is not ours.
    for cursor in ("0001-01-01T00:00:00+01:00_1", "9999-12-31T23:59:59-01:00_1", "2026-11-20T10:30:00_1"):
        for side in ("after", "before"):
            response = client.get(reverse("incidents:case_list"), {side: cursor})
            assert response.status_code == 200 and case.reference in response.content.decode(), (side, cursor)


@pytest.mark.parametrize(
    "url, box", [("incidents:concern_pupil_search", "people-0-pupil_search"), ("incidents:case_pupil_search", "q")]
)
def test_a_null_byte_in_a_pupil_search_parts_the_words(client, signed_in, school, url, box):
    PupilFactory(school=school, first_name="Amira", last_name="Okafor")
    signed_in(member(Role.DSL, school=school), school=school)
    headers = {"HX-Request": "true", "HX-Trigger-Name": box}
    response = client.get(reverse(url), {box: "ami\x00oka"}, headers=headers)
    assert response.status_code == 200 and "Okafor" in response.content.decode()


@pytest.mark.parametrize(
    "url, box", [("incidents:concern_pupil_search", "people-0-pupil_search"), ("incidents:case_pupil_search", "q")]
)
def test_a_pupil_search_longer_than_any_name_finds_no_one(client, signed_in, school, url, box):
    PupilFactory(school=school, first_name="Amira", last_name="Okafor")
    signed_in(member(Role.DSL, school=school), school=school)
    headers = {"HX-Request": "true", "HX-Trigger-Name": box}
    response = client.get(reverse(url), {box: "Amira" + "x" * 65_536}, headers=headers)
    assert response.status_code == 200 and "Okafor" not in response.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL): a query plan")
def test_the_case_search_reads_names_through_an_index(school, other_school):
    """Each word of a search is one indexed lookup, never a read of every pupil in the database: the planner
    takes the school's index (a school's register, about 1,500) or the names' trigram indexes
    (safeguard.db.name_search_index), whichever is cheaper, however many other schools' pupils there are."""
    pupil_register(school, range(1_500))
    pupil_register(other_school, range(1_500, 10_000))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # statistics, as autovacuum keeps them on a live database
    for word in ("smith29", "smi"):
        plan = pupils_named(school, word).explain()
        # The pupils are read through an index; the short list of files disposed of (records' retention) may be
        # scanned beside it.
        assert "Seq Scan on safeguard_pupil" not in plan and "Index" in plan, plan
