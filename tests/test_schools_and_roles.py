"""The current school, who holds which role in it, and what each role's dashboard shows (and never shows)."""

import datetime

import pytest
from django.utils import timezone
from django.utils.html import escape

from safeguard import services, tasks
from safeguard.memberships import roles_in_school
from safeguard.middleware import SESSION_SCHOOL_KEY
from safeguard.models import Membership
from safeguard.roles import Role
from tests.factories import PupilFactory, SchoolFactory, TrustFactory, UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def registers(school, other_school):
    """Three pupils at Oak Hill (one looked after), five at Elm Park: counts that tell the schools apart."""
    PupilFactory.create_batch(2, school=school)
    PupilFactory(school=school, looked_after=True)
    PupilFactory.create_batch(5, school=other_school, known_to_social_care=True)


@pytest.fixture
def today_is(monkeypatch):
    """Move the calendar on (for time-limited memberships), without touching the clock used for timestamps."""
    real = timezone.localdate

    def move_to(day):
        monkeypatch.setattr(
            timezone, "localdate", lambda value=None, timezone=None: day if value is None else real(value, timezone)
        )

    return move_to


def current_school_name(response):
    return response.context["current_school"].name if response.context["current_school"] else None


# --- the current school and the switcher --------------------------------------------------------------------------


def test_user_with_roles_in_two_schools_sees_a_switcher_and_can_switch(school, other_school, signed_in):
    user = member(Role.DSL, school=school)
    member(Role.STAFF, school=other_school, user=user)
    client = signed_in(user)

    response = client.get("/")
    page = response.content.decode()
    assert 'id="school-switcher"' in page
    assert f'<option value="{school.pk}"' in page and f'<option value="{other_school.pk}"' in page
    first = current_school_name(response)

    target = school if first == other_school.name else other_school
    response = client.post("/school/switch/", {"school": target.pk})
    assert response.status_code == 302
    assert response.url == "/"

    response = client.get("/")
    assert current_school_name(response) == target.name
    assert client.session[SESSION_SCHOOL_KEY] == target.pk
    expected_roles = {school: {Role.DSL}, other_school: {Role.STAFF}}[target]
    assert set(response.wsgi_request.roles) == expected_roles


def test_roles_follow_the_current_school(school, other_school, signed_in, registers):
    user = member(Role.DSL, school=school)
    member(Role.STAFF, school=other_school, user=user)
    client = signed_in(user)

    client.post("/school/switch/", {"school": other_school.pk})
    assert client.get("/pupils/").status_code == 403  # staff at Elm Park
    assert client.get("/pupils/import/").status_code == 403

    client.post("/school/switch/", {"school": school.pk})
    response = client.get("/pupils/")
    assert response.status_code == 200  # DSL at Oak Hill
    assert response.context["page"].paginator.count == 3


def test_switching_to_a_school_that_is_not_theirs_is_ignored(school, other_school, signed_in):
    stranger_school = SchoolFactory(trust=TrustFactory(), name="Willow Bank School")
    user = member(Role.DSL, school=school)
    member(Role.STAFF, school=other_school, user=user)
    client = signed_in(user)
    client.post("/school/switch/", {"school": school.pk})

    for wanted in (stranger_school.pk, "not-a-number", "", 10**9):
        response = client.post("/school/switch/", {"school": wanted})
        assert response.status_code == 302
        response = client.get("/")
        assert current_school_name(response) == school.name
        assert stranger_school.name not in response.content.decode()


def test_a_session_pointing_at_a_school_no_longer_theirs_falls_back(school, other_school, signed_in):
    user = member(Role.STAFF, school=school)
    client = signed_in(user)
    session = client.session
    session[SESSION_SCHOOL_KEY] = other_school.pk
    session.save()

    response = client.get("/")

    assert current_school_name(response) == school.name
    assert client.session[SESSION_SCHOOL_KEY] == school.pk


def test_switch_needs_post(school, signed_in):
    client = signed_in(member(Role.STAFF, school=school))
    assert client.get("/school/switch/").status_code == 405


# --- time-limited access ------------------------------------------------------------------------------------------


def test_membership_past_its_last_day_gives_no_access_from_the_next_request(school, signed_in, registers, today_is):
    today = timezone.localdate()
    inspector = member(Role.INSPECTOR, school=school, ends_on=today)
    client = signed_in(inspector)

    response = client.get("/")
    assert current_school_name(response) == school.name
    assert "Your inspection access" in response.content.decode()

    today_is(today + datetime.timedelta(days=1))
    response = client.get("/")

    page = response.content.decode()
    assert current_school_name(response) is None
    assert response.wsgi_request.roles == frozenset()
    assert school.name not in page
    assert "Your inspection access" not in page
    assert "You do not have a role in any school" in page
    # The expiry task has not run: the membership is still open, yet access is gone.
    assert Membership.objects.get(user=inspector).ended_at is None


def test_ended_dsl_loses_the_register_at_once(school, people, signed_in, registers):
    dsl = people[Role.DSL]
    client = signed_in(dsl)
    assert client.get("/pupils/").status_code == 200

    services.membership_end(actor=UserFactory(), membership=dsl.memberships.get(), reason="Left the school")

    assert client.get("/pupils/").status_code == 403
    assert roles_in_school(dsl, school) == frozenset()


def test_expiry_task_ends_the_membership_and_is_safe_twice(school, today_is):
    today = timezone.localdate()
    granter = UserFactory()
    inspector = UserFactory()
    services.membership_grant(actor=granter, user=inspector, role=Role.INSPECTOR, school=school, ends_on=today)
    staff = member(Role.STAFF, school=school)

    assert tasks.memberships_end_expired() == 0  # its last day is today: still in force

    today_is(today + datetime.timedelta(days=1))
    assert tasks.memberships_end_expired() == 1

    membership = Membership.objects.get(user=inspector)
    assert membership.ended_at is not None
    assert membership.history.count() == 2

    ended_at = membership.ended_at
    assert tasks.memberships_end_expired() == 0
    membership.refresh_from_db()
    assert membership.ended_at == ended_at
    assert membership.history.count() == 2
    # Open-ended memberships are untouched.
    assert Membership.objects.get(user=staff).ended_at is None


def test_expiry_keeps_the_persons_other_roles(school, other_school, today_is):
    today = timezone.localdate()
    person = member(Role.INSPECTOR, school=school, ends_on=today)
    member(Role.HEADTEACHER, school=other_school, user=person)

    today_is(today + datetime.timedelta(days=1))
    tasks.memberships_end_expired()

    assert roles_in_school(person, school) == frozenset()
    assert roles_in_school(person, other_school) == {Role.HEADTEACHER}


# --- the trust safeguarding lead ----------------------------------------------------------------------------------


def test_trust_lead_sees_every_school_of_their_trust_read_only(school, other_school, people, signed_in, registers):
    elsewhere = SchoolFactory(trust=TrustFactory(), name="Willow Bank School")
    PupilFactory(school=elsewhere)
    client = signed_in(people[Role.TRUST_LEAD])

    response = client.get("/")
    assert {s.name for s in response.context["user_schools"]} == {school.name, other_school.name}
    assert elsewhere.name not in response.content.decode()

    for target, count in ((school, 3), (other_school, 5)):
        client.post("/school/switch/", {"school": target.pk})
        response = client.get("/pupils/")
        assert response.status_code == 200
        assert response.context["page"].paginator.count == count
        assert set(response.wsgi_request.roles) == {Role.TRUST_LEAD}
        assert client.get("/pupils/import/").status_code == 403
        assert client.post("/pupils/import/", {}).status_code == 403

    client.post("/school/switch/", {"school": elsewhere.pk})
    assert current_school_name(client.get("/")) == other_school.name


# --- each role's dashboard ----------------------------------------------------------------------------------------


@pytest.fixture
def other_school_dsl(other_school):
    return member(Role.DSL, school=other_school, user=UserFactory(first_name="Zebedee", last_name="Quartermaine"))


def dashboard(client):
    response = client.get("/")
    assert response.status_code == 200
    return response, response.content.decode()


@pytest.mark.parametrize("role", [Role.DSL, Role.DEPUTY_DSL])
def test_dsl_team_dashboard(role, school, other_school, people, signed_in, registers, other_school_dsl):
    response, page = dashboard(signed_in(people[role]))

    assert response.context["register"]["total"] == 3
    assert response.context["register"]["looked_after"] == 1
    assert "<dt>Pupils on roll</dt><dd>3</dd>" in page
    assert "Import or update the register" in page
    assert 'href="/pupils/import/"' in page
    assert "trust_schools" not in response.context
    assert other_school.name not in page
    assert "<dd>5</dd>" not in page
    assert "Quartermaine" not in page


def test_headteacher_dashboard(school, other_school, people, signed_in, registers, other_school_dsl):
    response, page = dashboard(signed_in(people[Role.HEADTEACHER]))

    assert "<dt>Pupils on roll</dt><dd>3</dd>" in page
    assert "Import or update the register" not in page
    assert 'href="/pupils/import/"' not in page
    assert other_school.name not in page
    assert "<dd>5</dd>" not in page
    assert "Quartermaine" not in page


def test_staff_dashboard(school, other_school, people, signed_in, registers, other_school_dsl):
    dsl = people[Role.DSL]
    response, page = dashboard(signed_in(people[Role.STAFF]))

    assert "register" not in response.context
    assert "Pupils on roll" not in page
    assert 'href="/pupils/"' not in page
    assert "The safeguarding team" in page
    assert escape(dsl.get_full_name()) in page  # names like O'Neill are HTML-escaped
    assert "Designated safeguarding lead" in page
    assert other_school.name not in page
    assert "Quartermaine" not in page


def test_inspector_dashboard(school, other_school, people, signed_in, registers, other_school_dsl):
    response, page = dashboard(signed_in(people[Role.INSPECTOR]))

    assert "Your inspection access" in page
    assert "register" not in response.context
    assert "Pupils on roll" not in page
    assert 'href="/pupils/"' not in page
    assert other_school.name not in page
    assert "Quartermaine" not in page


def test_inspector_dashboard_says_nothing_is_shared_without_a_grant(school, signed_in):
    # What an inspector reads, and until when, comes with a grant (tests/records/test_inspection.py).
    inspector = member(Role.INSPECTOR, school=school, ends_on=timezone.localdate() + datetime.timedelta(days=30))
    _, page = dashboard(signed_in(inspector))
    assert "No records are shared with you here at the moment" in page


def test_trust_lead_dashboard(school, other_school, trust, people, signed_in, registers):
    elsewhere = SchoolFactory(trust=TrustFactory(), name="Willow Bank School")
    PupilFactory.create_batch(7, school=elsewhere)
    response, page = dashboard(signed_in(people[Role.TRUST_LEAD]))

    assert f"Schools in {trust.name}" in page
    rows = {s.name: summary["total"] for s, summary in response.context["trust_schools"]}
    assert rows == {school.name: 3, other_school.name: 5}
    assert f'<th scope="row">{school.name}</th><td>3</td>' in page
    assert f'<th scope="row">{other_school.name}</th><td>5</td>' in page
    assert "Import or update the register" not in page
    assert elsewhere.name not in page
    assert "<td>7</td>" not in page


def test_person_with_no_role_sees_no_school(client, school, registers):
    client.force_login(UserFactory())
    response, page = dashboard(client)
    assert "You do not have a role in any school" in page
    assert school.name not in page
    assert client.get("/pupils/").status_code == 403
