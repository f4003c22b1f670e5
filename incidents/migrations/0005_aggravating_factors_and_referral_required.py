# Meetings recorded before the aggravating factors were asked about get "not yet known" for each: true of them,
# and it asks a decision to manage in school resting on such a meeting for its reasons (referrals.services).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0004_dashboard_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalinitialreviewmeeting',
            name='age_gap_or_power',
            preserve_default=False,
            field=models.CharField(choices=[('yes', 'Yes'), ('no', 'No'), ('not_yet_known', 'Not yet known')], default='not_yet_known', max_length=16, verbose_name='There is a marked age gap or power imbalance between the people involved'),
        ),
        migrations.AddField(
            model_name='historicalinitialreviewmeeting',
            name='age_gap_or_power_notes',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='historicalinitialreviewmeeting',
            name='pressure',
            preserve_default=False,
            field=models.CharField(choices=[('yes', 'Yes'), ('no', 'No'), ('not_yet_known', 'Not yet known')], default='not_yet_known', max_length=16, verbose_name='There was pressure or persuasion to make or share it'),
        ),
        migrations.AddField(
            model_name='historicalinitialreviewmeeting',
            name='pressure_notes',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='historicalinitialreviewmeeting',
            name='sent_to_several',
            preserve_default=False,
            field=models.CharField(choices=[('yes', 'Yes'), ('no', 'No'), ('not_yet_known', 'Not yet known')], default='not_yet_known', max_length=16, verbose_name='It was sent to more than one person'),
        ),
        migrations.AddField(
            model_name='historicalinitialreviewmeeting',
            name='sent_to_several_notes',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='historicalinitialreviewmeeting',
            name='shared_to_harm',
            preserve_default=False,
            field=models.CharField(choices=[('yes', 'Yes'), ('no', 'No'), ('not_yet_known', 'Not yet known')], default='not_yet_known', max_length=16, verbose_name='It was shared to humiliate, bully or harm'),
        ),
        migrations.AddField(
            model_name='historicalinitialreviewmeeting',
            name='shared_to_harm_notes',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='historicalinitialreviewmeeting',
            name='shared_without_consent',
            preserve_default=False,
            field=models.CharField(choices=[('yes', 'Yes'), ('no', 'No'), ('not_yet_known', 'Not yet known')], default='not_yet_known', max_length=16, verbose_name='The imagery was shared beyond the person it was sent to, or without the consent of the pupil in it'),
        ),
        migrations.AddField(
            model_name='historicalinitialreviewmeeting',
            name='shared_without_consent_notes',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='initialreviewmeeting',
            name='age_gap_or_power',
            preserve_default=False,
            field=models.CharField(choices=[('yes', 'Yes'), ('no', 'No'), ('not_yet_known', 'Not yet known')], default='not_yet_known', max_length=16, verbose_name='There is a marked age gap or power imbalance between the people involved'),
        ),
        migrations.AddField(
            model_name='initialreviewmeeting',
            name='age_gap_or_power_notes',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='initialreviewmeeting',
            name='pressure',
            preserve_default=False,
            field=models.CharField(choices=[('yes', 'Yes'), ('no', 'No'), ('not_yet_known', 'Not yet known')], default='not_yet_known', max_length=16, verbose_name='There was pressure or persuasion to make or share it'),
        ),
        migrations.AddField(
            model_name='initialreviewmeeting',
            name='pressure_notes',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='initialreviewmeeting',
            name='sent_to_several',
            preserve_default=False,
            field=models.CharField(choices=[('yes', 'Yes'), ('no', 'No'), ('not_yet_known', 'Not yet known')], default='not_yet_known', max_length=16, verbose_name='It was sent to more than one person'),
        ),
        migrations.AddField(
            model_name='initialreviewmeeting',
            name='sent_to_several_notes',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='initialreviewmeeting',
            name='shared_to_harm',
            preserve_default=False,
            field=models.CharField(choices=[('yes', 'Yes'), ('no', 'No'), ('not_yet_known', 'Not yet known')], default='not_yet_known', max_length=16, verbose_name='It was shared to humiliate, bully or harm'),
        ),
        migrations.AddField(
            model_name='initialreviewmeeting',
            name='shared_to_harm_notes',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='initialreviewmeeting',
            name='shared_without_consent',
            preserve_default=False,
            field=models.CharField(choices=[('yes', 'Yes'), ('no', 'No'), ('not_yet_known', 'Not yet known')], default='not_yet_known', max_length=16, verbose_name='The imagery was shared beyond the person it was sent to, or without the consent of the pupil in it'),
        ),
        migrations.AddField(
            model_name='initialreviewmeeting',
            name='shared_without_consent_notes',
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name='historicalincident',
            name='state',
            field=models.CharField(choices=[('draft', 'Draft, not yet reported'), ('reported', 'New concern'), ('under_review', 'Under review'), ('awaiting_sign_off', 'Awaiting sign-off'), ('referral_required', 'Referral required'), ('referred', 'Referred'), ('managed_in_school', 'Managed in school'), ('closed', 'Closed and signed off'), ('reopened', 'Reopened')], db_index=True, default='draft', max_length=20),
        ),
        migrations.AlterField(
            model_name='incident',
            name='state',
            field=models.CharField(choices=[('draft', 'Draft, not yet reported'), ('reported', 'New concern'), ('under_review', 'Under review'), ('awaiting_sign_off', 'Awaiting sign-off'), ('referral_required', 'Referral required'), ('referred', 'Referred'), ('managed_in_school', 'Managed in school'), ('closed', 'Closed and signed off'), ('reopened', 'Reopened')], db_index=True, default='draft', max_length=20),
        ),
    ]
