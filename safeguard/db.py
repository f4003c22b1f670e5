"""Database-level guarantees that no application code can skip."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections, migrations, transaction

REFUSE_FUNCTION = """
CREATE OR REPLACE FUNCTION safeguard_refuse_rewrite() RETURNS trigger AS $body$
BEGIN
    RAISE EXCEPTION 'safeguard: % on % is refused, the audit trail is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$body$ LANGUAGE plpgsql;
"""


def _on_postgresql(schema_editor):
    return schema_editor.connection.vendor == "postgresql"


def install_refuse_function():
    """Migration operation creating the trigger function that append_only() attaches (PostgreSQL only)."""

    def forwards(apps, schema_editor):
        if _on_postgresql(schema_editor):
            # params=None: the body holds literal % signs that psycopg would otherwise read as placeholders.
            schema_editor.execute(REFUSE_FUNCTION, params=None)

    def backwards(apps, schema_editor):
        if _on_postgresql(schema_editor):
            schema_editor.execute("DROP FUNCTION IF EXISTS safeguard_refuse_rewrite()")

    return migrations.RunPython(forwards, backwards)


def _refuse_truncate(schema_editor, table):
    # TRUNCATE fires no row trigger, so the trail needs a statement-level one of its own. CREATE OR REPLACE: the
    # upgrade below may meet a table that already has it.
    schema_editor.execute(
        f'CREATE OR REPLACE TRIGGER "{table}_no_truncate" BEFORE TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION safeguard_refuse_rewrite()"
    )


def append_only(*tables):
    """Migration operation making each table refuse UPDATE, DELETE and TRUNCATE (PostgreSQL only; SQLite is
    demo-only)."""

    def forwards(apps, schema_editor):
        if _on_postgresql(schema_editor):
            for table in tables:
                schema_editor.execute(
                    f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
                    "FOR EACH ROW EXECUTE FUNCTION safeguard_refuse_rewrite()"
                )
                _refuse_truncate(schema_editor, table)

    def backwards(apps, schema_editor):
        if _on_postgresql(schema_editor):
            for table in tables:
                schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_no_truncate" ON "{table}"')
                schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}"')

    return migrations.RunPython(forwards, backwards)


def append_only_tables(connection):
    """The tables an append_only() migration has made append-only, read from the database itself (PostgreSQL):
    the migrations stay the one list."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT c.relname
            FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid
            JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE p.proname = 'safeguard_refuse_rewrite' AND c.relnamespace = current_schema()::regnamespace
            ORDER BY c.relname
            """
        )
        return [name for (name,) in cursor.fetchall()]


def refuse_truncate_on_append_only_tables():
    """Migration operation adding the TRUNCATE guard to every table made append-only before append_only() had it
    (PostgreSQL only)."""

    def forwards(apps, schema_editor):
        if _on_postgresql(schema_editor):
            for table in append_only_tables(schema_editor.connection):
                _refuse_truncate(schema_editor, table)

    # Reversing leaves the guard in place: the trail only ever gains protection.
    return migrations.RunPython(forwards, migrations.RunPython.noop)


def app_role_grant(connection, role, password=None):
    """Make `role` the application's database role, creating it if it is missing (PostgreSQL only).

    It reads and writes the ordinary tables, but may only INSERT and SELECT on the append-only ones, and it owns
    nothing: only an owner or a superuser may DISABLE TRIGGER, drop a trigger or set session_replication_role, so the
    application can neither rewrite the trail nor switch its guards off. Every right is granted afresh each time,
    from the tables as they are now, so running it after each migrate covers the tables new migrations add.
    """
    if connection.vendor != "postgresql":
        raise ImproperlyConfigured("SAFEGUARD_DB_APP_ROLE needs PostgreSQL: SQLite has no roles.")
    quote = connection.ops.quote_name
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema()")
        migrator, schema = cursor.fetchone()
        if role == migrator:
            raise ImproperlyConfigured(
                f"SAFEGUARD_DB_APP_ROLE is {role}, the role migrate connects as: the application needs a role of "
                "its own, which owns nothing."
            )
        _role_create(connection, cursor, role, password)
        cursor.execute(
            """
            SELECT r.rolsuper, array(
                SELECT DISTINCT pg_get_userbyid(c.relowner)::text FROM pg_class c
                WHERE c.relnamespace = current_schema()::regnamespace AND pg_has_role(r.oid, c.relowner, 'MEMBER')
            )
            FROM pg_roles r WHERE r.rolname = %s
            """,
            [role],
        )
        superuser, owners = cursor.fetchone()
        if superuser or owners:
            raise ImproperlyConfigured(
                f"The application's role {role} could switch the audit's triggers off: "
                + ("it is a superuser." if superuser else f"it owns tables, or may act as {', '.join(owners)}, who do.")
            )
        schema, role = quote(schema), quote(role)
        cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}")
        if tables := append_only_tables(connection):
            cursor.execute(f"REVOKE UPDATE, DELETE ON {', '.join(map(quote, tables))} FROM {role}")
        cursor.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}")


def _role_create(connection, cursor, role, password):
    """Create the role (LOGIN, nothing more), or set the given password on it if it exists."""
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    if cursor.fetchone() is not None:
        if password:
            cursor.execute(f"ALTER ROLE {connection.ops.quote_name(role)} PASSWORD %s", [password])
        return
    try:
        with transaction.atomic(using=connection.alias):
            cursor.execute(f"CREATE ROLE {connection.ops.quote_name(role)} LOGIN PASSWORD %s", [password or None])
    except DatabaseError:
        # Roles belong to the whole server: a migrate of another database may have made it in the meantime.
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            raise


def app_role_grant_after_migrate(using, **kwargs):
    """post_migrate receiver: apply app_role_grant() to SAFEGUARD_DB_APP_ROLE, when it is set."""
    if settings.SAFEGUARD_DB_APP_ROLE:
        app_role_grant(
            connections[using], settings.SAFEGUARD_DB_APP_ROLE, password=settings.SAFEGUARD_DB_APP_PASSWORD or None
        )


def name_search_index(table, column):
    """Migration operation indexing `column` for substring and prefix search with pg_trgm (PostgreSQL only).

    The index is on UPPER(column), which is what Django's icontains and istartswith compare, so the planner can
    use it; on SQLite the search scans, and is just as correct.
    """
    name = f"{table}_{column}_trgm"

    def forwards(apps, schema_editor):
        if _on_postgresql(schema_editor):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin (UPPER("{column}") gin_trgm_ops)'
            )

    def backwards(apps, schema_editor):
        if _on_postgresql(schema_editor):
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(forwards, backwards)


REFUSE_DELETE_FUNCTION = """
CREATE OR REPLACE FUNCTION safeguard_refuse_delete() RETURNS trigger AS $body$
BEGIN
    RAISE EXCEPTION 'safeguard: DELETE on % is refused, its rows are kept as a record', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$body$ LANGUAGE plpgsql;
"""


def never_deleted(*tables):
    """Migration operation making each table refuse DELETE, while its rows may still be updated (PostgreSQL only):
    for records whose state moves on, such as the outbox's sent marks.

    Its trigger function is not the append-only one, so that the tables are not taken for append-only ones, whose
    rows no one may update."""

    def forwards(apps, schema_editor):
        if _on_postgresql(schema_editor):
            schema_editor.execute(REFUSE_DELETE_FUNCTION, params=None)
            for table in tables:
                schema_editor.execute(
                    f'CREATE TRIGGER "{table}_no_delete" BEFORE DELETE ON "{table}" '
                    "FOR EACH ROW EXECUTE FUNCTION safeguard_refuse_delete()"
                )

    def backwards(apps, schema_editor):
        if _on_postgresql(schema_editor):
            for table in tables:
                schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_no_delete" ON "{table}"')

    return migrations.RunPython(forwards, backwards)
