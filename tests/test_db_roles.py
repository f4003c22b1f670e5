"""The application's database role owns nothing and may only add to the audit trail (PostgreSQL only).

These tests connect as that role, as web, worker and beat do in production (docker-compose.yml), with the rights
`migrate` gives it when SAFEGUARD_DB_APP_ROLE is set (safeguard.db.app_role_grant): the application can neither
rewrite the trail nor switch its triggers off. The tests' own connection is the tables' owner, a superuser.
"""

from contextlib import contextmanager

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from incidents.models import ChronologyEntry, Incident
from safeguard.audit import audited_save, log_access
from safeguard.db import app_role_grant
from safeguard.db import append_only_tables as db_append_only_tables
from safeguard.models import AccessLog, Pupil
from tests.conftest import postgres_only
from tests.factories import PupilFactory, SchoolFactory, UserFactory, make_case
from tests.test_append_only import append_only_tables

pytestmark = postgres_only()

# Roles belong to the whole server, not to one database: a name no deployment uses, shared by every test database
# (each has its own grants), so runs side by side or one after another need nothing removed.
APP_ROLE = "safeguard_test_app_role"
APP_PASSWORD = "test-only-not-secret"

HISTORY = Pupil.history.model._meta.db_table
ACCESS_LOG = AccessLog._meta.db_table
COLUMN = {HISTORY: "history_change_reason", ACCESS_LOG: "object_id"}

REFUSED = {
    "truncate": 'TRUNCATE "{table}"',
    "update": 'UPDATE "{table}" SET "{column}" = \'rewritten\'',
    "delete": 'DELETE FROM "{table}"',
    "disable the row trigger": 'ALTER TABLE "{table}" DISABLE TRIGGER "{table}_append_only"',
    "disable every trigger": 'ALTER TABLE "{table}" DISABLE TRIGGER ALL',
    "drop the truncate trigger": 'DROP TRIGGER "{table}_no_truncate" ON "{table}"',
    "drop the table": 'DROP TABLE "{table}"',
}


@pytest.fixture(scope="module")
def app_role(django_db_setup, django_db_blocker):
    """The role, with the grants production gives it: `migrate` with SAFEGUARD_DB_APP_ROLE set, on the test
    database (committed, so other connections see them)."""
    with (
        django_db_blocker.unblock(),
        override_settings(SAFEGUARD_DB_APP_ROLE=APP_ROLE, SAFEGUARD_DB_APP_PASSWORD=APP_PASSWORD),
    ):
        call_command("migrate", verbosity=0)
    return APP_ROLE


@contextmanager
def connected_as_app_role():
    """Django's own connection, as the application's role, for the code run inside the block."""
    owner = {key: connection.settings_dict[key] for key in ("USER", "PASSWORD")}
    connection.close()
    connection.settings_dict.update(USER=APP_ROLE, PASSWORD=APP_PASSWORD)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(owner)


@pytest.fixture
def app_db(app_role):
    """A plain psycopg connection to the test database as the application's role, for statements no code of ours
    sends."""
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        dbname=settings["NAME"],
        user=APP_ROLE,
        password=APP_PASSWORD,
        autocommit=True,
    ) as conn:
        yield conn


@pytest.fixture
def trail(transactional_db):
    """Committed rows in a history table and the access log, written by the owner; returns the access log's."""
    actor = UserFactory()
    pupil = PupilFactory()
    pupil.first_name = "Changed"
    audited_save(pupil, actor=actor, reason="Correction", update_fields=["first_name"])
    (entry,) = log_access(user=actor, school=pupil.school, records=[(Pupil, pupil.pk, AccessLog.Action.VIEW)])
    return entry


def count(conn, table):
    return conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608 (names from the models)


def enabled_triggers(conn, table):
    return conn.execute(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal AND tgenabled = 'O'",
        [table],
    ).fetchall()


def test_the_application_role_cannot_rewrite_the_trail_or_switch_its_triggers_off(trail, app_db):
    """Each statement on a history table and on the access log (one test, so the database is emptied once)."""
    allowed = []
    for table in (HISTORY, ACCESS_LOG):
        before, triggers = count(app_db, table), enabled_triggers(app_db, table)
        assert before > 0 and len(triggers) == 2
        for statement in REFUSED.values():
            sql = statement.format(table=table, column=COLUMN[table])
            try:
                app_db.execute(sql)
            except psycopg.errors.InsufficientPrivilege as refusal:
                assert "permission denied" in str(refusal) or "must be owner" in str(refusal), refusal
            else:
                allowed.append(sql)
        assert count(app_db, table) == before
        assert enabled_triggers(app_db, table) == triggers
    assert not allowed, f"The application's role was allowed: {allowed}"

    # What it may do: add to the trail, and read it.
    before = count(app_db, ACCESS_LOG)
    app_db.execute(
        f'INSERT INTO "{ACCESS_LOG}" (user_id, school_id, content_type_id, object_id, action, page, at) '  # noqa: S608
        "VALUES (%s, %s, %s, %s, 'view', '', now())",
        [trail.user_id, trail.school_id, trail.content_type_id, trail.object_id],
    )
    assert count(app_db, ACCESS_LOG) == before + 1


def test_the_application_role_cannot_turn_triggers_off_for_its_session(app_db):
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="session_replication_role"):
        app_db.execute("SET session_replication_role = replica")
    assert app_db.execute("SHOW session_replication_role").fetchone()[0] == "origin"


def test_the_application_runs_a_case_from_concern_to_reopening_as_its_role(app_role, transactional_db):
    """Every service a case passes through (locks, history, chronology, sign-off, closure) works with the rights
    the role has: its writes to case tables are allowed, and its additions to the trail."""
    with connected_as_app_role():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == APP_ROLE
        school = SchoolFactory()
        case = make_case(school=school, state="reopened")
        log_access(user=case.reported_by, school=school, records=[(Incident, case.pk, AccessLog.Action.VIEW)])

        assert Incident.objects.get(pk=case.pk).state == "reopened"
        assert Incident.history.filter(id=case.pk).count() > 3
        assert ChronologyEntry.objects.filter(incident=case).exists()
        assert AccessLog.objects.filter(object_id=str(case.pk)).exists()


def test_the_role_may_only_insert_and_select_on_every_append_only_table(app_role, db):
    """The rights, table by table: the append-only ones (every history table and the access log among them) only
    INSERT and SELECT, every other table all but TRUNCATE; the role owns nothing and is no superuser."""
    trail = set(db_append_only_tables(connection))
    assert set(append_only_tables()) <= trail
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, p.privilege, has_table_privilege(%s, c.oid, p.privilege)
            FROM pg_class c
            CROSS JOIN unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER', 'REFERENCES'])
                AS p(privilege)
            WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
            """,
            [APP_ROLE],
        )
        rights = {}
        for table, privilege, granted in cursor.fetchall():
            rights.setdefault(table, set())
            if granted:
                rights[table].add(privilege)
        cursor.execute(
            "SELECT r.rolsuper, (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid) FROM pg_roles r "
            "WHERE r.rolname = %s",
            [APP_ROLE],
        )
        superuser, owned = cursor.fetchone()

    assert trail <= set(rights)
    wrong = {
        table: granted
        for table, granted in rights.items()
        if granted != ({"SELECT", "INSERT"} if table in trail else {"SELECT", "INSERT", "UPDATE", "DELETE"})
    }
    assert not wrong, wrong
    assert Incident._meta.db_table in rights and Incident._meta.db_table not in trail
    assert (superuser, owned) == (False, 0)


def test_the_grant_refuses_the_owner_itself(app_role, db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
    with pytest.raises(ImproperlyConfigured, match="owns nothing"):
        app_role_grant(connection, owner)


def test_the_grant_refuses_a_role_that_owns_a_table(app_role, db):
    """An owner may switch its table's triggers off: such a role is refused, and nothing is granted."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE safeguard_test_owned (id int)")
        cursor.execute(f'ALTER TABLE safeguard_test_owned OWNER TO "{APP_ROLE}"')
    with pytest.raises(ImproperlyConfigured, match="owns tables"):
        app_role_grant(connection, APP_ROLE)
