from django.db import migrations

from safeguard.db import refuse_truncate_on_append_only_tables


class Migration(migrations.Migration):
    # Here, in the highest app, so that every table an earlier migration of any app made append-only exists; tables
    # made append-only from now on get the guard from append_only() itself.
    dependencies = [
        ("safeguard", "0005_school_calendar"),
        ("incidents", "0005_aggravating_factors_and_referral_required"),
        ("referrals", "0005_structured_annex_a_and_factor_reasons"),
    ]

    operations = [refuse_truncate_on_append_only_tables()]
