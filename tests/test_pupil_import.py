"""Importing the register from the MIS: all rows or none, every problem reported by line and column."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from safeguard import selectors
from safeguard.models import Pupil
from safeguard.pupil_import import RowError, parse, pupils_import
from safeguard.roles import Role
from safeguard.uploads import IMAGERY_REFUSED
from tests.factories import member

pytestmark = pytest.mark.django_db

HEADER = "upn,first_name,last_name,date_of_birth,year_group,sex,send,looked_after,known_to_social_care"
GOOD = [
    "A12345678901B,Ada,Lovelace,2012-12-10,8,F,yes,no,",
    "B98765432109C,Alan,Turing,23/06/2013,7,M,no,Y,true",
    "C11111111111D,Grace,Hopper,2014-12-09,6,F,,,",
]


def csv_text(*rows, header=HEADER):
    return "\n".join([header, *rows]) + "\n"


def errors_at(errors):
    return {(e.row, e.column) for e in errors}


# --- the parser -------------------------------------------------------------------------------------------------


def test_clean_file_parses_every_row():
    rows, errors = parse(csv_text(*GOOD))
    assert errors == []
    assert [r["upn"] for r in rows] == ["A12345678901B", "B98765432109C", "C11111111111D"]
    ada, alan, grace = rows
    assert ada["date_of_birth"].isoformat() == "2012-12-10"
    assert alan["date_of_birth"].isoformat() == "2013-06-23"  # UK day/month order
    assert (ada["send"], ada["looked_after"], ada["known_to_social_care"]) == (True, False, False)
    assert (alan["send"], alan["looked_after"], alan["known_to_social_care"]) == (False, True, True)
    assert grace["previously_abused"] is False and grace["date_left"] is None


def test_header_is_case_and_space_insensitive_and_bom_is_ignored():
    header = "\ufeff UPN ,First_Name,last_name,date_of_birth,year_group,SEX"
    rows, errors = parse(csv_text("a12345678901b,Ada,Lovelace,2012-12-10,8,F", header=header))
    assert errors == []
    assert rows[0]["upn"] == "A12345678901B"


def test_codes_typed_in_lower_case_mean_the_same():
    rows, errors = parse(csv_text("A12345678901B,Ada,Lovelace,2012-12-10,r,f"))
    assert errors == []
    assert (rows[0]["year_group"], rows[0]["sex"]) == ("R", "F")


def test_missing_required_column_is_reported_on_the_header_row():
    header = "upn,first_name,date_of_birth,year_group,sex"
    rows, errors = parse(csv_text("A12345678901B,Ada,2012-12-10,8,F", header=header))
    assert rows == []
    assert errors == [RowError(1, "last_name", "This column is missing from the header row.")]


def test_unknown_column_is_reported_on_the_header_row():
    rows, errors = parse(csv_text(GOOD[0] + ",x", header=HEADER + ",shoe_size"))
    assert rows == []
    assert errors_at(errors) == {(1, "shoe_size")}
    assert "not recognised" in errors[0].message


@pytest.mark.parametrize(
    "row, column",
    [
        ("A1234567890B,Ada,Lovelace,2012-12-10,8,F,,,", "upn"),  # 12 characters
        ("112345678901B,Ada,Lovelace,2012-12-10,8,F,,,", "upn"),  # must start with a letter
        ("A12345678901B,Ada,Lovelace,2012-13-10,8,F,,,", "date_of_birth"),
        ("A12345678901B,Ada,Lovelace,10th Dec 2012,8,F,,,", "date_of_birth"),
        ("A12345678901B,Ada,Lovelace,2012-12-10,Year 8,F,,,", "year_group"),
        ("A12345678901B,Ada,Lovelace,2012-12-10,15,F,,,", "year_group"),
        ("A12345678901B,Ada,Lovelace,2012-12-10,8,X,,,", "sex"),
        ("A12345678901B,Ada,Lovelace,2012-12-10,8,F,maybe,,", "send"),
        ("A12345678901B,Ada,Lovelace,2012-12-10,8,F,,2,", "looked_after"),
        ("A12345678901B,,Lovelace,2012-12-10,8,F,,,", "first_name"),
    ],
)
def test_bad_value_is_reported_by_line_and_column(row, column):
    # The bad row is the third line of the file: header on 1, a good row on 2.
    rows, errors = parse(csv_text(GOOD[1], row, GOOD[2]))
    assert errors_at(errors) == {(3, column)}
    assert all(e.message for e in errors)


def test_several_errors_are_all_reported():
    rows, errors = parse(
        csv_text(
            "A12345678901B,Ada,Lovelace,2012-12-10,8,F,,,",
            "bad,Alan,Turing,not a date,7,M,,,",
            "C11111111111D,Grace,Hopper,2014-12-09,6,Q,,,",
        )
    )
    assert errors_at(errors) == {(3, "upn"), (3, "date_of_birth"), (4, "sex")}


def test_duplicate_upn_in_the_file_names_the_first_line():
    rows, errors = parse(csv_text(GOOD[0], GOOD[1], GOOD[0].replace("Ada", "Augusta")))
    assert errors == [RowError(4, "upn", "This UPN is already on line 2 of the file.")]


def test_duplicate_upn_differing_only_in_case_is_caught():
    rows, errors = parse(csv_text(GOOD[0], "a12345678901b" + GOOD[0][13:]))
    assert errors_at(errors) == {(3, "upn")}


def test_header_only_file_is_an_error():
    rows, errors = parse(HEADER + "\n")
    assert rows == []
    assert errors == [RowError(2, "", "The file has a header row but no pupils.")]


def test_empty_file_is_an_error():
    rows, errors = parse("")
    assert rows == []
    assert errors
    assert {e.row for e in errors} == {1}
    assert {e.column for e in errors} >= {"upn", "first_name", "last_name"}


# --- the service --------------------------------------------------------------------------------------------------


def test_clean_import_creates_every_pupil_and_grants_the_dsl_team(school, other_school, people):
    dsl, staff = people[Role.DSL], people[Role.STAFF]
    result = pupils_import(actor=dsl, school=school, text=csv_text(*GOOD))

    assert result.ok
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert Pupil.objects.filter(school=school).count() == 3
    assert not Pupil.objects.filter(school=other_school).exists()

    visible = selectors.pupil_list_for_user(dsl, school)
    assert sorted(visible.values_list("upn", flat=True)) == sorted(line.split(",")[0] for line in GOOD)
    assert not selectors.pupil_list_for_user(staff, school).exists()
    # The deputy, head and trust lead are granted too; nobody sees the pupils from another school's side.
    assert selectors.pupil_list_for_user(people[Role.DEPUTY_DSL], school).count() == 3
    assert selectors.pupil_list_for_user(people[Role.HEADTEACHER], school).count() == 3
    assert selectors.pupil_list_for_user(people[Role.TRUST_LEAD], school).count() == 3
    assert not selectors.pupil_list_for_user(dsl, other_school).exists()


@pytest.mark.parametrize(
    "text",
    [
        csv_text(GOOD[0], GOOD[1], "BAD,Grace,Hopper,2014-12-09,6,F,,,"),
        csv_text(GOOD[0], GOOD[1], GOOD[0]),
        csv_text(*GOOD, header=HEADER + ",shoe_size"),
        HEADER + "\n",
        "",
    ],
    ids=["bad-upn", "duplicate", "unknown-column", "header-only", "empty"],
)
def test_any_error_imports_nothing(school, people, text):
    existing_upns = set(Pupil.objects.values_list("upn", flat=True))
    history_before = Pupil.history.count()

    result = pupils_import(actor=people[Role.DSL], school=school, text=text)

    assert not result.ok
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert set(Pupil.objects.values_list("upn", flat=True)) == existing_upns
    assert Pupil.history.count() == history_before


def test_an_error_also_blocks_updates_to_pupils_already_on_the_register(school, people):
    dsl = people[Role.DSL]
    pupils_import(actor=dsl, school=school, text=csv_text(GOOD[0]))
    changed = GOOD[0].replace(",8,", ",9,")

    result = pupils_import(actor=dsl, school=school, text=csv_text(changed, "BAD,Alan,Turing,2013-06-23,7,M,,,"))

    assert not result.ok
    assert Pupil.objects.get(school=school, upn="A12345678901B").year_group == "8"


def test_reimport_updates_by_upn(school, people):
    dsl = people[Role.DSL]
    pupils_import(actor=dsl, school=school, text=csv_text(*GOOD))
    ada = Pupil.objects.get(school=school, upn="A12345678901B")

    newcomer = "D22222222222E,Katherine,Johnson,2013-08-26,7,F,,,"
    result = pupils_import(
        actor=dsl,
        school=school,
        text=csv_text(GOOD[0].replace(",8,F,yes", ",9,F,yes"), GOOD[1], GOOD[2], newcomer),
    )

    assert result.ok
    assert (result.created, result.updated, result.unchanged) == (1, 1, 2)
    assert Pupil.objects.filter(school=school).count() == 4
    assert Pupil.objects.filter(school=school, upn="A12345678901B").count() == 1
    ada.refresh_from_db()
    assert ada.year_group == "9"
    assert ada.history.count() == 2
    update = ada.history.order_by("-history_id").first()
    assert update.history_type == "~"
    assert update.history_user == dsl
    # Unchanged pupils get no new history row.
    assert Pupil.objects.get(upn="B98765432109C").history.count() == 1
    # The newcomer is visible to the DSL like everyone else.
    assert selectors.pupil_list_for_user(dsl, school).count() == 4


def test_same_upn_in_another_school_is_a_different_pupil(school, other_school, people):
    pupils_import(actor=people[Role.DSL], school=school, text=csv_text(GOOD[0]))
    other_dsl = member(Role.DSL, school=other_school)
    result = pupils_import(actor=other_dsl, school=other_school, text=csv_text(GOOD[0]))

    assert result.created == 1
    assert Pupil.objects.filter(upn="A12345678901B").count() == 2
    assert selectors.pupil_list_for_user(other_dsl, school).count() == 0


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEADTEACHER, Role.INSPECTOR, Role.TRUST_LEAD])
def test_only_the_dsl_team_may_import(school, people, role):
    with pytest.raises(PermissionDenied):
        pupils_import(actor=people[role], school=school, text=csv_text(*GOOD))
    assert not Pupil.objects.filter(school=school).exists()


def test_a_dsl_of_another_school_may_not_import(school, other_school, people):
    with pytest.raises(PermissionDenied):
        pupils_import(actor=people[Role.DSL], school=other_school, text=csv_text(*GOOD))
    assert not Pupil.objects.exists()


# --- the import page ----------------------------------------------------------------------------------------------


def upload(text, name="register.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_import_page_shows_errors_by_row_and_column_and_imports_nothing(school, people, signed_in):
    client = signed_in(people[Role.DSL])
    text = csv_text(GOOD[0], "A12345678901B,Ada,Lovelace,2012-12-10,8,X,,,", GOOD[0])

    response = client.post("/pupils/import/", {"file": upload(text)})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "<td>3</td><td>sex</td>" in page
    assert "<td>4</td><td>upn</td><td>This UPN is already on line 2 of the file.</td>" in page
    assert not Pupil.objects.exists()


def test_import_page_imports_a_good_file_and_says_so(school, people, signed_in):
    client = signed_in(people[Role.DSL])

    response = client.post("/pupils/import/", {"file": upload(csv_text(*GOOD))}, follow=True)

    assert response.redirect_chain == [("/pupils/", 302)]
    assert "Register imported: 3 added, 0 updated, 0 unchanged." in response.content.decode()
    assert Pupil.objects.filter(school=school).count() == 3
    assert "Lovelace" in response.content.decode()


@pytest.mark.parametrize("name", ["register.xlsx", "register.csv.exe", "register"])
def test_import_page_refuses_a_file_that_is_not_csv(school, people, signed_in, name):
    client = signed_in(people[Role.DSL])

    response = client.post("/pupils/import/", {"file": upload(csv_text(*GOOD), name=name)})

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["Choose a CSV file (its name ends in .csv)."]
    assert not Pupil.objects.exists()


def test_import_page_refuses_a_file_that_is_not_utf8(school, people, signed_in):
    client = signed_in(people[Role.DSL])
    data = csv_text("A12345678901B,Zoë,Brontë,2012-12-10,8,F,,,").encode("utf-16")

    response = client.post("/pupils/import/", {"file": SimpleUploadedFile("register.csv", data)})

    assert response.status_code == 200
    assert "not UTF-8" in response.context["form"].errors["file"][0]
    assert not Pupil.objects.exists()


@pytest.mark.parametrize(
    ("name", "content_type"), [("IMG_0042.jpg", "image/jpeg"), ("clip.mp4", "application/octet-stream")]
)
def test_an_image_or_video_is_refused_and_the_page_says_why(school, people, signed_in, name, content_type):
    client = signed_in(people[Role.DSL])

    response = client.post("/pupils/import/", {"file": SimpleUploadedFile(name, b"\xff\xd8\xff", content_type)})

    assert "Safeguard never stores images or videos" in response.context["form"].errors["file"][0]
    assert not Pupil.objects.exists()


def test_a_photo_renamed_as_a_register_is_refused_by_what_it_is(school, people, signed_in):
    client = signed_in(people[Role.DSL])
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "teal").save(buffer, "JPEG")
    photo = SimpleUploadedFile("register.csv", buffer.getvalue(), content_type="text/csv")

    response = client.post("/pupils/import/", {"file": photo})

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [IMAGERY_REFUSED]
    page = response.content.decode()
    # Beside the file field, tied to it, not the "not UTF-8" that a later check would have said.
    assert (
        f'<p class="field-error" id="id_file_error"><span class="visually-hidden">Error:</span> {IMAGERY_REFUSED}'
        in page
    )
    assert 'aria-invalid="true" aria-describedby="id_file_helptext id_file_error" id="id_file"' in page
    assert "not UTF-8" not in page
    assert not Pupil.objects.exists()
