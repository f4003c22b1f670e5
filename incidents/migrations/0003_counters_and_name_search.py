"""Start each school's reference counter from the references already given; index the names of people who
are not pupils here for the case list's search (safeguard.db.name_search_index)."""

import re

from django.db import migrations

from safeguard.db import name_search_index


def start_counters(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    Counter = apps.get_model("incidents", "CaseReferenceCounter")
    last = {}
    for school_id, reference in Incident.objects.exclude(reference="").values_list("school_id", "reference"):
        found = re.search(r"-(\d{4})-(\d+)$", reference)
        if found:
            key = (school_id, int(found.group(1)))
            last[key] = max(last.get(key, 0), int(found.group(2)))
    Counter.objects.bulk_create(
        Counter(school_id=school_id, year=year, last=number) for (school_id, year), number in last.items()
    )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0002_role_scoping"), ("safeguard", "0003_role_scoping")]

    operations = [
        migrations.RunPython(start_counters, migrations.RunPython.noop),
        name_search_index("incidents_involvement", "other_name"),
    ]
