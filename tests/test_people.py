"""Who works at the school, in which role: the people page's services and pages (issue 8, section 9)."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from safeguard import services
from safeguard.models import Membership, OutboxMessage
from safeguard.roles import Role
from tests.factories import UserFactory, member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jobs_run_here")]

LINK_BASE = "http://testserver"
TODAY = timezone.localdate


def membership(user, school, role):
    return Membership.objects.get(user=user, school=school, role=role, ended_at__isnull=True)


def last_reason(obj):
    row = obj.history.order_by("-history_id").first()
    return row.history_user, row.history_change_reason


def invite(actor, school, email="new.dsl@example.org", role=Role.DSL, **extra):
    fields = {"first_name": "Niamh", "last_name": "Quinn", "reason": "New DSL from September", **extra}
    return services.person_invite(actor=actor, school=school, email=email, role=role, link_base=LINK_BASE, **fields)


# --- adding people ------------------------------------------------------------------------------------------------


def test_a_new_person_gets_an_account_and_an_invitation_to_choose_a_password(
    client, school, people, django_capture_on_commit_callbacks
):
    head = people[Role.HEADTEACHER]
    with django_capture_on_commit_callbacks(execute=True):
        granted = invite(head, school, email="Niamh.Quinn@Example.org")

    user = granted.user
    assert user.username == user.email == "niamh.quinn@example.org"
    assert not user.has_usable_password()
    assert granted.role == Role.DSL and granted.granted_by == head
    assert last_reason(granted) == (head, "Granted the role of Designated safeguarding lead: New DSL from September")
    (message,) = mail.outbox
    assert message.to == ["niamh.quinn@example.org"]
    assert "authenticator app" in message.body  # a DSL enrols a second factor at first sign-in
    # The email went through the outbox, whose kept row holds ids only: the one-time link was made when it was sent.
    (queued,) = OutboxMessage.objects.filter(task="safeguard.tasks.invitation_email")
    assert queued.done_at is not None
    assert queued.kwargs == {"membership_id": granted.pk, "actor_id": head.pk, "link_base": "http://testserver"}
    link = re.search(r"http://testserver(/account/password-reset/\S+/\S+/)", message.body).group(1)

    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new = "Heron-quiet-river-42"
    assert client.post(form_url, {"new_password1": new, "new_password2": new}).status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    assert not client.get(link, follow=True).context["validlink"]  # once only


def test_someone_already_known_keeps_their_account_and_is_told(
    school, other_school, django_capture_on_commit_callbacks
):
    head = member(Role.HEADTEACHER, school=school)
    teacher = member(Role.STAFF, school=other_school)
    with django_capture_on_commit_callbacks(execute=True):
        granted = invite(head, school, email=teacher.email.upper(), role=Role.STAFF)

    assert granted.user == teacher
    assert get_user_model().objects.filter(email__iexact=teacher.email).count() == 1
    assert "Sign in as usual" in mail.outbox[0].body
    assert "authenticator" not in mail.outbox[0].body


def test_an_address_too_long_for_a_sign_in_name_is_refused_by_the_email_field(school, people):
    with pytest.raises(ValidationError) as refused:
        invite(people[Role.HEADTEACHER], school, email="a" * 150 + "@example.org")
    assert list(refused.value.message_dict) == ["email"]


def test_nothing_is_sent_if_the_change_rolls_back(school, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        invite(people[Role.HEADTEACHER], school, reason="  ")
    assert mail.outbox == []
    assert not get_user_model().objects.filter(email="new.dsl@example.org").exists()


def test_only_the_head_or_the_trust_lead_manage_people(school, other_school, people):
    for role in (Role.STAFF, Role.DSL, Role.DEPUTY_DSL, Role.INSPECTOR):
        with pytest.raises(PermissionDenied):
            invite(people[role], school, email=f"{role}@example.org")
    with pytest.raises(PermissionDenied):
        invite(member(Role.HEADTEACHER, school=other_school), school)
    assert invite(people[Role.TRUST_LEAD], school).school == school


# --- no one gives themselves a role -------------------------------------------------------------------------------


def test_no_one_gives_themselves_a_role(school, people):
    head = people[Role.HEADTEACHER]
    with pytest.raises(ValidationError) as refused:
        invite(head, school, email=head.email)
    assert "You cannot give yourself a role" in refused.value.message_dict["email"][0]
    with pytest.raises(ValidationError) as refused:
        services.person_role_add(actor=head, school=school, user=head, role=Role.DSL, reason="Small school")
    assert "You cannot give yourself a role" in refused.value.message_dict["role"][0]
    assert not Membership.objects.filter(user=head, role=Role.DSL).exists()


def test_no_one_changes_or_ends_their_own_role(school, people):
    head = people[Role.HEADTEACHER]
    member(Role.HEADTEACHER, school=school)  # a co-head, so the school would still have one
    own = membership(head, school, Role.HEADTEACHER)
    with pytest.raises(ValidationError):
        services.membership_role_change(actor=head, membership=own, role=Role.STAFF, reason="Stepping down")
    with pytest.raises(ValidationError):
        services.membership_remove(actor=head, membership=own, reason="Leaving")
    with pytest.raises(ValidationError):
        services.membership_last_day_set(actor=head, membership=own, ends_on=TODAY(), reason="Leaving")
    own.refresh_from_db()
    assert own.is_active() and own.ends_on is None


def test_the_trust_lead_makes_the_head_also_the_dsl(school, people):
    head, lead = people[Role.HEADTEACHER], people[Role.TRUST_LEAD]
    granted = services.person_role_add(
        actor=lead, school=school, user=head, role=Role.DSL, reason="The head is also the DSL"
    )
    assert granted.user == head and granted.role == Role.DSL
    assert last_reason(granted) == (lead, "Granted the role of Designated safeguarding lead: The head is also the DSL")
    with pytest.raises(ValidationError) as again:
        services.person_role_add(actor=lead, school=school, user=head, role=Role.DSL, reason="Twice")
    assert "already has the role" in again.value.message_dict["role"][0]


# --- the last headteacher and DSL ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.DSL, Role.HEADTEACHER])
def test_the_last_head_or_dsl_cannot_be_taken_away_without_a_replacement(school, people, role):
    lead = people[Role.TRUST_LEAD]
    only = membership(people[role], school, role)

    with pytest.raises(ValidationError) as refused:
        services.membership_remove(actor=lead, membership=only, reason="Left the school")
    assert "is the school's only" in refused.value.message_dict["reason"][0]
    with pytest.raises(ValidationError) as refused:
        services.membership_role_change(actor=lead, membership=only, role=Role.STAFF, reason="Stepping back")
    assert "is the school's only" in refused.value.message_dict["role"][0]
    with pytest.raises(ValidationError) as refused:
        services.membership_last_day_set(
            actor=lead, membership=only, ends_on=TODAY() + datetime.timedelta(days=30), reason="Retiring"
        )
    assert "is the school's only" in refused.value.message_dict["ends_on"][0]
    only.refresh_from_db()
    assert only.is_active() and only.ends_on is None

    # A replacement starting on the day after the last day is enough; then the role can go.
    last_day = TODAY() + datetime.timedelta(days=30)
    member(role, school=school, starts_on=last_day + datetime.timedelta(days=1))
    services.membership_last_day_set(actor=lead, membership=only, ends_on=last_day, reason="Retiring")
    only.refresh_from_db()
    assert only.ends_on == last_day
    assert last_reason(only) == (lead, f"Last day set to {last_day:%d %B %Y}: Retiring")
    # Ended today, though, the school would have no one until the replacement starts.
    with pytest.raises(ValidationError):
        services.membership_remove(actor=lead, membership=only, reason="Left early")


def test_a_deputy_or_member_of_staff_can_go_at_any_time(school, people):
    head = people[Role.HEADTEACHER]
    staff = membership(people[Role.STAFF], school, Role.STAFF)
    services.membership_remove(actor=head, membership=staff, reason="Left at Easter")
    staff.refresh_from_db()
    assert staff.ended_at is not None
    assert last_reason(staff) == (head, "Left at Easter")


def test_a_role_change_ends_the_old_role_and_starts_the_new_one_with_the_reason(school, people):
    head, deputy = people[Role.HEADTEACHER], people[Role.DEPUTY_DSL]
    old = membership(deputy, school, Role.DEPUTY_DSL)

    new = services.membership_role_change(actor=head, membership=old, role=Role.DSL, reason="Promoted")

    old.refresh_from_db()
    assert old.ended_at is not None
    assert last_reason(old) == (head, "Role changed to Designated safeguarding lead: Promoted")
    assert new.role == Role.DSL and new.is_active()
    assert last_reason(new) == (head, "Granted the role of Designated safeguarding lead: Promoted")


def test_a_last_day_in_the_past_is_refused(school, people):
    staff = membership(people[Role.STAFF], school, Role.STAFF)
    with pytest.raises(ValidationError) as refused:
        services.membership_last_day_set(
            actor=people[Role.HEADTEACHER], membership=staff, ends_on=TODAY() - datetime.timedelta(days=1), reason="x"
        )
    assert "ends_on" in refused.value.message_dict


# --- takes effect on the person's next request --------------------------------------------------------------------


def test_a_change_takes_effect_on_the_persons_next_request(school, people, signed_in):
    head, teacher = people[Role.HEADTEACHER], UserFactory()
    granted = membership(member(Role.STAFF, school=school, user=teacher), school, Role.STAFF)
    browser = signed_in(teacher, client=Client(), school=school)
    assert browser.get("/pupils/").status_code == 403

    deputy = services.membership_role_change(actor=head, membership=granted, role=Role.DEPUTY_DSL, reason="Trained")
    assert browser.get("/pupils/").status_code == 200

    services.membership_remove(actor=head, membership=deputy, reason="Left the school")
    assert browser.get("/pupils/").status_code == 403


# --- the pages ----------------------------------------------------------------------------------------------------


@pytest.fixture
def head_client(school, people, signed_in):
    return signed_in(people[Role.HEADTEACHER], client=Client(), school=school)


def test_the_people_page_lists_the_school_by_role_with_signatories_marked(school, people, head_client):
    from referrals.services import signatory_designate

    teacher = people[Role.STAFF]
    signatory_designate(actor=people[Role.HEADTEACHER], school=school, user=teacher, reason="The head is the DSL")
    page = head_client.get("/school/people/").content.decode()

    for role in (Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL, Role.STAFF):
        assert f">{role.label}</h2>" in page
        assert people[role].email in page
    row = page[page.index(teacher.email) :].split("</tr>")[0]
    assert "Signatory" in row
    assert f'href="/school/people/{membership(teacher, school, Role.STAFF).pk}/"' in page


def test_adding_a_person_through_the_page(school, head_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = head_client.post(
            "/school/people/add/",
            {
                "email": "sam.ade@example.org",
                "first_name": "Sam",
                "last_name": "Ade",
                "role": "deputy_dsl",
                "reason": "New deputy",
            },
        )
    assert response.status_code == 302 and response.url == "/school/people/"
    assert membership(get_user_model().objects.get(email="sam.ade@example.org"), school, Role.DEPUTY_DSL)
    assert mail.outbox[0].to == ["sam.ade@example.org"]
    assert "Sam Ade is added as Deputy DSL" in head_client.get("/school/people/").content.decode()


def test_the_add_form_shows_each_problem_by_its_field(head_client):
    response = head_client.post("/school/people/add/", {"email": "not an address", "role": "dsl", "reason": "x"})
    assert 'id="id_email_error"' in response.content.decode()

    response = head_client.post("/school/people/add/", {"email": "new@example.org", "role": "dsl", "reason": "x"})
    page = response.content.decode()
    assert response.context["form"].errors["first_name"] == ["Please give the new person's first and last names."]
    assert 'id="id_first_name_error"' in page and 'href="#id_first_name"' in page
    assert not get_user_model().objects.filter(email="new@example.org").exists()


def test_ending_the_last_dsl_on_the_page_says_why_by_the_field(school, people, head_client):
    only = membership(people[Role.DSL], school, Role.DSL)
    response = head_client.post(f"/school/people/{only.pk}/end/", {"end-reason": "Left"})
    assert response.status_code == 200
    assert "is the school&#x27;s only designated safeguarding lead" in response.content.decode()
    assert 'id="id_end-reason_error"' in response.content.decode()
    only.refresh_from_db()
    assert only.ended_at is None


def test_a_role_is_changed_and_ended_through_the_page(school, people, head_client):
    deputy = membership(people[Role.DEPUTY_DSL], school, Role.DEPUTY_DSL)
    response = head_client.post(f"/school/people/{deputy.pk}/role/", {"role-role": "staff", "role-reason": "Asked"})
    assert response.status_code == 302
    now_staff = membership(people[Role.DEPUTY_DSL], school, Role.STAFF)
    response = head_client.post(f"/school/people/{now_staff.pk}/end/", {"end-reason": "Left at Easter"})
    assert response.status_code == 302
    now_staff.refresh_from_db()
    assert now_staff.ended_at is not None


def test_the_head_is_made_the_dsl_as_well_by_the_trust_lead(school, people, signed_in):
    lead = signed_in(people[Role.TRUST_LEAD], client=Client(), school=school)
    head = membership(people[Role.HEADTEACHER], school, Role.HEADTEACHER)
    assert "Make them the DSL as well" in lead.get(f"/school/people/{head.pk}/").content.decode()
    response = lead.post(f"/school/people/{head.pk}/also-dsl/", {"also_dsl-reason": "Small school"})
    assert response.status_code == 302
    assert membership(people[Role.HEADTEACHER], school, Role.DSL)


def test_ones_own_role_has_no_forms(school, people, head_client):
    own = membership(people[Role.HEADTEACHER], school, Role.HEADTEACHER)
    page = head_client.get(f"/school/people/{own.pk}/").content.decode()
    assert "This is your own role" in page
    assert "<form" not in page.split("<main")[1]
    response = head_client.post(f"/school/people/{own.pk}/also-dsl/", {"also_dsl-reason": "Small school"})
    assert response.status_code == 200
    assert not Membership.objects.filter(user=people[Role.HEADTEACHER], role=Role.DSL).exists()


def test_another_schools_person_is_not_found(school, other_school, head_client):
    elsewhere = membership(member(Role.STAFF, school=other_school), other_school, Role.STAFF)
    assert head_client.get(f"/school/people/{elsewhere.pk}/").status_code == 404
    response = head_client.post(f"/school/people/{elsewhere.pk}/end/", {"end-reason": "x"})
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.ended_at is None


@pytest.mark.parametrize("role", [Role.STAFF, Role.DSL, Role.DEPUTY_DSL, Role.INSPECTOR])
def test_only_the_head_and_trust_lead_open_the_people_pages(school, people, signed_in, role):
    browser = signed_in(people[role], client=Client(), school=school)
    target = membership(people[Role.STAFF], school, Role.STAFF)
    for url in ("/school/people/", "/school/people/add/", f"/school/people/{target.pk}/"):
        assert browser.get(url).status_code == 403
    assert browser.post(f"/school/people/{target.pk}/end/", {"end-reason": "x"}).status_code == 403


def test_the_people_pages_write_nothing_on_a_get(school, people, head_client):
    target = membership(people[Role.STAFF], school, Role.STAFF)
    before = (Membership.history.count(), get_user_model().objects.count())
    for url in ("/school/people/", "/school/people/add/", f"/school/people/{target.pk}/"):
        assert head_client.get(url).status_code == 200
    assert (Membership.history.count(), get_user_model().objects.count()) == before


# --- the command, for scripting and a new school's first headteacher ------------------------------------------------


def test_grant_role_invites_a_schools_first_head_by_email(school, django_capture_on_commit_callbacks):
    import io

    from django.core.management import call_command

    from tests.factories import admin_user

    admin = admin_user()
    options = {"role": "headteacher", "school": school.urn, "actor": admin.username, "stdout": io.StringIO()}
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "grant_role",
            email="Head@Example.org",
            first_name="Ada",
            last_name="Obi",
            site="https://sg.example/",
            **options,
        )

    head = membership(get_user_model().objects.get(email="head@example.org"), school, Role.HEADTEACHER)
    assert last_reason(head) == (admin, "Granted the role of Headteacher")
    assert re.search(r"https://sg\.example/account/password-reset/\S+/\S+/", mail.outbox[0].body)

    teacher = UserFactory()
    call_command("grant_role", user=teacher.username, **{**options, "role": "staff"})
    assert membership(teacher, school, Role.STAFF)


def test_the_invitation_is_sent_again_until_a_password_is_chosen(
    school, people, head_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invited = invite(people[Role.HEADTEACHER], school)
    assert "Invited, no password yet" in head_client.get("/school/people/").content.decode()
    assert "Send the invitation again" in head_client.get(f"/school/people/{invited.pk}/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = head_client.post(f"/school/people/{invited.pk}/invite-again/")
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["new.dsl@example.org"]] * 2
    assert "/account/password-reset/" in mail.outbox[1].body

    staff = membership(people[Role.STAFF], school, Role.STAFF)
    assert "Send the invitation again" not in head_client.get(f"/school/people/{staff.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = head_client.post(f"/school/people/{staff.pk}/invite-again/", follow=True)
    assert "has chosen a password already" in response.content.decode()
    assert len(mail.outbox) == 2
