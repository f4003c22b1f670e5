"""PostgreSQL for the tests: Django's own backend, except that emptying the database between tests gets past the
audit trail's TRUNCATE guard."""

from django.db.backends.postgresql import base


class DatabaseOperations(base.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        sql = super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        # Transactional tests (a live server, a real worker) empty every table afterwards, and the append-only
        # tables refuse TRUNCATE whoever asks. Triggers are off for this one transaction (execute_sql_flush runs the
        # list in one), which only a superuser may ask: the tests connect as one, the application never does.
        return ["SET LOCAL session_replication_role = replica", *sql] if sql else sql


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
