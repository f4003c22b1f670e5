"""The case pages in a browser's shoes: what each person sees, what they can do, and nothing typed is lost."""

import datetime
from urllib.parse import quote

import pytest
from django.utils import timezone
from django.utils.html import escape

from incidents import services
from incidents.forms import DATETIME_FORMAT
from incidents.models import CaseState, Incident, Notification
from safeguard.models import AccessLog
from tests.factories import TEST_PASSWORD, PupilFactory, make_case, meeting_answers
from tests.test_query_counts import queries_for

pytestmark = pytest.mark.django_db


def when(delta):
    return (timezone.localtime() - delta).strftime(DATETIME_FORMAT)


def concern_post(pupil, **overrides):
    data = {
        "came_to_light_at": when(datetime.timedelta(hours=2)),
        "occurred_at": "",
        "location": "Year 10 group chat, told in the library",
        "how_came_to_light": "told_by_child",
        "categories": ["conduct"],
        "harm_kind": "nudes_sharing",
        "harm_other": "",
        "childs_words": "He said he'd send it to everyone if I didn't send more.",
        "observations": "She was shaking and asked me not to tell her mum.",
        "imagery_description": "Not seen. She said it is a photo of her in her underwear.",
        "people-TOTAL_FORMS": "2",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "20",
        "people-0-pupil": str(pupil.pk) if pupil else "",
        "people-0-part": "harmed",
        "people-0-own_account": "",
        "people-1-other_name": "'Jay'",
        "people-1-other_description": "An online contact who says he is 16",
        "people-1-part": "caused_harm",
        "submit": "1",
    }
    data.update(overrides)
    return data


def test_staff_log_a_concern_and_the_team_is_alerted(client, signed_in, school, staff, dsl, deputy, pupil):
    signed_in(staff, school=school)

    response = client.post("/concerns/new/", concern_post(pupil))

    case = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/concerns/{case.pk}/"
    assert case.state == CaseState.REPORTED
    assert [p.name for p in case.involvements.current()] == [str(pupil), "'Jay'"]
    assert set(Notification.objects.values_list("recipient", flat=True)) == {dsl.pk, deputy.pk}
    page = client.get(response["Location"]).content.decode()
    assert "Received by the safeguarding team" in page
    assert escape("He said he'd send it to everyone") in page


def test_a_mistake_is_shown_beside_its_field_and_nothing_typed_is_lost(client, signed_in, school, staff, pupil):
    signed_in(staff, school=school)
    future = (timezone.localtime() + datetime.timedelta(days=1)).strftime(DATETIME_FORMAT)

    response = client.post("/concerns/new/", concern_post(pupil, came_to_light_at=future))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["came_to_light_at"] == ["This date and time is in the future. Record it once it has happened."]
    page = response.content.decode()
    assert 'href="#id_came_to_light_at"' in page  # the summary links to the field
    assert escape("He said he'd send it to everyone if I didn't send more.") in page
    assert "An online contact who says he is 16" in page
    assert not Incident.objects.exists()


def test_a_draft_is_saved_then_submitting_it_unfinished_says_what_is_missing(client, signed_in, school, staff, pupil):
    signed_in(staff, school=school)
    draft_post = concern_post(pupil, location="", categories=[], submit="", save="1")
    draft_post.pop("submit")

    response = client.post("/concerns/new/", draft_post)
    draft = Incident.objects.get()
    assert response["Location"] == f"/concerns/{draft.pk}/edit/"
    assert draft.state == CaseState.DRAFT and draft.involvements.count() == 2

    empty_rows = {"people-TOTAL_FORMS": "2", "people-0-pupil": "", "people-0-part": ""}
    empty_rows.update({"people-1-other_name": "", "people-1-other_description": "", "people-1-part": ""})
    response = client.post(f"/concerns/{draft.pk}/edit/", concern_post(pupil, location="", categories=[], **empty_rows))

    assert response.status_code == 200
    assert response.context["form"].errors["location"] == ["Say where it happened or came to light."]
    assert response.context["form"].errors["categories"][0].startswith("Choose at least one of the 4Cs")
    draft.refresh_from_db()
    assert draft.state == CaseState.DRAFT and draft.involvements.count() == 2  # nobody added twice


def test_an_empty_submit_shows_what_is_missing_and_leaves_no_blank_draft(client, signed_in, school, staff):
    signed_in(staff, school=school)
    management = {"people-TOTAL_FORMS": "2", "people-INITIAL_FORMS": "0", "people-MAX_NUM_FORMS": "20"}

    response = client.post("/concerns/new/", {**management, "submit": "1"})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["location"] == ["Say where it happened or came to light."]
    assert "Add at least one person involved" in " ".join(errors["__all__"])
    assert 'href="#id_location"' in response.content.decode()  # the summary links to the field
    assert not Incident.objects.exists()


def test_a_refused_submission_of_a_draft_leaves_the_draft_as_it_was(client, signed_in, school, staff, pupil):
    draft = services.concern_draft_create(actor=staff, school=school, location="Library")
    signed_in(staff, school=school)

    response = client.post(f"/concerns/{draft.pk}/edit/", concern_post(pupil, location="Changed", categories=[]))

    assert response.status_code == 200 and "categories" in response.context["form"].errors
    draft.refresh_from_db()
    assert draft.state == CaseState.DRAFT and draft.location == "Library" and not draft.involvements.exists()
    assert "An online contact who says he is 16" in response.content.decode()  # nothing typed is lost


def test_the_reporter_sees_what_they_reported_never_the_teams_later_work(client, signed_in, school, staff, dsl):
    case = make_case(school=school, state="under_review")
    services.note_add(actor=dsl, incident=case, text="Strategy discussion with social care booked.")
    signed_in(staff, school=school)

    page = client.get(f"/concerns/{case.pk}/").content.decode()

    assert case.reference in page and "Received by the safeguarding team" in page
    assert "Strategy discussion" not in page and "Under review" not in page
    assert client.get(f"/cases/{case.pk}/").status_code == 403
    assert AccessLog.objects.filter(user=staff, object_id=str(case.pk)).exists()


def test_the_case_page_shows_state_next_step_people_and_chronology(client, signed_in, school, dsl, staff):
    case = make_case(school=school, state="under_review")
    signed_in(dsl, school=school)

    page = client.get(f"/cases/{case.pk}/").content.decode()

    assert "Under review" in page and "Decide: refer, or manage in school" in page
    assert "Initial review meeting held" in page
    assert escape(staff.get_full_name()) in page or staff.username in page  # O'Neill is written O&#x27;Neill
    assert AccessLog.objects.filter(user=dsl, object_id=str(case.pk), action="view").count() == 1


def test_the_review_meeting_page_suggests_criteria_from_the_register(client, signed_in, school, dsl):
    young = PupilFactory(school=school, date_of_birth=timezone.localdate() - datetime.timedelta(days=365 * 12))
    case = make_case(school=school, state="reported", pupils=[young])
    signed_in(dsl, school=school)

    page = client.get(f"/cases/{case.pk}/review-meeting/").content.decode()
    assert "Suggested by the record" in page and "applies only if the imagery involves sexual acts" in page

    answers = {"held_at": when(datetime.timedelta(minutes=30)), "attendees": [dsl.pk]}
    answers.update(meeting_answers(yes=["under_13_sexual_acts"]))
    response = client.post(f"/cases/{case.pk}/review-meeting/", answers)

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.REFERRAL_REQUIRED
    assert "Referral required." in client.get(f"/cases/{case.pk}/").content.decode()


def test_closing_with_a_wrong_password_signs_nothing_and_says_so_beside_the_field(client, signed_in, school, dsl):
    case = make_case(school=school, state="managed_in_school")
    signed_in(dsl, school=school)

    response = client.post(f"/cases/{case.pk}/close/", {"summary": "Plan complete.", "password": "wrong"})

    assert response.context["form"].errors["password"][0].startswith("That password or code was not right")
    case.refresh_from_db()
    assert case.state == CaseState.MANAGED_IN_SCHOOL

    response = client.post(f"/cases/{case.pk}/close/", {"summary": "Plan complete.", "password": TEST_PASSWORD})
    case.refresh_from_db()
    assert response.status_code == 302 and case.state == CaseState.CLOSED
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Add a signed addendum" in page and "Add a note" not in page


def test_an_open_action_must_be_carried_over_with_a_reason_to_close(client, signed_in, school, dsl):
    case = make_case(school=school, state="managed_in_school")
    action = services.action_add(actor=dsl, incident=case, description="Check in with her weekly until Easter")
    signed_in(dsl, school=school)
    data = {"summary": "Plan complete.", "password": TEST_PASSWORD}

    response = client.post(f"/cases/{case.pk}/close/", data)
    assert "1 action is still open" in response.content.decode()

    data[f"carry_{action.pk}"] = "Continues under the pastoral plan; the head of year owns it."
    assert client.post(f"/cases/{case.pk}/close/", data).status_code == 302


def test_actions_taken_and_not_taken_are_recorded_with_reasons(client, signed_in, school, dsl):
    case = make_case(school=school, state="under_review")
    signed_in(dsl, school=school)

    response = client.post(
        f"/cases/{case.pk}/actions/new/", {"kind": "not_taken", "description": "Contact the other school"}
    )
    assert "Please give the reason the action was not taken." in response.content.decode()

    client.post(
        f"/cases/{case.pk}/actions/new/",
        {"kind": "not_taken", "description": "Contact the other school", "reason": "The contact is not a pupil."},
    )
    client.post(f"/cases/{case.pk}/actions/new/", {"kind": "to_do", "description": "Talk to her form tutor"})
    todo = case.actions.get(status="open")
    client.post(f"/cases/{case.pk}/actions/{todo.pk}/", {"outcome": "done", "notes": "Spoke on Monday."})

    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Not taken: Contact the other school. Why: The contact is not a pupil." in page
    assert "Done: Talk to her form tutor. Spoke on Monday." in page


def test_the_case_list_filters_and_its_queries_stay_flat_as_cases_grow(client, signed_in, school, dsl):
    signed_in(dsl, school=school)
    for _ in range(2):
        make_case(school=school, state="reported", pupils=[PupilFactory(school=school), PupilFactory(school=school)])
    small = queries_for(client, "/cases/")
    for state in ["reported", "under_review", "referred"] * 3:
        make_case(school=school, state=state, pupils=[PupilFactory(school=school), PupilFactory(school=school)])
    assert queries_for(client, "/cases/") == small

    response = client.get("/cases/", {"state": "referred"})
    assert len(response.context["page"]) == 3
    response = client.get("/cases/", {"date_from": "not a date"})
    assert response.context["form"].errors["date_from"] == ["Enter a valid date."]


def test_the_pupil_chronology_joins_every_case_of_the_pupil(client, signed_in, school, dsl):
    pupil = PupilFactory(school=school)
    first = make_case(school=school, state="under_review", pupils=[pupil])
    second = make_case(school=school, state="reported", pupils=[pupil])
    make_case(school=school, state="reported")
    signed_in(dsl, school=school)

    response = client.get(f"/cases/pupils/{pupil.pk}/")

    assert {e.incident_id for e in response.context["entries"]} == {first.pk, second.pk}


def test_the_case_history_page_shows_changes_and_views(client, signed_in, school, dsl):
    case = make_case(school=school, state="under_review")
    signed_in(dsl, school=school)
    client.get(f"/cases/{case.pk}/")

    page = client.get(f"/trail/case/{case.pk}/").content.decode()

    assert "Review started" in page and "Viewed" in page


def test_the_pupil_page_lists_the_cases_the_pupil_is_part_of(client, signed_in, school, dsl, other_school):
    pupil = PupilFactory(school=school)
    mine = make_case(school=school, state="under_review", pupils=[pupil])
    other = make_case(school=school, state="reported")
    signed_in(dsl, school=school)

    page = client.get(f"/pupils/{pupil.pk}/").content.decode()

    assert mine.reference in page and other.reference not in page
    assert f'href="/cases/pupils/{pupil.pk}/"' in page


def test_the_team_corrects_the_category_with_a_reason(client, signed_in, school, dsl):
    case = make_case(school=school, state="under_review", categories=["conduct"], harm_kind="nudes_sharing")
    signed_in(dsl, school=school)
    data = {"categories": ["contact"], "harm_kind": "sextortion", "harm_other": ""}

    response = client.post(f"/cases/{case.pk}/category/", data)
    assert response.context["form"].errors["reason"] == ["This field is required."]

    client.post(f"/cases/{case.pk}/category/", {**data, "reason": "He is demanding money: this is sextortion."})
    case.refresh_from_db()
    assert case.categories == ["contact"] and case.harm_kind == "sextortion"
    assert case.history.filter(harm_kind="nudes_sharing").exists()  # as first reported, still on record


def test_the_next_page_keeps_the_filters(client, signed_in, school, dsl):
    for _ in range(26):
        make_case(school=school, state="reported")
    signed_in(dsl, school=school)

    first = client.get("/cases/", {"state": "reported"})
    assert len(first.context["page"]) == 25
    cursor = first.context["page"].after
    assert f'href="?state=reported&amp;after={quote(cursor)}"' in first.content.decode()

    second = client.get("/cases/", {"state": "reported", "after": cursor})
    assert len(second.context["page"]) == 1
    assert not set(second.context["page"]) & set(first.context["page"])
    back = client.get("/cases/", {"state": "reported", "before": second.context["page"].before})
    assert list(back.context["page"]) == list(first.context["page"])
    assert 'rel="prev"' not in back.content.decode()


def test_a_cursor_that_is_not_one_gives_the_first_page(client, signed_in, school, dsl):
    case = make_case(school=school, state="reported")
    signed_in(dsl, school=school)

    for cursor in ("", "nonsense", "2026-13-40T00:00:00_1", "_"):
        page = client.get("/cases/", {"after": cursor}).context["page"]
        assert list(page) == [case] and not page.has_other_pages
