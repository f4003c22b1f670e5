"""Signatories saw every case through a school-wide group; now each is named on the cases whose decision waits
for their signature (safeguard.policy.SIGNATORY_PERMS), so name today's signatories on today's pending cases."""

from django.db import migrations


def name_signatories(apps, schema_editor):
    Decision = apps.get_model("referrals", "Decision")
    Signatory = apps.get_model("referrals", "Signatory")
    Permission = apps.get_model("auth", "Permission")
    Named = apps.get_model("incidents", "IncidentUserObjectPermission")
    permissions = list(
        Permission.objects.filter(
            content_type__app_label="incidents", codename__in=["view_incident", "sign_off_incident"]
        )
    )
    rows = []
    for decision in Decision.objects.filter(kind="manage_in_school", status="pending_sign_off").select_related(
        "incident"
    ):
        for signatory in Signatory.objects.filter(school_id=decision.incident.school_id, ended_at__isnull=True):
            rows += [Named(user_id=signatory.user_id, permission=p, content_object=decision.incident) for p in permissions]
    Named.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0002_one_sign_off_per_decision"), ("incidents", "0003_counters_and_name_search")]

    operations = [migrations.RunPython(name_signatories, migrations.RunPython.noop)]
