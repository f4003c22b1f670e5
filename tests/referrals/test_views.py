"""The pages of the decision, sign-off, referrals, parents and signatories: each calls one service, shows its
refusal beside the field, and opens only to the people the policy names."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import CRITERIA_LABELS, CaseState
from referrals import services
from referrals.models import ANNEX_A, Decision, DecisionStatus, ParentContact, Referral, Signatory, SignOff
from safeguard.roles import Role
from tests.factories import TEST_PASSWORD, annex_a_answers, make_case, member

pytestmark = pytest.mark.django_db

WHEN = "%Y-%m-%dT%H:%M"
REASONS = "Shared within a relationship between two Year 10 pupils; no aggravating factors."
PLAN = "Weekly pastoral check-ins; deletion confirmed with both pupils; parents told."


def url(name, case, **kwargs):
    return reverse(f"referrals:{name}", kwargs={"pk": case.pk, **kwargs})


def ago(**delta):
    return (timezone.localtime() - datetime.timedelta(**delta)).strftime(WHEN)


def manage_in_school_post(**overrides):
    data = {"kind": "manage_in_school", "reasons": REASONS, "plan": PLAN, **annex_a_answers()}
    data.update(overrides)
    return data


def field_errors(response, field):
    return response.context["form"].errors.get(field, [])


# --- The decision ---------------------------------------------------------------------------------------------


def test_a_criterion_met_means_the_page_offers_only_refer_and_names_the_criterion(signed_in, dsl, case_in):
    case = case_in("under_review", criteria_yes=["adult_involved"])
    client = signed_in(dsl)

    page = client.get(url("decision", case))

    assert page.status_code == 200
    html = page.content.decode()
    assert CRITERIA_LABELS["adult_involved"] in html and "This case must be referred" in html
    assert 'value="refer"' in html and 'value="manage_in_school"' not in html


def test_a_criterion_not_yet_known_holds_managing_in_school_without_saying_it_must_be_referred(
    signed_in, dsl, school, case_in
):
    from incidents.services import review_meeting_record
    from tests.factories import meeting_answers

    case = case_in("under_review")
    review_meeting_record(
        actor=dsl,
        attendees=[dsl],
        incident=case,
        held_at=timezone.now(),
        answers=meeting_answers(not_yet_known=["coercion_or_capacity"]),
    )
    html = signed_in(dsl).get(url("decision", case)).content.decode()

    assert "This case cannot be managed in school yet" in html and "must be referred" not in html
    assert "record a further review meeting" in html
    assert 'value="manage_in_school"' not in html


def test_a_forged_post_to_manage_in_school_is_refused_naming_the_criterion(signed_in, dsl, case_in):
    case = case_in("under_review", criteria_yes=["under_13_sexual_acts"])
    client = signed_in(dsl)

    response = client.post(url("decision", case), manage_in_school_post())

    assert response.status_code == 200
    refusal = " ".join(response.context["form"].non_field_errors())
    assert CRITERIA_LABELS["under_13_sexual_acts"] in refusal and "must be referred" in refusal
    assert response.context["form"]["reasons"].value() == REASONS  # nothing typed is lost
    case.refresh_from_db()
    assert case.state == CaseState.REFERRAL_REQUIRED and not Decision.objects.exists()


def test_managing_in_school_goes_to_the_headteacher_for_sign_off(signed_in, dsl, case_in):
    case = case_in("under_review")
    client = signed_in(dsl)
    page = client.get(url("decision", case)).content.decode()
    assert 'value="manage_in_school"' in page and ANNEX_A[0][1] in page

    response = client.post(url("decision", case), manage_in_school_post())

    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_SIGN_OFF
    decision = Decision.objects.get()
    assert (decision.status, decision.decided_by, decision.plan) == (DecisionStatus.PENDING_SIGN_OFF, dsl, PLAN)


def test_managing_in_school_needs_each_annex_a_answer_beside_its_question(signed_in, dsl, case_in):
    case = case_in("under_review")
    client = signed_in(dsl)

    response = client.post(url("decision", case), manage_in_school_post(annex_ages_answer="", plan=""))

    assert response.status_code == 200
    assert field_errors(response, "annex_ages_answer") and field_errors(response, "plan")
    assert not Decision.objects.exists()


def test_a_decision_to_refer_goes_on_to_the_referral_page(signed_in, dsl, case_in):
    case = case_in("under_review", criteria_yes=["vulnerable_pupil"])
    client = signed_in(dsl)

    response = client.post(url("decision", case), {"kind": "refer", "reasons": "A pupil is known to social care."})

    assert response.status_code == 302 and response["Location"] == url("referral_new", case)
    assert Decision.objects.get().status == DecisionStatus.RECORDED


# --- Sign-off -------------------------------------------------------------------------------------------------


def test_the_head_sees_the_decision_in_full_and_signs_it_off_with_their_password(signed_in, head, case_in):
    case = case_in("awaiting_sign_off")
    decision = Decision.objects.get(incident=case)
    client = signed_in(head)

    page = client.get(url("sign_off", case))
    assert page.status_code == 200
    html = page.content.decode()
    assert decision.plan in html and ANNEX_A[3][1] in html and CRITERIA_LABELS["adult_involved"] in html

    response = client.post(url("sign_off", case), {"outcome": "signed_off", "password": TEST_PASSWORD})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.MANAGED_IN_SCHOOL
    assert SignOff.objects.get().signed_by == head


def test_a_wrong_password_is_shown_beside_the_password_and_nothing_is_signed(signed_in, head, case_in):
    case = case_in("awaiting_sign_off")
    client = signed_in(head)

    response = client.post(url("sign_off", case), {"outcome": "signed_off", "password": "not-my-password"})

    assert response.status_code == 200
    assert "nothing has been signed" in " ".join(field_errors(response, "password"))
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_SIGN_OFF and not SignOff.objects.exists()


def test_sending_back_needs_a_comment(signed_in, head, case_in):
    case = case_in("awaiting_sign_off")
    client = signed_in(head)

    refused = client.post(url("sign_off", case), {"outcome": "sent_back", "password": TEST_PASSWORD})
    assert refused.status_code == 200 and field_errors(refused, "comment")
    assert not SignOff.objects.exists()

    comment = "Please look again at how far the image has spread."
    sent = client.post(url("sign_off", case), {"outcome": "sent_back", "comment": comment, "password": TEST_PASSWORD})
    assert sent.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.UNDER_REVIEW
    assert comment in client.get(case.get_absolute_url()).content.decode()


def test_the_decider_cannot_sign_their_own_decision_even_as_headteacher(signed_in, head, school, case_in):
    member(Role.DSL, school=school, user=head)
    case = case_in("under_review")
    services.decision_record(
        actor=head, incident=case, kind="manage_in_school", reasons=REASONS, plan=PLAN, annex_a=annex_a_answers()
    )
    client = signed_in(head, school=school)

    page = client.get(url("sign_off", case))
    assert page.status_code == 403 and "You made this decision" in page.content.decode()
    posted = client.post(url("sign_off", case), {"outcome": "signed_off", "password": TEST_PASSWORD})
    assert posted.status_code == 403 and not SignOff.objects.exists()


def test_the_safeguarding_team_cannot_open_the_sign_off_page(signed_in, dsl, deputy, trust_lead, school, case_in):
    case = case_in("awaiting_sign_off")
    for person in (dsl, deputy, trust_lead):
        client = signed_in(person, school=school)
        assert client.get(url("sign_off", case)).status_code == 403
        assert client.post(url("sign_off", case), {"outcome": "signed_off"}).status_code == 403


def test_no_decision_waiting_means_no_sign_off_page(signed_in, head, case_in):
    case = case_in("under_review")
    assert signed_in(head).get(url("sign_off", case)).status_code == 404


def test_a_named_signatory_signs_where_the_head_is_also_the_dsl(signed_in, head, staff, school, case_in):
    member(Role.DSL, school=school, user=head)
    services.signatory_designate(actor=head, school=school, user=staff, reason="The head is also the DSL.")
    case = case_in("awaiting_sign_off")
    client = signed_in(staff, school=school)

    assert client.get(url("sign_off", case)).status_code == 200
    response = client.post(url("sign_off", case), {"outcome": "signed_off", "password": TEST_PASSWORD})

    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    case.refresh_from_db()
    assert case.state == CaseState.MANAGED_IN_SCHOOL


# --- Referrals ------------------------------------------------------------------------------------------------


def referral_post(**overrides):
    data = {
        "agency": "police_101",
        "made_at": ago(hours=1),
        "method": "phone",
        "reference_number": "CAD 4321",
        "contact_name": "PC Patel",
        "information_shared": "What the pupil told us, and the names of the pupils involved.",
    }
    data.update(overrides)
    return data


def test_a_referral_is_recorded_and_the_case_is_referred(signed_in, dsl, deputy, case_in):
    case = case_in("under_review", criteria_yes=["adult_involved"])
    client = signed_in(dsl)
    page = client.get(url("referral_new", case))
    assert page.status_code == 200 and "reason" not in page.context["form"].fields

    response = client.post(url("referral_new", case), referral_post(made_by=deputy.pk))

    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.made_by, referral.recorded_by, referral.reference_number) == (deputy, dsl, "CAD 4321")
    case.refresh_from_db()
    assert case.state == CaseState.REFERRED


def test_another_agency_must_be_named_beside_its_field(signed_in, dsl, case_in):
    case = case_in("under_review")
    client = signed_in(dsl)
    response = client.post(url("referral_new", case), referral_post(agency="other", made_by=dsl.pk))
    assert response.status_code == 200 and field_errors(response, "agency_other")
    assert not Referral.objects.exists()


def test_a_referral_from_a_case_managed_in_school_needs_the_reason(signed_in, dsl, case_in):
    case = case_in("managed_in_school")
    client = signed_in(dsl)

    refused = client.post(url("referral_new", case), referral_post(made_by=dsl.pk))
    assert refused.status_code == 200
    assert "escalated to a referral" in " ".join(field_errors(refused, "reason"))
    assert not Referral.objects.exists()

    reason = "A parent has told us an adult has been contacting her."
    done = client.post(url("referral_new", case), referral_post(made_by=dsl.pk, reason=reason))
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.REFERRED


def test_follow_up_escalation_and_outcome_are_recorded_and_shown_on_the_case(signed_in, dsl, case_in):
    case = case_in("referred")
    referral = case.referrals.get()
    client = signed_in(dsl)

    follow_up = {"at": ago(minutes=30), "method": "phone", "notes": "Left a message with the duty desk."}
    assert client.post(url("follow_up", case, rid=referral.pk), follow_up).status_code == 302
    escalation = {"to_whom": "The MASH team manager", "reason": "No acknowledgement after one working day."}
    assert client.post(url("escalate", case, rid=referral.pk), escalation).status_code == 302
    outcome = {"outcome": "section_47", "outcome_at": ago(minutes=5), "outcome_notes": "Strategy meeting held."}
    assert client.post(url("outcome", case, rid=referral.pk), outcome).status_code == 302

    html = client.get(case.get_absolute_url()).content.decode()
    assert "Left a message with the duty desk." in html
    assert "The MASH team manager" in html
    assert "Social care: section 47 enquiry" in html
    referral.refresh_from_db()
    assert referral.outcome == "section_47" and referral.outcome_recorded_by == dsl
    # With the outcome known, the links to chase it are gone.
    assert url("outcome", case, rid=referral.pk) not in html


def test_outcome_choices_are_those_of_the_agency(signed_in, dsl, case_in):
    case = case_in("referred")  # referred to children's social care
    referral = case.referrals.get()
    client = signed_in(dsl)

    page = client.get(url("outcome", case, rid=referral.pk)).content.decode()
    assert "Social care: section 47 enquiry" in page and "Outcome 21" not in page

    response = client.post(url("outcome", case, rid=referral.pk), {"outcome": "outcome_21", "outcome_at": ago()})
    assert response.status_code == 200 and field_errors(response, "outcome")
    referral.refresh_from_db()
    assert referral.outcome == ""


def test_another_cases_referral_is_not_found(signed_in, dsl, case_in):
    case, other = case_in("referred"), case_in("referred")
    referral = other.referrals.get()
    client = signed_in(dsl)
    for name in ("follow_up", "escalate", "outcome"):
        assert client.get(url(name, case, rid=referral.pk)).status_code == 404


def test_an_overdue_referral_is_marked_in_words_on_the_case_and_dashboard(signed_in, dsl, case_in):
    case = case_in("under_review", criteria_yes=["adult_involved"])
    services.referral_make(
        actor=dsl,
        incident=case,
        agency="social_care",
        method="phone",
        information_shared="The concern as logged.",
        made_at=timezone.now() - datetime.timedelta(days=8),
    )
    client = signed_in(dsl)
    marker = "overdue: no acknowledgement after one working day"
    assert marker in client.get(case.get_absolute_url()).content.decode()
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "Referrals awaiting an outcome" in dashboard and marker in dashboard


# --- Parents and carers ---------------------------------------------------------------------------------------


def test_parents_not_told_needs_the_reasons(signed_in, dsl, case_in):
    case = case_in("under_review")
    person = case.involvements.get(part="harmed")
    client = signed_in(dsl)

    refused = client.post(url("parent_contact", case), {"involvement": person.pk, "told": "no"})
    assert refused.status_code == 200 and field_errors(refused, "reasons_not_told")
    assert not ParentContact.objects.exists()

    reasons = "Telling her father now could put her at risk; social care are advising."
    done = client.post(
        url("parent_contact", case), {"involvement": person.pk, "told": "no", "reasons_not_told": reasons}
    )
    assert done.status_code == 302
    assert reasons in client.get(case.get_absolute_url()).content.decode()


def test_parents_told_records_when_by_whom_and_how(signed_in, dsl, case_in):
    case = case_in("under_review")
    person = case.involvements.get(part="harmed")
    client = signed_in(dsl)

    refused = client.post(url("parent_contact", case), {"involvement": person.pk, "told": "yes"})
    assert field_errors(refused, "told_at") and field_errors(refused, "method")

    data = {
        "involvement": person.pk,
        "told": "yes",
        "told_at": ago(hours=2),
        "told_by": dsl.pk,
        "contact_name": "mother, Ms Smith",
        "method": "phone",
    }
    assert client.post(url("parent_contact", case), data).status_code == 302
    contact = ParentContact.objects.get()
    assert (contact.told, contact.told_by, contact.contact_name) == (True, dsl, "mother, Ms Smith")
    assert "mother, Ms Smith" in client.get(case.get_absolute_url()).content.decode()


# --- Signatories ----------------------------------------------------------------------------------------------


def test_the_head_names_and_ends_a_signatory(signed_in, head, staff, dsl):
    client = signed_in(head)
    page = client.get(reverse("referrals:signatories"))
    assert page.status_code == 200
    assert dsl not in page.context["form"].fields["user"].queryset  # the team is not offered

    response = client.post(reverse("referrals:signatories"), {"user": staff.pk, "reason": "The head is also the DSL."})
    assert response.status_code == 302
    signatory = Signatory.objects.get(ended_at__isnull=True)
    assert signatory.user == staff

    ended = client.post(reverse("referrals:signatory_end", kwargs={"sid": signatory.pk}))
    assert ended.status_code == 302
    signatory.refresh_from_db()
    assert signatory.ended_at is not None and signatory.ended_by == head


def test_only_the_head_opens_the_signatories_page(signed_in, staff, dsl, deputy, trust_lead, inspector, school):
    for person in (staff, dsl, deputy, trust_lead, inspector):
        assert signed_in(person, school=school).get(reverse("referrals:signatories")).status_code == 403


# --- Dashboard and case page ----------------------------------------------------------------------------------


def test_the_head_sees_decisions_waiting_with_a_link_on_the_dashboard_and_case(signed_in, head, case_in):
    case = case_in("awaiting_sign_off")
    client = signed_in(head)
    link = url("sign_off", case)
    assert link in client.get(reverse("dashboard")).content.decode()
    assert link in client.get(case.get_absolute_url()).content.decode()


def test_the_team_sees_the_decision_and_its_sign_off_but_no_sign_off_link(signed_in, dsl, case_in):
    case = case_in("managed_in_school")
    html = signed_in(dsl).get(case.get_absolute_url()).content.decode()
    assert "Signed off by" in html and url("sign_off", case) not in html
    assert url("referral_new", case) in html and url("parent_contact", case) in html


# --- Who may open what ----------------------------------------------------------------------------------------


def work_pages(case, referral):
    return [
        url("decision", case),
        url("referral_new", case),
        url("follow_up", case, rid=referral.pk),
        url("escalate", case, rid=referral.pk),
        url("outcome", case, rid=referral.pk),
        url("parent_contact", case),
    ]


@pytest.fixture
def referred_case(school):
    case = make_case(school=school, state="referred")
    return case, case.referrals.get()


def test_another_schools_dsl_finds_none_of_the_pages(signed_in, other_school, referred_case, school):
    case, referral = referred_case
    waiting = make_case(school=school, state="awaiting_sign_off")
    client = signed_in(member(Role.DSL, school=other_school), school=other_school)
    for page in [*work_pages(case, referral), url("sign_off", waiting)]:
        assert client.get(page).status_code == 404, page


@pytest.mark.parametrize("role", [Role.HEADTEACHER, Role.TRUST_LEAD])
def test_overseers_cannot_open_the_work_pages(signed_in, people, school, referred_case, role):
    case, referral = referred_case
    client = signed_in(people[role], school=school)
    for page in work_pages(case, referral):
        assert client.get(page).status_code == 403, page
        assert client.post(page, {}).status_code == 403, page


def test_the_dashboard_counts_every_referral_awaiting_its_outcome_beyond_those_it_lists(signed_in, dsl, case_in):
    from referrals.panels import DASHBOARD_REFERRALS_SHOWN

    for _ in range(DASHBOARD_REFERRALS_SHOWN + 1):
        case_in("referred")
    page = signed_in(dsl).get("/").content.decode()
    assert f"The {DASHBOARD_REFERRALS_SHOWN} oldest of {DASHBOARD_REFERRALS_SHOWN + 1}." in page
