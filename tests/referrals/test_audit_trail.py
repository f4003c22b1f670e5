"""Every change on a case leaves a history row naming its person; signed records refuse rewriting (PostgreSQL)."""

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction

from incidents.models import ChronologyEntry, Closure, Reopening
from referrals.models import Escalation, FollowUp, SignOff
from referrals.services import referral_escalate, referral_follow_up, referral_make
from safeguard.roles import Role
from tests.conftest import postgres_only
from tests.factories import role_holder

pytestmark = pytest.mark.django_db

SIGNED_RECORDS = [ChronologyEntry, Closure, Reopening, SignOff, FollowUp, Escalation]


def test_a_case_taken_to_closure_and_back_names_a_person_on_every_history_row(school, case_in):
    case_in("reopened")
    for app in ("incidents", "referrals"):
        for model in apps.get_app_config(app).get_models():
            history = getattr(model, "history", None)
            if history is not None:
                assert not history.filter(history_user__isnull=True).exists(), model.__name__


def test_each_step_names_the_person_who_took_it(school, case_in):
    case = case_in("closed")
    reporter, dsl, head = (role_holder(r, school) for r in (Role.STAFF, Role.DSL, Role.HEADTEACHER))
    by_state = {}
    for record in case.history.order_by("history_date", "history_id"):
        by_state.setdefault(record.state, record.history_user)
    assert by_state == {
        "draft": reporter,
        "reported": reporter,
        "under_review": dsl,
        "awaiting_sign_off": dsl,
        "managed_in_school": head,
        "closed": dsl,
    }
    assert SignOff.objects.get().history.get().history_user == head


@postgres_only()
@pytest.mark.parametrize("model", SIGNED_RECORDS, ids=[m.__name__ for m in SIGNED_RECORDS])
def test_signed_records_refuse_update_and_delete_in_the_database(school, case_in, model):
    case = case_in("reopened")
    dsl = role_holder(Role.DSL, school)
    referral = referral_make(
        actor=dsl, incident=case, agency="police_101", method="phone", information_shared="The concern."
    )
    referral_follow_up(actor=dsl, referral=referral, method="phone", notes="No answer")
    referral_escalate(actor=dsl, referral=referral, to_whom="Duty inspector", reason="No answer")
    table = model._meta.db_table
    assert model.objects.exists()
    for statement in (f'UPDATE "{table}" SET "id" = "id"', f'DELETE FROM "{table}"'):  # noqa: S608
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert model.objects.exists()
