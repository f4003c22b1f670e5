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


def append_only(*tables):
    """Migration operation making each table refuse UPDATE and DELETE (PostgreSQL only; SQLite is demo-only)."""

    def forwards(apps, schema_editor):
        if _on_postgresql(schema_editor):
            for table in tables:
                schema_editor.execute(
                    f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
                    "FOR EACH ROW EXECUTE FUNCTION safeguard_refuse_rewrite()"
                )

    def backwards(apps, schema_editor):
        if _on_postgresql(schema_editor):
            for table in tables:
                schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}"')

    return migrations.RunPython(forwards, backwards)


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
