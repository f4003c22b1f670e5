"""Dates a person enters for what has already happened: never in the future, never before what they follow."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents import services
from incidents.dates import CLOCK_SKEW, Dated, check_dates
from incidents.forms import DATETIME_FORMAT
from incidents.models import InitialReviewMeeting
from tests.factories import meeting_answers

pytestmark = pytest.mark.django_db

FUTURE = "This date and time is in the future. Record it once it has happened."


def local_input(moment):
    return timezone.localtime(moment).strftime(DATETIME_FORMAT)


def test_a_moment_ahead_of_the_server_clock_is_allowed_but_not_more():
    now = timezone.now()
    check_dates(Dated("at", now + CLOCK_SKEW - datetime.timedelta(seconds=5)))
    with pytest.raises(ValidationError) as refused:
        check_dates(Dated("at", now + CLOCK_SKEW + datetime.timedelta(minutes=1)))
    assert refused.value.message_dict == {"at": [FUTURE]}


def test_each_refusal_names_its_field_and_what_it_follows():
    follows = timezone.make_aware(datetime.datetime(2025, 3, 4, 9, 30))
    with pytest.raises(ValidationError) as refused:
        check_dates(
            Dated("held_at", follows - datetime.timedelta(hours=1), follows, "when the concern came to light"),
            Dated("told_at", timezone.now() + datetime.timedelta(days=1)),
            Dated("not_given", None, follows, "anything"),
        )
    assert refused.value.message_dict == {
        "held_at": ["This is earlier than when the concern came to light (4 March 2025, 09:30)."],
        "told_at": [FUTURE],
    }


# --- through the services -----------------------------------------------------------------------------------


def test_a_meeting_cannot_be_held_before_the_concern_came_to_light(dsl, case_in):
    case = case_in("reported")
    with pytest.raises(ValidationError) as refused:
        services.review_meeting_record(
            actor=dsl,
            incident=case,
            held_at=case.came_to_light_at - datetime.timedelta(minutes=10),
            answers=meeting_answers(),
            attendees=[dsl],
        )
    assert "earlier than when the concern came to light" in refused.value.message_dict["held_at"][0]
    assert not InitialReviewMeeting.objects.exists()

    services.review_meeting_record(
        actor=dsl, incident=case, held_at=case.came_to_light_at, answers=meeting_answers(), attendees=[dsl]
    )


def test_a_meeting_in_the_future_is_refused(dsl, case_in):
    with pytest.raises(ValidationError) as refused:
        services.review_meeting_record(
            actor=dsl,
            incident=case_in("reported"),
            held_at=timezone.now() + datetime.timedelta(hours=1),
            answers=meeting_answers(),
            attendees=[dsl],
        )
    assert refused.value.message_dict == {"held_at": [FUTURE]}


def test_a_concern_cannot_come_to_light_in_the_future(school, staff):
    with pytest.raises(ValidationError) as refused:
        services.concern_draft_create(
            actor=staff, school=school, came_to_light_at=timezone.now() + datetime.timedelta(days=1)
        )
    assert refused.value.message_dict == {"came_to_light_at": [FUTURE]}


def test_an_action_is_not_done_in_the_future_though_it_may_be_due_then(dsl, case_in):
    case = case_in("under_review")
    next_week = timezone.localdate() + datetime.timedelta(days=7)
    action = services.action_add(actor=dsl, incident=case, description="Check in with the pupil", due_on=next_week)
    assert action.due_on == next_week

    with pytest.raises(ValidationError) as refused:
        services.action_complete(actor=dsl, action=action, done_at=timezone.now() + datetime.timedelta(days=1))
    assert "done_at" in refused.value.message_dict


# --- through the pages --------------------------------------------------------------------------------------


def meeting_post(dsl, held_at):
    return {"held_at": local_input(held_at), "attendees": [dsl.pk], **meeting_answers()}


def test_the_meeting_page_says_beside_the_date_that_it_is_before_the_concern(client, signed_in, school, dsl, case_in):
    case = case_in("reported")
    signed_in(dsl, school=school)

    response = client.post(
        f"/cases/{case.pk}/review-meeting/", meeting_post(dsl, case.came_to_light_at - datetime.timedelta(hours=3))
    )

    assert response.status_code == 200
    [error] = response.context["form"].errors["held_at"]
    assert error.startswith("This is earlier than when the concern came to light")
    assert 'href="#id_held_at"' in response.content.decode()
    assert not InitialReviewMeeting.objects.exists()


def test_the_meeting_page_refuses_a_time_still_to_come(client, signed_in, school, dsl, case_in):
    case = case_in("reported")
    signed_in(dsl, school=school)

    response = client.post(
        f"/cases/{case.pk}/review-meeting/", meeting_post(dsl, timezone.now() + datetime.timedelta(days=2))
    )

    assert response.context["form"].errors["held_at"] == [FUTURE]
    assert not InitialReviewMeeting.objects.exists()
