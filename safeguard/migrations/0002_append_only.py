from django.db import migrations

from safeguard.db import append_only, install_refuse_function


class Migration(migrations.Migration):
    dependencies = [("safeguard", "0001_initial")]

    operations = [
        install_refuse_function(),
        append_only(
            "safeguard_historicaltrust",
            "safeguard_historicalschool",
            "safeguard_historicalmembership",
            "safeguard_historicalpupil",
            "safeguard_accesslog",
        ),
    ]
