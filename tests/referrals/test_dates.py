"""Dates of referrals, their follow-up and parents told: past, and never before the referral they follow."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from incidents.forms import DATETIME_FORMAT
from referrals import services
from referrals.models import FollowUp, ParentContact, Referral

pytestmark = pytest.mark.django_db

FUTURE = "This date and time is in the future. Record it once it has happened."


def local_input(moment):
    return timezone.localtime(moment).strftime(DATETIME_FORMAT)


def url(name, case, **kwargs):
    return reverse(f"referrals:{name}", kwargs={"pk": case.pk, **kwargs})


@pytest.fixture
def referral(case_in):
    return case_in("referred").referrals.get()


def before(referral, **delta):
    return referral.made_at - datetime.timedelta(**delta)


# --- through the services -----------------------------------------------------------------------------------


def test_a_follow_up_cannot_be_dated_before_its_referral(dsl, referral):
    with pytest.raises(ValidationError) as refused:
        services.referral_follow_up(
            actor=dsl, referral=referral, method="phone", notes="Called the duty desk.", at=before(referral, hours=1)
        )
    [message] = refused.value.message_dict["at"]
    assert message.startswith("This is earlier than when the referral was made")
    assert not FollowUp.objects.exists()

    services.referral_follow_up(actor=dsl, referral=referral, method="phone", notes="Called back.", at=referral.made_at)


def test_a_follow_up_in_the_future_is_refused(dsl, referral):
    with pytest.raises(ValidationError) as refused:
        services.referral_follow_up(
            actor=dsl,
            referral=referral,
            method="phone",
            notes="Will call.",
            at=timezone.now() + datetime.timedelta(days=1),
        )
    assert refused.value.message_dict == {"at": [FUTURE]}


@pytest.mark.parametrize("step", ["acknowledge", "escalate", "outcome"])
def test_what_follows_a_referral_is_not_dated_before_it(dsl, referral, step):
    early = before(referral, days=1)
    calls = {
        "acknowledge": lambda: services.referral_acknowledge(actor=dsl, referral=referral, acknowledged_at=early),
        "escalate": lambda: services.referral_escalate(
            actor=dsl, referral=referral, to_whom="The MASH team manager", reason="No answer", at=early
        ),
        "outcome": lambda: services.referral_record_outcome(
            actor=dsl, referral=referral, outcome="section_47", outcome_at=early
        ),
    }
    with pytest.raises(ValidationError) as refused:
        calls[step]()
    assert "earlier than when the referral was made" in str(refused.value)
    referral.refresh_from_db()
    assert referral.acknowledged_at is None and not referral.outcome


def test_a_referral_in_the_future_is_refused(dsl, case_in):
    with pytest.raises(ValidationError) as refused:
        services.referral_make(
            actor=dsl,
            incident=case_in("under_review"),
            agency="police_101",
            method="phone",
            information_shared="The concern as logged.",
            made_at=timezone.now() + datetime.timedelta(hours=2),
        )
    assert refused.value.message_dict == {"made_at": [FUTURE]}
    assert not Referral.objects.exists()


def test_parents_cannot_be_told_in_the_future(dsl, case_in):
    involvement = case_in("under_review").involvements.get()
    with pytest.raises(ValidationError) as refused:
        services.parent_contact_record(
            actor=dsl,
            involvement=involvement,
            told=True,
            told_at=timezone.now() + datetime.timedelta(days=1),
            told_by=dsl,
            method="phone",
        )
    assert refused.value.message_dict == {"told_at": [FUTURE]}


# --- through the pages --------------------------------------------------------------------------------------


def test_the_follow_up_page_says_beside_the_date_that_it_is_before_the_referral(signed_in, dsl, referral):
    client = signed_in(dsl)

    response = client.post(
        url("follow_up", referral.incident, rid=referral.pk),
        {"at": local_input(before(referral, hours=2)), "method": "phone", "notes": "Left a message."},
    )

    assert response.status_code == 200
    [error] = response.context["form"].errors["at"]
    assert error.startswith("This is earlier than when the referral was made")
    assert 'href="#id_at"' in response.content.decode()
    assert not FollowUp.objects.exists()


def test_the_outcome_page_refuses_a_date_still_to_come(signed_in, dsl, referral):
    client = signed_in(dsl)

    response = client.post(
        url("outcome", referral.incident, rid=referral.pk),
        {"outcome": "section_47", "outcome_at": local_input(timezone.now() + datetime.timedelta(days=3))},
    )

    assert response.context["form"].errors["outcome_at"] == [FUTURE]
    referral.refresh_from_db()
    assert not referral.outcome


def test_the_parents_page_refuses_a_time_still_to_come(signed_in, dsl, case_in):
    case = case_in("under_review")
    client = signed_in(dsl)

    response = client.post(
        url("parent_contact", case),
        {
            "involvement": case.involvements.get().pk,
            "told": "yes",
            "told_at": local_input(timezone.now() + datetime.timedelta(days=1)),
            "told_by": dsl.pk,
            "method": "phone",
        },
    )

    assert response.context["form"].errors["told_at"] == [FUTURE]
    assert not ParentContact.objects.exists()
