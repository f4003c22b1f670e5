from django.db import migrations

from safeguard.db import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0009_inspection"),
    ]

    # A report's row moves from queued to ready (or failed), so it is updated; its history, which says who asked,
    # each attempt and how it ended, is never rewritten: PostgreSQL refuses UPDATE, DELETE and TRUNCATE on it.
    operations = [append_only("records_historicalreport")]
