"""The team's dashboard counts and its cases needing a referral come from one query (window counts)."""

import pytest

from incidents.selectors import referral_required_with_counts
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def test_no_open_case_counts_nothing(school, dsl):
    make_case(school=school, state="closed")
    assert referral_required_with_counts(dsl, school, 10) == (
        [],
        dict.fromkeys(("inbox_count", "open_count", "referral_required_count"), 0),
    )


def test_the_counts_are_of_every_open_case_and_the_list_of_those_needing_a_referral(school, other_school, dsl):
    for state in ["reported", "reported", "under_review", "managed_in_school", "closed"] + ["referred"] * 12:
        make_case(school=school, state=state)
    needing = make_case(school=school, state="referral_required")
    make_case(school=other_school, state="referral_required")

    cases, counts = referral_required_with_counts(dsl, school, 10)

    assert [case.pk for case in cases] == [needing.pk]  # sorted before the dozen newer open cases
    assert counts == {"inbox_count": 2, "open_count": 17, "referral_required_count": 1}


def test_the_dashboard_shows_them(school, dsl, signed_in):
    needing = make_case(school=school, state="referral_required")
    page = signed_in(dsl).get("/").content.decode()
    assert 'id="referral-required-cases"' in page and needing.reference in page
