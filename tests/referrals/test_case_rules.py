"""The case rules on every path: the whole meeting decides, aggravating factors need reasons, the criteria demand
the police or social care, a meeting for every case, parents told, and a signatory sees only what they sign.

Each rule is tried through the service and through the page (a forged post where the page would not offer it).
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import services as case_services
from incidents.errors import CasePermissionDenied, RuleBroken, TransitionRefused
from incidents.models import CaseState
from incidents.workflow import case_transition
from referrals import selectors, services
from referrals.models import Decision, DecisionStatus, Referral
from safeguard import policy
from safeguard.roles import Role
from tests.factories import TEST_PASSWORD, annex_a_answers, make_case, meeting_answers, member

pytestmark = pytest.mark.django_db

REASONS = "Shared once within a relationship; support in school is proportionate."
PLAN = "Weekly check-ins with her head of year; deletion confirmed; parents told."
FACTOR_REASON = "Forwarded once to one friend, who deleted it and told us; it went no further."


def hold_meeting(actor, case, minutes_ago=30, **answers):
    return case_services.review_meeting_record(
        actor=actor,
        incident=case,
        attendees=[actor],
        held_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        answers=meeting_answers(**answers),
    )


def manage(actor, case, **kwargs):
    kwargs = {"reasons": REASONS, "plan": PLAN, "annex_a": annex_a_answers(), **kwargs}
    return services.decision_record(actor=actor, incident=case, kind="manage_in_school", **kwargs)


def refer(actor, case, agency="social_care", **kwargs):
    return services.referral_make(
        actor=actor, incident=case, agency=agency, method="phone", information_shared="The concern.", **kwargs
    )


def url(name, case):
    return reverse(name, kwargs={"pk": case.pk})


def decision_post(**overrides):
    return {"kind": "manage_in_school", "reasons": REASONS, "plan": PLAN, **annex_a_answers(), **overrides}


# --- 1. The whole meeting decides ----------------------------------------------------------------------------


@pytest.mark.parametrize(("question", "words"), [("immediate_risk", "question 1"), ("referral_needed", "question 2")])
def test_a_yes_to_question_1_or_2_requires_a_referral_like_a_criterion(dsl, case_in, question, words):
    case = case_in("reported")
    hold_meeting(dsl, case, yes=[question])
    case.refresh_from_db()
    assert case.state == CaseState.REFERRAL_REQUIRED

    with pytest.raises(RuleBroken, match=f"must be referred.*{words}"):
        manage(dsl, case)
    assert not Decision.objects.exists()


def test_question_2_not_yet_known_holds_managing_in_school(dsl, case_in):
    case = case_in("reported")
    hold_meeting(dsl, case, not_yet_known=["referral_needed"])
    with pytest.raises(RuleBroken, match="Not yet known: question 2"):
        manage(dsl, case)


def test_the_decision_page_says_which_answer_requires_the_referral(signed_in, dsl, case_in):
    case = case_in("reported")
    hold_meeting(dsl, case, yes=["immediate_risk"])
    client = signed_in(dsl)

    page = client.get(url("referrals:decision", case)).content.decode()
    assert "This case must be referred" in page and "question 1 (an immediate risk to a pupil)" in page
    assert 'value="manage_in_school"' not in page

    response = client.post(url("referrals:decision", case), decision_post())  # forged: the page does not offer it
    assert response.status_code == 200 and "question 1" in " ".join(response.context["form"].non_field_errors())
    assert not Decision.objects.exists()


def test_an_aggravating_factor_needs_a_written_reason_to_manage_in_school(dsl, head, case_in):
    case = case_in("reported")
    hold_meeting(dsl, case, yes=["shared_without_consent"])
    case.refresh_from_db()
    assert case.state == CaseState.UNDER_REVIEW  # a factor points to a referral; it does not require one

    with pytest.raises(RuleBroken, match="aggravating factor") as refused:
        manage(dsl, case)
    assert [p.field for p in refused.value.problems] == ["reason_shared_without_consent"]

    decision = manage(dsl, case, factor_reasons={"shared_without_consent": FACTOR_REASON})
    assert decision.factor_reasons == {"shared_without_consent": FACTOR_REASON}
    assert any(f"Because: {FACTOR_REASON}" in entry.text for entry in case.chronology.all())
    services.decision_sign_off(actor=head, decision=decision, outcome="signed_off", password=TEST_PASSWORD)
    case.refresh_from_db()
    assert case.state == CaseState.MANAGED_IN_SCHOOL


def test_a_factor_not_yet_known_needs_its_reason_too(dsl, case_in):
    case = case_in("reported")
    hold_meeting(dsl, case, not_yet_known=["age_gap_or_power"])
    with pytest.raises(RuleBroken, match="age gap"):
        manage(dsl, case)
    assert manage(dsl, case, factor_reasons={"age_gap_or_power": "Both are 14, in the same tutor group."})


def test_the_decision_page_warns_and_the_head_reads_the_reasons_first(signed_in, dsl, head, case_in):
    case = case_in("reported")
    hold_meeting(dsl, case, yes=["shared_without_consent"])
    page = signed_in(dsl).get(url("referrals:decision", case)).content.decode()
    assert "Warning: the guidance points to a referral" in page and 'name="reason_shared_without_consent"' in page

    response = signed_in(dsl).post(url("referrals:decision", case), decision_post(wording_checked="1"))
    assert response.status_code == 200
    assert response.context["form"].errors["reason_shared_without_consent"]
    assert response.context["form"]["reasons"].value() == REASONS  # nothing typed is lost

    posted = decision_post(reason_shared_without_consent=FACTOR_REASON, wording_checked="1")
    assert signed_in(dsl).post(url("referrals:decision", case), posted).status_code == 302
    page = signed_in(head).get(url("referrals:sign_off", case)).content.decode()
    assert "Read first: aggravating factors" in page and FACTOR_REASON in page
    assert page.index(FACTOR_REASON) < page.index("The reasons")


# --- 2. A meeting for every case, and later meetings ---------------------------------------------------------


def test_a_child_in_danger_is_referred_at_once_and_the_meeting_still_comes_before_closing(dsl, case_in):
    case = case_in("reported")
    referral = refer(dsl, case, agency="police_999")
    case.refresh_from_db()
    assert case.state == CaseState.REFERRED
    services.referral_record_outcome(actor=dsl, referral=referral, outcome="police_nfa")
    for involvement in case.involvements.filter(pupil__isnull=False):
        services.parent_contact_record(
            actor=dsl, involvement=involvement, told=False, reasons_not_told="Police advice."
        )

    with pytest.raises(TransitionRefused, match="review meeting must be recorded"):
        case_services.case_close(actor=dsl, incident=case, summary="Done.", password=TEST_PASSWORD)

    hold_meeting(dsl, case, minutes_ago=5, yes=["immediate_risk"])
    case.refresh_from_db()
    assert case.state == CaseState.REFERRED  # already referred to the police: nothing more is required
    closed = case_services.case_close(actor=dsl, incident=case, summary="Done.", password=TEST_PASSWORD)
    assert closed.state == CaseState.CLOSED


def test_a_later_meeting_meeting_a_criterion_turns_a_managed_case_into_referral_required(
    client, signed_in, school, dsl, case_in
):
    case = case_in("managed_in_school")
    hold_meeting(dsl, case, minutes_ago=5, yes=["adult_involved"])
    case.refresh_from_db()
    assert case.state == CaseState.REFERRAL_REQUIRED

    dashboard = signed_in(dsl, school=school).get(reverse("dashboard")).content.decode()
    assert "Referral required" in dashboard and case.reference in dashboard

    refer(dsl, case, agency="social_care")
    case.refresh_from_db()
    assert case.state == CaseState.REFERRED
    signed = Decision.objects.get(incident=case)
    assert signed.status == DecisionStatus.SIGNED_OFF  # the escalation keeps everything earlier


def test_a_further_meeting_is_offered_in_any_open_state(signed_in, dsl, case_in):
    case = case_in("managed_in_school")
    page = signed_in(dsl).get(case.get_absolute_url()).content.decode()
    assert "Record a further review meeting" in page
    assert signed_in(dsl).get(reverse("incidents:review_meeting", kwargs={"pk": case.pk})).status_code == 200


def test_a_meeting_names_at_least_one_member_of_the_safeguarding_team(signed_in, dsl, staff, case_in):
    case = case_in("reported")
    with pytest.raises(RuleBroken, match="safeguarding team"):
        case_services.review_meeting_record(
            actor=dsl, incident=case, attendees=[staff], held_at=timezone.now(), answers=meeting_answers()
        )
    post = {"held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "attendees": [staff.pk], **meeting_answers()}
    response = signed_in(dsl).post(reverse("incidents:review_meeting", kwargs={"pk": case.pk}), post)
    assert response.status_code == 200 and response.context["form"].errors["attendees"]
    case.refresh_from_db()
    assert case.state == CaseState.REPORTED


# --- 3. Referrals go to the agencies the criteria name ---------------------------------------------------------


@pytest.mark.parametrize("agency", ["ceop", "iwf"])
def test_a_report_to_ceop_or_the_iwf_is_recorded_but_is_not_a_referral(dsl, case_in, agency):
    case = case_in("referral_required")
    refer(dsl, case, agency=agency)
    case.refresh_from_db()
    assert case.state == CaseState.REFERRAL_REQUIRED and Referral.objects.filter(agency=agency).exists()

    refer(dsl, case, agency="police_101")
    case.refresh_from_db()
    assert case.state == CaseState.REFERRED


def test_a_report_to_ceop_through_the_page_leaves_the_case_needing_its_referral(signed_in, dsl, case_in):
    case = case_in("referral_required")
    client = signed_in(dsl)
    page = client.get(url("referrals:referral_new", case)).content.decode()
    assert "needs a referral to the police or to children's social care" in page
    post = {
        "agency": "ceop",
        "made_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "made_by": dsl.pk,
        "method": "online_form",
        "information_shared": "The account's name and the messages.",
        "wording_checked": "1",
    }
    response = client.post(url("referrals:referral_new", case), post, follow=True)
    assert "still needs its referral to the police or children" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.REFERRAL_REQUIRED


def test_where_the_criteria_require_it_only_the_police_or_social_care_make_it_referred(dsl, case_in):
    case = case_in("referral_required")
    refer(dsl, case, agency="lado")
    case.refresh_from_db()
    assert case.state == CaseState.REFERRAL_REQUIRED


def test_no_path_moves_a_case_needing_a_referral_without_one(dsl, case_in):
    case = case_in("referral_required")
    refer(dsl, case, agency="ceop")
    with pytest.raises(TransitionRefused, match="police or to children's social care"):
        case_transition(actor=dsl, incident=case, to_state=CaseState.REFERRED, reason="Forged")


def test_sextortion_brings_calm_advice_on_the_case_and_referral_pages(signed_in, school, dsl):
    case = make_case(school=school, state="reported", harm_kind="sextortion")
    client = signed_in(dsl)
    for address in (case.get_absolute_url(), url("referrals:referral_new", case)):
        page = client.get(address).content.decode()
        assert "keep the evidence, do not delete anything, and do not pay" in page, address


# --- 4. Parents and carers --------------------------------------------------------------------------------


def test_a_case_closes_only_with_a_parents_entry_for_every_pupil(dsl, school):
    case = make_case(school=school, state="managed_in_school")
    extra = make_case(school=school, state="reported").involvements.get().pupil
    case_services.involvement_add(actor=dsl, incident=case, pupil=extra, part="witness")
    with pytest.raises(TransitionRefused, match=f"Not yet recorded: {extra}"):
        case_services.case_close(actor=dsl, incident=case, summary="Done.", password=TEST_PASSWORD)


def test_closing_through_the_page_without_a_parents_entry_says_who_is_missing(signed_in, school, dsl):
    case = make_case(school=school, state="managed_in_school")
    extra = make_case(school=school, state="reported").involvements.get().pupil
    case_services.involvement_add(actor=dsl, incident=case, pupil=extra, part="witness")
    response = signed_in(dsl).post(
        reverse("incidents:case_close", kwargs={"pk": case.pk}), {"summary": "Done.", "password": TEST_PASSWORD}
    )
    assert response.status_code == 200 and f"Not yet recorded: {extra}" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.MANAGED_IN_SCHOOL


def test_a_police_referral_prompts_telling_parents(signed_in, dsl, case_in):
    fresh = case_in("reported")
    hold_meeting(dsl, fresh, yes=["adult_involved"])
    post = {
        "agency": "police_101",
        "made_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "made_by": dsl.pk,
        "method": "phone",
        "information_shared": "The concern as logged.",
        "wording_checked": "1",
    }
    response = signed_in(dsl).post(url("referrals:referral_new", fresh), post)
    assert response.status_code == 302 and response["Location"] == url("referrals:parent_contact", fresh)
    page = signed_in(dsl).get(fresh.get_absolute_url()).content.decode()
    assert "The police are involved." in page


# --- 5. A signatory sees only what they sign ------------------------------------------------------------------


@pytest.fixture
def head_is_dsl(school):
    head = member(Role.HEADTEACHER, school=school)
    member(Role.DSL, school=school, user=head)
    signatory = member(Role.STAFF, school=school)
    services.signatory_designate(actor=head, school=school, user=signatory, reason="The head is the DSL")
    return head, signatory


def test_a_signatory_sees_a_case_only_while_its_decision_waits_for_them(school, head_is_dsl, signed_in):
    head, signatory = head_is_dsl
    other = make_case(school=school, state="under_review")
    case = make_case(school=school, state="under_review")
    decision = manage(head, case)

    assert policy.case_permits(signatory, decision.incident, policy.VIEW)
    assert not policy.case_permits(signatory, other, policy.VIEW)
    assert signed_in(signatory, school=school).get(other.get_absolute_url()).status_code in (403, 404)

    services.decision_sign_off(actor=signatory, decision=decision, outcome="signed_off", password=TEST_PASSWORD)
    assert not policy.case_permits(signatory, decision.incident, policy.VIEW)
    assert signed_in(signatory, school=school).get(url("referrals:sign_off", case)).status_code == 404
    assert selectors.sign_off_queue_for_user(signatory, school) == []
    # What they signed stays theirs to read, on their dashboard.
    dashboard = signed_in(signatory, school=school).get(reverse("dashboard")).content.decode()
    assert "Decisions you signed" in dashboard and dashboard.count("<summary>Case ") == 1
    assert f"<summary>Case {case.reference}: signed off" in dashboard and REASONS in dashboard


def test_where_the_head_signs_a_signatory_is_named_on_nothing(school, head, dsl, case_in):
    leader = member(Role.STAFF, school=school)
    services.signatory_designate(actor=head, school=school, user=leader, reason="Cover")
    case = case_in("awaiting_sign_off")
    assert not policy.case_permits(leader, case, policy.VIEW)
    with pytest.raises(CasePermissionDenied):
        services.decision_sign_off(
            actor=leader, decision=selectors.pending_decision(case), outcome="signed_off", password=TEST_PASSWORD
        )
