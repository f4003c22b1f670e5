"""The dashboard's case counts and the cases needing a referral, read together in one query."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents.selectors import case_summary_for_user
from tests.factories import make_case


def test_the_counts_and_the_cases_needing_a_referral_come_in_one_query(school, other_school, dsl):
    assert case_summary_for_user(dsl, school) == {
        "inbox_count": 0,
        "open_count": 0,
        "referral_required_count": 0,
        "referral_required": [],
    }
    for state in ("reported", "reported", "under_review", "referral_required", "referral_required", "closed"):
        make_case(school=school, state=state)
    make_case(school=other_school, state="referral_required")
    with CaptureQueriesContext(connection) as captured:
        summary = case_summary_for_user(dsl, school, shown=1)
    # Outside a request the user's roles are read too (a request reads them once for the whole page).
    assert sum('FROM "incidents_incident"' in q["sql"] for q in captured.captured_queries) == 1
    assert (summary["inbox_count"], summary["open_count"], summary["referral_required_count"]) == (2, 5, 2)
    assert [case.state for case in summary["referral_required"]] == ["referral_required"]
    assert len(case_summary_for_user(dsl, school)["referral_required"]) == 2
