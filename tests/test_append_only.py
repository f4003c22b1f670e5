"""The audit trail is append-only in the database itself: no UPDATE or DELETE, whoever asks (PostgreSQL only)."""

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from simple_history.models import HistoricalChanges, registered_models

from safeguard import services
from safeguard.audit import audited_save, log_access
from safeguard.models import AccessLog, Membership, Pupil, School, Trust
from safeguard.roles import Role
from tests.conftest import postgres_only
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, postgres_only()]

CORE_TABLES = [
    Trust.history.model._meta.db_table,
    School.history.model._meta.db_table,
    Membership.history.model._meta.db_table,
    Pupil.history.model._meta.db_table,
    AccessLog._meta.db_table,
]


def append_only_tables():
    """Every history table of every model registered with simple-history, and the access log."""
    tables = {AccessLog._meta.db_table}
    for model in registered_models.values():
        attribute = getattr(model._meta, "simple_history_manager_attribute", None)
        if attribute is not None:  # m2m through models are listed too; their history models are found below
            tables.add(getattr(model, attribute).model._meta.db_table)
    # Every historical model, including those of many-to-many fields tracked with m2m_fields.
    tables |= {m._meta.db_table for m in apps.get_models() if issubclass(m, HistoricalChanges)}
    return sorted(tables)


@pytest.fixture
def audited_rows(school, pupil):
    """At least one row in each append-only table."""
    actor = UserFactory()
    membership = services.membership_grant(actor=actor, user=UserFactory(), role=Role.STAFF, school=school)
    pupil.first_name = "Changed"
    audited_save(pupil, actor=actor, reason="Correction", update_fields=["first_name"])
    log_access(user=actor, school=school, records=[(Pupil, pupil.pk, AccessLog.Action.VIEW)])
    return {"membership": membership}


def count(table):
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (table names come from the models)
        return cursor.fetchone()[0]


def test_every_core_table_is_covered_by_the_discovery():
    assert set(CORE_TABLES) <= set(append_only_tables())


@pytest.mark.parametrize("table", CORE_TABLES)
def test_update_is_refused(audited_rows, table):
    assert count(table) > 0
    column = "object_id" if table == AccessLog._meta.db_table else "history_change_reason"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET "{column}" = %s', ["rewritten"])  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}" = %s', ["rewritten"])  # noqa: S608
        assert cursor.fetchone()[0] == 0


@pytest.mark.parametrize("table", CORE_TABLES)
def test_delete_is_refused(audited_rows, table):
    before = count(table)
    assert before > 0
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{table}"')  # noqa: S608
    assert count(table) == before


@pytest.mark.parametrize("table", CORE_TABLES)
def test_truncate_is_refused_even_for_the_owner(audited_rows, table):
    """TRUNCATE fires no row trigger; a statement trigger refuses it, whoever asks (these tests connect as the
    tables' owner, a superuser)."""
    before = count(table)
    assert before > 0
    with connection.cursor() as cursor:
        # The rows above were written in this test's transaction: their foreign keys' deferred checks would stop
        # TRUNCATE before the trigger had a say.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(DatabaseError, match="TRUNCATE .* append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute(f'TRUNCATE "{table}"')
    assert count(table) == before


def test_orm_delete_of_an_access_log_row_is_refused(audited_rows):
    entry = AccessLog.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.delete()
    assert AccessLog.objects.filter(pk=entry.pk).exists()


def test_insert_still_works(audited_rows, school, pupil):
    actor = UserFactory()
    before = {table: count(table) for table in CORE_TABLES}

    services.trust_create(actor=actor, name="Another Trust")
    services.school_create(actor=actor, name="Another School", urn="999001")
    services.membership_end(actor=actor, membership=audited_rows["membership"], reason="Left")
    pupil.last_name = "Corrected"
    audited_save(pupil, actor=actor, reason="Correction", update_fields=["last_name"])
    log_access(user=actor, school=school, records=[(Pupil, pupil.pk, AccessLog.Action.VIEW)])

    after = {table: count(table) for table in CORE_TABLES}
    assert all(after[table] == before[table] + 1 for table in CORE_TABLES), (before, after)


def test_live_tables_still_accept_updates(pupil):
    """The triggers sit on the trail only: the records themselves are corrected (with a history row) as usual."""
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{Pupil._meta.db_table}" SET "first_name" = %s WHERE id = %s', ["Raw", pupil.pk])  # noqa: S608
    pupil.refresh_from_db()
    assert pupil.first_name == "Raw"


def test_every_audited_table_has_the_append_only_triggers():
    """A new audited model must add its history table to an append_only() migration: this test says which."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, t.tgname, p.proname, t.tgenabled
            FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid
            JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE NOT t.tgisinternal
            """
        )
        triggers = {(table, name): (function, enabled) for table, name, function, enabled in cursor.fetchall()}

    missing = [
        (table, trigger)
        for table in append_only_tables()
        for trigger in (f"{table}_append_only", f"{table}_no_truncate")
        if triggers.get((table, trigger)) != ("safeguard_refuse_rewrite", "O")
    ]
    assert not missing, f"These tables lack an enabled append-only trigger: {missing}"
