"""Make the floor's database: migrate, seed `--rows` items with COPY, and print a signed-in session's key.

Run by bench/run.py in a process of its own (DJANGO_SETTINGS_MODULE=bench.floor.settings), since one process
can hold only one settings module.
"""

import argparse
import datetime
import json

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.floor.models import Item  # noqa: E402
from bench.signin import session_key  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, required=True)
    rows = parser.parse_args().rows
    call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)
    now = timezone.now()
    connection.ensure_connection()
    table = connection.ops.quote_name(Item._meta.db_table)
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {table} (name, kind, amount, created_at) FROM STDIN") as copy,
    ):
        for n in range(rows):
            copy.write_row([f"Item {n}", ("alpha", "beta", "gamma")[n % 3], n % 997, now - datetime.timedelta(hours=n)])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    user = get_user_model().objects.create(username="floor")
    user.set_unusable_password()
    user.save()
    print(json.dumps({"session": session_key(user)}))


if __name__ == "__main__":
    main()
