"""The books refuse UPDATE and DELETE at the database, so even raw SQL cannot rewrite them."""

from django.db import migrations

from execora.append_only import protect_tables

forward, backward = protect_tables("ledger_journalentry", "ledger_journalline", "ledger_payment")


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
