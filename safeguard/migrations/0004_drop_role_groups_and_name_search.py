"""Roles now decide what a school's team sees (safeguard.policy), so the per-role groups carry nothing.

Their per-record grants went with the permission tables in 0003; the history of every record is untouched, and
who held which role when stays in each Membership's history. The groups themselves are removed here.
"""

from django.db import migrations

from safeguard.db import name_search_index

POLICY_GROUP_PREFIXES = ("school:", "trust:", "signatory:")


def drop_policy_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for prefix in POLICY_GROUP_PREFIXES:
        Group.objects.filter(name__startswith=prefix).delete()


class Migration(migrations.Migration):
    dependencies = [("safeguard", "0003_role_scoping")]

    operations = [
        migrations.RunPython(drop_policy_groups, migrations.RunPython.noop),
        # The case list and the pupil search find pupils by a few letters of either name.
        name_search_index("safeguard_pupil", "first_name"),
        name_search_index("safeguard_pupil", "last_name"),
    ]
