"""Database-level guarantees that no application code can skip."""

from django.db import migrations

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
    """Migration operation giving every table made append-only before append_only() refused TRUNCATE the
    TRUNCATE guard too (PostgreSQL only)."""

    def forwards(apps, schema_editor):
        if _on_postgresql(schema_editor):
            for table in append_only_tables(schema_editor.connection):
                _refuse_truncate(schema_editor, table)

    # Reversing leaves the guard in place: the trail only ever gains protection.
    return migrations.RunPython(forwards, migrations.RunPython.noop)


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
