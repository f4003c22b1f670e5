"""Every change to an audited model names the person who made it and why; a change without a person is refused."""

import datetime

import pytest
from django.utils import timezone

from safeguard import services, tasks
from safeguard.audit import MissingActor, audited_save
from safeguard.memberships import roles_in_school
from safeguard.models import Membership, Pupil, School, Trust
from safeguard.pupil_import import COLUMNS, pupils_import
from safeguard.roles import Role
from tests.factories import PupilFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def register(*rows):
    lines = [",".join(COLUMNS[:6])] + [",".join(row) for row in rows]
    return "\n".join(lines) + "\n"


def latest(obj):
    return obj.history.order_by("-history_date", "-history_id").first()


# --- each audited model, changed through its service, names the actor and the reason ---------------------------


def test_trust_create_records_actor_and_reason():
    actor = UserFactory()
    trust = services.trust_create(actor=actor, name="Northgate Trust")

    (record,) = trust.history.all()
    assert record.history_type == "+"
    assert record.history_user == actor
    assert record.history_change_reason == "Trust created"


def test_school_create_records_actor_and_reason(trust):
    actor = UserFactory()
    school = services.school_create(actor=actor, name="Birch Lane School", urn="123456", trust=trust)

    (record,) = school.history.all()
    assert record.history_user == actor
    assert record.history_change_reason == "School created"
    assert record.trust_id == trust.pk


def test_school_update_through_audited_save_records_a_second_row(school):
    actor = UserFactory()
    school.name = "Oak Hill Academy"
    audited_save(school, actor=actor, reason="Renamed on conversion", update_fields=["name"])

    assert school.history.count() == 2
    record = latest(school)
    assert record.history_type == "~"
    assert record.history_user == actor
    assert record.history_change_reason == "Renamed on conversion"
    assert record.name == "Oak Hill Academy"


def test_membership_grant_and_end_record_actor_and_reason(school):
    granter, ender, person = UserFactory(), UserFactory(), UserFactory()
    membership = services.membership_grant(actor=granter, user=person, role=Role.HEADTEACHER, school=school)

    (granted,) = membership.history.all()
    assert granted.history_user == granter
    assert granted.history_change_reason == "Granted the role of Headteacher"

    services.membership_end(actor=ender, membership=membership, reason="Left the school")

    assert membership.history.count() == 2
    ended = latest(membership)
    assert ended.history_user == ender
    assert ended.history_change_reason == "Left the school"
    assert ended.ended_at is not None


def test_pupil_import_records_actor_and_reason_for_create_and_update(school, people):
    dsl = people[Role.DSL]
    pupils_import(actor=dsl, school=school, text=register(("A12345678901B", "Ada", "Lovelace", "2012-12-10", "8", "F")))
    pupil = Pupil.objects.get(school=school, upn="A12345678901B")

    (created,) = pupil.history.all()
    assert created.history_user == dsl
    assert created.history_change_reason == "Imported from the register"

    deputy = people[Role.DEPUTY_DSL]
    pupils_import(
        actor=deputy, school=school, text=register(("A12345678901B", "Ada", "Lovelace", "2012-12-10", "9", "F"))
    )

    assert pupil.history.count() == 2
    updated = latest(pupil)
    assert updated.history_type == "~"
    assert updated.history_user == deputy
    assert updated.history_change_reason == "Updated from the register"
    assert updated.year_group == "9"


# --- a change that names no one is refused, and nothing is written ----------------------------------------------


def test_trust_create_without_actor_is_refused():
    before = Trust.history.count()
    with pytest.raises(MissingActor):
        services.trust_create(actor=None, name="Nameless Trust")

    assert not Trust.objects.filter(name="Nameless Trust").exists()
    assert Trust.history.count() == before


def test_school_create_without_actor_is_refused(trust):
    before = School.history.count()
    with pytest.raises(MissingActor):
        services.school_create(actor=None, name="Nameless School", urn="654321", trust=trust)

    assert not School.objects.filter(urn="654321").exists()
    assert School.history.count() == before


def test_membership_end_without_actor_is_refused(school):
    person = member(Role.STAFF, school=school)
    membership = Membership.objects.get(user=person)
    before = Membership.history.count()

    with pytest.raises(MissingActor):
        services.membership_end(actor=None, membership=membership, reason="No one said")

    membership.refresh_from_db()
    assert membership.ended_at is None
    assert Membership.history.count() == before
    assert roles_in_school(person, school) == {Role.STAFF}


def test_audited_save_without_actor_is_refused(school):
    before = Pupil.history.count()
    with pytest.raises(MissingActor):
        audited_save(PupilFactory.build(school=school, upn="B00000000001C"), actor=None, reason="No one")

    assert not Pupil.objects.filter(upn="B00000000001C").exists()
    assert Pupil.history.count() == before


def test_audited_save_of_an_update_without_actor_is_refused(pupil):
    with pytest.raises(MissingActor):
        pupil.first_name = "Changed"
        audited_save(pupil, actor=None, reason="No one", update_fields=["first_name"])

    pupil.refresh_from_db()
    assert pupil.first_name != "Changed"
    assert pupil.history.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("model", [Trust, School, Pupil])
def test_plain_save_outside_any_transaction_is_refused_before_writing(model):
    """A shell or script saving in autocommit mode must not leave an unattributed change behind."""
    school = School.objects.first() or services.school_create(actor=UserFactory(), name="Ash School", urn="777777")
    instance = {
        Trust: lambda: Trust(name="Quiet Trust"),
        School: lambda: School(name="Quiet School", urn="888888"),
        Pupil: lambda: PupilFactory.build(school=school, upn="C00000000001D"),
    }[model]()
    objects_before, history_before = model.objects.count(), model.history.count()

    with pytest.raises(MissingActor):
        instance.save()

    assert model.objects.count() == objects_before
    assert model.history.count() == history_before


# --- the Celery task records the person who set the end date ------------------------------------------------------


def test_expiry_task_records_granted_by_as_history_user(school):
    granter = UserFactory()
    inspector = UserFactory()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    membership = services.membership_grant(
        actor=granter, user=inspector, role=Role.INSPECTOR, school=school, ends_on=yesterday
    )

    assert tasks.memberships_end_expired() == 1

    membership.refresh_from_db()
    assert membership.ended_at is not None
    record = latest(membership)
    assert record.history_user == granter
    assert record.history_change_reason.startswith("Access ended after its last day")
    assert record.ended_at == membership.ended_at


def test_attribution_is_not_reused_by_a_later_plain_save(school):
    from safeguard.audit import MissingActor

    school.name = "Renamed without saying who"
    with pytest.raises(MissingActor):
        school.save()


# --- people's accounts -----------------------------------------------------------------------------------------


def test_an_account_change_is_kept_with_who_made_it_and_never_the_password_hash():
    admin, person = UserFactory(), UserFactory(email="old@example.org")
    person.email, person.is_active = "new@example.org", False
    audited_save(person, actor=admin, reason="Left the school")

    record = latest(person)
    assert (record.history_user, record.history_change_reason) == (admin, "Left the school")
    assert (record.email, record.is_active) == ("new@example.org", False)
    recorded = {field.name for field in record._meta.fields}
    assert {"username", "email", "is_active", "is_staff", "is_superuser"} <= recorded
    assert not {"password", "last_login"} & recorded


def test_raising_an_account_to_superuser_without_naming_anyone_is_refused():
    person = UserFactory()
    rows = person.history.count()
    person.is_superuser = True
    with pytest.raises(MissingActor):
        person.save()
    person.refresh_from_db()
    assert not person.is_superuser and person.history.count() == rows


def test_a_new_password_or_a_sign_in_writes_no_account_history(client):
    person = UserFactory()
    rows = person.history.count()
    person.set_password("another-long-password")
    person.save()  # as the password change and reset pages do: every field saved, only the hash changed
    person.last_login = timezone.now()
    person.save(update_fields=["last_login"])
    assert person.history.count() == rows

    # The skip was for those saves alone: a real change afterwards still needs a person.
    person.email = "elsewhere@example.org"
    with pytest.raises(MissingActor):
        person.save()


def test_an_account_made_at_the_command_line_is_recorded_as_made_there():
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("createsuperuser", username="first.admin", email="it@example.org", interactive=False, verbosity=0)
    admin = get_user_model().objects.get(username="first.admin")
    (record,) = admin.history.all()
    assert record.history_user == admin
    assert record.history_change_reason == "Account created outside Safeguard's pages (a command or the shell)"
    assert record.is_superuser
