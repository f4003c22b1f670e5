"""Restricted cases: only the named members see them; for everyone else in the team they do not exist."""

import pytest

from incidents import selectors
from incidents.errors import CasePermissionDenied, RuleBroken
from incidents.models import ChronologyEntry, EntryKind
from incidents.restriction import case_restrict, case_unrestrict, restriction_members
from incidents.services import action_add
from referrals import selectors as referral_selectors
from referrals import services as referral_services
from safeguard.roles import Role
from tests.factories import PupilFactory, make_case, member

pytestmark = pytest.mark.django_db

REASON = "The deputy DSL is the girl's aunt."


@pytest.fixture
def hidden(school, dsl, deputy):
    """A referred case restricted to the DSL, with a pupil, an open action and a referral awaiting its outcome."""
    pupil = PupilFactory(school=school, first_name="Amira", last_name="Okoye")
    case = make_case(school=school, state="referred", pupils=[pupil])
    action_add(actor=dsl, incident=case, description="Speak to the social worker", owner=dsl)
    case_restrict(actor=dsl, incident=case, members=[dsl], reason=REASON)
    case.refresh_from_db()
    return case


def seen_by(user, school, case, pupil):
    """Every list, search and count a member of the team could find the case in, as {where: found?}."""
    return {
        "case list": selectors.incident_list_for_user(user, school).filter(pk=case.pk).exists(),
        "open count": selectors.incident_list_for_user(user, school).exclude(state="closed").count() > 0,
        "pupil chronology": selectors.pupil_chronology_for_user(user, school, pupil).exists(),
        "open actions": selectors.open_actions_for_user(user, school).filter(incident=case).exists(),
        "referrals awaiting": referral_selectors.referrals_awaiting_outcome_for_user(user, school).exists(),
    }


def test_only_named_members_find_it_anywhere(school, hidden, dsl, deputy, head, trust_lead):
    pupil = hidden.involvements.get().pupil
    assert all(seen_by(dsl, school, hidden, pupil).values())
    for outsider in (deputy, head, trust_lead):
        assert not any(seen_by(outsider, school, hidden, pupil).values()), outsider


def test_outsiders_get_a_404_on_every_page_and_find_nothing_by_search(
    client, signed_in, school, hidden, deputy, dsl
):
    signed_in(deputy, school=school)
    pupil = hidden.involvements.get().pupil
    for url in (f"/cases/{hidden.pk}/", f"/cases/{hidden.pk}/access/", f"/trail/case/{hidden.pk}/"):
        assert client.get(url).status_code == 404, url
    for query in ({"q": "Okoye"}, {"q": hidden.reference}, {"pupil": pupil.pk}):
        assert list(client.get("/cases/", query).context["page"]) == []
    assert hidden.reference not in client.get(f"/cases/pupils/{pupil.pk}/").content.decode()
    assert hidden.reference not in client.get("/").content.decode()

    signed_in(dsl, school=school)
    assert hidden.reference in client.get("/cases/", {"q": "Okoye"}).content.decode()


def test_a_member_of_the_team_cannot_change_what_they_cannot_see(school, hidden, deputy):
    with pytest.raises(CasePermissionDenied):
        action_add(actor=deputy, incident=hidden, description="Anything")
    with pytest.raises(CasePermissionDenied):
        case_unrestrict(actor=deputy, incident=hidden, reason="Let me see it")


def test_a_new_concern_leaves_the_outsiders_inbox_and_notifications(school, dsl, deputy):
    case = make_case(school=school, state="reported")
    assert selectors.notifications_for_user(deputy, school).filter(incident=case).exists()

    case_restrict(actor=dsl, incident=case, members=[dsl], reason=REASON)

    assert not selectors.inbox_for_user(deputy, school).exists()
    assert selectors.inbox_for_user(dsl, school).get() == case
    assert not selectors.notifications_for_user(deputy, school).exists()
    assert selectors.notifications_for_user(dsl, school).filter(incident=case).exists()


def test_restricting_needs_a_reason_and_someone_who_can_work_on_it(school, dsl, head, staff):
    case = make_case(school=school, state="reported")
    with pytest.raises(RuleBroken, match="why"):
        case_restrict(actor=dsl, incident=case, members=[dsl], reason=" ")
    with pytest.raises(RuleBroken, match="DSL or deputy"):
        case_restrict(actor=dsl, incident=case, members=[head], reason=REASON)
    with pytest.raises(RuleBroken, match="does not see this school's cases"):
        case_restrict(actor=dsl, incident=case, members=[dsl, staff], reason=REASON)
    with pytest.raises(CasePermissionDenied):
        case_restrict(actor=head, incident=case, members=[dsl], reason=REASON)


def test_the_owner_must_stay_among_the_members(school, dsl, deputy):
    case = make_case(school=school, state="reported")
    from incidents.services import incident_assign_owner

    incident_assign_owner(actor=dsl, incident=case, owner=deputy)
    with pytest.raises(RuleBroken, match="owns this case"):
        case_restrict(actor=dsl, incident=case, members=[dsl], reason=REASON)


def test_changes_of_who_sees_it_are_on_record_and_lifting_gives_it_back(school, hidden, dsl, deputy, head):
    case_restrict(actor=dsl, incident=hidden, members=[dsl, head], reason="The head leads on this one too.")
    assert set(restriction_members(hidden)) == {dsl, head}
    assert selectors.incident_list_for_user(head, school).filter(pk=hidden.pk).exists()

    case_unrestrict(actor=dsl, incident=hidden, reason="The deputy has stepped back from the family.")

    hidden.refresh_from_db()
    assert not hidden.restricted
    assert not restriction_members(hidden).exists()
    assert selectors.incident_list_for_user(deputy, school).filter(pk=hidden.pk).exists()
    entries = ChronologyEntry.objects.filter(incident=hidden, kind=EntryKind.ACCESS).order_by("at", "pk")
    assert [e.author for e in entries] == [dsl, dsl, dsl]
    assert REASON in entries[0].text and "stepped back" in entries[2].text
    reasons = [h.history_change_reason for h in hidden.history.order_by("history_date")]
    assert any(r and r.startswith("Restricted to") for r in reasons)
    assert any(r and r.startswith("Restriction lifted") for r in reasons)


def test_a_signatory_named_on_a_restricted_case_can_still_sign(school):
    head = member(Role.HEADTEACHER, school=school)
    member(Role.DSL, school=school, user=head)  # the head is also the DSL, so a named signatory signs
    deputy_head = member(Role.STAFF, school=school)
    referral_services.signatory_designate(actor=head, school=school, user=deputy_head, reason="The head is the DSL")
    case = make_case(school=school, state="awaiting_sign_off")
    dsl = case.decisions.get().decided_by
    case_restrict(actor=dsl, incident=case, members=[dsl], reason=REASON)

    decision = case.decisions.get()
    assert referral_selectors.can_sign_off(deputy_head, decision)
    assert deputy_head not in restriction_members(case)


def test_the_page_restricts_and_lifts(client, signed_in, school, dsl, deputy):
    case = make_case(school=school, state="reported")
    signed_in(dsl, school=school)
    assert "Restrict to these people" in client.get(f"/cases/{case.pk}/access/").content.decode()

    response = client.post(f"/cases/{case.pk}/access/", {"members": [dsl.pk], "reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["This field is required."]

    response = client.post(f"/cases/{case.pk}/access/", {"members": [dsl.pk], "reason": REASON})
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert "Restricted to named people" in client.get(case.get_absolute_url()).content.decode()

    response = client.post(f"/cases/{case.pk}/access/", {"members": [dsl.pk], "reason": "Done", "lift": "1"})
    case.refresh_from_db()
    assert not case.restricted


def test_restricting_a_case_away_from_yourself_returns_you_to_the_list(client, signed_in, school, dsl, deputy):
    case = make_case(school=school, state="reported")
    signed_in(deputy, school=school)

    response = client.post(f"/cases/{case.pk}/access/", {"members": [dsl.pk], "reason": "I know the family."})

    assert response["Location"] == "/cases/"
    assert client.get(case.get_absolute_url()).status_code == 404
    assert selectors.get_incident_for_user_or_404(dsl, school, case.pk) == case
